"""API schemas of postings to villages (驻村): first secretaries and work teams, their
members, their days in the village, the villages left without them, the members flagged."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from fupin.core.api import RegionPrefix, Text
from fupin.pairing.choices import PostingKind, UnitLevel
from fupin.pairing.schemas import Day, Short

# The lengths are the columns' (`pairing.models.Posting`, `PostingMember`).
Name = Annotated[Text, StringConstraints(min_length=1, max_length=50, strip_whitespace=True)]
Phone = Annotated[Text, StringConstraints(min_length=1, max_length=20, strip_whitespace=True)]
Note = Annotated[Text, StringConstraints(max_length=500, strip_whitespace=True)]
Reason = Annotated[Text, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
Duties = Annotated[Text, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
VillageCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
Year = Annotated[int, Field(ge=2000, le=2100)]
Month = Annotated[int, Field(ge=1, le=12)]
# Whole years; the policy (posting_term_years_min/max) bounds them further.
TermYears = Annotated[int, Field(ge=1, le=10)]


class StrictIn(Schema):
    """An input that names nothing it does not know."""

    model_config = ConfigDict(extra="forbid")


# ---- out ------------------------------------------------------------------------------------


class PostingMemberOut(Schema):
    """A person posted to the village (驻村干部); the ID number is masked for posts that do
    not need it."""

    id: int
    posting_id: int
    name: str
    id_number: str
    phone: str
    is_leader: bool = Field(description="the work team's leader (队长)")
    has_login: bool = Field(description="whether the member logs their own days")
    joined_on: date
    left_on: date | None
    leave_reason: str


class PostingOut(Schema):
    """A posting to a village for a term: a first secretary or a work team, with its members
    (those who left too), its end and its successor if replaced."""

    id: int
    village: str
    kind: PostingKind
    sending_unit: str = Field(description="the sending unit (派出单位)")
    unit_level: UnitLevel
    term_start: date
    term_end: date = Field(description="the last day of the term")
    duties: str
    status: str = Field(description="active or ended")
    ended_on: date | None
    end_reason: str = Field(description="recall, replacement or term_ended; '' while active")
    end_note: str
    successor_id: int | None = Field(description="the posting that replaced this one")
    predecessor_id: int | None = Field(description="the posting this one replaced")
    members: list[PostingMemberOut]


class AttendanceOut(Schema):
    """Days a member was present, as logged; the township's entries count as confirmed."""

    member_id: int
    days: list[date]
    confirmed: bool


class ConfirmedOut(Schema):
    """How many of a member's days the township confirmed."""

    member_id: int
    name: str
    days: int


class ConfirmationOut(Schema):
    """A month's days confirmed, per member."""

    year: int
    month: int
    members: list[ConfirmedOut]
    total: int


class VillageGapOut(Schema):
    """A village that needs a first secretary and a work team and lacks one or both."""

    code: str
    name: str
    standing: str = Field(description="poor, or transition (exited, within the transition)")
    missing: list[PostingKind]


class CountyGapsOut(Schema):
    """A county's villages without full cover."""

    code: str
    name: str
    villages: list[VillageGapOut]


class FlagOut(Schema):
    """A member present fewer confirmed days in the month than the policy's share of its
    working days."""

    member_id: int
    name: str
    posting_id: int
    kind: PostingKind
    village: str
    days_present: int
    working_days: int
    days_required: int


# ---- in -------------------------------------------------------------------------------------


class PersonIn(StrictIn):
    """A person to post."""

    name: Name
    id_number: Annotated[Text, StringConstraints(min_length=15, max_length=18)]
    phone: Phone
    is_leader: bool = Field(False, description="the work team's leader (队长)")
    username: Annotated[Text, StringConstraints(min_length=1, max_length=150)] | None = Field(
        None, description="the member's own login, to log their days"
    )


class PostingIn(StrictIn):
    """A posting to open: a first secretary (one person) or a work team (one leader)."""

    village: VillageCode
    kind: PostingKind
    sending_unit: Short
    unit_level: UnitLevel
    term_start: Day
    term_years: TermYears | None = Field(None, description="the policy's default if not given")
    duties: Duties
    members: list[PersonIn] = Field(min_length=1, max_length=50)


class PostingEndIn(StrictIn):
    """End a posting: recalled (召回, with the reason) or its term over (任期届满); a
    replacement goes through /replacement."""

    on: Day
    reason: Annotated[str, Field(pattern="^(recall|term_ended)$")]
    note: Note = ""


class ReplacementIn(StrictIn):
    """Replace a posting (轮换): the successor of the same kind opens the same day."""

    on: Day
    note: Reason
    sending_unit: Short
    unit_level: UnitLevel
    term_years: TermYears | None = None
    duties: Duties
    members: list[PersonIn] = Field(min_length=1, max_length=50)


class PostingMemberIn(PersonIn):
    """A member to add to a work team from a day."""

    on: Day


class RemovalIn(StrictIn):
    """A member leaves a work team on a day, with the reason."""

    on: Day
    reason: Reason


class DaysIn(StrictIn):
    """Days the member was present in the village."""

    days: list[Day] = Field(min_length=1, max_length=31)


class ConfirmationIn(StrictIn):
    """Confirm a month's logged days: one member's, or every member's."""

    year: Year
    month: Month
    member_id: int | None = Field(None, ge=1, le=2**63 - 1, description="every member if not given")


class CoverageFilters(Schema):
    """Where and on which day to look for villages without cover."""

    region: RegionPrefix = Field("", description="region code prefix")
    on: Day | None = Field(None, description="today if not given")


class FlagFilters(Schema):
    """Where and for which month to flag members."""

    region: RegionPrefix = Field("", description="region code prefix")
    year: Year
    month: Month
