"""API schemas of monitoring: visits and the overdue counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import RegionPrefix, Text


class VisitOut(Schema):
    """A cadre's visit to a household."""

    id: int
    household_id: int
    cadre_id: int
    cadre_name: str
    visited_on: date
    found: str
    agreed: str
    latitude: Decimal | None
    longitude: Decimal | None
    photos: list[int] = Field(description="photo ids, at /visits/photos/<id>/")


class VisitIn(Schema):
    """A visit to log (photos go through the page)."""

    visited_on: date = Field(ge=date(2000, 1, 1))
    found: Annotated[Text, StringConstraints(min_length=1, max_length=4000)]
    agreed: Annotated[Text, StringConstraints(max_length=4000)] = ""
    cadre_id: int | None = Field(None, ge=1, le=2**63 - 1)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class OverdueFilters(Schema):
    """Where, at which level and on which day to count the overdue visits."""

    region: RegionPrefix = Field("", description="region code prefix")
    by: str = Field("township", pattern="^(county|township|village|cadre)$")
    on: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))


class OverdueOut(Schema):
    """Households whose visit is overdue, in one region or for one cadre."""

    key: str = Field(description="region code, or the cadre's id")
    households: int
