"""Reads of the committees: whether the division covers every household once, the
composition (party members, backgrounds), the meetings missed as of a day, and the appeals
the township has not decided in time. Reads that act for a user start from `restrict`."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from fupin.core.access import UserLike, restrict
from fupin.pairing.choices import MeetingKind, MemberBackground
from fupin.pairing.committees.base import whole
from fupin.pairing.committees.committee import load_bounds
from fupin.pairing.models import (
    BlackListAppeal,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    MemberHousehold,
)
from fupin.policy.models import Parameter
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household

SHARE = Decimal("0.0001")


# ---- the division ------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How the village's households lie in the members' charge now."""

    households: int
    uncovered: list[str]  # household numbers in nobody's charge
    twice: list[str]  # in two charges at once (the database refuses it; checked all the same)
    loads: dict[int, int]  # current member id -> households in their charge
    bounds: tuple[int, int]

    @property
    def complete(self) -> bool:
        """Every household in exactly one member's charge."""
        return not self.uncovered and not self.twice

    @property
    def outside_bounds(self) -> list[int]:
        """The members whose load lies outside the policy's bounds."""
        low, high = self.bounds
        return [member for member, load in self.loads.items() if not low <= load <= high]


def division_coverage(*, committee: Committee, year: int | None = None) -> Coverage:
    """The village's households against the committee's open charges: those in no charge or
    in two are found by one query; the loads by a second."""
    village = committee.village_id
    charged = Q(committee_charges__committee=committee, committee_charges__ended_on__isnull=True)
    counts = (
        Household.objects.filter(village_id=village)
        .annotate(charges=Count("committee_charges", filter=charged))
        .values_list("household_no", "charges")
        .order_by("household_no")
    )
    households = 0
    uncovered: list[str] = []
    twice: list[str] = []
    for number, charges in counts:
        households += 1
        if charges != 1:
            (uncovered if charges == 0 else twice).append(number)
    loads = dict(
        committee.members.filter(left_on__isnull=True)
        .annotate(load=Count("charges", filter=Q(charges__ended_on__isnull=True)))
        .order_by("pk")
        .values_list("pk", "load")
    )
    bounds = load_bounds(village=village, year=year or committee.formed_on.year)
    return Coverage(households, uncovered, twice, loads, bounds)


def charges_by_member(*, committee: Committee) -> dict[int, list[str]]:
    """The household numbers in each current member's charge, by member id."""
    rows = (
        MemberHousehold.objects.filter(committee=committee, ended_on__isnull=True)
        .order_by("member_id", "household__household_no")
        .values_list("member_id", "household__household_no")
    )
    charges: dict[int, list[str]] = defaultdict(list)
    for member, number in rows:
        charges[member].append(number)
    return dict(charges)


# ---- the composition ---------------------------------------------------------------------


@dataclass(frozen=True)
class Composition:
    """Current members, party members among them and members of each background."""

    members: int
    party_members: int
    backgrounds: dict[str, int] = field(default_factory=dict)

    @property
    def party_share(self) -> Decimal:
        return share(self.party_members, self.members)

    @property
    def background_shares(self) -> dict[str, Decimal]:
        return {key: share(count, self.members) for key, count in self.backgrounds.items()}


def share(part: int, whole_: int) -> Decimal:
    """`part` of `whole_` to four places (0 of none)."""
    if not whole_:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole_)).quantize(SHARE, rounding=ROUND_HALF_UP)


def committee_composition(*, committee: Committee) -> Composition:
    """The committee's current members by party membership and background, one query."""
    return _composition(committee.members.filter(left_on__isnull=True))


def region_composition(*, user: UserLike, prefix: str) -> Composition:
    """The current members of the active committees under `prefix` the user may view."""
    members = restrict(CommitteeMember.objects.all(), user, "view").filter(
        code_prefix_q(prefix, "committee__village_id"), left_on__isnull=True,
        committee__ended_on__isnull=True,
    )  # fmt: skip
    return _composition(members)


def _composition(members: QuerySet[CommitteeMember]) -> Composition:
    counts = members.aggregate(
        total=Count("pk"),
        party=Count("pk", filter=Q(is_party_member=True)),
        **{kind: Count("pk", filter=Q(background=kind)) for kind in MemberBackground.values},
    )  # fmt: skip
    backgrounds = {kind: counts[kind] for kind in MemberBackground.values}
    return Composition(counts["total"], counts["party"], backgrounds)


# ---- meetings missed ---------------------------------------------------------------------


@dataclass(frozen=True)
class MissedMeeting:
    """A week (internal) or month (public) with no meeting recorded, its grace over."""

    committee_id: int
    village: str
    kind: str
    period_start: date
    period_end: date
    due_by: date  # the last day of the grace


def meeting_periods(
    kind: str, *, formed_on: date, every: int
) -> Iterator[tuple[date, date]]:  # fmt: skip
    """The committee's meeting periods from its formation, without end: blocks of `every`
    weeks from the first Monday on or after it (internal), or of `every` months from the
    first first-of-month on or after it (public). A period begun before the formation does
    not count."""
    if kind == MeetingKind.INTERNAL:
        start = formed_on + timedelta(days=(7 - formed_on.weekday()) % 7)
        while True:
            following = start + timedelta(weeks=every)
            yield start, following - timedelta(days=1)
            start = following
    else:
        start = formed_on if formed_on.day == 1 else _add_months(formed_on.replace(day=1), 1)
        while True:
            following = _add_months(start, every)
            yield start, following - timedelta(days=1)
            start = following


def meetings_missed(
    *, user: UserLike, prefix: str, on: date, since: date | None = None
) -> list[MissedMeeting]:
    """The meetings missed as of `on` by the committees under `prefix` the user may view:
    every period since the formation (or `since`) whose grace had passed by `on` with no
    meeting of its kind held in it. Two queries, however many committees."""
    committees = restrict(Committee.objects.all(), user, "view").filter(
        code_prefix_q(prefix, "village_id"), formed_on__lte=on
    )
    if since is not None:
        committees = committees.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=since))
    meetings = CommitteeMeeting.objects.filter(committee__in=committees.values("pk"))
    return _missed(committees.order_by("village_id", "formed_on"), meetings, on=on, since=since)


def committee_meetings_missed(
    *, committee: Committee, on: date, since: date | None = None
) -> list[MissedMeeting]:
    """The meetings the committee missed as of `on` (see `meetings_missed`)."""
    return _missed([committee], committee.meetings.all(), on=on, since=since)


def _missed(
    committees: Iterable[Committee], meetings: QuerySet[CommitteeMeeting], *, on: date,
    since: date | None,
) -> list[MissedMeeting]:  # fmt: skip
    held: dict[tuple[int, str], list[date]] = defaultdict(list)
    rows = meetings.filter(held_on__lte=on).order_by("held_on")
    for committee_id, kind, held_on in rows.values_list("committee_id", "kind", "held_on"):
        held[committee_id, kind].append(held_on)
    cadence = _Cadence(on.year)
    missed = []
    for committee in committees:
        every, grace = cadence.of(committee.village_id)
        for kind in MeetingKind.values:
            dates = held[committee.pk, kind]
            for start, end in meeting_periods(kind, formed_on=committee.formed_on,
                                              every=every[kind]):  # fmt: skip
                due_by = end + timedelta(days=grace)
                if due_by >= on or (committee.ended_on and end > committee.ended_on):
                    break
                if since is not None and start < since:
                    continue
                if bisect.bisect_right(dates, end) == bisect.bisect_left(dates, start):
                    missed.append(MissedMeeting(committee.pk, committee.village_id, kind,
                                                start, end, due_by))  # fmt: skip
    return missed


class _Cadence:
    """The meeting cadence and grace in force in `year`, read once per province."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.cache: dict[str, tuple[dict[str, int], int]] = {}

    def of(self, village: str) -> tuple[dict[str, int], int]:
        province = village[:2]
        if province not in self.cache:
            every = {
                MeetingKind.INTERNAL.value: whole(Parameter.COMMITTEE_INTERNAL_EVERY_WEEKS,
                                                  village=village, year=self.year),
                MeetingKind.PUBLIC.value: whole(Parameter.COMMITTEE_PUBLIC_EVERY_MONTHS,
                                                village=village, year=self.year),
            }  # fmt: skip
            grace = whole(Parameter.COMMITTEE_MEETING_GRACE_DAYS, village=village, year=self.year)
            self.cache[province] = ({k: max(v, 1) for k, v in every.items()}, grace)
        return self.cache[province]


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s (day is a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# ---- appeals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueAppeal:
    """An appeal against a black-list entry the township has not decided by its day."""

    appeal_id: int
    entry_id: int
    village: str
    household_no: str
    lodged_on: date
    decide_by: date
    days_overdue: int


def appeals_overdue(*, user: UserLike, prefix: str, on: date) -> list[OverdueAppeal]:
    """The appeals under `prefix` the user may view, undecided on `on` though due before."""
    rows = (
        restrict(BlackListAppeal.objects.all(), user, "view")
        .filter(code_prefix_q(prefix, "entry__committee__village_id"), decided_on__isnull=True,
                decide_by__lt=on)
        .order_by("decide_by", "pk")
        .values_list("pk", "entry_id", "entry__committee__village_id",
                     "entry__household__household_no", "lodged_on", "decide_by")
    )  # fmt: skip
    return [
        OverdueAppeal(pk, entry, village, number, lodged, due, (on - due).days)
        for pk, entry, village, number, lodged, due in rows
    ]
