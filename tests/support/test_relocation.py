# ruff: noqa: F811
"""Relocation (易地扶贫搬迁), the writes and the progress: a site, a target, a household's
move step by step (a home without the housing guarantee is not handed over), jobs and
follow-up measures in the ledger, and the progress against the target by hand; each
refusal with its stable code and nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.registry.models import Household, Member
from fupin.support.models import Measure, RelocationMove, RelocationTarget, ResettlementSite
from fupin.support.readers import OPERATOR
from fupin.support.relocation.queries import access_move, relocation_progress
from fupin.support.relocation.services import (
    RelocationError,
    follow_up_link,
    follow_up_record,
    job_record,
    move_cancel,
    move_hand_over,
    move_in,
    move_plan,
    site_create,
    target_set,
)
from fupin.support.services import measure_record
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2018


def site(posts: Posts, **override: Any) -> ResettlementSite:
    fields: dict[str, Any] = {"name": "平舟镇京舟安置点", "village_code": VILLAGE,
                              "kind": "centralised", "capacity": 10, "actor": posts.county,
                              **override}  # fmt: skip
    return site_create(**fields)


def planned(
    posts: Posts, number: str, persons: int, at: ResettlementSite, **kw: Any
) -> RelocationMove:
    household = household_make(number, status="registered", **kw)
    return move_plan(household=household, site=at, plan_year=YEAR, planned_on=date(YEAR, 3, 1),
                     persons=persons, actor=posts.county)  # fmt: skip


def handed(posts: Posts, move: RelocationMove, grade: str = "A") -> RelocationMove:
    return move_hand_over(move=move, handed_over_on=date(YEAR, 9, 1), home_area=Decimal("75"),
                          home_grade=grade, actor=posts.county)  # fmt: skip


def moved(posts: Posts, move: RelocationMove) -> RelocationMove:
    return move_in(move=handed(posts, move), moved_on=date(YEAR, 10, 1), actor=posts.county)


def test_a_household_moves_step_by_step_with_its_audit_events(posts: Posts) -> None:
    # given
    at = site(posts)
    move = planned(posts, "H1", 4, at)
    # when
    handed(posts, move)
    done = move_in(move=move, moved_on=date(YEAR, 10, 1), actor=posts.township)
    # then
    done.refresh_from_db()
    assert (done.status, done.home_area, done.home_grade) == ("moved", Decimal("75.00"), "A")
    actions = list(AuditEvent.objects.filter(object_type="household")
                   .order_by("id").values_list("action", flat=True))  # fmt: skip
    assert actions == ["relocation.plan", "relocation.hand_over", "relocation.move_in"]


def test_a_home_without_the_housing_guarantee_is_not_handed_over(posts: Posts) -> None:
    move = planned(posts, "H1", 4, site(posts))
    with pytest.raises(RelocationError) as refused:
        handed(posts, move, grade="C")
    assert refused.value.code == "housing_not_guaranteed"
    move.refresh_from_db()
    assert (move.status, move.handed_over_on, move.home_grade) == ("planned", None, "")
    assert not AuditEvent.objects.filter(action="relocation.hand_over").exists()


def test_refusals_by_name(posts: Posts) -> None:
    at = site(posts, capacity=2)
    first = planned(posts, "H1", 3, at)
    refusals = []
    for call in (
        lambda: site(posts),  # the same name in the county
        lambda: site(posts, name="外县安置点", village_code="5227271002"),
        lambda: site(posts, name="无户安置点", capacity=0),
        lambda: site(posts, name="村里安置点", actor=posts.cadre),
        lambda: move_plan(household=first.household, site=at, plan_year=YEAR,
                          planned_on=date(YEAR, 4, 1), actor=posts.county, persons=2),
        lambda: move_plan(household=household_make("H9"), site=at, plan_year=YEAR,
                          planned_on=date(YEAR, 4, 1), actor=posts.county),
        lambda: move_in(move=first, moved_on=date(YEAR, 10, 1), actor=posts.county),
        lambda: move_hand_over(move=first, handed_over_on=date(YEAR, 2, 1),
                               home_area=Decimal(60), home_grade="B", actor=posts.county),
        lambda: move_hand_over(move=first, handed_over_on=date(YEAR, 9, 1),
                               home_area=Decimal(0), home_grade="B", actor=posts.county),
        lambda: move_cancel(move=first, on=date(YEAR, 5, 1), reason=" ", actor=posts.county),
        lambda: target_set(region_code=VILLAGE, year=YEAR, households=1, persons=1,
                           actor=posts.county),
        lambda: target_set(region_code="522727", year=YEAR, households=3, persons=2,
                           actor=posts.county),
        lambda: target_set(region_code="522727", year=YEAR, households=3, persons=9,
                           actor=posts.township),
    ):  # fmt: skip
        with pytest.raises(RelocationError) as refused:
            call()
        refusals.append(refused.value.code)
    assert refusals == [
        "site_name_taken", "region_invalid", "capacity_invalid", "role_not_allowed",
        "move_open", "not_on_register", "step_invalid", "date_invalid", "area_invalid",
        "reason_missing", "region_invalid", "target_invalid", "role_not_allowed",
    ]  # fmt: skip
    planned(posts, "H2", 2, at)
    with pytest.raises(RelocationError) as full:
        planned(posts, "H3", 2, at)
    assert full.value.code == "site_full"
    assert RelocationMove.objects.count() == 2 and ResettlementSite.objects.count() == 1


def test_a_cancelled_move_frees_its_place_and_the_household_may_plan_again(
    posts: Posts,
) -> None:
    at = site(posts, capacity=1)
    move = planned(posts, "H1", 3, at)
    move_cancel(move=move, on=date(YEAR, 5, 1), reason="户主不愿搬迁", actor=posts.county)
    again = move_plan(household=move.household, site=at, plan_year=YEAR,
                      planned_on=date(YEAR, 6, 1), actor=posts.county, persons=3)  # fmt: skip
    assert again.status == "planned"
    with pytest.raises(RelocationError) as refused:
        move_cancel(move=moved(posts, again), on=date(YEAR, 11, 1), reason="x",
                    actor=posts.county)  # fmt: skip
    assert refused.value.code == "step_invalid"


def test_a_job_and_a_follow_up_measure_go_to_the_ledger(posts: Posts) -> None:
    move = moved(posts, planned(posts, "H1", 3, site(posts)))
    member = Member.objects.create(
        household=move.household, name="王小梅", id_number="522727199001010026",
        relation="head", sex="F", birth_date=date(1990, 1, 1), ethnicity="布依族",
        health="healthy",
    )  # fmt: skip
    # a post that may not record hears of its post, not of the member or the job
    stranger = Member.objects.create(
        household=planned(posts, "H2", 2, move.site).household, name="李四",
        id_number="522727199001010042", relation="head", sex="M", birth_date=date(1990, 1, 1),
        ethnicity="汉族", health="healthy",
    )  # fmt: skip
    with pytest.raises(RelocationError) as refused:
        job_record(move=move, member=stranger, kind="lottery", employer="", actor=posts.cadre,
                   started_on=date(YEAR, 11, 5))  # fmt: skip
    assert refused.value.code == "role_not_allowed"
    # when
    job = job_record(move=move, member=member, kind="site_workshop", employer="平塘县扶贫车间",
                     started_on=date(YEAR, 11, 5), monthly_wage=Decimal(2200),
                     actor=posts.county)  # fmt: skip
    follow = follow_up_record(
        move=move, actor=posts.county, given_on=date(YEAR, 12, 1), measure_type="relocation",
        description="搬迁后续产业扶持", form="money", value=Decimal(3000),
        provider_kind="department", provider_name="县发改局",
    )  # fmt: skip
    earlier = measure_record(household=move.household, year=YEAR, given_on=date(YEAR, 10, 20),
                             measure_type="training", description="技能培训", form="in_kind",
                             value=Decimal(500), provider_kind="department",
                             provider_name="县人社局", actor=posts.county)  # fmt: skip
    linked = follow_up_link(move=move, measure=earlier, actor=posts.county)
    # then
    assert job.measure is not None and job.measure.measure_type == "employment"
    assert Measure.objects.filter(household=move.household).count() == 3
    assert {follow.measure.measure_type, linked.measure.measure_type} == {"relocation", "training"}
    with pytest.raises(RelocationError) as twice:
        follow_up_link(move=move, measure=earlier, actor=posts.county)
    assert twice.value.code == "measure_linked"
    with pytest.raises(RelocationError) as bad:
        follow_up_record(move=move, actor=posts.county, given_on=date(YEAR, 12, 1),
                         measure_type="relocation", description="", form="money",
                         value=Decimal(1), provider_kind="department", provider_name="县发改局")  # fmt: skip
    assert bad.value.code == "measure_invalid" and "description" in str(bad.value)


def test_progress_against_the_target_by_hand(posts: Posts) -> None:
    # given: a target of 4 households and 14 persons for 平塘县 in 2018
    target_set(region_code="522727", year=YEAR, households=4, persons=14, actor=posts.province)
    at = site(posts)
    moved(posts, planned(posts, "H1", 3, at))
    handed(posts, planned(posts, "H2", 4, at, village=OTHER_VILLAGE))
    planned(posts, "H3", 2, at)
    move_cancel(move=planned(posts, "H4", 5, at), on=date(YEAR, 5, 1), reason="自愿放弃",
                actor=posts.county)  # fmt: skip
    # when
    county = relocation_progress(user=posts.county.user, region="522727", year=YEAR)
    prefecture = relocation_progress(user=OPERATOR, region="5227", year=YEAR)
    # then
    for total in (county.total, prefecture.total):
        assert (total["target_households"], total["target_persons"]) == (4, 14)
        assert (total["planned_households"], total["planned_persons"]) == (3, 9)
        assert (total["handed_over_households"], total["moved_households"]) == (2, 1)
        assert (total["handed_over_share"], total["moved_share"]) == (0.5, 0.25)
        assert total["moved_persons_share"] == pytest.approx(3 / 14)
    assert [(part["region_code"], part["target_households"]) for part in prefecture.parts] == [
        ("522727", 4)]  # fmt: skip
    township = relocation_progress(user=OPERATOR, region="522727100", year=YEAR)
    villages = {part["region_code"]: part for part in township.parts}
    assert (
        villages[VILLAGE]["moved_households"] == 1
        and villages[VILLAGE]["target_households"] is None
    )
    assert villages[OTHER_VILLAGE]["handed_over_households"] == 1


def test_a_target_set_again_is_replaced_with_the_old_figures_audited(posts: Posts) -> None:
    target_set(region_code="522727", year=YEAR, households=4, persons=14, actor=posts.province)
    target_set(region_code="522727", year=YEAR, households=6, persons=20, actor=posts.county)
    target = RelocationTarget.objects.get()
    assert (target.households, target.persons) == (6, 20)
    last = AuditEvent.objects.filter(action="relocation.target_set").order_by("-id").first()
    assert last is not None and last.before == {"households": 4, "persons": 14}


def test_another_villages_move_and_the_progress_of_a_region_not_covered_read_as_missing(
    posts: Posts,
) -> None:
    theirs = planned(posts, "H1", 3, site(posts), village=OTHER_VILLAGE)
    with pytest.raises(Http404):
        access_move(posts.cadre.user, theirs.pk)
    assert access_move(posts.other_cadre.user, theirs.pk).pk == theirs.pk
    with pytest.raises(Http404):
        relocation_progress(user=posts.township.user, region="522727", year=YEAR)
    assert isinstance(theirs.household, Household)


def test_the_operator_acts_without_a_post(posts: Posts, actor: Actor) -> None:
    at = site_create(name="县城安置区", village_code=VILLAGE, kind="dispersed", capacity=5,
                     actor=actor)  # fmt: skip
    assert at.county_code == "522727" and at.created_by_id is None
