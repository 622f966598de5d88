"""Refreshing the rollups (统计汇总) from the registry: extract, kernel, replace.

A refresh under a code prefix recomputes the village rows under it from the registry,
every level under the prefix from those villages, then each ancestor of the prefix,
nearest first, as the sum of its children's stored rows. Each refresh keeps the rule
that a row above a village is the sum of its villages' rows, so an ancestor summing
its children sums all its villages, refreshed or not, without rereading them: a refresh
of one village after one case decision reads that village and writes six regions.

Two tables take the rows: `RegionYearStat`, the totals, one wide row per region and
year; `RegionYearBreakdown`, the poor stock by category and cause, one narrow row per
region, year, measure and key. Both follow the same steps above, table by table.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from django.db import transaction

from fupin.core.bulk import (
    copy_frame,
    execute,
    is_postgresql,
    large_load,
    quote_name,
    read_frame_bulk,
    temp_table_from_frame,
)
from fupin.core.timing import Steps
from fupin.regions.models import Region
from fupin.regions.queries import code_prefix_q, prefix_upper_bound
from fupin.registry.models import Assessment, Household, Member, StatusTransition
from fupin.stats import kernels
from fupin.stats.models import RegionYearBreakdown, RegionYearStat
from fupin.targeting.models import Monitoring

logger = logging.getLogger(__name__)

# Refreshes of one year queue behind each other on PostgreSQL, so that an ancestor never
# sums a sibling another refresh is rewriting (key space of pg_advisory_xact_lock).
LOCK_SPACE = 0x5354
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class RollupTable:
    """A table of rollup rows: besides region_code, level and year, the `keys` a region's
    rows differ by and the `figures` an ancestor sums over its children."""

    label: str
    name: str
    keys: tuple[str, ...]
    figures: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column a refresh writes, in the order of its INSERT."""
        return ("region_code", "level", "year", *self.keys, *self.figures)


TOTALS = RollupTable("totals", RegionYearStat._meta.db_table, (), kernels.TOTAL_MEASURES)
BREAKDOWNS = RollupTable(
    "breakdowns", RegionYearBreakdown._meta.db_table, ("measure", "key"), ("value",)
)
TABLES = (TOTALS, BREAKDOWNS)


class RollupError(ValueError):
    """A refresh that cannot run: a malformed prefix or year, or no region under it."""


@dataclass(frozen=True)
class RegistryExtract:
    """The registry columns the rollups read, for the households under one prefix."""

    households: pl.DataFrame  # household_id, village_code, category, main_cause
    assessments: pl.DataFrame  # household_id, year, household_size
    member_counts: pl.DataFrame  # household_id, members: only households lacking a size
    transitions: pl.DataFrame  # household_id, transition_id, to_status, year, date
    monitorings: pl.DataFrame  # household_id, identified_on, eliminated_on


def rollups_refresh(*, year: int, prefix: str = "", steps: Steps | None = None) -> int:
    """Recompute `year`'s rollups under `prefix` ('' = the nation) and its ancestors."""
    return rollups_refresh_years(years=[year], prefix=prefix, steps=steps)


def rollups_refresh_years(
    *, years: Iterable[int], prefix: str = "", steps: Steps | None = None
) -> int:
    """Recompute the rollups of several years under `prefix`; returns the rows written."""
    year_list = sorted(set(years))
    _check_request(year_list, prefix)
    steps = steps or Steps(f"stats refresh {prefix or 'nation'} {_years_label(year_list)}")
    written = 0
    with transaction.atomic():
        # The lock comes before the extract: a refresh waiting behind another then reads
        # the registry as that one left it, never an older state to write over it.
        _lock_years(year_list)
        extract = registry_extract(prefix=prefix, years=year_list, steps=steps)
        for year in year_list:
            with steps.step(f"kernel {year}"):
                rollups = kernels.region_year_rollups(
                    households=extract.households,
                    assessments=extract.assessments,
                    member_counts=extract.member_counts,
                    transitions=extract.transitions,
                    monitorings=extract.monitorings,
                    year=year,
                )
            _log_rows(steps, f"kernel {year}", rollups.totals.height + rollups.breakdowns.height)
            written += _replace(rollups=rollups, year=year, prefix=prefix, steps=steps)
    logger.info("%s: %d rows written (%s)", steps.job, written, steps)
    return written


def _check_request(years: Sequence[int], prefix: str) -> None:
    if not years:
        raise RollupError("no year to refresh")
    for year in years:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise RollupError(f"{year} is not a plausible year")
    if not prefix:
        return
    if not (prefix.isdigit() and prefix.isascii()) or len(prefix) > 12:
        raise RollupError(f"a region prefix is up to 12 digits, not {prefix!r}")
    if not Region.objects.filter(code_prefix_q(prefix)).exists():
        raise RollupError(f"no region has a code starting with {prefix}")


def _years_label(years: Sequence[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _lock_years(years: Sequence[int]) -> None:
    """Serialize refreshes of the same years (in year order, so two never deadlock)."""
    if not is_postgresql():
        return  # SQLite lets one writer at a time through anyway
    for year in years:
        execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, year])


def _log_rows(steps: Steps, step: str, rows: int) -> None:
    logger.info("%s: %s: %d rows", steps.job, step, rows)


def registry_extract(*, prefix: str, years: Sequence[int], steps: Steps) -> RegistryExtract:
    """Read the columns the rollups need from the registry, one query per table."""
    scope, params = _scope_sql(prefix)
    join = f" JOIN {_table(Household)} h ON h.id = x.household_id" if prefix else ""
    year_marks = ", ".join("%s" for _ in years)
    queries = {
        "households": (
            f"SELECT h.id, h.village_code, h.category, h.main_cause FROM {_table(Household)} h "
            f"WHERE TRUE{scope}",
            params,
            kernels.HOUSEHOLD_SCHEMA,
        ),
        "assessments": (
            f"SELECT x.household_id, x.year, x.household_size FROM {_table(Assessment)} x{join} "
            f"WHERE x.year IN ({year_marks}){scope}",
            [*years, *params],
            kernels.ASSESSMENT_SCHEMA,
        ),
        # Every transition up to the last year in one pass; the kernel picks per year.
        "transitions": (
            f"SELECT x.household_id, x.id, x.to_status, x.year, x.date "
            f"FROM {_table(StatusTransition)} x{join} WHERE x.year <= %s{scope}",
            [max(years), *params],
            kernels.TRANSITION_SCHEMA,
        ),
        # The monitorings running at the end of some year asked for; the kernel picks per year.
        "monitorings": (
            f"SELECT x.household_id, x.identified_on, x.eliminated_on "
            f"FROM {_table(Monitoring)} x{join} WHERE x.identified_on <= %s "
            f"AND (x.eliminated_on IS NULL OR x.eliminated_on > %s){scope}",
            [date(max(years), 12, 31), date(min(years), 12, 31), *params],
            kernels.MONITORING_SCHEMA,
        ),
    }
    frames: dict[str, pl.DataFrame] = {}
    for name, (sql, query_params, schema) in queries.items():
        with steps.step(f"extract {name}"):
            frames[name] = read_frame_bulk(sql, query_params, schema)
        _log_rows(steps, f"extract {name}", frames[name].height)
    with steps.step("extract member counts"):
        member_counts = _member_counts(frames["households"], frames["assessments"], years)
    _log_rows(steps, "extract member counts", member_counts.height)
    return RegistryExtract(
        households=frames["households"],
        assessments=frames["assessments"],
        member_counts=member_counts,
        transitions=frames["transitions"],
        monitorings=frames["monitorings"],
    )


def _table(model: Any) -> str:
    return quote_name(model._meta.db_table)


def _scope_sql(prefix: str) -> tuple[str, list[Any]]:
    """The condition on `h.village_code` that keeps the households under `prefix`."""
    if not prefix:
        return "", []
    return " AND h.village_code >= %s AND h.village_code < %s", [
        prefix,
        prefix_upper_bound(prefix),
    ]


def _member_counts(
    households: pl.DataFrame, assessments: pl.DataFrame, years: Sequence[int]
) -> pl.DataFrame:
    """Active members of the households some year has no assessment for (the fallback)."""
    missing = kernels.households_missing_size(
        households=households, assessments=assessments, years=years
    )
    if missing.height == 0:  # the usual case: every household was assessed every year
        return pl.DataFrame(schema=kernels.MEMBER_COUNT_SCHEMA)
    temp_table_from_frame("stats_missing_size", missing, {"household_id": "bigint"})
    return read_frame_bulk(
        f"SELECT m.household_id, COUNT(*) FROM {_table(Member)} m "
        "JOIN stats_missing_size s ON s.household_id = m.household_id "
        "WHERE m.is_active GROUP BY m.household_id",
        [],
        kernels.MEMBER_COUNT_SCHEMA,
    )


def _replace(*, rollups: kernels.Rollups, year: int, prefix: str, steps: Steps) -> int:
    """Replace `year`'s rows under `prefix` with `rollups`, then recompute its ancestors."""
    ancestors = [prefix[:length] for _, length in kernels.LEVEL_LENGTHS if length < len(prefix)]
    with steps.step(f"delete {year}"):
        deleted = sum(_delete_scope(table, year, prefix, ancestors) for table in TABLES)
    _log_rows(steps, f"delete {year}", deleted)
    written = 0
    for table, frame in ((TOTALS, rollups.totals), (BREAKDOWNS, rollups.breakdowns)):
        own = (
            frame.filter(pl.col("region_code").str.len_bytes() >= len(prefix))
            .with_columns(year=pl.lit(year, pl.Int16))
            # Rows in the unique index's order fill its pages one after another.
            .sort("region_code", *table.keys)
        )
        step = f"insert {table.label} {year}"
        with steps.step(step), large_load(table.name, own.height):
            inserted = copy_frame(table.name, own, columns=table.columns)
        _log_rows(steps, step, inserted)
        written += inserted
    with steps.step(f"ancestors {year}"):
        summed = sum(_ancestor_insert(table, code, year) for code in ancestors for table in TABLES)
    _log_rows(steps, f"ancestors {year}", summed)
    return written + summed


def _delete_scope(table: RollupTable, year: int, prefix: str, ancestors: Sequence[str]) -> int:
    name = quote_name(table.name)
    if not prefix:
        return execute(f"DELETE FROM {name} WHERE year = %s", [year])
    deleted = execute(
        f"DELETE FROM {name} WHERE year = %s AND region_code >= %s AND region_code < %s",
        [year, prefix, prefix_upper_bound(prefix)],
    )
    marks = ", ".join("%s" for _ in ancestors)
    return deleted + execute(
        f"DELETE FROM {name} WHERE year = %s AND region_code IN ({marks})", [year, *ancestors]
    )


def _ancestor_insert(table: RollupTable, code: str, year: int) -> int:
    """Write the rows of region `code` as the sums of its children's stored rows."""
    level = kernels.LEVEL_OF_LENGTH[len(code)]
    keys = "".join(f", {quote_name(key)}" for key in table.keys)
    sums = ", ".join(f"SUM({quote_name(figure)})" for figure in table.figures)
    columns = ", ".join(quote_name(column) for column in table.columns)
    children = "" if not code else " AND region_code >= %s AND region_code < %s"
    params = [] if not code else [code, prefix_upper_bound(code)]
    if level + 1 < kernels.VILLAGE_LEVEL:
        # The literal term lets SQLite use the partial index of the rows above villages
        # (it matches an index's condition by its text, not by algebra on `level = 4`).
        children += f" AND level < {kernels.VILLAGE_LEVEL}"
    # No child, no group and no row: a region without households has no rollups.
    return execute(
        f"INSERT INTO {quote_name(table.name)} ({columns}) "
        f"SELECT %s, %s, year{keys}, {sums} FROM {quote_name(table.name)} "
        f"WHERE year = %s AND level = %s{children} GROUP BY year{keys}",
        [code, level, year, level + 1, *params],
    )
