"""Resident first secretaries (驻村第一书记) and village work teams (驻村工作队): postings to a
village for a term, their members, the days they are present, and the villages left
without them.

Who may do what: the county (its organization department and poverty office, the county
grant over the village) opens, staffs, ends and replaces postings; a member logs their own
days through their login; the township logs days too and confirms them. Each write checks
the actor's posts over the village (`core.access.roles_at`), runs in one transaction and
writes its audit event inside it; a refusal raises `PairingError` with a stable code and
writes nothing. A system actor (the CLI operator) passes the role checks, as elsewhere.

Attendance is one row per member and day present: a day cannot be counted twice, a day
outside the member's time in the village is refused, the township confirms a month's days
at once (some or all), and the two-thirds rule counts confirmed days in SQL.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from fupin.core.access import UserLike, restrict, roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.pairing.choices import PostingEndReason, PostingKind, PostingStatus, UnitLevel
from fupin.pairing.models import (
    ATTENDANCE_CONFIRMERS,
    POSTERS,
    AttendanceDay,
    Posting,
    PostingMember,
)
from fupin.pairing.services import PairingError
from fupin.policy.models import Parameter
from fupin.policy.queries import PolicyMissing, policy_value
from fupin.regions.models import Level, PoorAreaDesignation, Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.idnumber import IdNumberError, id_normalize
from fupin.targeting.transition import transition_until

ACTIVE = PostingStatus.ACTIVE
COUNTY_ONLY = "postings are made, staffed and ended by the county office"
SECRETARY_ALONE = (
    "a first secretary posting has exactly one member (no leader flag); to change the "
    "person, replace the posting"
)


@dataclass(frozen=True)
class PostedPerson:
    """A person to post: who, how to reach them, their login if any; the leader of a team."""

    name: str
    id_number: str
    phone: str
    user: AbstractBaseUser | None = None
    is_leader: bool = False


# ---- postings ----------------------------------------------------------------------------


def posting_open(
    *,
    village: str,
    kind: str,
    sending_unit: str,
    unit_level: str,
    term_start: date,
    duties: str,
    members: Sequence[PostedPerson],
    actor: Actor,
    term_years: int | None = None,
) -> Posting:
    """Post a first secretary (one member) or a work team (the policy's minimum, one leader)
    to `village` from `term_start`, for `term_years` (the policy's default if not given)."""
    _check_role(actor, village, POSTERS, COUNTY_ONLY)
    _check_posting_fields(kind=kind, sending_unit=sending_unit, unit_level=unit_level,
                          duties=duties)  # fmt: skip
    term_end = _term_end(term_start, term_years, village=village)
    people = _people(members, kind=kind, village=village, year=term_start.year)
    with transaction.atomic():
        _lock_village(village)
        posting = _create(village=village, kind=kind, sending_unit=sending_unit,
                          unit_level=unit_level, term_start=term_start, term_end=term_end,
                          duties=duties, people=people, actor=actor)  # fmt: skip
        _audit(actor, "posting.open", posting, _posting_facts(posting, people))
    return posting


def posting_end(
    *, posting: Posting, on: date, reason: str, note: str, actor: Actor
) -> Posting:  # fmt: skip
    """End an active posting on `on`: recalled (召回, `note` says why) or its term over; its
    members leave with it. A replacement goes through `posting_replace`."""
    _check_role(actor, posting.village_id, POSTERS, COUNTY_ONLY)
    if reason == PostingEndReason.REPLACEMENT:
        raise PairingError("use_replace", "a replacement opens the successor: posting_replace")
    if reason not in PostingEndReason.values:
        raise PairingError("end_reason", f"end reason: one of {', '.join(PostingEndReason.values)}")
    if reason == PostingEndReason.RECALL and not note.strip():
        raise PairingError("reason_missing", "a recall states its reason")
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting.pk)
        _check_endable(posting, on)
        if reason == PostingEndReason.TERM_ENDED and on < posting.term_end:
            raise PairingError("term_not_over", f"the term runs until {posting.term_end}; "
                               "end it earlier by a recall")  # fmt: skip
        _close(posting, on=on, reason=reason, note=note)
        facts = {"on": on, "end_reason": reason, "note": note.strip()}
        _audit(actor, "posting.end", posting, facts, reason=note.strip())
    return posting


def posting_replace(
    *,
    posting: Posting,
    on: date,
    note: str,
    sending_unit: str,
    unit_level: str,
    duties: str,
    members: Sequence[PostedPerson],
    actor: Actor,
    term_years: int | None = None,
) -> Posting:
    """Replace an active posting from `on` (轮换): it ends with the reason, the successor of
    the same kind opens the same day with `members`, both kept and linked."""
    village = posting.village_id
    _check_role(actor, village, POSTERS, COUNTY_ONLY)
    if not note.strip():
        raise PairingError("reason_missing", "a replacement states its reason")
    _check_posting_fields(kind=posting.kind, sending_unit=sending_unit, unit_level=unit_level,
                          duties=duties)  # fmt: skip
    term_end = _term_end(on, term_years, village=village)
    people = _people(members, kind=posting.kind, village=village, year=on.year)
    with transaction.atomic():
        _lock_village(village)
        posting = Posting.objects.select_for_update().get(pk=posting.pk)
        _check_endable(posting, on)
        _close(posting, on=on, reason=PostingEndReason.REPLACEMENT, note=note)
        successor = _create(village=village, kind=posting.kind, sending_unit=sending_unit,
                            unit_level=unit_level, term_start=on, term_end=term_end,
                            duties=duties, people=people, actor=actor)  # fmt: skip
        posting.successor = successor
        posting.save(update_fields=["successor"])
        facts = {"replaced": posting.pk, "note": note.strip()} | _posting_facts(successor, people)
        _audit(actor, "posting.replace", successor, facts, reason=note.strip())
    return successor


# ---- members -------------------------------------------------------------------------------


def member_add(*, posting: Posting, person: PostedPerson, on: date, actor: Actor) -> PostingMember:
    """Add a member to an active work team from `on` (a first secretary posting has exactly
    one member: replace it instead)."""
    _check_role(actor, posting.village_id, POSTERS, COUNTY_ONLY)
    if posting.kind != PostingKind.WORK_TEAM:
        raise PairingError("first_secretary_single", SECRETARY_ALONE)
    (person,) = _people([person], kind=None, village=posting.village_id, year=on.year)
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting.pk)
        if posting.status != ACTIVE:
            raise PairingError("ended_already", "the posting has ended")
        if on < posting.term_start:
            raise PairingError("date_invalid", f"the posting starts on {posting.term_start}")
        current = posting.members.filter(left_on__isnull=True)
        if current.filter(id_number=person.id_number).exists():
            raise PairingError("person_twice", f"{person.name} is in the team already")
        if person.is_leader and current.filter(is_leader=True).exists():
            raise PairingError("team_leader", "the team has a leader; a team has one")
        _check_not_posted_elsewhere([person], village=posting.village_id)
        member = _member(posting, person, on)
        facts = {"member": member.pk, "name": member.name, "leader": member.is_leader, "on": on}
        _audit(actor, "posting.member_add", posting, facts)
    return member


def member_remove(*, member: PostingMember, on: date, reason: str, actor: Actor) -> PostingMember:
    """Take a member off an active work team on `on`, with the reason; the team never falls
    under the policy's minimum this way (end or replace the posting instead)."""
    village = member.posting.village_id
    _check_role(actor, village, POSTERS, COUNTY_ONLY)
    if not reason.strip():
        raise PairingError("reason_missing", "a member leaves with a stated reason")
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=member.posting_id)
        member = PostingMember.objects.select_for_update().get(pk=member.pk)
        if posting.kind != PostingKind.WORK_TEAM:
            raise PairingError("first_secretary_single", SECRETARY_ALONE)
        if posting.status != ACTIVE:
            raise PairingError("ended_already", "the posting has ended")
        if member.left_on is not None:
            raise PairingError("left_already", f"{member.name} left on {member.left_on}")
        _check_leave_date([member], on)
        minimum = _team_minimum(village=village, year=on.year)
        staying = posting.members.filter(left_on__isnull=True).exclude(pk=member.pk).count()
        if staying < minimum:
            raise PairingError("team_too_small", f"a work team keeps at least {minimum} members; "
                               "add one first, or end or replace the posting")  # fmt: skip
        member.left_on, member.leave_reason = on, reason.strip()
        member.save(update_fields=["left_on", "leave_reason"])
        facts = {"member": member.pk, "name": member.name, "on": on}
        _audit(actor, "posting.member_remove", posting, facts, reason=reason.strip())
    return member


# ---- attendance ----------------------------------------------------------------------------


def attendance_log(
    *, member: PostingMember, days: Sequence[date], actor: Actor
) -> list[AttendanceDay]:  # fmt: skip
    """Record the days `member` was present in the village (驻村考勤): the member for
    themself through their login, or the township, whose entries count as confirmed."""
    posting = member.posting
    by_member = actor.user is not None and actor.user.pk == member.user_id
    confirming = _may_confirm(actor, posting.village_id)
    if not by_member and not confirming:
        message = "a member logs their own days; the township logs and confirms them"
        raise PairingError("role_not_allowed", message)
    if not days:
        raise PairingError("days_missing", "name the days present")
    if len(set(days)) != len(days):
        raise PairingError("day_twice", "a day is named twice")
    with transaction.atomic():
        member = (
            PostingMember.objects.select_for_update().select_related("posting").get(pk=member.pk)
        )
        outside = sorted(day for day in days if not _in_village(member, day))
        if outside:
            raise PairingError("day_outside", "not within the member's time in the village "
                               f"(or in the future): {_dates(outside)}")  # fmt: skip
        logged = sorted(member.days.filter(day__in=days).values_list("day", flat=True))
        if logged:
            raise PairingError("logged_already", f"logged already: {_dates(logged)}")
        now, user_id = timezone.now(), actor.user_id
        rows = AttendanceDay.objects.bulk_create(
            AttendanceDay(member=member, day=day, logged_at=now, logged_by_id=user_id,
                          confirmed_at=now if confirming else None,
                          confirmed_by_id=user_id if confirming else None)
            for day in sorted(days)
        )  # fmt: skip
        _audit(actor, "attendance.log", member.posting,
               {"member": member.pk, "days": sorted(days), "confirmed": confirming})  # fmt: skip
    return rows


def attendance_confirm(
    *, member: PostingMember, year: int, month: int, actor: Actor, days: Sequence[date] = ()
) -> int:
    """Confirm, as the township, the days `member` logged in a month: those of `days`, or
    every unconfirmed one; returns how many. A day left unconfirmed does not count."""
    village = member.posting.village_id
    _check_role(actor, village, ATTENDANCE_CONFIRMERS, "the township confirms attendance")
    if actor.user is not None and actor.user.pk == member.user_id:
        raise PairingError("confirm_own", "a member's own days are confirmed by somebody else")
    first, last = month_bounds(year, month)
    if any(not first <= day <= last for day in days):
        raise PairingError("day_outside", f"the days to confirm lie in {year}-{month:02d}")
    with transaction.atomic():
        member = PostingMember.objects.select_for_update().get(pk=member.pk)
        open_days = member.days.filter(day__range=(first, last), confirmed_at__isnull=True)
        if days:
            missing = sorted(set(days) - set(open_days.values_list("day", flat=True)))
            if missing:
                message = f"not logged, or confirmed already: {_dates(missing)}"
                raise PairingError("day_not_logged", message)
            open_days = open_days.filter(day__in=days)
        confirmed = sorted(open_days.values_list("day", flat=True))
        if not confirmed:
            raise PairingError("nothing_to_confirm", f"no unconfirmed day in {year}-{month:02d}")
        open_days.update(confirmed_at=timezone.now(), confirmed_by_id=actor.user_id)
        _audit(actor, "attendance.confirm", member.posting,
               {"member": member.pk, "days": confirmed})  # fmt: skip
    return len(confirmed)


# ---- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceFlag:
    """A member present fewer days in a month than the policy's share of its working days."""

    member_id: int
    name: str
    posting_id: int
    kind: str
    village: str
    days_present: int
    working_days: int
    days_required: int


def working_days(year: int, month: int) -> int:
    """Monday to Friday in the month. Public holidays and their make-up working weekends
    (调休) are not modelled."""
    _, length = calendar.monthrange(year, month)
    return sum(date(year, month, day).weekday() < 5 for day in range(1, length + 1))


# A share is kept to 4 decimals, so 2/3 is stored as 0.6667: a product within this rounding
# of a whole number of days is that number (2/3 of 21 days asks 14 days, not 15).
SHARE_PRECISION = Decimal("0.00005")


def days_required(share: Decimal, working: int) -> int:
    """The fewest whole days present that are not under `share` of `working` days."""
    exact = share * working
    whole = math.floor(exact)
    return whole if exact - whole <= SHARE_PRECISION * working else whole + 1


def attendance_flags(*, user: UserLike, prefix: str, year: int, month: int) -> list[AttendanceFlag]:
    """Members under `prefix` the user may view who were in the village the whole month and
    whose confirmed days present (weekends included: they make up for the unmodelled
    holidays) are under the policy's share (`attendance_share_min`, Shanxi's 2/3) of the
    month's working days (`working_days`). One query, however many members."""
    first, last = month_bounds(year, month)
    working = working_days(year, month)
    required: dict[int, list[str]] = {}
    for province in _provinces(prefix):
        share = policy_value(Parameter.ATTENDANCE_SHARE_MIN, year=year, province=province).value
        required.setdefault(days_required(share, working), []).append(province)
    present = (
        AttendanceDay.objects.filter(member=OuterRef("pk"), day__range=(first, last),
                                     confirmed_at__isnull=False)
        .values("member")
        .annotate(days=Count("pk"))
        .values("days")
    )  # fmt: skip
    under = [
        Q(days_present__lt=days) if len(required) == 1 else
        reduce(or_, (code_prefix_q(p, "posting__village_id") for p in provinces))
        & Q(days_present__lt=days)
        for days, provinces in required.items()
    ]  # fmt: skip
    if not under:
        return []
    rows = (
        restrict(PostingMember.objects.all(), user, "view")
        .filter(code_prefix_q(prefix, "posting__village_id"), joined_on__lte=first,
                posting__term_start__lte=first)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=last))
        .annotate(days_present=Coalesce(Subquery(present, output_field=IntegerField()), 0))
        .filter(reduce(or_, under))
        .order_by("posting__village_id", "posting__kind", "name", "pk")
        .values("pk", "name", "posting_id", "posting__kind", "posting__village_id",
                "days_present")
    )  # fmt: skip
    by_province = {p: days for days, provinces in required.items() for p in provinces}
    return [
        AttendanceFlag(member_id=row["pk"], name=row["name"], posting_id=row["posting_id"],
                       kind=row["posting__kind"], village=row["posting__village_id"],
                       days_present=row["days_present"], working_days=working,
                       days_required=by_province[row["posting__village_id"][:2]])
        for row in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class VillageGap:
    """A village that needs a first secretary and a work team and lacks one or both."""

    code: str
    name: str
    standing: str  # "poor", or "transition" for an exited village within the transition
    missing: tuple[str, ...]  # PostingKind values


@dataclass(frozen=True)
class CountyGaps:
    """A county's villages without full cover, by village code."""

    code: str
    name: str
    villages: list[VillageGap]


def coverage_gaps(*, user: UserLike, prefix: str = "", on: date | None = None) -> list[CountyGaps]:
    """Per county under `prefix`, the villages the user may view that need a first secretary
    and a work team on `on` (today if not given) and lack a posting of either kind in force
    that day: the poor villages, and the exited ones still in the transition (四个不摘,
    policy `transition_until`; see `targeting.transition.area_standing`)."""
    on = on or timezone.localdate()
    year = on.year
    needs = Q(lifted_year__isnull=True) | Q(lifted_year__gt=year)
    for province in _provinces(prefix):
        until = transition_until(year=year, province=province)
        if until is not None and year <= until:
            needs |= code_prefix_q(province, "region_id")
    in_force = Posting.objects.filter(village_id=OuterRef("region_id"), term_start__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )
    villages = (
        restrict(PoorAreaDesignation.objects.all(), user, "view")
        .filter(code_prefix_q(prefix, "region_id"), kind=PoorAreaDesignation.Kind.VILLAGE,
                designated_year__lte=year)
        .filter(needs)
        .annotate(secretary=Exists(in_force.filter(kind=PostingKind.FIRST_SECRETARY)),
                  team=Exists(in_force.filter(kind=PostingKind.WORK_TEAM)))
        .filter(Q(secretary=False) | Q(team=False))
        .select_related("region")
        .order_by("region_id")
    )  # fmt: skip
    by_county: dict[str, list[VillageGap]] = {}
    for row in villages:
        held = {PostingKind.FIRST_SECRETARY: row.secretary, PostingKind.WORK_TEAM: row.team}
        missing = tuple(str(kind) for kind, present in held.items() if not present)
        poor = row.lifted_year is None or row.lifted_year > year
        gap = VillageGap(row.region_id, row.region.name, "poor" if poor else "transition", missing)
        by_county.setdefault(row.region_id[:6], []).append(gap)
    names = dict(Region.objects.filter(code__in=by_county).values_list("code", "name"))
    return [CountyGaps(code, names.get(code, ""), gaps) for code, gaps in by_county.items()]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and the last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


# ---- helpers -------------------------------------------------------------------------------


def _check_role(actor: Actor, code: str, roles: frozenset[str], message: str) -> None:
    if actor.user is not None and not roles_at(actor.user, code) & roles:
        raise PairingError("role_not_allowed", message)


def _may_confirm(actor: Actor, village: str) -> bool:
    return actor.user is None or bool(roles_at(actor.user, village) & ATTENDANCE_CONFIRMERS)


def _check_posting_fields(*, kind: str, sending_unit: str, unit_level: str, duties: str) -> None:
    if kind not in PostingKind.values:
        raise PairingError("kind", f"posting kind: one of {', '.join(PostingKind.values)}")
    if unit_level not in UnitLevel.values:
        raise PairingError("unit_level", f"unit level: one of {', '.join(UnitLevel.values)}")
    if not sending_unit.strip() or not duties.strip():
        raise PairingError("value_missing", "a posting names its sending unit and its duties")


def _term_end(start: date, years: int | None, *, village: str) -> date:
    """The last day of a term of `years` whole years (the policy's default if None)."""
    shortest = int(_parameter(Parameter.POSTING_TERM_YEARS_MIN, village=village, year=start.year))
    longest = int(_parameter(Parameter.POSTING_TERM_YEARS_MAX, village=village, year=start.year))
    if years is None:
        years = int(_parameter(Parameter.POSTING_TERM_YEARS_DEFAULT, village=village,
                               year=start.year))  # fmt: skip
    if not shortest <= years <= longest:
        raise PairingError("term_years", f"a term lasts {shortest} to {longest} years, "
                           f"not {years}")  # fmt: skip
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February: the term runs to the end of February
        anniversary = date(start.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def _team_minimum(*, village: str, year: int) -> int:
    return int(_parameter(Parameter.WORK_TEAM_MEMBERS_MIN, village=village, year=year))


def _parameter(name: Parameter, *, village: str, year: int) -> Decimal:
    try:
        return policy_value(name, year=year, province=village[:2]).value
    except PolicyMissing as exc:
        raise PairingError("policy_missing", str(exc)) from None


def _people(
    members: Iterable[PostedPerson], *, kind: str | None, village: str, year: int
) -> list[PostedPerson]:
    """The people checked and their ID numbers normalized; for a posting of `kind`, the
    composition too (a first secretary alone, a team of the minimum with one leader)."""
    people = []
    for person in members:
        if not person.name.strip() or not person.phone.strip():
            raise PairingError("value_missing", "a posted person has a name and a phone")
        try:
            number = id_normalize(person.id_number)
        except IdNumberError as exc:
            raise PairingError("id_number", f"ID number of {person.name}: {exc}") from None
        people.append(PostedPerson(person.name.strip(), number, person.phone.strip(),
                                   person.user, person.is_leader))  # fmt: skip
    if len({person.id_number for person in people}) != len(people):
        raise PairingError("person_twice", "a person is named twice")
    leaders = sum(person.is_leader for person in people)
    if kind == PostingKind.FIRST_SECRETARY and (len(people) != 1 or leaders):
        raise PairingError("first_secretary_single", SECRETARY_ALONE)
    if kind == PostingKind.WORK_TEAM:
        minimum = _team_minimum(village=village, year=year)
        if len(people) < minimum:
            raise PairingError("team_too_small", f"a work team has at least {minimum} members")
        if leaders != 1:
            raise PairingError("team_leader", "a work team has exactly one leader")
    return people


def _lock_village(village: str) -> Region:
    """The village's row, locked so that two postings to it are made one after the other."""
    region = Region.objects.select_for_update().filter(code=village).first()
    if region is None or region.level != Level.VILLAGE:
        raise PairingError("not_a_village", f"{village} is not a village")
    return region


def _create(
    *, village: str, kind: str, sending_unit: str, unit_level: str, term_start: date,
    term_end: date, duties: str, people: list[PostedPerson], actor: Actor,
) -> Posting:  # fmt: skip
    if Posting.objects.filter(village_id=village, kind=kind, status=ACTIVE).exists():
        label = PostingKind(kind).label
        raise PairingError("posted_already", f"the village has an active {label} posting; "
                           "end or replace it")  # fmt: skip
    _check_not_posted_elsewhere(people, village=village)
    posting = Posting.objects.create(
        village_id=village, kind=kind, sending_unit=sending_unit.strip(), unit_level=unit_level,
        term_start=term_start, term_end=term_end, duties=duties.strip(),
        created_at=timezone.now(), created_by_id=actor.user_id,
    )  # fmt: skip
    for person in people:
        _member(posting, person, term_start)
    return posting


def _member(posting: Posting, person: PostedPerson, on: date) -> PostingMember:
    return PostingMember.objects.create(
        posting=posting, name=person.name, id_number=person.id_number, phone=person.phone,
        user_id=person.user.pk if person.user else None, is_leader=person.is_leader,
        joined_on=on,
    )  # fmt: skip


def _check_not_posted_elsewhere(people: Sequence[PostedPerson], *, village: str) -> None:
    """A resident cadre lives in one village: no current membership in another one."""
    elsewhere = (
        PostingMember.objects.filter(id_number__in=[p.id_number for p in people],
                                     left_on__isnull=True, posting__status=ACTIVE)
        .exclude(posting__village_id=village)
        .values_list("name", "posting__village_id")
    )  # fmt: skip
    if elsewhere:
        where = ", ".join(f"{name} ({code})" for name, code in elsewhere)
        raise PairingError("posted_elsewhere", f"posted to another village already: {where}")


def _check_endable(posting: Posting, on: date) -> None:
    if posting.status != ACTIVE:
        raise PairingError("ended_already", "the posting has ended")
    if not posting.term_start <= on <= timezone.localdate():
        raise PairingError("date_invalid", f"a posting ends between its start "
                           f"({posting.term_start}) and today")  # fmt: skip
    _check_leave_date(posting.members.filter(left_on__isnull=True), on)


def _check_leave_date(members: Iterable[PostingMember], on: date) -> None:
    """Members leave on or after they joined and after the last day they logged."""
    members = list(members)
    if any(on < member.joined_on for member in members):
        raise PairingError("date_invalid", f"a member joined after {on}")
    if AttendanceDay.objects.filter(member__in=members, day__gt=on).exists():
        raise PairingError("date_invalid", f"days are logged after {on}")


def _close(posting: Posting, *, on: date, reason: str, note: str) -> None:
    """End the posting and its current memberships on `on`."""
    posting.status, posting.ended_on = PostingStatus.ENDED, on
    posting.end_reason, posting.end_note = reason, note.strip()
    posting.save(update_fields=["status", "ended_on", "end_reason", "end_note"])
    # The stable slug, not the label: the row must read the same in any language.
    posting.members.filter(left_on__isnull=True).update(left_on=on, leave_reason=reason)


def _in_village(member: PostingMember, day: date) -> bool:
    """Whether `day` lies within the member's time in the village, and is not to come."""
    posting = member.posting
    last = min(d for d in (member.left_on, posting.ended_on, timezone.localdate()) if d)
    return max(member.joined_on, posting.term_start) <= day <= last


def _provinces(prefix: str) -> list[str]:
    """The province codes under `prefix` (its own province, or all for the nation)."""
    if len(prefix) >= 2:
        return [prefix[:2]]
    return list(Region.objects.filter(level=Level.PROVINCE).values_list("code", flat=True))


def _dates(days: Iterable[date]) -> str:
    return ", ".join(day.isoformat() for day in days)


def _posting_facts(posting: Posting, people: list[PostedPerson]) -> dict[str, object]:
    return {
        "kind": posting.kind, "village": posting.village_id, "sending_unit": posting.sending_unit,
        "unit_level": posting.unit_level, "term_start": posting.term_start,
        "term_end": posting.term_end,
        "members": [{"name": p.name, "leader": p.is_leader} for p in people],
    }  # fmt: skip


def _audit(
    actor: Actor, action: str, posting: Posting, after: dict[str, object], reason: str = ""
) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(action=action, object_type="posting", object_id=str(posting.pk),
                       region_code=posting.village_id, after=after, reason=reason),
    )  # fmt: skip
