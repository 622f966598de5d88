"""The funds and projects API through a bearer token: a county keeps a project from the
bank to its payments and the reconciliation gives the amounts worked out by hand; a
province allocates to a county; idle money is flagged; out of scope answers 404 like
missing; a refusal answers its stable code and writes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from fupin.core.audit import Actor
from fupin.core.tokens import token_create
from fupin.regions.models import Region
from fupin.support.funds.services import allocation_record, project_create
from fupin.support.models import Allocation, Disbursement, Project, ProjectBeneficiary
from fupin.support.services import measure_record
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2018


def client(actor: Actor) -> Client:
    assert actor.user is not None
    raw = token_create(user=actor.user, name="test", actor=actor).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(api: Client, path: str, data: dict[str, Any]) -> Any:
    return api.post(f"/api/v1{path}", json.dumps(data), content_type="application/json")


def allocate(actor: Actor, giver: str, receiver: str, amount: str, on: date, **extra: Any) -> None:
    allocation_record(year=YEAR, source=extra.pop("source", "central"), from_region_code=giver,
                      to_region_code=receiver, amount=Decimal(amount), document_no="财农〔2018〕8号",
                      allocated_on=on, actor=actor, **extra)  # fmt: skip


def test_a_county_keeps_a_project_and_the_reconciliation_adds_it_up(posts: Posts) -> None:  # noqa: F811
    # given
    allocate(posts.national, "", "52", "1000000", date(YEAR, 3, 1))
    allocate(posts.province, "52", "522727", "600000", date(YEAR, 4, 1))
    allocate(posts.county, "522727", "522727", "50000", date(YEAR, 5, 1), source="county")
    one, two = household_make("H1", status="registered"), household_make("H2", status="exited")
    measure = measure_record(household=one, year=YEAR, given_on=date(YEAR, 5, 10),
                             measure_type="industry", description="种养殖奖补", form="money",
                             value=Decimal("2000"), provider_kind="department",
                             provider_name="平塘县农业农村局", actor=posts.cadre)  # fmt: skip
    api = client(posts.county)
    # when
    made = post(api, "/funds/projects", {"region_code": VILLAGE, "year": YEAR,
                                         "kind": "infrastructure", "name": "京舟村通组硬化路",
                                         "budget": "400000"})  # fmt: skip
    assert made.status_code == 201, made.content
    project_id = made.json()["id"]
    assert made.json() | {"status": "planned", "paid": "0.00", "households": 0} == made.json()
    stepped = post(api, f"/funds/projects/{project_id}/transitions",
                   {"to_status": "approved", "on": "2018-05-05", "reason": "批复"})  # fmt: skip
    assert stepped.status_code == 201 and stepped.json()["approved_on"] == "2018-05-05"
    assert [(t["from_status"], t["to_status"]) for t in stepped.json()["transitions"]] == [
        ("planned", "approved")]  # fmt: skip
    added = post(api, f"/funds/projects/{project_id}/beneficiaries",
                 {"household_ids": [one.pk, two.pk, one.pk]})  # fmt: skip
    assert added.json() == {"added": 2, "households": 2}
    for body in ({"project_id": project_id, "amount": "250000", "voucher_no": "记-0701"},
                 {"household_id": one.pk, "measure_id": measure.pk, "amount": "2000"},
                 {"household_id": two.pk, "amount": "500.50", "source": "provincial"}):  # fmt: skip
        paid = post(api, "/funds/payments", {"year": YEAR, "source": "central",
                                             "paid_on": "2018-07-01", **body})  # fmt: skip
        assert paid.status_code == 201, paid.content
    # then
    read = api.get(f"/api/v1/funds/projects/{project_id}").json()
    assert (read["status"], read["paid"], read["households"]) == ("approved", "250000.00", 2)
    assert [p["amount"] for p in read["payments"]] == ["250000.00"]
    beneficiaries = api.get(f"/api/v1/funds/projects/{project_id}/beneficiaries").json()
    assert [row["household_no"] for row in beneficiaries["items"]] == ["H1", "H2"]
    assert Disbursement.objects.get(measure=measure).household_id == one.pk
    # 600,000 + 50,000 available; 250,000 to the project, 2,500.50 to two households
    answer = api.get(f"/api/v1/funds/reconciliation?region=522727&year={YEAR}")
    assert answer.status_code == 200, answer.content
    total = answer.json()["total"]
    assert {key: total[key] for key in ("received", "own_funds", "available", "to_projects",
                                        "to_households", "undisbursed", "households_paid")} == {
        "received": "600000.00", "own_funds": "50000.00", "available": "650000.00",
        "to_projects": "250000.00", "to_households": "2500.50", "undisbursed": "397499.50",
        "households_paid": 2,
    }  # fmt: skip
    province = client(posts.province).get(f"/api/v1/funds/reconciliation?region=52&year={YEAR}")
    parts = {part["code"]: part for part in province.json()["parts"]}
    assert (parts["5200"]["own_level"], parts["5200"]["available"]) == (True, "400000.00")
    assert parts["5227"]["disbursed"] == "252500.50"
    listed = api.get(f"/api/v1/funds/projects?region=522727&year={YEAR}").json()
    assert (listed["count"], listed["items"][0]["paid"]) == (1, "250000.00")


def test_a_province_allocates_to_a_county_and_lists_it(posts: Posts) -> None:  # noqa: F811
    api = client(posts.province)
    made = post(api, "/funds/allocations", {
        "year": YEAR, "source": "provincial", "from_region_code": "52", "to_region_code": "52",
        "amount": "800000", "document_no": "黔财农〔2018〕3号", "allocated_on": "2018-02-01",
    })  # fmt: skip
    assert made.status_code == 201, made.content
    given = post(api, "/funds/allocations", {
        "year": YEAR, "source": "provincial", "from_region_code": "52",
        "to_region_code": "522727", "amount": "300000", "document_no": "黔财农〔2018〕21号",
        "allocated_on": "2018-04-02",
    })  # fmt: skip
    assert given.status_code == 201
    assert given.json() | {"from_region_code": "52", "to_region_code": "522727",
                           "amount": "300000.00"} == given.json()  # fmt: skip
    listed = client(posts.county).get(f"/api/v1/funds/allocations?year={YEAR}").json()
    assert (listed["count"], listed["items"][0]["document_no"]) == (1, "黔财农〔2018〕21号")
    assert api.get("/api/v1/funds/allocations?region=5227").json()["count"] == 1
    reconciled = api.get(f"/api/v1/funds/reconciliation?region=52&year={YEAR}").json()
    assert (reconciled["total"]["own_funds"], reconciled["node"]["passed_down"]) == (
        "800000.00", "300000.00")  # fmt: skip


def test_idle_money_is_flagged(posts: Posts) -> None:  # noqa: F811
    allocate(posts.national, "", "522727", "100000", date(YEAR, 3, 1))
    allocate(posts.prefecture, "5227", "522727", "10000", date(YEAR, 3, 2))
    api = client(posts.prefecture)
    flags = api.get(f"/api/v1/funds/flags?region=5227&year={YEAR}&on=2019-06-30").json()
    assert [(row["code"], row["idle"], row["overspent"]) for row in flags] == [
        ("522727", "110000.00", "0.00"), ("5227", "0.00", "10000.00")]  # fmt: skip
    early = api.get(f"/api/v1/funds/flags?region=5227&year={YEAR}&on=2018-04-15").json()
    assert [row["code"] for row in early] == ["5227"]


def test_out_of_scope_answers_as_missing(posts: Posts, actor: Actor) -> None:  # noqa: F811
    Region.objects.create(code="522728", name="罗甸县", level=3, parent_id="5227",
                          is_western=True, edition=2023)  # fmt: skip
    theirs = project_create(region_code="522728", year=YEAR, kind="industry", name="火龙果基地",
                            budget=Decimal("90000"), actor=actor)  # fmt: skip
    county, cadre = client(posts.county), client(posts.cadre)
    assert cadre.get(f"/api/v1/funds/reconciliation?region=522727&year={YEAR}").status_code == 404
    assert county.get(f"/api/v1/funds/reconciliation?region=5227&year={YEAR}").status_code == 404
    far = county.get(f"/api/v1/funds/projects/{theirs.pk}")
    missing = county.get("/api/v1/funds/projects/987654321")
    assert far.status_code == missing.status_code == 404 and far.json() == missing.json()
    step = post(county, f"/funds/projects/{theirs.pk}/transitions",
                {"to_status": "approved", "on": "2018-05-01"})  # fmt: skip
    assert step.status_code == 404
    paid = post(county, "/funds/payments", {"year": YEAR, "source": "central", "amount": "1",
                                            "paid_on": "2018-07-01", "project_id": theirs.pk})  # fmt: skip
    assert paid.status_code == 404
    assert county.get(f"/api/v1/funds/projects?year={YEAR}").json()["count"] == 0
    assert Project.objects.get().status == "planned" and not Disbursement.objects.exists()


def test_a_refusal_answers_its_code_and_writes_nothing(posts: Posts) -> None:  # noqa: F811
    household_make("H1", status="registered")
    elsewhere = household_make("H9", status="registered", village=OTHER_VILLAGE)
    project = project_create(region_code=VILLAGE, year=YEAR, kind="industry", name="食用菌大棚",
                             budget=Decimal("260000"), actor=posts.county)  # fmt: skip
    api = client(posts.county)
    unpaid = post(api, "/funds/payments", {"year": YEAR, "source": "central", "amount": "100",
                                           "paid_on": "2018-06-01", "project_id": project.pk})  # fmt: skip
    assert (unpaid.status_code, unpaid.json()["code"]) == (409, "project_not_approved")
    skipped = post(api, f"/funds/projects/{project.pk}/transitions",
                   {"to_status": "completed", "on": "2018-06-01"})  # fmt: skip
    assert (skipped.status_code, skipped.json()["code"]) == (409, "step_invalid")
    outside = post(api, f"/funds/projects/{project.pk}/beneficiaries",
                   {"household_ids": [elsewhere.pk]})  # fmt: skip
    assert (outside.status_code, outside.json()["code"]) == (400, "outside_project")
    unseen = post(api, f"/funds/projects/{project.pk}/beneficiaries",
                  {"household_ids": [987654321]})  # fmt: skip
    assert (unseen.status_code, unseen.json()["code"]) == (400, "household_unknown")
    inspector = post(client(posts.inspector), "/funds/projects", {
        "region_code": VILLAGE, "year": YEAR, "kind": "industry", "name": "茶园", "budget": "1"})  # fmt: skip
    assert (inspector.status_code, inspector.json()["code"]) == (403, "role_not_allowed")
    upward = post(client(posts.prefecture), "/funds/allocations", {
        "year": YEAR, "source": "central", "from_region_code": "5227", "to_region_code": "52",
        "amount": "1", "document_no": "x", "allocated_on": "2018-04-02"})  # fmt: skip
    assert (upward.status_code, upward.json()["code"]) == (400, "direction_invalid")
    above = post(api, "/funds/allocations", {
        "year": YEAR, "source": "central", "from_region_code": "52", "to_region_code": "522727",
        "amount": "1", "document_no": "x", "allocated_on": "2018-04-02"})  # fmt: skip
    assert (above.status_code, above.json()["code"]) == (403, "role_not_allowed")
    cents = post(api, "/funds/payments", {"year": YEAR, "source": "central", "amount": "1.005",
                                          "paid_on": "2018-06-01", "project_id": project.pk})  # fmt: skip
    assert cents.status_code == 422
    assert Project.objects.get().status == "planned"
    assert not (Disbursement.objects.exists() or Allocation.objects.exists()
                or ProjectBeneficiary.objects.exists())  # fmt: skip
