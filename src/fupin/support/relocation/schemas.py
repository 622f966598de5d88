"""API schemas of relocation: sites, targets, moves and their steps, follow-up, progress."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import RegionPrefix, Text
from fupin.registry.choices import HousingGrade
from fupin.support.choices import (
    MeasureForm,
    MeasureType,
    ProviderKind,
    RelocationJobKind,
    ResettlementKind,
)

Day = Annotated[date, Field(ge=date(2013, 1, 1), le=date(2100, 12, 31))]
Year = Annotated[int, Field(ge=2013, le=2100)]


def _one_of(values: list[str]) -> str:
    return "^(" + "|".join(values) + ")$"


class RelocationSiteIn(Schema):
    """A resettlement site to open."""

    name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    village_code: str = Field(pattern=r"^[0-9]{12}$")
    kind: str = Field(pattern=_one_of(ResettlementKind.values))
    capacity: int = Field(ge=1, le=1_000_000)


class RelocationSiteOut(Schema):
    """A resettlement site with the households planned, handed over and moved in."""

    id: int
    name: str
    county_code: str
    village_code: str
    kind: str
    capacity: int
    households_planned: int
    households_handed_over: int
    households_moved: int
    persons_moved: int | None


class RelocationSiteFilters(Schema):
    """Which sites: a region code prefix."""

    region: RegionPrefix = Field("", description="region code prefix")


class RelocationTargetIn(Schema):
    """A region's relocation target for a year."""

    region_code: str = Field(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$")
    year: Year
    households: int = Field(ge=0, le=10_000_000)
    persons: int = Field(ge=0, le=50_000_000)


class RelocationTargetOut(Schema):
    """A region's relocation target for a year."""

    region_code: str
    year: int
    households: int
    persons: int


class RelocationProgressFilters(Schema):
    """Which region and plan year."""

    region: RegionPrefix = Field("", description="region code")
    year: Year


class RelocationProgressOut(Schema):
    """A region's moves of a plan year against its target."""

    region_code: str
    target_households: int | None
    target_persons: int | None
    planned_households: int
    planned_persons: int
    handed_over_households: int
    moved_households: int
    moved_persons: int
    handed_over_share: float | None
    moved_share: float | None
    moved_persons_share: float | None


class RelocationMoveIn(Schema):
    """A household put into a year's relocation plan."""

    site_id: int = Field(ge=1, le=2**63 - 1)
    plan_year: Year
    planned_on: Day
    persons: int | None = Field(None, ge=1, le=100)


class RelocationHandoverIn(Schema):
    """The new home handed over, with its area and safety grade."""

    handed_over_on: Day
    home_area: Decimal = Field(gt=0, max_digits=7, decimal_places=2)
    home_grade: str = Field(pattern=_one_of(HousingGrade.values))


class RelocationMoveInIn(Schema):
    """The day the household moved in."""

    moved_on: Day


class RelocationCancelIn(Schema):
    """A move called off, and why."""

    on: Day
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=200)]


class RelocationJobIn(Schema):
    """A job a member of a moved household found."""

    member_id: int = Field(ge=1, le=2**63 - 1)
    kind: str = Field(pattern=_one_of(RelocationJobKind.values))
    employer: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    started_on: Day
    monthly_wage: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)


class RelocationJobOut(Schema):
    """A job found after the move."""

    id: int
    member_id: int
    kind: str
    employer: str
    started_on: date
    monthly_wage: Decimal | None
    measure_id: int | None


class RelocationMeasureIn(Schema):
    """A follow-up measure to record in the ledger for a moved household."""

    given_on: Day
    measure_type: str = Field(pattern=_one_of(MeasureType.values))
    description: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    form: str = Field(pattern=_one_of(MeasureForm.values))
    value: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    provider_kind: str = Field(pattern=_one_of(ProviderKind.values))
    provider_name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]


class RelocationFollowUpOut(Schema):
    """A ledger measure that is follow-up support of a move."""

    measure_id: int
    given_on: date
    measure_type: str
    description: str
    value: Decimal


class RelocationMoveOut(Schema):
    """A household's move with its steps, jobs and follow-up measures."""

    id: int
    household_id: int
    site_id: int
    site_name: str
    plan_year: int
    persons: int
    status: str
    planned_on: date
    handed_over_on: date | None
    moved_on: date | None
    cancelled_on: date | None
    home_area: Decimal | None
    home_grade: str
    jobs: list[RelocationJobOut]
    follow_ups: list[RelocationFollowUpOut]
