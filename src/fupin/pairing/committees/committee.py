"""The committee itself: forming it with its members and roles, replacing a member, ending a
term, dividing the village's households among the members, and recording meetings.

The number of members is the policy's for the village's household count (`committee_seats`);
the four officer roles are held by one member each, the other seats are plain members.
Every household of the village is in one member's charge (a database constraint holds
"none twice"); a division is a whole: the open charges end and the new ones are inserted at
once, and a member's load stays within the policy's bounds whenever the household count
allows it (see `division_acceptable`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.pairing.choices import CommitteeRole, MeetingKind, MemberBackground
from fupin.pairing.committees.base import (
    CommitteeError,
    audit,
    check_day,
    check_role,
    lock_active,
    lock_village,
    text,
    whole,
)
from fupin.pairing.models import (
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    MeetingAttendance,
    MemberHousehold,
)
from fupin.policy.models import Parameter
from fupin.registry.idnumber import IdNumberError, id_normalize
from fupin.registry.models import Household

OFFICERS = tuple(role for role in CommitteeRole if role != CommitteeRole.MEMBER)
T = TypeVar("T")
M = TypeVar("M", bound=Hashable)


@dataclass(frozen=True)
class CommitteePerson:
    """A person to seat: who, how to reach them, party membership and background; the role
    (for a replacement, blank: the seat's own)."""

    name: str
    id_number: str
    phone: str
    is_party_member: bool
    background: str
    role: str = ""
    user: AbstractBaseUser | None = None


@dataclass(frozen=True)
class Division:
    """A division just made: households in each member's charge, by member id."""

    committee_id: int
    loads: dict[int, int]
    bounds: tuple[int, int]
    within_bounds: bool


# ---- the size and the division rules (pure) ----------------------------------------------


def seats_for(households: int, *, smallest: int, largest: int, step_from: int, step: int) -> int:
    """The members of a committee for a village of `households`: `smallest` under
    `step_from` households, one more from there and one more every `step` further, at most
    `largest` (defaults 5 under 100, 6 from 100, 7 from 150)."""
    if households < step_from:
        return smallest
    return min(largest, smallest + 1 + (households - step_from) // max(step, 1))


def divide(households: Sequence[T], members: Sequence[M]) -> dict[M, list[T]]:
    """Split `households` (in household-number order) into contiguous runs, one per member in
    order, as even as can be: the first `len % members` runs hold one more."""
    if not members:
        return {}
    base, extra = divmod(len(households), len(members))
    runs: dict[M, list[T]] = {}
    start = 0
    for index, member in enumerate(members):
        size = base + (index < extra)
        runs[member] = list(households[start : start + size])
        start += size
    return runs


def bounds_reachable(households: int, members: int, low: int, high: int) -> bool:
    """Whether `households` can be divided among `members` with each load in [low, high]."""
    return members > 0 and members * low <= households <= members * high


def division_acceptable(loads: Sequence[int], low: int, high: int) -> bool:
    """A division's loads are acceptable when each lies within [low, high] or, where no
    division could do that, when they are as even as can be (differ by one at most)."""
    if bounds_reachable(sum(loads), len(loads), low, high):
        return all(low <= load <= high for load in loads)
    return not loads or max(loads) - min(loads) <= 1


# ---- the committee and its members -------------------------------------------------------


def committee_seats(households: int, *, village: str, year: int) -> int:
    """The members the policy sets for a village of `households` in `year`."""
    return seats_for(
        households,
        smallest=whole(Parameter.COMMITTEE_MEMBERS_MIN, village=village, year=year),
        largest=whole(Parameter.COMMITTEE_MEMBERS_MAX, village=village, year=year),
        step_from=whole(Parameter.COMMITTEE_STEP_FROM, village=village, year=year),
        step=whole(Parameter.COMMITTEE_STEP_HOUSEHOLDS, village=village, year=year),
    )


def load_bounds(*, village: str, year: int) -> tuple[int, int]:
    """The fewest and the most households in a member's charge (policy, default 15-30)."""
    return (whole(Parameter.COMMITTEE_LOAD_MIN, village=village, year=year),
            whole(Parameter.COMMITTEE_LOAD_MAX, village=village, year=year))  # fmt: skip


def committee_form(
    *, village: str, formed_on: date, members: Sequence[CommitteePerson], actor: Actor
) -> Committee:
    """Form the village's committee on `formed_on` with `members`: as many as the policy sets
    for the village's household count, each officer role held once, the rest plain members."""
    check_role(actor, village)
    people = _people(members)
    _check_officers(people)
    with transaction.atomic():
        lock_village(village)
        check_day(formed_on, after=date(2000, 1, 1), what="a committee's formation")
        if Committee.objects.filter(village_id=village, ended_on__isnull=True).exists():
            raise CommitteeError("formed_already", "the village has an active committee; "
                                 "end its term first")  # fmt: skip
        if Committee.objects.filter(village_id=village, ended_on__gt=formed_on).exists():
            raise CommitteeError("date_invalid", "the previous committee was active then")
        households = Household.objects.filter(village_id=village).count()
        seats = committee_seats(households, village=village, year=formed_on.year)
        if len(people) != seats:
            raise CommitteeError("seats", f"a village of {households} households has a committee "
                                 f"of {seats} members by policy, not {len(people)}")  # fmt: skip
        committee = Committee.objects.create(
            village_id=village, formed_on=formed_on, households_counted=households, seats=seats,
            created_at=timezone.now(), created_by_id=actor.user_id,
        )  # fmt: skip
        CommitteeMember.objects.bulk_create(
            _member(committee, person, role=person.role, on=formed_on) for person in people
        )
        audit(actor, "committee.form", committee, village=village,
              after={"formed_on": formed_on, "households": households, "seats": seats,
                     "members": [_person_facts(person) for person in people]})  # fmt: skip
    return committee


def committee_end(*, committee: Committee, on: date, reason: str, actor: Actor) -> Committee:
    """End the committee's term on `on`: its members leave and the households' charges end
    with it, all kept on record."""
    check_role(actor, committee.village_id)
    reason = text(reason, code="reason_missing", message="a term ends with its reason")
    with transaction.atomic():
        committee = lock_active(committee)
        check_day(on, after=committee.formed_on, what="the end of the term")
        members = committee.members.filter(left_on__isnull=True)
        charges = MemberHousehold.objects.filter(committee=committee, ended_on__isnull=True)
        if members.filter(joined_on__gt=on).exists() or charges.filter(started_on__gt=on).exists():
            raise CommitteeError("date_invalid", f"members joined or households were divided "
                                 f"after {on}")  # fmt: skip
        members.update(left_on=on, leave_reason="term_ended")
        charges.update(ended_on=on)
        committee.ended_on, committee.end_reason = on, reason
        committee.save(update_fields=["ended_on", "end_reason"])
        audit(actor, "committee.end", committee, village=committee.village_id,
              after={"on": on}, reason=reason)  # fmt: skip
    return committee


def member_replace(
    *, member: CommitteeMember, successor: CommitteePerson, on: date, reason: str, actor: Actor
) -> CommitteeMember:
    """Replace a member from `on`: they leave with the reason, the successor takes the seat's
    role and every household in its charge, the old charges kept as ended."""
    village = member.committee.village_id
    check_role(actor, village)
    reason = text(reason, code="reason_missing", message="a replacement states its reason")
    (person,) = _people([successor], role_required=False)
    with transaction.atomic():
        committee = lock_active(member.committee)
        member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if person.role and person.role != member.role:
            raise CommitteeError("role", f"the successor takes the seat's role, "
                                 f"{member.get_role_display()}")  # fmt: skip
        if member.left_on is not None:
            raise CommitteeError("left_already", f"{member.name} left on {member.left_on}")
        check_day(on, after=member.joined_on, what="a replacement")
        charges = MemberHousehold.objects.filter(member=member, ended_on__isnull=True)
        if charges.filter(started_on__gt=on).exists():
            raise CommitteeError("date_invalid", f"the households were divided after {on}")
        current = committee.members.filter(left_on__isnull=True, id_number=person.id_number)
        if current.exists():
            raise CommitteeError("person_twice", f"{person.name} is on the committee already")
        member.left_on, member.leave_reason = on, reason
        member.save(update_fields=["left_on", "leave_reason"])
        new = _member(committee, person, role=member.role, on=on)
        new.save()
        member.successor = new
        member.save(update_fields=["successor"])
        households = list(charges.values_list("household_id", flat=True))
        charges.update(ended_on=on)
        MemberHousehold.objects.bulk_create(
            MemberHousehold(committee=committee, member=new, household_id=household, started_on=on)
            for household in households
        )
        audit(actor, "committee.member_replace", committee, village=village,
              after={**_person_facts(person), "left": member.pk, "successor": new.pk, "on": on,
                     "role": new.role, "households": len(households)},
              reason=reason)  # fmt: skip
    return new


# ---- the division of the households ------------------------------------------------------


def households_divide(
    *,
    committee: Committee,
    on: date,
    actor: Actor,
    charges: Mapping[int, Sequence[int]] | None = None,
) -> Division:
    """Put every household of the village in one current member's charge from `on`: by
    household number in contiguous, even runs (automatic), or as `charges` gives (member id
    -> household ids). Any earlier division ends that day; it is one update and one insert."""
    village = committee.village_id
    check_role(actor, village)
    with transaction.atomic():
        committee = lock_active(committee)
        check_day(on, after=committee.formed_on, what="a division")
        members = list(committee.members.filter(left_on__isnull=True).order_by("pk"))
        if not members:
            raise CommitteeError("no_members", "the committee has no current members")
        if any(member.joined_on > on for member in members):
            raise CommitteeError("date_invalid", f"a member joined after {on}")
        households = list(Household.objects.filter(village_id=village)
                          .order_by("household_no").values_list("pk", flat=True))  # fmt: skip
        if not households:
            raise CommitteeError("no_households", "the village has no households to divide")
        if charges is None:
            runs = divide(households, [member.pk for member in members])
        else:
            runs = _explicit(charges, households, members)
        loads = {member: len(run) for member, run in runs.items()}
        low, high = load_bounds(village=village, year=on.year)
        _check_loads(list(loads.values()), low, high)
        open_charges = MemberHousehold.objects.filter(committee=committee, ended_on__isnull=True)
        if open_charges.filter(started_on__gt=on).exists():
            raise CommitteeError("date_invalid", f"the households were divided after {on}")
        ended = open_charges.update(ended_on=on)
        MemberHousehold.objects.bulk_create(
            MemberHousehold(committee=committee, member_id=member, household_id=household,
                            started_on=on)
            for member, run in runs.items() for household in run
        )  # fmt: skip
        within = all(low <= load <= high for load in loads.values())
        audit(actor, "committee.divide", committee, village=village,
              after={"on": on, "households": len(households), "automatic": charges is None,
                     "loads": {str(member): load for member, load in loads.items()},
                     "within_bounds": within, "charges_ended": ended})  # fmt: skip
    return Division(committee.pk, loads, (low, high), within)


def _explicit(
    charges: Mapping[int, Sequence[int]], households: list[int], members: list[CommitteeMember]
) -> dict[int, list[int]]:
    """An explicit division checked: current members only, every household of the village
    once; a current member left out holds none."""
    current = {member.pk for member in members}
    if unknown := sorted(set(charges) - current):
        raise CommitteeError("member_unknown", f"not current members of the committee: {unknown}")
    given = Counter(household for run in charges.values() for household in run)
    if twice := sorted(household for household, times in given.items() if times > 1):
        raise CommitteeError("household_twice", f"households given twice: {twice}")
    village = set(households)
    if elsewhere := sorted(set(given) - village):
        raise CommitteeError("household_elsewhere", f"not households of the village: {elsewhere}")
    if missing := sorted(village - set(given)):
        raise CommitteeError("household_missing", f"{len(missing)} households of the village "
                             f"are in no one's charge: {missing[:20]}")  # fmt: skip
    return {member.pk: list(charges.get(member.pk, ())) for member in members}


def _check_loads(loads: list[int], low: int, high: int) -> None:
    if division_acceptable(loads, low, high):
        return
    total, count = sum(loads), len(loads)
    if bounds_reachable(total, count, low, high):
        raise CommitteeError("load_out_of_bounds", f"a member answers for {low} to {high} "
                             f"households; this division gives {sorted(loads)}")  # fmt: skip
    raise CommitteeError("load_uneven", f"{total} households among {count} members cannot all "
                         f"be {low} to {high} each; divide them evenly instead of "
                         f"{sorted(loads)}")  # fmt: skip


# ---- meetings ----------------------------------------------------------------------------


def meeting_record(
    *,
    committee: Committee,
    kind: str,
    held_on: date,
    attendees: Sequence[int],
    minutes: str,
    decisions: Sequence[str],
    actor: Actor,
    villagers_present: int = 0,
) -> CommitteeMeeting:
    """Record a meeting held on `held_on`: the weekly internal one or the monthly public one,
    the members present (ids), the minutes and the decisions taken."""
    check_role(actor, committee.village_id)
    if kind not in MeetingKind.values:
        raise CommitteeError("kind", f"meeting kind: one of {', '.join(MeetingKind.values)}")
    minutes = text(minutes, code="minutes_missing", message="a meeting has its minutes")
    if any(not decision.strip() for decision in decisions):
        raise CommitteeError("decision_blank", "a decision is written out")
    if kind == MeetingKind.PUBLIC and villagers_present < 1:
        raise CommitteeError("villagers_missing", "a public meeting records the villagers present")
    if kind == MeetingKind.INTERNAL and villagers_present:
        raise CommitteeError("villagers_present", "an internal meeting counts members only")
    if not attendees:
        raise CommitteeError("attendance_missing", "a meeting records the members present")
    if len(set(attendees)) != len(attendees):
        raise CommitteeError("attendee_twice", "a member is named twice")
    with transaction.atomic():
        committee = lock_active(committee)
        check_day(held_on, after=committee.formed_on, what="a meeting")
        seated = set(
            committee.members.filter(pk__in=attendees, joined_on__lte=held_on)
            .exclude(left_on__lt=held_on)
            .values_list("pk", flat=True)
        )
        if unknown := sorted(set(attendees) - seated):
            raise CommitteeError("attendee_unknown", f"not members on {held_on}: {unknown}")
        if committee.meetings.filter(kind=kind, held_on=held_on).exists():
            raise CommitteeError("recorded_already", f"a {kind} meeting on {held_on} is recorded")
        meeting = CommitteeMeeting.objects.create(
            committee=committee, kind=kind, held_on=held_on, minutes=minutes,
            decisions=[decision.strip() for decision in decisions],
            villagers_present=villagers_present, recorded_at=timezone.now(),
            recorded_by_id=actor.user_id,
        )  # fmt: skip
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=meeting, member_id=member) for member in sorted(attendees)
        )
        audit(actor, "committee.meeting", committee, village=committee.village_id,
              after={"meeting": meeting.pk, "kind": kind, "held_on": held_on,
                     "present": sorted(attendees), "decisions": meeting.decisions,
                     "villagers_present": villagers_present})  # fmt: skip
    return meeting


# ---- helpers -----------------------------------------------------------------------------


def _people(
    members: Sequence[CommitteePerson], *, role_required: bool = True
) -> list[CommitteePerson]:
    """The people checked, their ID numbers normalized and names trimmed."""
    people = []
    for person in members:
        if not person.name.strip() or not person.phone.strip():
            raise CommitteeError("value_missing", "a member has a name and a phone")
        if (person.role or role_required) and person.role not in CommitteeRole.values:
            raise CommitteeError("role", f"role: one of {', '.join(CommitteeRole.values)}")
        if person.background not in MemberBackground.values:
            raise CommitteeError("background", f"background of {person.name}: one of "
                                 f"{', '.join(MemberBackground.values)}")  # fmt: skip
        try:
            number = id_normalize(person.id_number)
        except IdNumberError as exc:
            raise CommitteeError("id_number", f"ID number of {person.name}: {exc}") from None
        people.append(CommitteePerson(person.name.strip(), number, person.phone.strip(),
                                      person.is_party_member, person.background, person.role,
                                      person.user))  # fmt: skip
    if len({person.id_number for person in people}) != len(people):
        raise CommitteeError("person_twice", "a person is named twice")
    return people


def _check_officers(people: list[CommitteePerson]) -> None:
    """Each officer role is held by one member; the other seats are plain members."""
    roles = [person.role for person in people]
    if twice := [str(role.label) for role in OFFICERS if roles.count(role) > 1]:
        raise CommitteeError("role_twice", f"held by more than one member: {', '.join(twice)}")
    if missing := [str(role.label) for role in OFFICERS if role not in roles]:
        raise CommitteeError("roles_incomplete", f"no member holds: {', '.join(missing)}")


def _member(
    committee: Committee, person: CommitteePerson, *, role: str, on: date
) -> CommitteeMember:
    return CommitteeMember(
        committee=committee, name=person.name, id_number=person.id_number, phone=person.phone,
        role=role, is_party_member=person.is_party_member, background=person.background,
        user_id=person.user.pk if person.user else None, joined_on=on,
    )  # fmt: skip


def _person_facts(person: CommitteePerson) -> dict[str, object]:
    return {"name": person.name, "role": person.role, "party": person.is_party_member,
            "background": person.background}  # fmt: skip
