"""The OpenAPI schema, run against the app in-process (schemathesis over WSGI): for every
operation, generated requests (valid and invalid) never get a 5xx, and every response
conforms to the schema: documented status, content type and body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
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
    return {"household_id": homes["home"].pk, "case_id": case.pk, "code": "522727",
            "token_id": spare.pk}  # fmt: skip


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
