"""The exit check's API (第三方评估) through a bearer token: an evaluator draws, imports the
filled workbook, reads the rates with their intervals, bars and vetoes, and completes; a
bad workbook answers every problem and writes nothing; readers and other counties are
refused as they are on the pages."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.core.tokens import token_create
from fupin.monitoring.models import CheckFinding, ExitCheck
from fupin.monitoring.verification.queries import survey_header, survey_rows
from fupin.monitoring.verification.services import exit_check_draw
from fupin.monitoring.verification.workbook import survey_workbook
from fupin.registry.models import Household
from fupin.synth.survey import survey_fill
from tests.monitoring.test_verification_pages import COUNTY, YEAR, county, filled  # noqa: F401
from tests.targeting.conftest import Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def client(actor: Actor) -> Client:
    assert actor.user is not None
    raw = token_create(user=actor.user, name="test", actor=actor).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(api: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    call = getattr(api, method)
    return call(f"/api/v1{path}", json.dumps(data), content_type="application/json")


def upload(api: Client, check_id: int, path: Path) -> Any:
    with path.open("rb") as handle:
        return api.post(f"/api/v1/exit-checks/{check_id}/findings", {"file": handle})


def test_an_evaluator_draws_imports_reads_and_completes(
    county: dict[str, Household],  # noqa: F811
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    api = client(posts.evaluator)
    # given: a check drawn through the API
    drawn = send(api, "post", "/exit-checks", {"county_code": COUNTY, "year": YEAR, "seed": 7})
    assert drawn.status_code == 201, drawn.content
    body = drawn.json()
    assert (body["seed"], body["status"], body["households_sampled"]) == ("7", "drawn", 9)
    assert {row["stratum"]: row["sampled"] for row in body["strata"]} == {
        "exited": 4, "poor": 0, "non_registered": 5}  # fmt: skip
    assert body["results"]["recognition"]["value"] is None and body["evaluation"] is None
    check = ExitCheck.objects.get()
    assert [item["id"] for item in api.get("/api/v1/exit-checks").json()] == [check.pk]
    # when: the team's workbook is imported
    path = survey_fill(exit_check=check, path=tmp_path / "team.xlsx", seed=1, disapproving=0)
    imported = upload(api, check.pk, path)
    assert imported.status_code == 200, imported.content
    assert imported.json() == {"file": "team.xlsx", "households": 9}
    # then: the rates, their intervals, the bars and no veto
    read = api.get(f"/api/v1/exit-checks/{check.pk}").json()
    results = read["results"]
    assert results["fixed"] is False and results["households_surveyed"] == 9
    assert results["wrong_exit_rate"]["value"] == 0 and results["recognition"]["value"] == 1
    assert results["wrong_exit_rate"]["denominator"] == 14  # exited persons: 4 + 3 + 5 + 2
    assert 0 <= results["omission_rate"]["low"] <= results["omission_rate"]["high"] <= 1
    assert read["evaluation"]["vetoes"] == []
    assert Decimal(read["evaluation"]["bars"]["satisfaction"]) == Decimal("0.9")
    assert read["evaluation"]["evidence"]["incidence"] == "0.000000"
    # and completing fixes them
    done = send(api, "patch", f"/exit-checks/{check.pk}", {"status": "completed"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed" and done.json()["results"]["fixed"] is True
    again = send(api, "patch", f"/exit-checks/{check.pk}", {"status": "completed"})
    assert again.status_code == 409 and again.json()["code"] == "check_completed"
    assert upload(api, check.pk, path).json()["code"] == "check_completed"


def test_a_bad_workbook_answers_every_problem_and_writes_nothing(
    county: dict[str, Household],  # noqa: F811
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=3, actor=posts.evaluator)
    api = client(posts.evaluator)
    data = survey_workbook(survey_header(check), survey_rows(check))
    bad = filled(data, tmp_path / "bad.xlsx", E2={"income_per_capita": "很多"},
                 N1={"persons": 0})  # fmt: skip
    # when
    refused = upload(api, check.pk, bad)
    # then
    assert refused.status_code == 400
    answer = refused.json()
    assert answer["code"] == "findings_invalid"
    assert sorted(error["field"] for error in answer["errors"]) == [
        "人均纯收入（元） (income_per_capita)", "核实人口 (persons)"]  # fmt: skip
    assert all(error["file"] == "bad.xlsx" and error["row"] >= 2 for error in answer["errors"])
    assert not CheckFinding.objects.exists()
    (tmp_path / "notes.csv").write_text("not a workbook")
    assert upload(api, check.pk, tmp_path / "notes.csv").json()["code"] == "findings_invalid"


def test_readers_read_but_do_not_draw_and_other_counties_are_not_found(
    county: dict[str, Household],  # noqa: F811
    posts: Posts,  # noqa: F811
    actor: Actor,
    tmp_path: Path,
) -> None:
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=5, actor=posts.evaluator)
    inspector = client(posts.inspector)
    assert inspector.get(f"/api/v1/exit-checks/{check.pk}").status_code == 200
    refused = send(inspector, "post", "/exit-checks", {"county_code": COUNTY, "year": YEAR + 1})
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    moved = send(inspector, "patch", f"/exit-checks/{check.pk}", {"status": "in_field"})
    assert moved.status_code == 403
    path = survey_fill(exit_check=check, path=tmp_path / "s.xlsx", seed=1)
    assert upload(inspector, check.pk, path).status_code == 403
    assert ExitCheck.objects.get().status == "drawn" and not CheckFinding.objects.exists()
    # another county's office: the check is missing, and the list is empty
    other = get_user_model().objects.create_user(username="other-county")
    grant_add(user=other, role="county", region_prefix="522701", actor=actor)
    outsider = client(Actor.of(other))
    far, gone = (outsider.get(f"/api/v1/exit-checks/{pk}") for pk in (check.pk, check.pk + 9))
    assert far.status_code == gone.status_code == 404 and far.json() == gone.json()
    assert send(outsider, "patch", f"/exit-checks/{check.pk}", {"status": "completed"}
                ).status_code == 404  # fmt: skip
    assert outsider.get("/api/v1/exit-checks").json() == []
    # and a drawn check is sent to the field once, by its keeper
    sent = send(
        client(posts.evaluator), "patch", f"/exit-checks/{check.pk}", {"status": "in_field"}
    )
    assert sent.status_code == 200 and sent.json()["status"] == "in_field"
    twice = send(client(posts.evaluator), "post", "/exit-checks",
                 {"county_code": COUNTY, "year": YEAR})  # fmt: skip
    assert twice.status_code == 409 and twice.json()["code"] == "check_exists"


def test_a_year_without_an_exit_line_refuses_the_workbook_and_writes_nothing(
    county: dict[str, Household],  # noqa: F811
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given: a check of a year the policy tables give no exit line for
    check = exit_check_draw(county_code=COUNTY, year=2030, seed=1, actor=posts.evaluator)
    data = survey_workbook(survey_header(check), survey_rows(check))
    # when
    refused = upload(client(posts.evaluator), check.pk, filled(data, tmp_path / "s.xlsx"))
    # then
    assert refused.status_code == 409 and refused.json()["code"] == "policy_missing"
    assert "exit_line" in refused.json()["message"] and not CheckFinding.objects.exists()
