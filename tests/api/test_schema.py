"""The OpenAPI schema, run against the app in-process (schemathesis over WSGI): for every
operation, generated requests (valid and invalid) never get a 5xx, and every response
conforms to the schema: documented status, content type and body."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fupin.api import api
from fupin.core.tokens import token_create
from fupin.pairing.cards import card_object, card_print
from fupin.pairing.models import (
    AssignmentProposal,
    BlackListEntry,
    Committee,
    LabourPost,
    PostApplication,
)
from fupin.pairing.postings import PostedPerson, posting_open
from fupin.pairing.services import assignment_open, cadre_register
from fupin.registry.idnumber import id_make
from fupin.wsgi import application
from tests.api.test_cases import START
from tests.targeting.conftest import Posts, assess, household_make

pytestmark = pytest.mark.django_db
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip
EXAMPLES = 8


@pytest.fixture
def var_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploads of generated imports land under the test's tmp directory, not var/."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """Keep the test's database connection across WSGI requests, as Django's test client
    does: the handler would close it after each request, and the test's transaction with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def known_ids(homes: dict, posts: Posts) -> dict[str, Any]:
    """Path parameters that exist, so that generated requests reach real rows too."""
    from fupin.targeting.services import case_open

    household = household_make("5227271002180042")
    assess(household, 2016, 2000)
    case = case_open(kind="identification", year=2016, on=START, actor=posts.cadre,
                     trigger="application", household=household)  # fmt: skip
    assert posts.county.user is not None
    spare = token_create(user=posts.county.user, name="spare", actor=posts.county).token
    cadre = cadre_register(name="罗建华", id_number=id_make("522727", date(1982, 6, 1), 31),
                           phone="13985401234", unit="平塘县农业农村局", unit_level="county",
                           region_code="522727", actor=posts.county)  # fmt: skip
    assignment = assignment_open(cadre=cadre, household=homes["home"], on=START,
                                 actor=posts.county)  # fmt: skip
    printed = card_print(household=homes["home"], on=START, actor=posts.county)
    objection = card_object(raw=printed.print.verify_url.rstrip("/").rsplit("/", 1)[1],
                            text="帮扶措施没有落实")  # fmt: skip
    proposal = AssignmentProposal.objects.create(
        region_code="522727", starts_on=START, households_unpaired=1, households_matched=0,
        summary={"matched": {}}, created_at=timezone.now(),
    )  # fmt: skip
    team = [PostedPerson(f"驻村干部{n}", id_make("522701", date(1985, 5, 5), n), "13900000000",
                         is_leader=n == 1) for n in (1, 2, 3)]  # fmt: skip
    posting = posting_open(village=homes["home"].village_id, kind="work_team",
                           sending_unit="黔南州财政局", unit_level="city", term_start=START,
                           duties="抓党建促脱贫", members=team, actor=posts.county)  # fmt: skip
    committee = Committee.objects.create(village_id=homes["home"].village_id, formed_on=START,
                                         households_counted=2, seats=5,
                                         created_at=timezone.now())  # fmt: skip
    labour = LabourPost.objects.create(
        village_id=committee.village_id, committee=committee, title="保洁员", duties="村道清扫",
        place="村委会", pay_amount=500, pay_unit="month", positions=1, opened_on=START,
        created_at=timezone.now(),
    )  # fmt: skip
    applied = PostApplication.objects.create(
        post=labour, person=homes["home"].members.get(relation="head"), applied_on=START,
        consent_given_on=START, consent_evidence="本人签字申请书", recorded_at=timezone.now(),
    )  # fmt: skip
    entry = BlackListEntry.objects.create(
        committee=committee, household=homes["home"], year=2016, month=10,
        reasons="损毁公共设施", listed_on=START, recorded_at=timezone.now(),
    )  # fmt: skip
    return {"household_id": homes["home"].pk, "posting_id": posting.pk,
            "post_id": labour.pk, "application_id": applied.pk, "entry_id": entry.pk,
            "member_id": posting.members.order_by("pk")[1].pk, "case_id": case.pk,
            "code": homes["home"].village_id,
            "token_id": spare.pk, "cadre_id": cadre.pk, "assignment_id": assignment.pk,
            "objection_id": objection.pk, "proposal_id": proposal.pk}  # fmt: skip


def test_every_operation_conforms_to_the_schema(
    posts: Posts, known_ids: dict[str, Any], connection_kept: None, var_in_tmp: None
) -> None:
    # given a county user's token and the schema the app serves
    assert posts.county.user is not None
    raw = token_create(user=posts.county.user, name="schemathesis", actor=posts.county).raw
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    served = api.get_openapi_schema()["paths"]
    assert len(operations) == sum(len(methods) for methods in served.values()) >= 19

    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        known = {name: value for name, value in known_ids.items() if name in names}
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        if known:
            strategies.append(operation.as_strategy(path_parameters=known))
        for strategy in strategies:

            @given(case=strategy)
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            def run(case: Any) -> None:
                # when the generated request is sent
                response = case.call(headers=headers)
                # then no 5xx, and status, content type and body are as documented
                case.validate_response(response, checks=CHECKS)

            run()
