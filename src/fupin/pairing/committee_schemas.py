"""API schemas of the village committee for poverty alleviation (村扶贫工作委员会): its members
and the division of the households, its meetings, the village labour posts with the
villagers' applications and consent, the household scores and the red and black lists.

Every class is named for its part (Committee…, Labour…, Listing…): the OpenAPI document
names a component by its class name alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import PageIn, PageOut, RegionPrefix, Text
from fupin.pairing.choices import (
    AppealOutcome,
    ApplicationStatus,
    Benefit,
    BlackListStatus,
    CommitteeRole,
    ConsequenceKind,
    MeetingKind,
    MemberBackground,
    NoticeMethod,
    PayUnit,
    RewardKind,
)
from fupin.pairing.posting_schemas import Month, Name, Note, Phone, Reason, StrictIn, Year
from fupin.pairing.schemas import Day

# The lengths are the columns' (`pairing.models`); the long texts have a bound of their own.
IdNumber = Annotated[Text, StringConstraints(min_length=15, max_length=18, strip_whitespace=True)]
Long = Annotated[Text, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
Title = Annotated[Text, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
Place = Annotated[Text, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Evidence = Annotated[Text, StringConstraints(max_length=200, strip_whitespace=True)]
Decision = Annotated[Text, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
Receiver = Annotated[Text, StringConstraints(min_length=1, max_length=50, strip_whitespace=True)]
ShortNote = Annotated[Text, StringConstraints(max_length=200, strip_whitespace=True)]
CriterionCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,48}$")]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
ScoreValue = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


# ---- the committee: out ----------------------------------------------------------------------


class CommitteeMemberOut(Schema):
    """A seat on the committee (委员) and the households in its charge; the ID number and the
    phone are masked for posts that do not need them."""

    id: int
    name: str
    id_number: str
    phone: str
    role: CommitteeRole
    is_party_member: bool = Field(description="a member of the Communist Party (党员)")
    background: MemberBackground
    joined_on: date
    left_on: date | None
    leave_reason: str
    successor_id: int | None = Field(description="who took over the seat")
    households: int = Field(description="households in the member's charge now")
    household_numbers: list[str]


class CommitteeShareOut(Schema):
    """How many current members come from a background, and their share (0 to 1)."""

    background: MemberBackground
    members: int
    share: Decimal


class CommitteeCompositionOut(Schema):
    """The current members: party members and backgrounds, as counts and shares."""

    members: int
    party_members: int
    party_share: Decimal
    backgrounds: list[CommitteeShareOut]


class CommitteeCoverageOut(Schema):
    """Whether the division puts every household of the village in one member's charge."""

    households: int
    uncovered: list[str] = Field(description="household numbers in nobody's charge")
    twice: list[str] = Field(description="household numbers in two charges")
    complete: bool = Field(description="every household in exactly one member's charge")
    load_min: int
    load_max: int
    outside_bounds: list[int] = Field(description="members whose load lies outside the bounds")


class CommitteeMissedOut(Schema):
    """A week (internal) or month (public) with no meeting recorded, its grace over."""

    committee_id: int
    village: str
    kind: MeetingKind
    period_start: date
    period_end: date
    due_by: date


class CommitteeOut(Schema):
    """A term of the village's committee: its members (those who left too), the composition,
    the division of the households and the meetings missed as of today."""

    id: int
    village: str
    formed_on: date
    ended_on: date | None
    end_reason: str
    seats: int = Field(description="the members the policy set for the households counted")
    households_counted: int
    members: list[CommitteeMemberOut]
    composition: CommitteeCompositionOut
    coverage: CommitteeCoverageOut
    missed: list[CommitteeMissedOut]


class CommitteeStateOut(Schema):
    """The village's active committee, if any, and the seats the policy sets for it today."""

    village: str
    households: int
    seats: int | None = Field(description="the seats for today's household count (policy)")
    committee: CommitteeOut | None


class CommitteeLoadOut(Schema):
    """A member's households after a division."""

    member_id: int
    households: int


class CommitteeDivisionOut(Schema):
    """A division just made: the households in each member's charge."""

    committee_id: int
    loads: list[CommitteeLoadOut]
    load_min: int
    load_max: int
    within_bounds: bool


class CommitteeAttendeeOut(Schema):
    """A member present at a meeting."""

    member_id: int
    name: str


class CommitteeMeetingOut(Schema):
    """A meeting held: the weekly internal one or the monthly public one."""

    id: int
    committee_id: int
    kind: MeetingKind
    held_on: date
    minutes: str
    decisions: list[str]
    villagers_present: int
    attendees: list[CommitteeAttendeeOut]


class CommitteeMeetingPageOut(PageOut):
    """A page of the village's meetings (every term), latest first, and the meetings the
    active committee missed."""

    items: list[CommitteeMeetingOut]
    missed: list[CommitteeMissedOut]


class CommitteeAppealOut(Schema):
    """An appeal against a black-list entry awaiting the township's decision."""

    appeal_id: int
    entry_id: int
    village: str
    household_no: str
    year: int
    month: int
    lodged_on: date
    decide_by: date
    days_overdue: int = Field(description="0 while the decision is not yet due")


# ---- the committee: in -----------------------------------------------------------------------


class CommitteePersonIn(StrictIn):
    """A person to seat on the committee, with the role they hold."""

    name: Name
    id_number: IdNumber
    phone: Phone
    is_party_member: bool
    background: MemberBackground
    role: CommitteeRole


class CommitteeFormIn(StrictIn):
    """A committee to form: as many members as the policy sets, each officer role once."""

    formed_on: Day
    members: list[CommitteePersonIn] = Field(min_length=1, max_length=30)


class CommitteeSuccessorIn(StrictIn):
    """The successor to a seat; they take the seat's role."""

    name: Name
    id_number: IdNumber
    phone: Phone
    is_party_member: bool
    background: MemberBackground


class CommitteeReplacementIn(StrictIn):
    """A member leaves on a day with the reason; the successor takes the seat and its
    households."""

    member_id: RowId
    on: Day
    reason: Reason
    successor: CommitteeSuccessorIn


class CommitteeEndIn(StrictIn):
    """The committee's term ends on a day, with the reason."""

    on: Day
    reason: Reason


class CommitteeChargeIn(StrictIn):
    """The households (ids) in one member's charge."""

    member_id: RowId
    household_ids: list[RowId] = Field(max_length=5000)


class CommitteeDivisionIn(StrictIn):
    """Divide the households from a day: automatically (by household number, in even runs)
    or as `charges` give."""

    on: Day
    charges: list[CommitteeChargeIn] | None = Field(
        None, max_length=30, description="automatic if not given"
    )


class CommitteeMeetingIn(StrictIn):
    """A meeting to record: who was present, the minutes and the decisions."""

    kind: MeetingKind
    held_on: Day
    attendees: list[RowId] = Field(max_length=30, description="member ids")
    minutes: Long
    decisions: list[Decision] = Field([], max_length=50)
    villagers_present: int = Field(0, ge=0, le=100_000, description="at a public meeting")


class CommitteeMeetingFilters(PageIn):
    """Which page of the meetings, and the day the missed ones are counted to."""

    on: Day | None = Field(None, description="today if not given")


class CommitteeMissedFilters(Schema):
    """Where and as of which day to list missed meetings."""

    region: RegionPrefix = Field("", description="region code prefix")
    on: Day | None = Field(None, description="today if not given")
    since: Day | None = Field(None, description="periods from this day only")


class CommitteeAppealFilters(Schema):
    """Where to list the appeals awaiting a decision."""

    region: RegionPrefix = Field("", description="region code prefix")
    overdue: bool = Field(False, description="only those past the day to decide by")


# ---- labour posts ----------------------------------------------------------------------------


class LabourWorkMonthOut(Schema):
    """A month's days worked on a post and the pay for them."""

    id: int
    application_id: int
    year: int
    month: int
    days_worked: int
    amount_paid: Decimal
    paid_on: date | None = Field(description="blank: not paid yet")


class LabourApplicationOut(Schema):
    """A villager's application for a post, with their consent, and where it stands; the ID
    number is masked for posts that do not need it."""

    id: int
    post_id: int
    person_id: int
    person_name: str
    id_number: str
    household_no: str
    applied_on: date
    consent_given_on: date
    consent_evidence: str
    status: ApplicationStatus
    assigned_on: date | None
    ended_on: date | None
    end_reason: str
    withdrawn_on: date | None
    work_months: list[LabourWorkMonthOut]


class LabourPostOut(Schema):
    """A village labour post (村级劳务岗位): duties, pay, place, places taken, applications."""

    id: int
    village: str
    committee_id: int
    title: str
    duties: str
    place: str
    pay_amount: Decimal
    pay_unit: PayUnit
    positions: int
    taken: int = Field(description="applicants on the post now")
    opened_on: date
    closed_on: date | None
    applications: list[LabourApplicationOut]


class LabourPostIn(StrictIn):
    """A labour post to set up."""

    title: Title
    duties: Long
    place: Place
    pay_amount: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    pay_unit: PayUnit
    positions: int = Field(ge=1, le=1000)
    opened_on: Day


class LabourApplicationIn(StrictIn):
    """A villager's application, with their consent given explicitly and what shows it."""

    person_id: RowId = Field(description="the villager (a household member)")
    applied_on: Day
    consent: bool = Field(description="the villager consents to take the post (本人自愿)")
    consent_evidence: Evidence = Field(description="what shows it, e.g. the signed form")
    consent_given_on: Day | None = Field(None, description="the day applied if not given")


class LabourAssignmentIn(StrictIn):
    """Put an applicant on the post from a day."""

    on: Day


class LabourWithdrawalIn(StrictIn):
    """The villager withdraws their application (and consent) on a day."""

    on: Day
    note: Note = ""


class LabourWorkMonthIn(StrictIn):
    """A month's days worked and the pay for them."""

    year: Year
    month: Month
    days_worked: int = Field(ge=0, le=31)
    amount_paid: Money
    paid_on: Day | None = Field(None, description="blank: not paid yet")


# ---- scores and the red and black lists --------------------------------------------------------


class ListingCriterionOut(Schema):
    """A scoring criterion in force and its weight."""

    code: str
    label: str
    weight: Decimal


class ListingScoreOut(Schema):
    """A household's score for a month on each criterion, and the weighted total."""

    id: int
    household_id: int
    household_no: str
    year: int
    month: int
    scores: dict[str, Decimal]
    total: Decimal
    note: str


class ListingRedOut(Schema):
    """A household on the month's red list (红榜) and its reward."""

    id: int
    household_id: int
    household_no: str
    year: int
    month: int
    reasons: str
    reward_kind: RewardKind
    reward: str
    amount: Decimal
    listed_on: date
    score_id: int | None


class ListingConsequenceOut(Schema):
    """What the entry does to a village benefit once final."""

    kind: ConsequenceKind
    benefit: Benefit
    note: str


class ListingAppealOut(Schema):
    """The household's appeal to the township and the decision."""

    id: int
    lodged_on: date
    grounds: str
    decide_by: date
    outcome: str = Field(description="upheld or overturned; '' while undecided")
    decision_reasons: str
    decided_on: date | None


class ListingBlackOut(Schema):
    """A household on the month's black list (黑榜): written reasons, notice, appeal."""

    id: int
    household_id: int
    household_no: str
    year: int
    month: int
    reasons: str
    listed_on: date
    status: BlackListStatus
    notified_on: date | None
    notice_method: str = Field(description="how the written notice was served; '' before")
    notice_receiver: str
    appeal_until: date | None
    final: bool = Field(description="its consequences apply today")
    consequences: list[ListingConsequenceOut]
    appeal: ListingAppealOut | None


class ListingMonthOut(Schema):
    """A month's scores, red list and black list in the village."""

    year: int
    month: int
    criteria: list[ListingCriterionOut]
    scores: list[ListingScoreOut]
    red_list: list[ListingRedOut]
    black_list: list[ListingBlackOut]


class ListingFilters(Schema):
    """Which month; this month if not given."""

    year: Year | None = None
    month: Month | None = None


class ListingScoreIn(StrictIn):
    """A household's scores for a month, one per criterion in force (0 to 100)."""

    household_id: RowId
    year: Year
    month: Month
    scores: dict[CriterionCode, ScoreValue] = Field(min_length=1, max_length=50)
    note: Note = ""


class ListingRedIn(StrictIn):
    """A household to put on the month's red list, with the reasons and its reward."""

    household_id: RowId
    year: Year
    month: Month
    reasons: Long
    reward_kind: RewardKind
    reward: Place
    amount: Money = Decimal(0)
    listed_on: Day


class ListingConsequenceIn(StrictIn):
    """What the entry does to a village benefit once final; never to 低保, 特困供养 or
    medical insurance (refused by name)."""

    kind: ConsequenceKind
    benefit: Benefit
    note: ShortNote = ""


class ListingBlackIn(StrictIn):
    """A household to put on the month's black list, with written reasons."""

    household_id: RowId
    year: Year
    month: Month
    reasons: Long
    listed_on: Day
    consequences: list[ListingConsequenceIn] = Field([], max_length=10)


class ListingNoticeIn(StrictIn):
    """The written notice of the entry to the household, and who received it."""

    on: Day
    method: NoticeMethod
    receiver: Receiver


class ListingAppealIn(StrictIn):
    """The household's appeal to the township, as written."""

    on: Day
    grounds: Long


class ListingDecisionIn(StrictIn):
    """The township's decision on the appeal, with its reasons."""

    outcome: AppealOutcome
    reasons: Long
    on: Day
