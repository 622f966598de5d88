"""API schemas of the assistance ledger: measures, the coverage gaps, an import's answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import RegionPrefix, Text
from fupin.support.choices import MeasureForm, MeasureType, ProviderKind


class MeasureOut(Schema):
    """One support measure a household received."""

    id: int
    household_id: int
    year: int
    given_on: date
    measure_type: str
    description: str
    form: str
    value: Decimal
    provider_kind: str
    provider_name: str
    fund: str
    project: str


class MeasureIn(Schema):
    """A measure to record for a household; the year is the date's."""

    given_on: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    measure_type: str = Field(pattern="^(" + "|".join(MeasureType.values) + ")$")
    description: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    form: str = Field(pattern="^(" + "|".join(MeasureForm.values) + ")$")
    value: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    provider_kind: str = Field(pattern="^(" + "|".join(ProviderKind.values) + ")$")
    provider_name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    fund: Annotated[Text, StringConstraints(max_length=100)] = ""
    project: Annotated[Text, StringConstraints(max_length=100)] = ""


class LedgerFilters(Schema):
    """Which measures: region, year, type."""

    region: RegionPrefix = Field("", description="region code prefix")
    year: int = Field(ge=2013, le=2100)
    measure_type: str = Field("", pattern="^(" + "|".join(["", *MeasureType.values]) + ")$")


class LedgerTypeOut(Schema):
    """The measures of one type in a region and year."""

    measure_type: str
    households: int
    measures: int
    value: Decimal


class CoverageGapFilters(Schema):
    """Where and in which year to look for coverage gaps."""

    region: RegionPrefix = Field("", description="region code prefix")
    year: int = Field(ge=2013, le=2100)


class CoverageGapVillageOut(Schema):
    """A village's households keeping support with no measure answering their main cause."""

    village_code: str
    households: int


class ImportOut(Schema):
    """What a file import recorded (or, checked only, would record)."""

    file: str
    measures: int
    recorded: bool
