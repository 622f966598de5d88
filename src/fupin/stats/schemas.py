"""API schemas of the rollups."""

from __future__ import annotations

from decimal import Decimal

from ninja import Schema


class RegionStatsOut(Schema):
    """One region's figures in one year: totals by measure, the poor stock's breakdowns."""

    region: str
    level: int
    year: int
    incidence: Decimal | None
    measures: dict[str, int]
    breakdowns: dict[str, dict[str, int]]
