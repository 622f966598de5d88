# ruff: noqa: F811
"""Relocation's write forms (易地扶贫搬迁): a target set on the progress page, a move planned
from the household and from the site, the home handed over (a home without the housing
guarantee refused, nothing written), moved in, a member's job; each form only for the
posts the services let write, and another county's household and move answer 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.registry.models import Member
from fupin.support.models import RelocationJob, RelocationMove, RelocationTarget
from fupin.support.relocation.services import move_plan, site_create
from tests.support.test_relocation import YEAR, handed, moved, planned, site
from tests.support.test_relocation_pages import far_household
from tests.targeting.conftest import Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def test_an_office_sets_a_target_on_the_progress_page(posts: Posts) -> None:
    # given
    county = posts.client("county")
    assert 'id="target"' in county.get("/relocation/").content.decode()
    # when
    done = county.post(f"/relocation/?region=522727&year={YEAR}", {
        "region_code": "522727", "year": YEAR, "households": 12, "persons": 40,
    })  # fmt: skip
    # then
    assert done.status_code == 302 and "region=522727" in done["Location"]
    target = RelocationTarget.objects.get()
    assert (target.region_code, target.year, target.households, target.persons) == (
        "522727",
        YEAR,
        12,
        40,
    )
    page = county.get("/relocation/", {"region": "522727", "year": YEAR}).content.decode()
    assert ">12<" in page and ">40<" in page


def test_a_target_refused_and_a_post_that_sets_none(posts: Posts) -> None:
    county = posts.client("county")
    refused = county.post("/relocation/", {"region_code": "522727", "year": YEAR,
                                           "households": 5, "persons": 3})  # fmt: skip
    assert refused.status_code == 400
    assert "任务人数不能少于任务户数" in refused.content.decode()
    township = posts.client("township")
    assert 'id="target"' not in township.get("/relocation/").content.decode()
    forbidden = township.post("/relocation/", {"region_code": "522727", "year": YEAR,
                                               "households": 1, "persons": 3})  # fmt: skip
    assert forbidden.status_code == 403
    assert not RelocationTarget.objects.exists()


def test_a_move_is_planned_from_the_household(posts: Posts) -> None:
    # given
    at = site(posts)
    household = household_make("H1", status="registered")
    county = posts.client("county")
    panel = county.get(f"/households/{household.pk}/relocation/").content.decode()
    assert f"/households/{household.pk}/relocation/new/" in panel
    # when
    done = county.post(f"/households/{household.pk}/relocation/new/", {
        "site": at.pk, "plan_year": YEAR, "persons": 4, "planned_on": f"{YEAR}-03-01",
    })  # fmt: skip
    # then
    assert done.status_code == 302
    move = RelocationMove.objects.get()
    assert (move.household_id, move.site_id, move.plan_year, move.persons, move.planned_on,
            move.status) == (household.pk, at.pk, YEAR, 4, date(YEAR, 3, 1), "planned")  # fmt: skip
    again = county.post(f"/households/{household.pk}/relocation/new/", {
        "site": at.pk, "plan_year": YEAR, "persons": 2, "planned_on": f"{YEAR}-03-02",
    })  # fmt: skip
    assert again.status_code == 409 and "已经列入搬迁计划" in again.content.decode()
    assert RelocationMove.objects.count() == 1


def test_a_move_is_planned_from_the_site_by_household_number(posts: Posts) -> None:
    at = site(posts)
    household_make("H7", status="registered")
    county = posts.client("county")
    assert 'id="plan"' in county.get(f"/relocation/sites/{at.pk}/").content.decode()
    unknown = county.post(f"/relocation/sites/{at.pk}/", {
        "household_no": "NOPE", "plan_year": YEAR, "planned_on": f"{YEAR}-03-01"})  # fmt: skip
    assert unknown.status_code == 400 and "没有这个户编号" in unknown.content.decode()
    assert not RelocationMove.objects.exists()
    done = county.post(f"/relocation/sites/{at.pk}/", {
        "household_no": "H7", "plan_year": YEAR, "persons": 2, "planned_on": f"{YEAR}-04-01"})  # fmt: skip
    assert done.status_code == 302
    move = RelocationMove.objects.get()
    assert (move.household.household_no, move.site_id, move.persons, move.planned_on) == (
        "H7",
        at.pk,
        2,
        date(YEAR, 4, 1),
    )


def test_a_home_without_the_housing_guarantee_is_refused_on_the_page(posts: Posts) -> None:
    # given
    move = planned(posts, "H1", 3, site(posts))
    county = posts.client("county")
    assert 'value="handover"' in county.get(f"/relocation/moves/{move.pk}/").content.decode()
    for grade in ("C", "D"):
        # when
        refused = county.post(f"/relocation/moves/{move.pk}/", {
            "action": "handover", "handed_over_on": f"{YEAR}-09-01", "home_area": "80",
            "home_grade": grade,
        })  # fmt: skip
        # then
        assert refused.status_code == 409
        assert "未达到住房安全有保障" in refused.content.decode()
    move.refresh_from_db()
    assert (move.status, move.handed_over_on, move.home_grade) == ("planned", None, "")
    assert not AuditEvent.objects.filter(action="relocation.hand_over").exists()


def test_a_move_is_handed_over_moved_in_and_a_job_recorded(posts: Posts) -> None:
    move = planned(posts, "H1", 3, site(posts))
    member = Member.objects.create(
        household=move.household, name="王小梅", id_number="522727199001010026",
        relation="head", sex="F", birth_date=date(1990, 1, 1), ethnicity="布依族",
        health="healthy",
    )  # fmt: skip
    county, path = posts.client("county"), f"/relocation/moves/{move.pk}/"
    handover = county.post(path, {"action": "handover", "handed_over_on": f"{YEAR}-09-01",
                                  "home_area": "75.5", "home_grade": "B"})  # fmt: skip
    assert handover.status_code == 302
    move.refresh_from_db()
    assert (move.status, move.handed_over_on, move.home_area, move.home_grade) == (
        "handed_over",
        date(YEAR, 9, 1),
        Decimal("75.50"),
        "B",
    )
    early = county.post(path, {"action": "move_in", "moved_on": f"{YEAR}-08-01"})
    assert early.status_code == 400 and "日期不对" in early.content.decode()
    assert county.post(path, {"action": "move_in", "moved_on": f"{YEAR}-10-01"}).status_code == 302
    move.refresh_from_db()
    assert (move.status, move.moved_on) == ("moved", date(YEAR, 10, 1))
    job = county.post(path, {"action": "job", "member": member.pk, "kind": "site_workshop",
                             "employer": "平塘县扶贫车间", "started_on": f"{YEAR}-11-05",
                             "monthly_wage": "2200"})  # fmt: skip
    assert job.status_code == 302
    found = RelocationJob.objects.get()
    assert (found.member_id, found.kind, found.employer, found.started_on, found.monthly_wage) == (
        member.pk,
        "site_workshop",
        "平塘县扶贫车间",
        date(YEAR, 11, 5),
        Decimal("2200.00"),
    )
    assert found.measure.measure_type == "employment"
    assert "平塘县扶贫车间" in county.get(path).content.decode()


def test_a_stale_step_is_refused(posts: Posts) -> None:
    move = handed(posts, planned(posts, "H1", 3, site(posts)))
    stale = posts.client("county").post(f"/relocation/moves/{move.pk}/", {
        "action": "handover", "handed_over_on": f"{YEAR}-09-02", "home_area": "70",
        "home_grade": "A"})  # fmt: skip
    assert stale.status_code == 409
    move.refresh_from_db()
    assert move.handed_over_on == date(YEAR, 9, 1)


def test_a_post_that_may_not_write_sees_no_form_and_gets_403(posts: Posts) -> None:
    at = site(posts)
    move = planned(posts, "H1", 3, at)
    household = household_make("H2", status="registered")
    cadre = posts.client("cadre")
    assert 'id="step"' not in cadre.get(f"/relocation/moves/{move.pk}/").content.decode()
    assert 'id="plan"' not in cadre.get(f"/relocation/sites/{at.pk}/").content.decode()
    panel = cadre.get(f"/households/{household.pk}/relocation/").content.decode()
    assert "/relocation/new/" not in panel
    for path, data in (
        (f"/relocation/moves/{move.pk}/", {"action": "handover", "home_grade": "A",
                                           "handed_over_on": f"{YEAR}-09-01", "home_area": "70"}),
        (f"/relocation/sites/{at.pk}/", {"household_no": "H2", "plan_year": YEAR,
                                         "planned_on": f"{YEAR}-03-01"}),
        (f"/households/{household.pk}/relocation/new/", {"site": at.pk, "plan_year": YEAR,
                                                         "planned_on": f"{YEAR}-03-01"}),
    ):  # fmt: skip
        assert cadre.post(path, data).status_code == 403, path
    assert cadre.get(f"/households/{household.pk}/relocation/new/").status_code == 403
    move.refresh_from_db()
    assert move.status == "planned" and RelocationMove.objects.count() == 1


def test_another_countys_household_and_move_answer_404(posts: Posts, actor: Actor) -> None:
    far = far_household()
    far_site = site_create(name="龙坪安置点", village_code=far.village_id, kind="centralised",
                           capacity=5, actor=actor)  # fmt: skip
    far_move = move_plan(household=far, site=far_site, plan_year=YEAR,
                         planned_on=date(YEAR, 3, 1), persons=2, actor=actor)  # fmt: skip
    county = posts.client("county")
    for path in (f"/households/{far.pk}/relocation/new/", f"/relocation/moves/{far_move.pk}/",
                 f"/relocation/sites/{far_site.pk}/"):  # fmt: skip
        assert county.get(path).status_code == 404, path
        assert county.post(path, {"action": "handover"}).status_code == 404, path
    # a household number of another county reads as unknown on the site page
    at = site(posts)
    unknown = county.post(f"/relocation/sites/{at.pk}/", {
        "household_no": "FAR1", "plan_year": YEAR, "planned_on": f"{YEAR}-03-01"})  # fmt: skip
    assert unknown.status_code == 400
    assert RelocationMove.objects.count() == 1
    moved_already = moved(posts, planned(posts, "H1", 3, at))
    assert 'value="job"' in county.get(f"/relocation/moves/{moved_already.pk}/").content.decode()
