"""Cases through the API: scope, history, next steps, and taking a step."""

from __future__ import annotations

from datetime import date

import pytest

from fupin.targeting import procedures as p
from fupin.targeting.models import Case, CaseStep
from fupin.targeting.services import case_open
from tests.api.conftest import ApiClient
from tests.targeting.conftest import Posts, assess, evidence_for, household_make

pytestmark = pytest.mark.django_db
START = date(2016, 10, 8)


@pytest.fixture
def case(posts: Posts) -> Case:
    """An identification case opened in VILLAGE by its cadre."""
    household = household_make("5227271002180007")
    assess(household, 2016, 2000)
    return case_open(kind="identification", year=2016, on=START, actor=posts.cadre,
                     trigger="application", household=household)  # fmt: skip


def _step(client: object, case: Case, step: str, **evidence: object) -> object:
    return client.post(  # type: ignore[attr-defined]
        f"/api/v1/cases/{case.pk}/steps",
        {"step": step, "on": START.isoformat(), "evidence": evidence},
        content_type="application/json",
    )


def test_a_step_taken_through_the_api(api_client: ApiClient, case: Case) -> None:
    # given the case's first step and its evidence
    first = p.IDENTIFICATION.steps[0]

    # when the village cadre takes it
    response = _step(api_client("cadre"), case, first.slug, **evidence_for(first))

    # then it is on the case's history and the next step is the appraisal
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(row["step"], row["action"], row["actor_label"]) for row in body["steps"]] == [
        ("application", "taken", "cadre"),
    ]
    assert [step["slug"] for step in body["next_steps"]] == ["village_appraisal"]
    assert (
        CaseStep.objects.get(case=case).evidence["application"]
        == evidence_for(first)["application"]
    )


def test_a_refused_step_answers_with_its_code(api_client: ApiClient, case: Case) -> None:
    cadre = api_client("cadre")
    out_of_order = _step(cadre, case, "township_review", review_opinion="同意", spot_checked=3)
    no_evidence = _step(cadre, case, "application")
    wrong_post = _step(api_client("county"), case, "application", application="申请书")

    assert (out_of_order.status_code, out_of_order.json()["code"]) == (409, "out_of_order")
    assert (no_evidence.status_code, no_evidence.json()["code"]) == (400, "evidence_missing")
    assert (wrong_post.status_code, wrong_post.json()["code"]) == (409, "role_not_allowed")
    assert not CaseStep.objects.filter(case=case).exists()


def test_a_step_dated_in_the_future_is_refused(api_client: ApiClient, case: Case) -> None:
    response = api_client("cadre").post(
        f"/api/v1/cases/{case.pk}/steps",
        {"step": "application", "on": "2999-01-01", "evidence": {"application": "x"}},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "date_in_future")


def test_a_nan_rate_is_refused_not_an_error(api_client: ApiClient, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(kind="village_exit", household=None)
    response = _step(api_client("cadre"), case, "village_application", application="x",
                     incidence="NaN")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "evidence_invalid"


def test_case_detail_scope_and_next_steps_by_post(api_client: ApiClient, case: Case) -> None:
    cadre = api_client("cadre").get(f"/api/v1/cases/{case.pk}").json()
    assert cadre["next_steps"][0]["slug"] == "application"
    assert cadre["household_no"] == "5227271002180007"
    assert [e["key"] for e in cadre["next_steps"][0]["evidence"]] == ["application"]
    assert api_client("province").get(f"/api/v1/cases/{case.pk}").json()["next_steps"] == []

    forbidden = api_client("other_cadre").get(f"/api/v1/cases/{case.pk}")
    missing = api_client("other_cadre").get(f"/api/v1/cases/{case.pk + 1000}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_a_viewer_without_change_cannot_take_steps(api_client: ApiClient, case: Case) -> None:
    # The health department reads cases but takes no step: the same 404 as out of scope.
    response = _step(api_client("health"), case, "application", application="申请书")
    assert response.status_code == 404
    assert not CaseStep.objects.exists()
    response = _step(api_client("other_cadre"), case, "application", application="申请书")
    assert response.status_code == 404


def test_case_list_filters(api_client: ApiClient, case: Case, posts: Posts) -> None:
    other = household_make("5227271002120007", village="522727100212")
    assess(other, 2016, 2000)
    case_open(kind="identification", year=2016, on=START, actor=posts.other_cadre,
              trigger="application", household=other)  # fmt: skip
    county = api_client("county")

    def ids(**params: object) -> list[str]:
        response = county.get("/api/v1/cases", params)
        assert response.status_code == 200
        return sorted(row["region_code"] for row in response.json()["items"])

    assert ids() == ["522727100212", "522727100218"]
    assert ids(region="522727100218") == ["522727100218"]
    assert ids(kind="identification", outcome="open", year=2016) == ["522727100212", "522727100218"]
    assert ids(kind="exit") == []
    assert ids(year=2017) == []
    assert ids(outcome="approved") == []
    page = county.get("/api/v1/cases", {"page_size": 1, "page": 2}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    cadre = api_client("cadre").get("/api/v1/cases").json()
    assert [row["id"] for row in cadre["items"]] == [case.pk]
