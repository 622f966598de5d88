"""The village committee for poverty alleviation (村扶贫工作委员会): its size by policy, members
and roles, the division of the households, meetings and the missed ones, labour posts taken
only by consent, scores, the red list, and the black list with its notice, appeal and the
statutory support it never touches."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.pairing.committees.base import CommitteeError
from fupin.pairing.committees.committee import (
    CommitteePerson,
    bounds_reachable,
    committee_end,
    committee_form,
    committee_seats,
    divide,
    division_acceptable,
    households_divide,
    meeting_record,
    member_replace,
    seats_for,
)
from fupin.pairing.committees.labour import (
    post_apply,
    post_assign,
    post_close,
    post_create,
    post_leave,
    post_withdraw,
    post_work_record,
)
from fupin.pairing.committees.lists import (
    Consequence,
    appeal_decide,
    appeal_lodge,
    blacklist_enter,
    blacklist_final,
    blacklist_notify,
    household_score,
    redlist_enter,
    scoring_criteria,
)
from fupin.pairing.committees.queries import (
    appeals_overdue,
    charges_by_member,
    committee_composition,
    committee_meetings_missed,
    division_coverage,
    meetings_missed,
    region_composition,
)
from fupin.pairing.models import (
    BlackListAppeal,
    BlackListConsequence,
    BlackListEntry,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    HouseholdScore,
    LabourPost,
    MeetingAttendance,
    MemberHousehold,
    PostApplication,
    PostWorkMonth,
    RedListEntry,
)
from fupin.pairing.services import PairingError
from fupin.policy.models import PolicyValue, ScoringCriterionValue
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member
from fupin.support.models import Measure
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db
ON = date(2016, 3, 1)  # a Tuesday
OFFICERS = ["production", "life", "public_security", "propaganda"]
MODELS = (Committee, CommitteeMember, MemberHousehold, CommitteeMeeting, MeetingAttendance,
          LabourPost, PostApplication, PostWorkMonth, HouseholdScore, RedListEntry,
          BlackListEntry, BlackListConsequence, BlackListAppeal)  # fmt: skip


def person(number: int, role: str = "member", **change: Any) -> CommitteePerson:
    fields = {"name": f"委员{number}", "id_number": id_make("522727", date(1970, 1, 1), number),
              "phone": "13800000000", "is_party_member": False, "background": "villager_rep",
              "role": role, **change}  # fmt: skip
    return CommitteePerson(**fields)


def seated(count: int, start: int = 1) -> list[CommitteePerson]:
    """`count` people: the four officers, then plain members."""
    roles = OFFICERS + ["member"] * (count - 4)
    return [person(start + index, role) for index, role in enumerate(roles)]


def households(count: int, village: str = VILLAGE, start: int = 1) -> list[Household]:
    now = timezone.now()
    return Household.objects.bulk_create(
        Household(household_no=f"{village}{number:04d}", village_id=village, created_at=now,
                  updated_at=now)
        for number in range(start, start + count)
    )  # fmt: skip


def form(posts: Posts, count: int = 5, **change: Any) -> Committee:  # noqa: F811
    fields = {"village": VILLAGE, "formed_on": ON, "members": seated(count),
              "actor": posts.cadre, **change}  # fmt: skip
    return committee_form(**fields)


def province_value(name: str, value: int) -> None:
    """A Guizhou (52) version of a parameter, for every year."""
    PolicyValue.objects.create(name=name, province="52", version=1, value=value, verified=False,
                               created_at=timezone.now())  # fmt: skip


def state() -> tuple[Any, ...]:
    """Every row this feature writes, and the audit log's length."""
    return (*(list(model.objects.order_by("pk").values()) for model in MODELS),
            AuditEvent.objects.count())  # fmt: skip


def refused(code: str, call: Callable[[], object]) -> CommitteeError:
    """`call` is refused with `code` and writes nothing, audit log included."""
    before = state()
    with pytest.raises(CommitteeError) as caught:
        call()
    assert caught.value.code == code, caught.value
    assert state() == before
    return caught.value


def members(committee: Committee) -> list[CommitteeMember]:
    return list(committee.members.filter(left_on__isnull=True).order_by("pk"))


# ---- the size rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "seats"),
    [(0, 5), (74, 5), (99, 5), (100, 6), (149, 6), (150, 7), (199, 7), (210, 7), (900, 7)],
)
def test_the_seats_follow_the_seeded_rule_on_the_household_count(
    villages: list[str], count: int, seats: int
) -> None:
    # 5 under 100 households, 6 from 100, 7 from 150 (unverified defaults)
    assert committee_seats(count, village=VILLAGE, year=2016) == seats
    assert seats_for(count, smallest=5, largest=7, step_from=100, step=50) == seats


def test_the_seeded_committee_policy_is_flagged_unverified() -> None:
    names = ["committee_members_min", "committee_members_max", "committee_load_min",
             "committee_load_max", "blacklist_appeal_days"]  # fmt: skip
    rows = PolicyValue.objects.filter(name__in=names, version=1)
    assert {row.name: int(row.value) for row in rows} == {
        "committee_members_min": 5, "committee_members_max": 7, "committee_load_min": 15,
        "committee_load_max": 30, "blacklist_appeal_days": 15,
    }  # fmt: skip
    assert not any(row.verified for row in rows)


def test_every_village_from_75_to_210_households_can_be_divided_within_bounds() -> None:
    # the seeded thresholds leave no household count in that range without a valid division
    for count in range(75, 211):
        seats = seats_for(count, smallest=5, largest=7, step_from=100, step=50)
        assert bounds_reachable(count, seats, 15, 30), count


def test_the_size_rule_is_policy_data(posts: Posts) -> None:  # noqa: F811
    # given Guizhou adds a sixth member from 90 households
    province_value("committee_step_from", 90)
    households(95)
    # then a village of 95 has six members, and five are refused
    refused("seats", lambda: form(posts, 5))
    committee = form(posts, 6)
    assert (committee.seats, committee.households_counted) == (6, 95)


# ---- forming the committee ---------------------------------------------------------------


def test_a_committee_is_formed_with_its_officers_and_members(posts: Posts) -> None:  # noqa: F811
    # given a village of 95 households
    households(95)
    # when
    committee = form(posts, 5)
    # then
    assert (committee.seats, committee.households_counted, committee.ended_on) == (5, 95, None)
    assert [m.role for m in members(committee)] == [*OFFICERS, "member"]
    assert all(m.joined_on == ON for m in members(committee))
    event = AuditEvent.objects.get(action="committee.form")
    assert (event.object_id, event.region_code) == (str(committee.pk), VILLAGE)
    assert event.after["seats"] == 5 and len(event.after["members"]) == 5


def test_a_committee_of_the_wrong_size_is_refused_with_the_policy_count(posts: Posts) -> None:  # noqa: F811
    households(95)
    error = refused("seats", lambda: form(posts, 6))
    assert "95 households" in str(error) and "5 members" in str(error)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"members": [person(1, "production"), person(2, "production"), person(3, "life"),
                      person(4, "public_security"), person(5, "propaganda")]}, "role_twice"),
        ({"members": [person(1, "production"), person(2, "life"), person(3, "public_security"),
                      person(4), person(5)]}, "roles_incomplete"),
        ({"members": [*seated(4), person(1)]}, "person_twice"),
        ({"members": [*seated(4), person(5, id_number="522727197001010000")]}, "id_number"),
        ({"members": [*seated(4), person(5, phone=" ")]}, "value_missing"),
        ({"members": [*seated(4), person(5, background="landlord")]}, "background"),
        ({"members": [*seated(4), person(5, role="chair")]}, "role"),
        ({"members": [*seated(4), person(5, role="")]}, "role"),
        ({"village": "522727100", "actor": Actor(None, "operator")}, "not_a_village"),
        ({"formed_on": date.today() + timedelta(days=1)}, "date_invalid"),
        ({"actor": "township"}, "role_not_allowed"),
        ({"actor": "county"}, "role_not_allowed"),
        ({"actor": "other_cadre"}, "role_not_allowed"),
        ({"actor": "inspector"}, "role_not_allowed"),
    ],
)  # fmt: skip
def test_a_bad_committee_is_refused(posts: Posts, change: dict[str, Any], code: str) -> None:  # noqa: F811
    if isinstance(change.get("actor"), str):
        change = {"actor": posts.actors[change["actor"]]}
    refused(code, lambda: form(posts, **change))


@pytest.mark.parametrize("post", ["cadre", "secretary", "team"])
def test_each_village_post_keeps_the_committee(posts: Posts, post: str) -> None:  # noqa: F811
    assert form(posts, actor=posts.actors[post]).village_id == VILLAGE


def test_a_village_has_one_active_committee(posts: Posts) -> None:  # noqa: F811
    # given
    committee = form(posts)
    # then a second one is refused, by the service and by the database
    refused("formed_already", lambda: form(posts, members=seated(5, start=11)))
    with pytest.raises(IntegrityError), transaction.atomic():
        Committee.objects.create(village_id=VILLAGE, formed_on=ON, households_counted=0,
                                 seats=5, created_at=timezone.now())  # fmt: skip
    # once its term ends, the next is formed
    committee_end(committee=committee, on=date(2017, 3, 1), reason="换届", actor=posts.cadre)
    refused("date_invalid", lambda: form(posts, formed_on=date(2017, 2, 1)))
    form(posts, formed_on=date(2017, 3, 1), members=seated(5, start=11))
    assert Committee.objects.filter(village_id=VILLAGE).count() == 2
    assert not CommitteeMember.objects.filter(committee=committee, left_on__isnull=True).exists()


def test_the_database_holds_one_current_officer_per_role(posts: Posts) -> None:  # noqa: F811
    committee = form(posts)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMember.objects.create(
            committee=committee, name="x", id_number="x", phone="1", role="life",
            is_party_member=False, background="other", joined_on=ON,
        )  # fmt: skip
    # plain members are many
    CommitteeMember.objects.create(committee=committee, name="y", id_number="y", phone="1",
                                   role="member", is_party_member=False, background="other",
                                   joined_on=ON)  # fmt: skip


# ---- the division of the households ------------------------------------------------------


def test_95_households_among_5_members_make_5_runs_of_19(posts: Posts) -> None:  # noqa: F811
    # given
    households(95)
    committee = form(posts)
    # when
    division = households_divide(committee=committee, on=ON, actor=posts.cadre)
    # then: by household number, contiguous
    seats = members(committee)
    assert list(division.loads.values()) == [19] * 5
    assert division.within_bounds and division.bounds == (15, 30)
    charges = charges_by_member(committee=committee)
    assert charges[seats[0].pk][0] == f"{VILLAGE}0001"
    assert charges[seats[0].pk][-1] == f"{VILLAGE}0019"
    assert charges[seats[4].pk] == [f"{VILLAGE}{n:04d}" for n in range(77, 96)]
    coverage = division_coverage(committee=committee)
    assert coverage.complete and coverage.households == 95 and coverage.outside_bounds == []
    event = AuditEvent.objects.get(action="committee.divide")
    assert event.after["automatic"] and event.after["households"] == 95


def test_95_households_among_6_members_make_five_runs_of_16_and_one_of_15(
    posts: Posts,  # noqa: F811
) -> None:
    # given six seats (Guizhou's sixth member from 90 households)
    province_value("committee_step_from", 90)
    households(95)
    committee = form(posts, 6)
    # when
    division = households_divide(committee=committee, on=ON, actor=posts.cadre)
    # then: 95 = 5 x 16 + 15, the longer runs first
    assert list(division.loads.values()) == [16, 16, 16, 16, 16, 15]
    charges = charges_by_member(committee=committee)
    last = members(committee)[5]
    assert charges[last.pk] == [f"{VILLAGE}{n:04d}" for n in range(81, 96)]


def test_a_division_is_one_update_and_one_insert_whatever_the_village(
    posts: Posts,  # noqa: F811
) -> None:
    # given two villages' committees, one of 80 households, one of 150
    households(80)
    households(150, village=OTHER_VILLAGE)
    small = form(posts)
    large = form(posts, 7, village=OTHER_VILLAGE, members=seated(7, start=21),
                 actor=Actor(None, "operator"))  # fmt: skip
    # when each is divided (twice: the second ends the first)
    counts = []
    for committee in (small, large, small, large):
        with CaptureQueriesContext(connection) as queries:
            households_divide(committee=committee, on=ON, actor=Actor(None, "operator"))
        table = MemberHousehold._meta.db_table
        writes = [q["sql"].split()[0] for q in queries.captured_queries if table in q["sql"]
                  and q["sql"].split()[0] in ("INSERT", "UPDATE")]  # fmt: skip
        assert writes == ["UPDATE", "INSERT"]
        counts.append(len(queries))
    # then the query count does not grow with the households
    assert counts[0] == counts[1] == counts[2] == counts[3]
    assert MemberHousehold.objects.filter(ended_on__isnull=True).count() == 230


def test_a_new_division_ends_the_old_one_and_keeps_it(posts: Posts) -> None:  # noqa: F811
    # given a division, then 10 more households
    households(95)
    committee = form(posts)
    households_divide(committee=committee, on=ON, actor=posts.cadre)
    households(10, start=96)
    coverage = division_coverage(committee=committee)
    assert not coverage.complete
    assert coverage.uncovered == [f"{VILLAGE}{n:04d}" for n in range(96, 106)]
    # when divided again
    later = date(2016, 6, 1)
    division = households_divide(committee=committee, on=later, actor=posts.cadre)
    # then all 105 are covered, 21 each, and the first division is kept as ended
    assert list(division.loads.values()) == [21] * 5
    assert division_coverage(committee=committee).complete
    assert MemberHousehold.objects.filter(ended_on=later).count() == 95
    assert MemberHousehold.objects.filter(ended_on__isnull=True).count() == 105
    # a division dated before the last one is refused
    refused("date_invalid", lambda: households_divide(committee=committee, on=date(2016, 5, 1),
                                                      actor=posts.cadre))  # fmt: skip


def test_the_database_refuses_a_household_in_two_charges(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    committee = form(posts)
    first, second = members(committee)[:2]
    MemberHousehold.objects.create(committee=committee, member=first, household=household,
                                   started_on=ON)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberHousehold.objects.create(committee=committee, member=second, household=household,
                                       started_on=ON)  # fmt: skip


def test_an_explicit_division_within_bounds_is_taken(posts: Posts) -> None:  # noqa: F811
    rows = households(95)
    committee = form(posts)
    ids = [h.pk for h in rows]
    seats = [m.pk for m in members(committee)]
    # 15 + 20 + 20 + 20 + 20, not in number order
    charges = {seats[0]: ids[80:], seats[1]: ids[:20], seats[2]: ids[20:40],
               seats[3]: ids[40:60], seats[4]: ids[60:80]}  # fmt: skip
    division = households_divide(committee=committee, on=ON, actor=posts.cadre, charges=charges)
    assert division.loads == {seats[0]: 15, seats[1]: 20, seats[2]: 20, seats[3]: 20,
                              seats[4]: 20}  # fmt: skip
    assert division_coverage(committee=committee).complete


def test_a_bad_explicit_division_is_refused(posts: Posts) -> None:  # noqa: F811
    rows = households(95)
    (stranger,) = households(1, village=OTHER_VILLAGE)
    committee = form(posts)
    ids = [h.pk for h in rows]
    seats = [m.pk for m in members(committee)]
    even = {seat: ids[19 * i : 19 * (i + 1)] for i, seat in enumerate(seats)}

    def attempt(charges: dict[int, list[int]]) -> Callable[[], object]:
        return lambda: households_divide(committee=committee, on=ON, actor=posts.cadre,
                                         charges=charges)  # fmt: skip

    refused("household_twice", attempt({**even, seats[0]: [*even[seats[0]], ids[20]]}))
    refused("household_missing", attempt({**even, seats[0]: even[seats[0]][1:]}))
    refused("household_elsewhere", attempt({**even, seats[0]: [*even[seats[0]], stranger.pk]}))
    refused("member_unknown", attempt({**even, 999999: []}))
    # 10 + 28 + 19 + 19 + 19: the bounds can be met, so 10 is refused
    lopsided = {**even, seats[0]: ids[:10], seats[1]: ids[10:38]}
    error = refused("load_out_of_bounds", attempt(lopsided))
    assert "15 to 30" in str(error)
    refused("role_not_allowed", lambda: households_divide(committee=committee, on=ON,
                                                          actor=posts.township))  # fmt: skip


def test_where_the_bounds_cannot_be_met_the_division_is_even(posts: Posts) -> None:  # noqa: F811
    # given 60 households for 5 members: 15 each would need 75
    rows = households(60)
    committee = form(posts)
    # when divided automatically, then 12 each, flagged outside the bounds
    division = households_divide(committee=committee, on=ON, actor=posts.cadre)
    assert list(division.loads.values()) == [12] * 5 and not division.within_bounds
    assert len(division_coverage(committee=committee).outside_bounds) == 5
    # and an explicit division must be as even
    seats = [m.pk for m in members(committee)]
    ids = [h.pk for h in rows]
    uneven = {seats[0]: ids[:20], seats[1]: ids[20:30], seats[2]: ids[30:40],
              seats[3]: ids[40:50], seats[4]: ids[50:]}  # fmt: skip
    refused("load_uneven", lambda: households_divide(committee=committee, on=date(2016, 4, 1),
                                                     actor=posts.cadre, charges=uneven))  # fmt: skip


def test_a_village_without_households_is_not_divided(posts: Posts) -> None:  # noqa: F811
    committee = form(posts)
    refused("no_households", lambda: households_divide(committee=committee, on=ON,
                                                       actor=posts.cadre))  # fmt: skip


@given(households_=st.integers(0, 260), members_=st.integers(1, 9),
       low=st.integers(1, 20), span=st.integers(0, 20))  # fmt: skip
def test_the_automatic_division_covers_each_household_once_within_bounds_when_possible(
    households_: int, members_: int, low: int, span: int
) -> None:
    high = low + span
    items = list(range(households_))
    runs = divide(items, list(range(members_)))
    # every household exactly once, in order, in contiguous runs
    assert [item for run in runs.values() for item in run] == items
    loads = [len(run) for run in runs.values()]
    assert division_acceptable(loads, low, high)
    if bounds_reachable(households_, members_, low, high):
        assert all(low <= load <= high for load in loads)
    else:
        assert max(loads) - min(loads) <= 1


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(count=st.integers(1, 240), seats=st.sampled_from([5, 6, 7]))
def test_the_division_in_the_database_covers_every_household_once(
    villages: list[str], count: int, seats: int
) -> None:
    with transaction.atomic():
        households(count)
        now = timezone.now()
        committee = Committee.objects.create(village_id=VILLAGE, formed_on=ON, seats=seats,
                                             households_counted=count, created_at=now)  # fmt: skip
        CommitteeMember.objects.bulk_create(
            CommitteeMember(committee=committee, name=f"m{n}", id_number=f"{n}", phone="1",
                            role="member", is_party_member=False, background="other",
                            joined_on=ON)
            for n in range(seats)
        )  # fmt: skip
        division = households_divide(committee=committee, on=ON, actor=Actor(None, "test"))
        coverage = division_coverage(committee=committee)
        transaction.set_rollback(True)
    assert coverage.complete and coverage.households == count
    assert sum(division.loads.values()) == count
    assert division.within_bounds == bounds_reachable(count, seats, 15, 30)


# ---- replacing a member ------------------------------------------------------------------


def test_a_successor_takes_the_seat_and_its_households(posts: Posts) -> None:  # noqa: F811
    # given
    households(95)
    committee = form(posts)
    households_divide(committee=committee, on=ON, actor=posts.cadre)
    leaving = members(committee)[1]  # the life officer
    on = date(2016, 7, 1)
    # when
    new = member_replace(member=leaving, successor=person(40, "", is_party_member=True),
                         on=on, reason="外出务工", actor=posts.secretary)  # fmt: skip
    # then
    leaving.refresh_from_db()
    assert (leaving.left_on, leaving.leave_reason, leaving.successor_id) == (on, "外出务工", new.pk)
    assert (new.role, new.joined_on, new.is_party_member) == ("life", on, True)
    assert MemberHousehold.objects.filter(member=new, ended_on__isnull=True).count() == 19
    assert MemberHousehold.objects.filter(member=leaving, ended_on=on).count() == 19
    assert division_coverage(committee=committee).complete
    assert AuditEvent.objects.get(action="committee.member_replace").after["households"] == 19


def test_a_bad_replacement_is_refused(posts: Posts) -> None:  # noqa: F811
    committee = form(posts)
    seat = members(committee)[0]

    def replace(**change: Any) -> Callable[[], object]:
        fields = {"member": seat, "successor": person(40, ""), "on": date(2016, 7, 1),
                  "reason": "病故", "actor": posts.cadre, **change}  # fmt: skip
        return lambda: member_replace(**fields)

    refused("reason_missing", replace(reason=" "))
    refused("role", replace(successor=person(40, "life")))
    refused("person_twice", replace(successor=person(2, "")))
    refused("date_invalid", replace(on=date(2016, 2, 1)))
    refused("role_not_allowed", replace(actor=posts.township))
    replace()()
    refused("left_already", replace(successor=person(41, "")))


# ---- the composition ---------------------------------------------------------------------


def test_the_composition_gives_the_share_of_party_members_and_of_each_background(
    posts: Posts,  # noqa: F811
) -> None:
    # given seven members, three of them party members
    households(160)
    backgrounds = ["village_cadre", "village_cadre", "poor_household", "capable_person",
                   "villager_rep", "villager_rep", "villager_rep"]  # fmt: skip
    people = [person(n + 1, role, is_party_member=n < 3, background=backgrounds[n])
              for n, role in enumerate(OFFICERS + ["member"] * 3)]  # fmt: skip
    committee = form(posts, 7, members=people)
    # when
    composition = committee_composition(committee=committee)
    # then
    assert (composition.members, composition.party_members) == (7, 3)
    assert composition.party_share == Decimal("0.4286")
    shares = composition.background_shares
    assert shares["village_cadre"] == Decimal("0.2857")
    assert shares["poor_household"] == shares["capable_person"] == Decimal("0.1429")
    assert shares["villager_rep"] == Decimal("0.4286")
    assert shares["other"] == Decimal(0)
    # the region's figure is the same through restrict; a post elsewhere sees nobody
    assert region_composition(user=posts.township.user, prefix="522727") == composition
    assert region_composition(user=posts.other_cadre.user, prefix="").members == 0


# ---- meetings ----------------------------------------------------------------------------


def test_a_meeting_is_recorded_with_attendance_minutes_and_decisions(posts: Posts) -> None:  # noqa: F811
    committee = form(posts)
    present = [m.pk for m in members(committee)[:4]]
    meeting = meeting_record(committee=committee, kind="public", held_on=date(2016, 3, 20),
                             attendees=present, minutes="讨论公益岗位人选",
                             decisions=["设立保洁员岗位2个", " 下月评议红黑榜 "],
                             villagers_present=46, actor=posts.cadre)  # fmt: skip
    assert meeting.decisions == ["设立保洁员岗位2个", "下月评议红黑榜"]
    assert sorted(meeting.attendance.values_list("member_id", flat=True)) == present
    event = AuditEvent.objects.get(action="committee.meeting")
    assert event.after["present"] == present and event.after["villagers_present"] == 46


def test_a_bad_meeting_is_refused(posts: Posts) -> None:  # noqa: F811
    committee = form(posts)
    other = form(posts, village=OTHER_VILLAGE, members=seated(5, start=21),
                 actor=posts.other_cadre)  # fmt: skip
    seats = [m.pk for m in members(committee)]

    def record(**change: Any) -> Callable[[], object]:
        fields = {"committee": committee, "kind": "internal", "held_on": date(2016, 3, 9),
                  "attendees": seats, "minutes": "例会", "decisions": [],
                  "actor": posts.cadre, **change}  # fmt: skip
        return lambda: meeting_record(**fields)

    refused("kind", record(kind="party"))
    refused("minutes_missing", record(minutes=" "))
    refused("decision_blank", record(decisions=["x", " "]))
    refused("attendance_missing", record(attendees=[]))
    refused("attendee_twice", record(attendees=[seats[0], seats[0]]))
    refused("attendee_unknown", record(attendees=[members(other)[0].pk]))
    refused("villagers_missing", record(kind="public"))
    refused("villagers_present", record(villagers_present=3))
    refused("date_invalid", record(held_on=date(2016, 2, 28)))
    refused("role_not_allowed", record(actor=posts.township))
    record()()
    refused("recorded_already", record())
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMeeting.objects.create(committee=committee, kind="public", held_on=ON,
                                        minutes="x", decisions=[], villagers_present=0,
                                        recorded_at=timezone.now())  # fmt: skip


def test_missed_meetings_over_a_month_are_counted_by_hand(posts: Posts) -> None:  # noqa: F811
    # given a committee formed on Tuesday 1 March 2016: its weeks start on Monday 7 March,
    # its months on 1 March; the grace is 3 days
    committee = form(posts)
    seats = [m.pk for m in members(committee)]
    for day in (date(2016, 3, 2), date(2016, 3, 9), date(2016, 3, 25)):
        meeting_record(committee=committee, kind="internal", held_on=day, attendees=seats,
                       minutes="例会", decisions=[], actor=posts.cadre)  # fmt: skip

    def missed(on: date) -> list[tuple[str, date, date]]:
        rows = committee_meetings_missed(committee=committee, on=on)
        return [(row.kind, row.period_start, row.period_end) for row in rows]

    # then on 5 April: weeks 7-13 (met 9th), 14-20 (none), 21-27 (met 25th) are past their
    # grace, 28 March-3 April is not (due by 6 April); March had no public meeting
    assert missed(date(2016, 4, 5)) == [
        ("internal", date(2016, 3, 14), date(2016, 3, 20)),
        ("public", date(2016, 3, 1), date(2016, 3, 31)),
    ]
    # on 3 April the month is still in its grace (due by 3 April), on 4 April it is missed
    assert ("public", date(2016, 3, 1), date(2016, 3, 31)) not in missed(date(2016, 4, 3))
    assert ("public", date(2016, 3, 1), date(2016, 3, 31)) in missed(date(2016, 4, 4))
    # on 7 April the week to 3 April has passed its grace too
    assert ("internal", date(2016, 3, 28), date(2016, 4, 3)) in missed(date(2016, 4, 7))
    # a meeting recorded late for the period clears it
    meeting_record(committee=committee, kind="public", held_on=date(2016, 3, 31),
                   attendees=seats, minutes="群众会", decisions=["公示"], villagers_present=30,
                   actor=posts.cadre)  # fmt: skip
    assert missed(date(2016, 4, 5)) == [("internal", date(2016, 3, 14), date(2016, 3, 20))]
    # from `since` on only
    assert committee_meetings_missed(committee=committee, on=date(2016, 4, 5),
                                     since=date(2016, 3, 21)) == []  # fmt: skip


def test_the_cadence_and_grace_are_policy_data(posts: Posts) -> None:  # noqa: F811
    # given Guizhou meets every two weeks with 10 days of grace
    province_value("committee_internal_every_weeks", 2)
    province_value("committee_meeting_grace_days", 10)
    committee = form(posts)
    rows = committee_meetings_missed(committee=committee, on=date(2016, 4, 5))
    # then the fortnight 7-20 March was missed (due by 30 March), 21 March-3 April is not yet
    assert [(r.kind, r.period_start, r.period_end, r.due_by) for r in rows] == [
        ("internal", date(2016, 3, 7), date(2016, 3, 20), date(2016, 3, 30)),
    ]


def test_missed_meetings_in_a_region_follow_the_grants_and_stop_with_the_term(
    posts: Posts,  # noqa: F811
) -> None:
    # given two committees, the second ended on 20 March
    form(posts)
    other = form(posts, village=OTHER_VILLAGE, members=seated(5, start=21),
                 actor=posts.other_cadre)  # fmt: skip
    committee_end(committee=other, on=date(2016, 3, 20), reason="合并", actor=posts.other_cadre)
    on = date(2016, 4, 5)
    # when the township asks, then both villages, the ended one up to its end only
    rows = meetings_missed(user=posts.township.user, prefix="522727100", on=on)
    mine = [(r.kind, r.period_start) for r in rows if r.village == VILLAGE]
    ended = [(r.kind, r.period_start) for r in rows if r.village == OTHER_VILLAGE]
    assert mine == [("internal", date(2016, 3, d)) for d in (7, 14, 21)] + [
        ("public", date(2016, 3, 1))
    ]
    assert ended == [("internal", date(2016, 3, 7)), ("internal", date(2016, 3, 14))]
    # the other village's cadre sees its own village only
    seen = meetings_missed(user=posts.other_cadre.user, prefix="", on=on)
    assert {row.village for row in seen} == {OTHER_VILLAGE}


# ---- labour posts ------------------------------------------------------------------------


def villager(household: Household, number: int) -> Member:
    return Member.objects.create(
        household=household, name=f"村民{number}", relation="head", sex="M",
        id_number=id_make("522727", date(1980, 1, 1), number), birth_date=date(1980, 1, 1),
        ethnicity="布依族", health="healthy",
    )  # fmt: skip


def labour_post(committee: Committee, posts: Posts, **change: Any) -> LabourPost:  # noqa: F811
    fields = {"committee": committee, "title": "保洁员", "duties": "村道清扫", "place": "京舟村",
              "pay_amount": Decimal("500"), "pay_unit": "month", "positions": 1,
              "opened_on": date(2016, 3, 10), "actor": posts.cadre, **change}  # fmt: skip
    return post_create(**fields)


def apply(post: LabourPost, who: Member, posts: Posts, **change: Any) -> PostApplication:  # noqa: F811
    fields = {"post": post, "person": who, "applied_on": date(2016, 3, 12), "consent": True,
              "consent_evidence": "本人签字申请书", "actor": posts.cadre, **change}  # fmt: skip
    return post_apply(**fields)


def take(post: LabourPost, who: Member, posts: Posts) -> PostApplication:  # noqa: F811
    """`who` applies with consent on 12 March and is put on the post on 15 March."""
    return post_assign(application=apply(post, who, posts), on=date(2016, 3, 15),
                       actor=posts.cadre)  # fmt: skip


@pytest.fixture
def post_setup(posts: Posts) -> tuple[LabourPost, list[Member]]:  # noqa: F811
    rows = households(3)
    committee = form(posts)
    return labour_post(committee, posts), [villager(h, n) for n, h in enumerate(rows, 1)]


def test_a_villager_applies_with_consent_and_is_assigned(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
) -> None:
    post, people = post_setup
    # when
    application = apply(post, people[0], posts)
    assigned = post_assign(application=application, on=date(2016, 3, 15), actor=posts.cadre)
    # then
    assert (assigned.status, assigned.assigned_on) == ("assigned", date(2016, 3, 15))
    assert (assigned.consent_given_on, assigned.consent_evidence) == (date(2016, 3, 12),
                                                                       "本人签字申请书")  # fmt: skip
    actions = list(AuditEvent.objects.filter(object_type="post_application")
                   .order_by("pk").values_list("action", flat=True))  # fmt: skip
    assert actions == ["labour.apply", "labour.assign"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"consent": False}, "consent_missing"),
        ({"consent_evidence": " "}, "consent_missing"),
        ({"consent_given_on": date(2016, 3, 13)}, "date_invalid"),
        ({"applied_on": date(2016, 3, 9)}, "date_invalid"),
        ({"actor": "township"}, "role_not_allowed"),
    ],
)
def test_an_application_without_consent_is_refused(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
    change: dict[str, Any],
    code: str,
) -> None:
    post, people = post_setup
    if "actor" in change:
        change = {"actor": posts.actors[change["actor"]]}
    refused(code, lambda: apply(post, people[0], posts, **change))


def test_only_a_villager_applies_and_once(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
) -> None:
    post, people = post_setup
    (elsewhere,) = households(1, village=OTHER_VILLAGE)
    refused("not_a_villager", lambda: apply(post, villager(elsewhere, 9), posts))
    apply(post, people[0], posts)
    refused("applied_already", lambda: apply(post, people[0], posts))


def test_nobody_is_assigned_past_a_withdrawal_or_the_places(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
) -> None:
    post, people = post_setup
    first, second, third = (apply(post, who, posts) for who in people)
    # a withdrawn application is never assigned
    post_withdraw(application=second, on=date(2016, 3, 13), actor=posts.cadre, note="不愿意")
    error = refused("withdrawn", lambda: post_assign(application=second, on=date(2016, 3, 15),
                                                     actor=posts.cadre))  # fmt: skip
    assert "consent" in str(error)
    # one place: the first takes it, the third waits
    post_assign(application=first, on=date(2016, 3, 15), actor=posts.cadre)
    refused("assigned_already", lambda: post_assign(application=first, on=date(2016, 3, 16),
                                                    actor=posts.cadre))  # fmt: skip
    refused("post_full", lambda: post_assign(application=third, on=date(2016, 3, 15),
                                             actor=posts.cadre))  # fmt: skip
    refused("date_invalid", lambda: post_assign(application=third, on=date(2016, 3, 11),
                                                actor=posts.cadre))  # fmt: skip


def test_a_holder_who_withdraws_leaves_the_post_that_day(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
) -> None:
    post, people = post_setup
    holder = take(post, people[0], posts)
    withdrawn = post_withdraw(application=holder, on=date(2016, 5, 1), actor=posts.cadre)
    assert (withdrawn.status, withdrawn.ended_on, withdrawn.end_reason) == (
        "withdrawn", date(2016, 5, 1), "withdrawn",
    )  # fmt: skip
    # the place is free again
    waiting = apply(post, people[1], posts, applied_on=date(2016, 5, 2))
    assert post_assign(application=waiting, on=date(2016, 5, 3), actor=posts.cadre).status == (
        "assigned"
    )
    refused("not_standing", lambda: post_withdraw(application=withdrawn, on=date(2016, 5, 4),
                                                  actor=posts.cadre))  # fmt: skip


def test_the_database_holds_the_consent(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
) -> None:
    post, people = post_setup
    base = {"post": post, "person": people[0], "applied_on": date(2016, 3, 12),
            "consent_given_on": date(2016, 3, 12), "consent_evidence": "签字",
            "recorded_at": timezone.now()}  # fmt: skip
    for change in (
        {"consent_evidence": ""},  # no consent shown
        {"consent_given_on": date(2016, 3, 13)},  # consent after the application
        {"status": "assigned"},  # on the post with no date
        {"status": "assigned", "assigned_on": date(2016, 3, 11)},  # before applying
        {"status": "applied", "assigned_on": date(2016, 3, 15)},
        {"status": "withdrawn", "withdrawn_on": date(2016, 4, 1),
         "assigned_on": date(2016, 3, 15)},  # withdrawn but still on the post
    ):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            PostApplication.objects.create(**(base | change))


def test_work_and_pay_are_recorded_within_the_time_on_the_post(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
) -> None:
    post, people = post_setup
    holder = take(post, people[0], posts)

    def record(**change: Any) -> Callable[[], PostWorkMonth]:
        fields = {"application": holder, "year": 2016, "month": 3, "days_worked": 15,
                  "amount_paid": Decimal("250"), "paid_on": date(2016, 4, 5),
                  "actor": posts.cadre, **change}  # fmt: skip
        return lambda: post_work_record(**fields)

    # 15-31 March is 17 days on the post
    refused("days_exceed", record(days_worked=18))
    refused("not_on_post", record(month=2))
    refused("value_invalid", record(amount_paid=Decimal(-1)))
    refused("date_invalid", record(paid_on=date(2016, 2, 1)))
    refused("date_invalid", record(month=13))
    month = record()()
    assert (month.days_worked, month.amount_paid, month.paid_on) == (15, 250, date(2016, 4, 5))
    refused("recorded_already", record())
    # after leaving, the days end with the post
    post_leave(application=holder, on=date(2016, 4, 10), reason="岗位调整", actor=posts.cadre)
    refused("days_exceed", record(month=4, days_worked=11))
    assert record(month=4, days_worked=10, paid_on=None)().paid_on is None


def test_closing_a_post_ends_its_holders(
    posts: Posts,  # noqa: F811
    post_setup: tuple[LabourPost, list[Member]],
) -> None:
    post, people = post_setup
    holder = take(post, people[0], posts)
    post_close(post=post, on=date(2016, 6, 30), actor=posts.cadre)
    holder.refresh_from_db()
    assert (holder.status, holder.ended_on, holder.end_reason) == (
        "ended", date(2016, 6, 30), "post_closed",
    )  # fmt: skip
    refused("post_closed", lambda: apply(post, people[1], posts, applied_on=date(2016, 7, 1)))


def test_a_bad_post_is_refused(posts: Posts) -> None:  # noqa: F811
    committee = form(posts)
    for change, code in (
        ({"pay_amount": Decimal(0)}, "pay_invalid"),
        ({"positions": 0}, "positions_invalid"),
        ({"pay_unit": "week"}, "pay_unit"),
        ({"duties": " "}, "value_missing"),
        ({"opened_on": date(2016, 2, 1)}, "date_invalid"),
        ({"actor": posts.township}, "role_not_allowed"),
    ):
        refused(code, lambda change=change: labour_post(committee, posts, **change))


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("apply"), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("assign"), st.integers(0, 7), st.just(False)),
        st.tuples(st.just("withdraw"), st.integers(0, 7), st.just(False)),
    ),
    max_size=12,
)


def _labour_model(
    expected: list[tuple[int, str]], action: str, index: int, consent: bool
) -> tuple[bool, str]:
    """Whether the model allows the operation, and the status it leads to: an application
    needs consent and no standing one of the villager; an assignment a standing application
    and a free place of two; a withdrawal a standing application."""
    standing = ("applied", "assigned")
    if action == "apply":
        live = {who for who, status in expected if status in standing}
        return consent and index not in live, "applied"
    status = expected[index][1]
    if action == "assign":
        holders = sum(other == "assigned" for _, other in expected)
        return status == "applied" and holders < 2, "assigned"
    return status in standing, "withdrawn"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(operations=OPERATIONS)
def test_nobody_is_ever_on_a_post_without_an_application_with_consent(
    villages: list[str], operations: list[tuple[str, int, bool]]
) -> None:
    # given a post of two places, four villagers, and any order of applications (with and
    # without consent), assignments and withdrawals, against a model of what may happen
    system = Actor(None, "test")
    expected: list[tuple[int, str]] = []  # (villager, status) of each application made
    with transaction.atomic():
        rows = households(4)
        people = [villager(h, n) for n, h in enumerate(rows, 1)]
        committee = committee_form(village=VILLAGE, formed_on=ON, members=seated(5),
                                   actor=system)  # fmt: skip
        post = post_create(committee=committee, title="护林员", duties="巡山", place="后山",
                           pay_amount=Decimal(40), pay_unit="day", positions=2,
                           opened_on=ON, actor=system)  # fmt: skip
        applications: list[PostApplication] = []
        for action, index, consent in operations:
            if action != "apply" and index >= len(applications):
                continue
            allowed, outcome = _labour_model(expected, action, index, consent)
            # when
            try:
                if action == "apply":
                    result = post_apply(
                        post=post,
                        person=people[index],
                        applied_on=ON,
                        consent=consent,
                        consent_evidence="签字",
                        actor=system,
                    )
                elif action == "assign":
                    result = post_assign(application=applications[index], on=ON, actor=system)
                else:
                    result = post_withdraw(application=applications[index], on=ON, actor=system)
            except CommitteeError:
                result = None
            # then the service does exactly what the model allows
            assert (result is not None) == allowed, (action, index, consent, expected)
            if result is not None and action == "apply":
                applications.append(result)
                expected.append((index, outcome))
            elif result is not None:
                expected[index] = (expected[index][0], outcome)
        stored = list(PostApplication.objects.order_by("pk").values_list(
            "person_id", "status", "consent_evidence", "assigned_on", "withdrawn_on"))  # fmt: skip
        transaction.set_rollback(True)
    index_of = {villager_.pk: index for index, villager_ in enumerate(people)}
    assert [(index_of[pk], status) for pk, status, *_ in stored] == expected
    # everybody ever put on the post applied with consent, and nobody withdrawn is on it
    assert all(evidence for _, _, evidence, _, _ in stored)
    assert all(withdrawn is None for _, status, _, _, withdrawn in stored if status == "assigned")
    assert sum(status == "assigned" for _, status, *_ in stored) <= 2


# ---- scores ------------------------------------------------------------------------------


def test_a_household_is_scored_on_the_weighted_criteria_in_force(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    committee = form(posts)
    # when: 0.4 x 90 + 0.3 x 80 + 0.3 x 70 = 81
    scores = {"work_performance": 90, "village_affairs": 80, "village_rules": 70}
    row = household_score(committee=committee, household=household, year=2016, month=3,
                          scores=scores, actor=posts.cadre)  # fmt: skip
    # then, with the criterion versions it used
    assert row.total == Decimal("81.00")
    assert [c["code"] for c in row.criteria] == sorted(scores)
    assert {c["weight"] for c in row.criteria} == {"0.4000", "0.3000"}
    assert AuditEvent.objects.get(action="committee.score").after["total"] == "81.00"


def test_the_criteria_are_policy_data_by_province(posts: Posts) -> None:  # noqa: F811
    # given Guizhou switches the village rules off
    ScoringCriterionValue.objects.create(code="village_rules", label="遵守村规民约",
                                         weight=Decimal("0.3"), province="52", version=1,
                                         active=False, verified=False,
                                         created_at=timezone.now())  # fmt: skip
    assert [c.code for c in scoring_criteria(year=2016, province="52")] == [
        "village_affairs", "work_performance",
    ]  # fmt: skip
    assert len(scoring_criteria(year=2016, province="11")) == 3
    (household,) = households(1)
    committee = form(posts)
    # then (0.4 x 90 + 0.3 x 80) / 0.7 = 85.714...
    row = household_score(committee=committee, household=household, year=2016, month=3,
                          scores={"work_performance": 90, "village_affairs": 80},
                          actor=posts.cadre)  # fmt: skip
    assert row.total == Decimal("85.71")


def test_a_bad_score_is_refused(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    (stranger,) = households(1, village=OTHER_VILLAGE)
    committee = form(posts)
    full = {"work_performance": 90, "village_affairs": 80, "village_rules": 70}

    def score(**change: Any) -> Callable[[], object]:
        fields = {"committee": committee, "household": household, "year": 2016, "month": 3,
                  "scores": full, "actor": posts.cadre, **change}  # fmt: skip
        return lambda: household_score(**fields)

    refused("score_missing", score(scores={"work_performance": 90}))
    refused("criterion_unknown", score(scores={**full, "hygiene": 50}))
    refused("score_range", score(scores={**full, "village_rules": 101}))
    refused("score_range", score(scores={**full, "village_rules": -1}))
    refused("score_range", score(scores={**full, "village_rules": "NaN"}))
    refused("household_elsewhere", score(household=stranger))
    refused("date_invalid", score(month=2))
    refused("role_not_allowed", score(actor=posts.township))
    score()()
    refused("scored_already", score())


# ---- the red list ------------------------------------------------------------------------


def test_a_red_list_reward_is_recorded_as_support(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    committee = form(posts)
    entry = redlist_enter(committee=committee, household=household, year=2016, month=3,
                          reasons="带头清理村道", reward_kind="goods", reward="大米50斤",
                          amount=Decimal("150"), listed_on=date(2016, 4, 2),
                          actor=posts.cadre)  # fmt: skip
    assert (entry.reward_kind, entry.amount) == ("goods", Decimal("150"))
    event = AuditEvent.objects.get(action="committee.red_list")
    assert (event.object_type, event.after["amount"], event.reason) == (
        "red_list", "150", "带头清理村道",
    )  # fmt: skip
    # the reward is the ledger's row, in the same write: counted once, by the ledger
    measure = entry.measure
    assert measure is not None
    assert (measure.household_id, measure.year, measure.given_on, measure.measure_type) == (
        household.pk, 2016, date(2016, 4, 2), "other")  # fmt: skip
    assert (measure.form, measure.value, measure.provider_kind) == (
        "in_kind", Decimal("150.00"), "village")  # fmt: skip
    assert measure.description == "红榜奖励（3月）：大米50斤"
    assert event.after["measure"] == measure.pk
    assert Measure.objects.filter(household=household).count() == 1


# ---- the black list ----------------------------------------------------------------------


def blacklist(committee: Committee, household: Household, posts: Posts, **change: Any) -> Any:  # noqa: F811
    fields = {"committee": committee, "household": household, "year": 2016, "month": 3,
              "reasons": "多次拒不参加村务，损毁公共设施", "listed_on": date(2016, 4, 2),
              "consequences": [Consequence("suspend", "village_reward")],
              "actor": posts.cadre, **change}  # fmt: skip
    return blacklist_enter(**fields)


@pytest.mark.parametrize("benefit", ["dibao", "tekun", "medical_insurance"])
@pytest.mark.parametrize("kind", ["suspend", "reduce", "cancel"])
def test_no_consequence_ever_cuts_statutory_support(posts: Posts, benefit: str, kind: str) -> None:  # noqa: F811
    (household,) = households(1)
    committee = form(posts)
    consequences = [Consequence("suspend", "village_reward"), Consequence(kind, benefit)]
    error = refused("protected_benefit",
                    lambda: blacklist(committee, household, posts, consequences=consequences))  # fmt: skip
    assert "statutory" in str(error)
    # and the database refuses it too
    entry = blacklist(committee, household, posts)
    with pytest.raises(IntegrityError), transaction.atomic():
        BlackListConsequence.objects.create(entry=entry, kind=kind, benefit=benefit)


def test_a_bad_black_list_entry_is_refused(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    committee = form(posts)
    refused("reasons_missing", lambda: blacklist(committee, household, posts, reasons="  "))
    refused("benefit", lambda: blacklist(committee, household, posts,
                                         consequences=[Consequence("suspend", "pension")]))  # fmt: skip
    refused("consequence_kind", lambda: blacklist(
        committee, household, posts, consequences=[Consequence("fine", "village_reward")]))  # fmt: skip
    refused("benefit_twice", lambda: blacklist(committee, household, posts, consequences=[
        Consequence("suspend", "village_reward"), Consequence("cancel", "village_reward")]))  # fmt: skip
    refused("role_not_allowed", lambda: blacklist(committee, household, posts,
                                                  actor=posts.township))  # fmt: skip
    row = {"committee": committee, "household": household, "year": 2016, "month": 3,
           "reasons": "x", "listed_on": ON, "recorded_at": timezone.now()}  # fmt: skip
    for change in (
        {"reasons": ""},  # no written reasons
        {"status": "notified", "notified_on": ON, "notice_method": "in_person"},  # no deadline
        {"status": "notified", "appeal_until": ON, "notice_method": "in_person"},  # no notice
        {"status": "entered", "notified_on": ON, "appeal_until": ON},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            BlackListEntry.objects.create(**(row | change))


def test_a_household_is_on_one_list_a_month(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    committee = form(posts)
    entry = blacklist(committee, household, posts)

    def red() -> RedListEntry:
        return redlist_enter(committee=committee, household=household, year=2016, month=3,
                             reasons="x", reward_kind="honour", reward="奖状",
                             listed_on=date(2016, 4, 20), actor=posts.cadre)  # fmt: skip

    refused("listed_already", red)
    refused("listed_already", lambda: blacklist(committee, household, posts))
    # an entry overturned on appeal leaves room for the red list
    blacklist_notify(entry=entry, on=date(2016, 4, 3), method="in_person", receiver="户主",
                     actor=posts.cadre)  # fmt: skip
    appeal = appeal_lodge(entry=entry, on=date(2016, 4, 5), grounds="未损毁设施",
                          actor=posts.cadre)  # fmt: skip
    appeal_decide(appeal=appeal, outcome="overturned", reasons="查无实据", on=date(2016, 4, 15),
                  actor=posts.township)  # fmt: skip
    assert red().reward == "奖状"


def test_a_black_list_entry_is_notified_appealed_and_decided(posts: Posts) -> None:  # noqa: F811
    # given
    (household,) = households(1)
    committee = form(posts)
    entry = blacklist(committee, household, posts)
    assert entry.status == "entered" and not blacklist_final(entry, on=date(2016, 12, 31))
    refused("not_notified", lambda: appeal_lodge(entry=entry, on=date(2016, 4, 3),
                                                 grounds="不服", actor=posts.cadre))  # fmt: skip
    # when notified in writing on 4 April: 15 days to appeal
    entry = blacklist_notify(entry=entry, on=date(2016, 4, 4), method="in_person",
                             receiver="户主本人", actor=posts.cadre)  # fmt: skip
    assert (entry.status, entry.appeal_until) == ("notified", date(2016, 4, 19))
    refused("notified_already", lambda: blacklist_notify(
        entry=entry, on=date(2016, 4, 5), method="by_post", receiver="x", actor=posts.cadre))  # fmt: skip
    # the household appeals on the last day, through the township: 30 days to decide
    appeal = appeal_lodge(entry=entry, on=date(2016, 4, 19), grounds="理由与事实不符",
                          actor=posts.township)  # fmt: skip
    assert appeal.decide_by == date(2016, 5, 19)
    refused("appealed_already", lambda: appeal_lodge(entry=entry, on=date(2016, 4, 19),
                                                     grounds="再诉", actor=posts.cadre))  # fmt: skip
    # only the township decides
    for post in ("cadre", "secretary", "county"):
        refused("role_not_allowed", lambda post=post: appeal_decide(
            appeal=appeal, outcome="upheld", reasons="x", on=date(2016, 5, 1),
            actor=posts.actors[post]))  # fmt: skip
    refused("reasons_missing", lambda: appeal_decide(appeal=appeal, outcome="upheld",
                                                     reasons=" ", on=date(2016, 5, 1),
                                                     actor=posts.township))  # fmt: skip
    decided = appeal_decide(appeal=appeal, outcome="upheld", reasons="事实清楚",
                            on=date(2016, 5, 1), actor=posts.township)  # fmt: skip
    entry.refresh_from_db()
    assert (decided.outcome, decided.decided_by_id, entry.status) == (
        "upheld", posts.township.user.pk, "upheld",
    )  # fmt: skip
    assert blacklist_final(entry, on=date(2016, 5, 1))
    refused("decided_already", lambda: appeal_decide(appeal=appeal, outcome="overturned",
                                                     reasons="x", on=date(2016, 5, 2),
                                                     actor=posts.township))  # fmt: skip
    actions = list(AuditEvent.objects.filter(object_type__in=["black_list", "black_list_appeal"])
                   .order_by("pk").values_list("action", flat=True))  # fmt: skip
    assert actions == ["committee.black_list", "committee.black_list_notify",
                       "committee.appeal_lodge", "committee.appeal_decide"]  # fmt: skip


def test_an_appeal_after_the_period_is_refused_and_the_entry_becomes_final(
    posts: Posts,  # noqa: F811
) -> None:
    (household,) = households(1)
    committee = form(posts)
    entry = blacklist_notify(entry=blacklist(committee, household, posts), on=date(2016, 4, 4),
                             method="left_at_home", receiver="户主之妻", actor=posts.cadre)  # fmt: skip
    error = refused("appeal_late", lambda: appeal_lodge(entry=entry, on=date(2016, 4, 20),
                                                        grounds="不服", actor=posts.cadre))  # fmt: skip
    assert "2016-04-19" in str(error)
    assert not blacklist_final(entry, on=date(2016, 4, 19))
    assert blacklist_final(entry, on=date(2016, 4, 20))


def test_the_appeals_overdue_for_a_decision_are_listed(posts: Posts) -> None:  # noqa: F811
    # given two appeals lodged 1 and 10 April: due 1 and 10 May
    rows = households(2)
    committee = form(posts)
    appeals = []
    for household, lodged in zip(rows, (date(2016, 4, 1), date(2016, 4, 10)), strict=True):
        listed = blacklist(committee, household, posts, listed_on=date(2016, 3, 31))
        entry = blacklist_notify(entry=listed, on=date(2016, 4, 1), method="in_person",
                                 receiver="户主", actor=posts.cadre)  # fmt: skip
        appeals.append(appeal_lodge(entry=entry, on=lodged, grounds="不服", actor=posts.cadre))

    def overdue(on: date) -> list[tuple[str, int]]:
        found = appeals_overdue(user=posts.township.user, prefix="522727100", on=on)
        return [(row.household_no, row.days_overdue) for row in found]

    # then
    assert overdue(date(2016, 5, 1)) == []
    assert overdue(date(2016, 5, 4)) == [(rows[0].household_no, 3)]
    assert overdue(date(2016, 5, 12)) == [(rows[0].household_no, 11), (rows[1].household_no, 2)]
    # a decision takes it off, and a post elsewhere sees none
    appeal_decide(appeal=appeals[0], outcome="overturned", reasons="查无实据",
                  on=date(2016, 5, 12), actor=posts.township)  # fmt: skip
    assert overdue(date(2016, 5, 12)) == [(rows[1].household_no, 2)]
    assert appeals_overdue(user=posts.other_cadre.user, prefix="", on=date(2016, 6, 1)) == []


# ---- the command ---------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("committee", *args, stdout=out)
    return out.getvalue()


def test_the_committee_command_divides_and_shows(posts: Posts) -> None:  # noqa: F811
    # given
    households(95)
    committee = form(posts)
    meeting_record(committee=committee, kind="internal", held_on=date(2016, 3, 9),
                   attendees=[m.pk for m in members(committee)], minutes="例会", decisions=[],
                   actor=posts.cadre)  # fmt: skip
    # when
    divided = run("divide", "--village", VILLAGE, "--on", "2016-03-02", "--as", "cadre")
    shown = run("show", "--village", VILLAGE, "--on", "2016-04-05", "--as", "township")
    # then
    assert "95 households divided among 5 members from 2016-03-02" in divided
    assert "  19  委员1" in divided
    assert "  19 households  委员1  生产委员  群众  村民代表" in shown
    assert "division: 95 households, 0 in nobody's charge, 0 in two; complete" in shown
    assert "party members: 0 of 5 (0.0%)" in shown
    assert "村民代表: 5 (100.0%)" in shown
    assert "meetings missed as of 2016-04-05: 3" in shown
    assert "委员会例会 2016-03-14 to 2016-03-20 (due by 2016-03-23)" in shown
    missed = run("missed", "--region", "5227", "--on", "2016-04-05", "--as", "county")
    assert "3 meetings missed as of 2016-04-05 in 1 villages" in missed
    assert f"{VILLAGE} 京舟村村民委员会  群众公开会 2016-03-01 to 2016-03-31" in missed


@pytest.mark.parametrize(
    "args",
    [
        ("divide", "--village", OTHER_VILLAGE, "--as", "cadre"),  # no committee there
        ("divide", "--village", VILLAGE, "--as", "other_cadre"),  # not their village
        ("divide", "--village", VILLAGE, "--as", "township"),  # views, does not keep
        ("divide", "--village", VILLAGE, "--as", "nobody"),
        ("divide", "--village", VILLAGE, "--on", "2016-02-30", "--as", "cadre"),
        ("divide", "--village", VILLAGE, "--on", "2016-02-01", "--as", "cadre"),  # before
        ("show", "--village", VILLAGE, "--as", "other_cadre"),
        ("missed", "--region", "52x", "--on", "2016-04-05", "--as", "county"),
    ],
)
def test_the_command_refuses_in_one_line_with_exit_code_2(
    posts: Posts,  # noqa: F811
    args: tuple[str, ...],
) -> None:
    households(95)
    form(posts)
    before = state()
    with pytest.raises(CommandError) as refused_:
        run(*args)
    assert refused_.value.returncode == 2
    assert "\n" not in str(refused_.value)
    assert state() == before


def test_a_committee_error_is_a_pairing_error() -> None:
    assert issubclass(CommitteeError, PairingError)


def test_the_back_office_lists_the_committee_rows(posts: Posts) -> None:  # noqa: F811
    # given a committee, a meeting and a black-list entry under appeal
    (household,) = households(1)
    committee = form(posts)
    meeting_record(committee=committee, kind="internal", held_on=date(2016, 3, 9),
                   attendees=[members(committee)[0].pk], minutes="例会", decisions=[],
                   actor=posts.cadre)  # fmt: skip
    entry = blacklist_notify(entry=blacklist(committee, household, posts), on=date(2016, 4, 3),
                             method="in_person", receiver="户主", actor=posts.cadre)  # fmt: skip
    appeal_lodge(entry=entry, on=date(2016, 4, 5), grounds="不服", actor=posts.cadre)
    client = Client()
    client.force_login(get_user_model().objects.create_superuser(username="operator"))
    # then every page lists its rows, read-only
    for model in (Committee, CommitteeMember, MemberHousehold, CommitteeMeeting, LabourPost,
                  PostApplication, PostWorkMonth, HouseholdScore, RedListEntry, BlackListEntry,
                  BlackListAppeal):  # fmt: skip
        page = client.get(f"/admin/pairing/{model._meta.model_name}/")
        assert page.status_code == 200, model
        assert page.context["cl"].result_count == model.objects.count()


def test_red_list_entries_from_before_the_ledger_are_taken_over_once(posts: Posts) -> None:  # noqa: F811
    # given an entry recorded before the ledger existed (no ledger row)
    from django.apps import apps

    (household,) = households(1)
    committee = form(posts)
    old = RedListEntry.objects.create(
        committee=committee, household=household, year=2016, month=5, reasons="带头修路",
        listed_on=date(2016, 6, 1), recorded_at=timezone.now(), reward_kind="cash",
        reward="奖金", amount=Decimal(300),
    )  # fmt: skip
    migration = importlib.import_module("fupin.pairing.migrations.0005_red_list_in_ledger")
    # when the migration's step runs, twice
    migration.rewards_into_ledger(apps, None)
    migration.rewards_into_ledger(apps, None)
    # then the entry has its ledger row, and only one
    old.refresh_from_db()
    assert old.measure is not None
    assert (old.measure.form, old.measure.value, old.measure.description) == (
        "money", Decimal("300.00"), "红榜奖励（5月）：奖金")  # fmt: skip
    assert Measure.objects.count() == 1
