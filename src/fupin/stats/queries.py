"""Reads of the rollups: one indexed query on `RegionYearStat`, never the registry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fupin.stats import kernels
from fupin.stats.models import RegionYearStat

INCIDENCE_PLACES = Decimal("0.0001")


class RollupMissing(LookupError):
    """No rollup row exists for the region and year asked for."""


def region_stats(*, region: str, year: int) -> dict[str, Any]:
    """Every measure and key of `region` ('' = the nation) in `year`, with the incidence."""
    rows = RegionYearStat.objects.filter(region_code=region, year=year).values_list(
        "level", "measure", "key", "value"
    )
    found = list(rows)
    if not found:
        raise RollupMissing(f"no rollups for region {region or '(nation)'} in {year}")
    return _stats(region, year, found)


def region_series(*, region: str, years: Iterable[int]) -> list[dict[str, Any]]:
    """`region_stats` of each of `years` that has rollups, in year order."""
    rows = RegionYearStat.objects.filter(region_code=region, year__in=list(years)).values_list(
        "year", "level", "measure", "key", "value"
    )
    by_year: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for year, level, measure, key, value in rows:
        by_year[year].append((level, measure, key, value))
    return [_stats(region, year, by_year[year]) for year in sorted(by_year)]


def incidence(*, poor_persons: int, persons: int) -> Decimal | None:
    """Poverty incidence (贫困发生率), poor persons over persons, to 4 places; None if no one."""
    if persons <= 0:
        return None
    ratio = Decimal(poor_persons) / Decimal(persons)
    return ratio.quantize(INCIDENCE_PLACES, rounding=ROUND_HALF_UP)


def _stats(region: str, year: int, rows: list[tuple[int, str, str, int]]) -> dict[str, Any]:
    """The stable shape of one region-year: totals in kernel order, breakdowns by key."""
    measures = dict.fromkeys(kernels.TOTAL_MEASURES, 0)
    breakdowns: dict[str, dict[str, int]] = {name: {} for name in kernels.BREAKDOWN_MEASURES}
    for _, measure, key, value in rows:
        if not key:
            measures[measure] = value
        else:
            breakdowns.setdefault(measure, {})[key] = value
    return {
        "region": region,
        "level": rows[0][0],
        "year": year,
        "incidence": incidence(
            poor_persons=measures["registered_persons"], persons=measures["persons"]
        ),
        "measures": measures,
        "breakdowns": {name: dict(sorted(keys.items())) for name, keys in breakdowns.items()},
    }
