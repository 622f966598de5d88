# ruff: noqa: F811
"""Relocation and microcredit pages and API: the progress and the rates by region, a site,
a loan, the household panels; another county's household, move and loan answer 404."""

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
from fupin.registry.models import Household
from fupin.support.models import Loan, RelocationMove
from fupin.support.relocation.services import target_set
from tests.support.test_credit import lend, portfolio  # noqa: F401
from tests.support.test_relocation import YEAR, handed, moved, planned, site
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
FAR_VILLAGE = "522728100201"


def logged_in(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def api(actor: Actor) -> Client:
    assert actor.user is not None
    raw = token_create(user=actor.user, name="test", actor=actor).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(data), content_type="application/json")


def far_household() -> Household:
    """A registered household of 罗甸县, the county beside 平塘县."""
    for code, name, level, parent in (("522728", "罗甸县", 3, "5227"),
                                      ("522728100", "龙坪镇", 4, "522728"),
                                      ("522728100201", "龙坪村村民委员会", 5, "522728100")):  # fmt: skip
        Region.objects.create(code=code, name=name, level=level, parent_id=parent,
                              is_western=True, edition=2023)  # fmt: skip
    return household_make("FAR1", status="registered", village=FAR_VILLAGE)


def test_the_progress_page_shows_the_target_and_the_shares(posts: Posts) -> None:
    target_set(region_code="522727", year=YEAR, households=4, persons=14, actor=posts.province)
    at = site(posts)
    moved(posts, planned(posts, "H1", 3, at))
    handed(posts, planned(posts, "H2", 4, at))
    page = logged_in(posts.prefecture).get("/relocation/", {"year": YEAR})
    text = page.content.decode()
    assert page.status_code == 200
    assert "522727 平塘县" in text and "50.0%" in text and "25.0%" in text
    assert logged_in(posts.cadre).get("/relocation/", {"region": "522727"}).status_code == 404
    sites = logged_in(posts.county).get("/relocation/sites/").content.decode()
    assert "平舟镇京舟安置点" in sites
    one = logged_in(posts.county).get(f"/relocation/sites/{at.pk}/").content.decode()
    assert "H1" in one and "H2" in one


def test_the_household_panels_and_another_countys_household(posts: Posts) -> None:
    move = moved(posts, planned(posts, "H1", 3, site(posts)))
    lend(posts.county, move.household, "30000", date(2018, 4, 1), 36)
    county = logged_in(posts.county)
    panel = county.get(f"/households/{move.household_id}/relocation/").content.decode()
    assert "平舟镇京舟安置点" in panel and "已搬迁入住" in panel
    loans = county.get(f"/households/{move.household_id}/loans/").content.decode()
    assert "30000.00" in loans
    far = far_household()
    for path in (f"/households/{far.pk}/relocation/", f"/households/{far.pk}/loans/"):
        assert county.get(path).status_code == 404
    for path in (f"/api/v1/households/{far.pk}/relocation", f"/api/v1/households/{far.pk}/loans"):
        assert api(posts.county).get(path).status_code == 404


def test_the_rates_page_and_a_loan_page(portfolio: dict[str, Loan], posts: Posts) -> None:
    county = logged_in(posts.county)
    page = county.get("/credit/", {"region": "522727100", "year": 2019})
    text = page.content.decode()
    assert page.status_code == 200
    assert "66.7%" in text and "73.3%" in text and "33.3%" in text and "46.7%" in text
    loan = county.get(f"/credit/loans/{portfolio['D'].pk}/").content.decode()
    assert "5000.00" in loan and "35000.00" in loan
    assert logged_in(posts.cadre).get(f"/credit/loans/{portfolio['D'].pk}/").status_code == 404


def test_a_move_through_the_api_with_its_refusals(posts: Posts) -> None:
    at = site(posts)
    household = household_make("H1", status="registered")
    county = api(posts.county)
    made = post(county, f"/households/{household.pk}/relocation",
                {"site_id": at.pk, "plan_year": YEAR, "planned_on": f"{YEAR}-03-01",
                 "persons": 3})  # fmt: skip
    assert made.status_code == 201, made.content
    move_id = made.json()["id"]
    unsafe = post(county, f"/relocation/moves/{move_id}/handover",
                  {"handed_over_on": f"{YEAR}-09-01", "home_area": "80", "home_grade": "D"})  # fmt: skip
    assert (unsafe.status_code, unsafe.json()["code"]) == (409, "housing_not_guaranteed")
    done = post(county, f"/relocation/moves/{move_id}/handover",
                {"handed_over_on": f"{YEAR}-09-01", "home_area": "80", "home_grade": "B"})  # fmt: skip
    assert done.json()["status"] == "handed_over"
    refused = post(api(posts.cadre), f"/relocation/moves/{move_id}/move-in",
                   {"moved_on": f"{YEAR}-10-01"})  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_allowed")
    theirs = post(api(posts.other_cadre), f"/relocation/moves/{move_id}/move-in",
                  {"moved_on": f"{YEAR}-10-01"})  # fmt: skip
    assert theirs.status_code == 404
    progress = county.get("/api/v1/relocation/progress", {"region": "522727", "year": YEAR})
    assert progress.json()[0]["handed_over_households"] == 1
    assert RelocationMove.objects.get().status == "handed_over"


def test_a_loan_through_the_api_with_its_refusals(posts: Posts) -> None:
    household = household_make("H1", status="registered")
    county = api(posts.county)
    body = {"amount": "40000", "term_months": 36, "annual_rate": "0.0475", "lender": "邮储银行",
            "purpose": "planting", "issued_on": "2018-04-01"}  # fmt: skip
    made = post(county, f"/households/{household.pk}/loans", body)
    assert made.status_code == 201, made.content
    over = post(county, f"/households/{household.pk}/loans", {**body, "amount": "10001"})
    assert (over.status_code, over.json()["code"]) == (409, "amount_over_cap")
    loan_id = made.json()["id"]
    paid = post(county, f"/loans/{loan_id}/repayments",
                {"paid_on": "2019-04-01", "principal": "10000", "interest": "1900"})  # fmt: skip
    assert paid.status_code == 201 and paid.json()["subsidy"] == "1900.00"
    detail = county.get(f"/api/v1/loans/{loan_id}").json()
    assert detail["balance"] == "30000.00" and len(detail["repayments"]) == 1
    early = post(county, f"/loans/{loan_id}/write-off", {"on": "2019-05-01"})
    assert (early.status_code, early.json()["code"]) == (409, "not_defaulted")
    rates = county.get("/api/v1/credit/rates", {"region": "522727", "year": 2019}).json()
    assert rates[0]["balance"] == "30000.00" and rates[0]["overdue_household_rate"] == 0.0
    assert Loan.objects.get().principal_repaid == Decimal(10000)
