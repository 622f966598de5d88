"""Reads of the rollups: one indexed query on the rollup tables, never the registry."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from fupin.stats import kernels
from fupin.stats.models import RegionYearBreakdown, RegionYearStat

INCIDENCE_PLACES = Decimal("0.0001")


class RollupMissing(LookupError):
    """No rollup row exists for the region and year asked for."""


def region_stats(*, region: str, year: int) -> dict[str, Any]:
    """Every measure and key of `region` ('' = the nation) in `year`, with the incidence."""
    found = _read(region, [year])
    if not found:
        raise RollupMissing(f"no rollups for region {region or '(nation)'} in {year}")
    return found[year]


def region_series(*, region: str, years: Iterable[int]) -> list[dict[str, Any]]:
    """`region_stats` of each of `years` that has rollups, in year order."""
    found = _read(region, sorted(set(years)))
    return [found[year] for year in sorted(found)]


def incidence(*, poor_persons: int, persons: int) -> Decimal | None:
    """Poverty incidence (贫困发生率), poor persons over persons, to 4 places; None if no one."""
    if persons <= 0:
        return None
    ratio = Decimal(poor_persons) / Decimal(persons)
    return ratio.quantize(INCIDENCE_PLACES, rounding=ROUND_HALF_UP)


def _read(region: str, years: list[int]) -> dict[int, dict[str, Any]]:
    """The stats of `region` by year, for those of `years` that have rollups."""
    if not years:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_read_sql(len(years)), [region, *years])
        rows = cursor.fetchall()
    stats: dict[int, dict[str, Any]] = {}
    totals_end = 2 + len(kernels.TOTAL_MEASURES)
    for row in rows:
        year = row[0]
        if year not in stats:
            stats[year] = _stats(region, year, row[1], row[2:totals_end])
        measure, key, value = row[totals_end:]
        if measure is not None:
            stats[year]["breakdowns"][measure][key] = value
    for item in stats.values():
        item["breakdowns"] = {
            name: dict(sorted(keys.items())) for name, keys in item["breakdowns"].items()
        }
    return stats


def _read_sql(years: int) -> str:
    """A region-year's totals row joined to its breakdown rows: one result row per
    breakdown row (or one with NULLs when there is none), both tables in one round trip,
    each through its unique index on (region_code, year, ...)."""
    name = connection.ops.quote_name
    totals = ", ".join(f"s.{name(measure)}" for measure in kernels.TOTAL_MEASURES)
    return (
        f"SELECT s.year, s.level, {totals}, b.measure, b.{name('key')}, b.value "
        f"FROM {name(RegionYearStat._meta.db_table)} s "
        f"LEFT JOIN {name(RegionYearBreakdown._meta.db_table)} b "
        "ON b.region_code = s.region_code AND b.year = s.year "
        f"WHERE s.region_code = %s AND s.year IN ({', '.join('%s' for _ in range(years))})"
    )


def _stats(region: str, year: int, level: int, totals: tuple[int, ...]) -> dict[str, Any]:
    """The stable shape of one region-year: totals in kernel order, breakdowns by key."""
    measures = dict(zip(kernels.TOTAL_MEASURES, totals, strict=True))
    return {
        "region": region,
        "level": level,
        "year": year,
        "incidence": incidence(
            poor_persons=measures["registered_persons"], persons=measures["persons"]
        ),
        "measures": measures,
        "breakdowns": {name: {} for name in kernels.BREAKDOWN_MEASURES},
    }
