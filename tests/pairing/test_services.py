"""Paired cadres (帮扶责任人): registering them, assigning and ending, rotating, the caps,
and what a paired cadre sees through the access choke point."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.core.access import grant_add, restrict
from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.pairing.models import Assignment, Cadre
from fupin.pairing.services import (
    PairingError,
    assignment_end,
    assignment_open,
    cadre_register,
    cadre_rotate,
)
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member
from fupin.targeting.models import Case
from tests.targeting.conftest import VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
ON = date(2016, 11, 1)


def cadre(posts: Posts, number: int, level: str = "village", **extra: Any) -> Cadre:  # noqa: F811
    fields = {"name": f"干部{number}", "id_number": id_make("522727", date(1980, 1, 1), number),
              "phone": "13800000000", "unit": "平塘县扶贫办", "unit_level": level,
              "region_code": "522727", "actor": posts.county, **extra}  # fmt: skip
    return cadre_register(**fields)


def poor(number: str, status: str = "registered") -> Household:
    return household_make(number, status=status)


def test_a_cadre_is_paired_within_the_cap_of_the_unit_level(posts: Posts) -> None:  # noqa: F811
    helper = cadre(posts, 1, level="village")  # 村级: 4 households (policy, unverified)
    for n in range(4):
        assignment_open(cadre=helper, household=poor(f"H{n}"), on=ON, actor=posts.cadre)
    with pytest.raises(PairingError) as refused:
        assignment_open(cadre=helper, household=poor("H9"), on=ON, actor=posts.cadre)
    assert refused.value.code == "cap_reached"
    assert Assignment.objects.filter(cadre=helper).count() == 4
    assert AuditEvent.objects.filter(action="assignment.open").count() == 4


def test_one_open_primary_assignment_per_household(posts: Posts) -> None:  # noqa: F811
    first, second = cadre(posts, 1, level="county"), cadre(posts, 2, level="county")
    household = poor("H1")
    opened = assignment_open(cadre=first, household=household, on=ON, actor=posts.township)
    with pytest.raises(PairingError) as refused:
        assignment_open(cadre=second, household=household, on=ON, actor=posts.township)
    assert refused.value.code == "paired_already"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        Assignment.objects.create(household=household, cadre=second, started_on=ON,
                                  created_at=timezone.now())  # fmt: skip
    assignment_end(assignment=opened, on=date(2017, 3, 1), reason="调岗", actor=posts.township)
    assignment_open(cadre=second, household=household, on=date(2017, 3, 1), actor=posts.township)
    history = Assignment.objects.filter(household=household).order_by("started_on")
    assert [(a.cadre_id, a.ended_on) for a in history] == [
        (first.pk, date(2017, 3, 1)),
        (second.pk, None),
    ]


def test_rotation_hands_every_household_to_the_successor(posts: Posts) -> None:  # noqa: F811
    leaving, successor = cadre(posts, 1, level="county"), cadre(posts, 2, level="county")
    households = [poor(f"H{n}") for n in range(3)]
    for household in households:
        assignment_open(cadre=leaving, household=household, on=ON, actor=posts.county)
    cadre_rotate(cadre=leaving, successor=successor, on=date(2018, 1, 2), reason="驻村轮换",
                 actor=posts.county)  # fmt: skip
    open_now = Assignment.objects.filter(ended_on__isnull=True)
    assert {a.household_id for a in open_now} == {h.pk for h in households}
    assert {a.cadre_id for a in open_now} == {successor.pk}
    assert Assignment.objects.filter(cadre=leaving, ended_on=date(2018, 1, 2)).count() == 3


def test_a_rotation_past_the_successors_cap_changes_nothing(posts: Posts) -> None:  # noqa: F811
    leaving, successor = cadre(posts, 1, level="province"), cadre(posts, 2, level="village")
    for n in range(5):  # a village cadre takes 4 at most
        assignment_open(cadre=leaving, household=poor(f"H{n}"), on=ON, actor=posts.county)
    with pytest.raises(PairingError) as refused:
        cadre_rotate(cadre=leaving, successor=successor, on=ON, reason="轮换", actor=posts.county)
    assert refused.value.code == "cap_reached"
    assert set(Assignment.objects.values_list("cadre_id", "ended_on")) == {(leaving.pk, None)}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id_number": "522727198001010000"}, "id_number"),
        ({"unit_level": "ministry"}, "unit_level"),
        ({"unit": " "}, "value_missing"),
        ({"actor": "inspector"}, "role_not_allowed"),
        ({"actor": "other_cadre"}, "role_not_allowed"),
    ],
)
def test_a_bad_cadre_is_refused(posts: Posts, change: dict[str, Any], code: str) -> None:  # noqa: F811
    if "actor" in change:
        change = {"actor": posts.actors[change["actor"]], "region_code": VILLAGE}
    with pytest.raises(PairingError) as refused:
        cadre(posts, 1, **change)
    assert refused.value.code == code
    assert not Cadre.objects.exists()


def test_a_member_of_a_poor_household_cannot_be_a_paired_cadre(posts: Posts) -> None:  # noqa: F811
    household = poor("H1")
    number = id_make("522727", date(1980, 1, 1), 7)
    Member.objects.create(household=household, name="王五", id_number=number, relation="head",
                          sex="M", birth_date=date(1980, 1, 1), is_active=True)  # fmt: skip
    with pytest.raises(PairingError) as refused:
        cadre(posts, 7)
    assert refused.value.code == "cadre_is_poor"


def test_only_households_on_the_register_are_paired(posts: Posts) -> None:  # noqa: F811
    helper = cadre(posts, 1, level="county")
    with pytest.raises(PairingError) as refused:
        assignment_open(cadre=helper, household=poor("H1", status="not_registered"), on=ON,
                        actor=posts.county)  # fmt: skip
    assert refused.value.code == "not_on_register"
    # an exited household keeps its cadre through the transition (四个不摘)
    assignment_open(cadre=helper, household=poor("H2", status="exited"), on=ON, actor=posts.county)


def test_a_paired_cadre_sees_the_households_they_answer_for(posts: Posts, actor: Actor) -> None:  # noqa: F811
    user = get_user_model().objects.create_user(username="helper")
    grant_add(user=user, role="paired_cadre", region_prefix="522727", actor=actor)
    helper = cadre(posts, 1, level="county")
    Cadre.objects.filter(pk=helper.pk).update(user=user)
    mine, other = poor("H1"), poor("H2")
    assignment = assignment_open(cadre=helper, household=mine, on=ON, actor=posts.county)
    Case.objects.create(kind="exit", household=mine, region_code=VILLAGE, year=2016,
                        trigger="annual_run", clue_on=ON, opened_on=ON)  # fmt: skip
    assert list(restrict(Household.objects.all(), user, "view")) == [mine]
    assert restrict(Case.objects.all(), user, "view").count() == 1
    assert not restrict(Household.objects.all(), user, "change").exists()
    assert other not in restrict(Household.objects.all(), user, "view")
    # an ended assignment ends the view
    assignment_end(assignment=assignment, on=date(2017, 1, 1), reason="调离", actor=posts.county)
    assert not restrict(Household.objects.all(), user, "view").exists()


def test_the_gaps_are_the_households_without_an_open_assignment(posts: Posts) -> None:  # noqa: F811
    from fupin.pairing.queries import pairing_gaps, unpaired_households
    from tests.targeting.conftest import OTHER_VILLAGE

    helper = cadre(posts, 1, level="county")
    paired = poor("H1")
    ended = poor("H2")
    waiting = household_make("H3", status="returned", village=OTHER_VILLAGE)
    exited = poor("H4", status="exited")
    household_make("H5")  # never registered: nothing to pair
    assignment_open(cadre=helper, household=paired, on=ON, actor=posts.county)
    gone = assignment_open(cadre=helper, household=ended, on=ON, actor=posts.county)
    assignment_end(assignment=gone, on=date(2017, 1, 1), reason="调离", actor=posts.county)
    township = posts.township.user
    assert set(unpaired_households(user=township, prefix="522727")) == {ended, waiting, exited}
    assert pairing_gaps(user=township, prefix="522727") == [("522727100", 3)]
    assert pairing_gaps(user=township, level_length=12) == [(VILLAGE, 2), (OTHER_VILLAGE, 1)]
    # a village post sees the gaps of its village only
    assert set(unpaired_households(user=posts.cadre.user)) == {ended, exited}
