"""API schemas of pairing: cadres, assignments, a household's pairing, objections, gaps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import PageIn, PageOut, RegionPrefix, Text
from fupin.pairing.choices import ObjectionStatus, UnitLevel

Short = Annotated[Text, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
Reason = Annotated[Text, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class CadreOut(Schema):
    """A paired cadre (帮扶责任人); the ID number is masked for posts that do not need it."""

    id: int
    name: str
    id_number: str
    phone: str
    unit: str
    unit_level: str
    region_code: str
    households: int = Field(description="households the cadre answers for today")


class CadreFilters(PageIn):
    """The cadre list's filters and its page."""

    region: RegionPrefix | None = Field(None, description="region code prefix")
    unit_level: UnitLevel | None = None
    q: Annotated[Text, StringConstraints(max_length=50)] | None = Field(
        None, description="name, from its start"
    )


class CadrePageOut(PageOut):
    """A page of cadres and how many match in all."""

    items: list[CadreOut]


class CadreIn(Schema):
    """A cadre to register."""

    name: Annotated[Text, StringConstraints(min_length=1, max_length=50, strip_whitespace=True)]
    id_number: Annotated[Text, StringConstraints(min_length=15, max_length=18)]
    phone: Annotated[Text, StringConstraints(min_length=1, max_length=20, strip_whitespace=True)]
    unit: Short
    unit_level: UnitLevel
    region_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$")]


class AssignmentOut(Schema):
    """A cadre answering for a household from a date until a date."""

    id: int
    household_id: int
    cadre_id: int
    cadre_name: str
    primary: bool
    started_on: date
    ended_on: date | None
    end_reason: str


class AssignmentIn(Schema):
    """An assignment to open: the household, its cadre, the first day."""

    household_id: int = Field(ge=1, le=2**63 - 1)
    cadre_id: int = Field(ge=1, le=2**63 - 1)
    on: Day


class AssignmentEndIn(Schema):
    """The day an assignment ends, and why."""

    on: Day
    reason: Reason


class RotationIn(Schema):
    """Hand every household of a cadre to a successor."""

    successor_id: int = Field(ge=1, le=2**63 - 1)
    on: Day
    reason: Reason


class RatingOut(Schema):
    """A household's rating of its cadre for a quarter."""

    year: int
    quarter: int
    cadre_id: int
    satisfaction: str
    comment: str


class CardOut(Schema):
    """The household's current contact card (never its token)."""

    id: int
    year: int
    cadre_id: int
    printed_at: datetime


class ObjectionOut(Schema):
    """An objection a household raised from its card, and the answer."""

    id: int
    household_id: int
    text: str
    contact_phone: str
    status: str
    created_at: datetime
    answer: str
    upheld: bool | None = Field(description="found true (属实) when answered")
    answered_at: datetime | None


class HouseholdPairingOut(Schema):
    """A household's paired cadres, current card, ratings and objections."""

    assignments: list[AssignmentOut]
    card: CardOut | None
    ratings: list[RatingOut]
    objections: list[ObjectionOut]


class ObjectionFilters(PageIn):
    """The objection list's filters and its page."""

    status: ObjectionStatus | None = None
    region: RegionPrefix | None = Field(None, description="region code prefix")


class ObjectionPageOut(PageOut):
    """A page of objections and how many match in all."""

    items: list[ObjectionOut]


class AnswerIn(Schema):
    """The township's answer to an objection."""

    answer: Annotated[Text, StringConstraints(min_length=1, max_length=1000)]
    upheld: bool = Field(description="whether the objection was found true (属实)")


class GapOut(Schema):
    """Households on the register without a paired cadre, in one region."""

    region_code: str
    households: int


class GapFilters(Schema):
    """Where and at which level to count the gaps."""

    region: RegionPrefix = Field("", description="region code prefix")
    level: str = Field("township", pattern="^(county|township|village)$")


class ProposalIn(Schema):
    """A region to propose an automatic pairing for, and the day the assignments start."""

    region: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$")]
    starts_on: Day


class ProposalOut(Schema):
    """An automatic pairing proposal and its summary (matched by distance, per county)."""

    id: int
    region_code: str
    status: str
    starts_on: date
    households_unpaired: int
    households_matched: int
    summary: dict[str, Any]
    created_at: datetime
