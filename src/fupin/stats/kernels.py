"""Pure Polars kernels of the rollups (统计汇总): household flags, villages, then levels up.

No Django and no I/O: `stats.services` extracts the registry into frames, calls these
functions and writes their rows back. The order is fixed: flags per household for a
year, then one aggregation to villages, then each level from the one below it by a
prefix of the code (12 -> 9 -> 6 -> 4 -> 2 -> 0), so no level ever rereads households.

Measures are totals (key '') or breakdowns of the poor stock (key = a category or
cause slug, `unspecified` when the household has none).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

NOT_REGISTERED = "not_registered"
REGISTERED = "registered"
EXITED = "exited"
RETURNED = "returned"
REMOVED = "removed"
# The poor stock (建档立卡在册): a returned household is poor again.
POOR_STATUSES = (REGISTERED, RETURNED)
UNSPECIFIED = "unspecified"
STATUS = pl.Enum([NOT_REGISTERED, REGISTERED, EXITED, RETURNED, REMOVED])

# The flags of a household in a year: each names a `<flag>_households` and a
# `<flag>_persons` measure; `households` and `persons` count everyone.
FLAGS = ("registered", "ever_registered", "new", "exited", "returned", "removed")
UNITS = ("households", "persons")
TOTAL_MEASURES = ("households", "persons", *(f"{flag}_{unit}" for flag in FLAGS for unit in UNITS))
# (breakdown name, household column) of the poor stock.
BREAKDOWNS = (("category", "category"), ("cause", "main_cause"))
BREAKDOWN_MEASURES = tuple(
    f"registered_{unit}_by_{name}" for name, _ in BREAKDOWNS for unit in UNITS
)
MEASURES = TOTAL_MEASURES + BREAKDOWN_MEASURES
# Combinations of flags; a 12-digit code times this still fits an Int64 with room to spare.
_CELLS = 1 << len(FLAGS)

# Code length of each level, village first; '' is the nation.
LEVEL_LENGTHS = ((5, 12), (4, 9), (3, 6), (2, 4), (1, 2), (0, 0))
LENGTH_OF_LEVEL = dict(LEVEL_LENGTHS)
LEVEL_OF_LENGTH = {length: level for level, length in LEVEL_LENGTHS}

HOUSEHOLD_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "village_code": pl.String(),
    "category": pl.String(),
    "main_cause": pl.String(),
}
ASSESSMENT_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "year": pl.Int16(),
    "household_size": pl.Int32(),
}
MEMBER_COUNT_SCHEMA: dict[str, pl.DataType] = {"household_id": pl.Int64(), "members": pl.Int32()}
TRANSITION_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "transition_id": pl.Int64(),
    "to_status": pl.String(),
    "year": pl.Int16(),
    "date": pl.Date(),
}
ROW_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "measure": pl.String(),
    "key": pl.String(),
    "value": pl.Int64(),
}
LEVEL_ROW_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "level": pl.Int16(),
    "measure": pl.String(),
    "key": pl.String(),
    "value": pl.Int64(),
}


def households_missing_size(
    *, households: pl.DataFrame, assessments: pl.DataFrame, years: Sequence[int]
) -> pl.DataFrame:
    """The household_id of households lacking an assessment in one of `years`."""
    ids = households.lazy().select("household_id")
    missing = [
        ids.join(assessments.lazy().filter(pl.col("year") == year), on="household_id", how="anti")
        for year in sorted(set(years))
    ]
    return pl.concat(missing).unique().collect()


def household_persons(
    *, households: pl.DataFrame, assessments: pl.DataFrame, member_counts: pl.DataFrame, year: int
) -> pl.DataFrame:
    """`households` with `persons` for `year`: the assessment's household size, else the
    number of active members, else 0."""
    sizes = (
        assessments.lazy().filter(pl.col("year") == year).select("household_id", "household_size")
    )
    return (
        households.lazy()
        .join(sizes, on="household_id", how="left")
        .join(member_counts.lazy(), on="household_id", how="left")
        .with_columns(persons=pl.coalesce("household_size", "members", 0).cast(pl.Int64))
        .drop("household_size", "members")
        .collect()
    )


def household_year_frame(
    *, households: pl.DataFrame, transitions: pl.DataFrame, year: int
) -> pl.DataFrame:
    """Per household, its status at the end of `year` and the year's flags.

    `households` holds household_id, village_code, category, main_cause and persons;
    `transitions` household_id, transition_id, to_status, year and date. The status at a
    year's end is the `to_status` of the latest transition of a year up to it (by date,
    then id), `not_registered` when there is none.
    """
    to_status = pl.col("to_status")
    in_year = pl.col("year") == year
    # One sort of the frame is cheaper than a sort inside each household's group, and a
    # group keeps the frame's row order, so its last row is its latest transition.
    ordered = transitions.filter(pl.col("year") <= year).sort("date", "transition_id")
    flags = (
        ordered.lazy()
        .with_columns(to_status.cast(STATUS))
        .group_by("household_id")
        .agg(
            to_status.last().cast(pl.String).alias("status"),
            to_status.is_in(POOR_STATUSES).any().alias("ever_registered"),
            (in_year & (to_status == REGISTERED)).any().alias("new"),
            (in_year & (to_status == EXITED)).any().alias("exited"),
            (in_year & (to_status == RETURNED)).any().alias("returned"),
            (in_year & (to_status == REMOVED)).any().alias("removed"),
        )
    )
    return (
        households.lazy()
        .join(flags, on="household_id", how="left")
        .with_columns(
            pl.col("status").fill_null(NOT_REGISTERED),
            *(pl.col(name).fill_null(False) for name in FLAGS if name != "registered"),
        )
        .with_columns(registered=pl.col("status").is_in(POOR_STATUSES))
        .collect()
    )


def village_rollup(*, flags: pl.DataFrame) -> pl.DataFrame:
    """Rows (region_code, measure, key, value) of each village from the household flags.

    Only figures other than zero become rows: most villages exit, return or remove no
    one in a given year, and a missing row reads as 0. A village with a household always
    has its `households` row, which is how a reader tells a region without rollups.
    """
    if (flags["village_code"].str.len_bytes() != LENGTH_OF_LEVEL[5]).any():
        raise ValueError("every household's village code must have 12 digits")
    # Households are first counted per (village, combination of flags) under one integer
    # key: a single cheap grouping of every household instead of one sum per measure.
    village = pl.col("village_code").cast(pl.Int64, strict=True)
    mask = pl.sum_horizontal(
        pl.col(flag).cast(pl.Int64) * (1 << bit) for bit, flag in enumerate(FLAGS)
    )
    cells = (
        flags.lazy()
        .group_by((village * _CELLS + mask).alias("cell"))
        .agg(pl.len().cast(pl.Int64).alias("households"), pl.col("persons").cast(pl.Int64).sum())
        .with_columns(village=pl.col("cell") // _CELLS, mask=pl.col("cell") % _CELLS)
    )
    totals = cells.group_by("village").agg(
        pl.col("households").sum(),
        pl.col("persons").sum(),
        *(
            pl.col(unit).filter((pl.col("mask") & (1 << bit)) != 0).sum().alias(f"{flag}_{unit}")
            for bit, flag in enumerate(FLAGS)
            for unit in UNITS
        ),
    )
    poor = flags.lazy().filter(pl.col("registered")).with_columns(village=village)
    frames = [
        totals.unpivot(index="village", variable_name="measure").with_columns(key=pl.lit("")),
        *(_breakdown(poor, name, column) for name, column in BREAKDOWNS),
    ]
    return (
        pl.concat([frame.select("village", "measure", "key", "value") for frame in frames])
        .select(
            pl.col("village").cast(pl.String).str.zfill(LENGTH_OF_LEVEL[5]).alias("region_code"),
            "measure",
            "key",
            pl.col("value").cast(pl.Int64),
        )
        .filter(pl.col("value") != 0)
        .collect()
    )


def _breakdown(poor: pl.LazyFrame, name: str, column: str) -> pl.LazyFrame:
    """The poor stock of each village by the slug in `column`, households and persons."""
    slug = pl.col(column).fill_null("")
    return (
        poor.with_columns(key=pl.when(slug == "").then(pl.lit(UNSPECIFIED)).otherwise(slug))
        .group_by("village", "key")
        .agg(
            pl.len().cast(pl.Int64).alias(f"registered_households_by_{name}"),
            pl.col("persons").cast(pl.Int64).sum().alias(f"registered_persons_by_{name}"),
        )
        .unpivot(index=["village", "key"], variable_name="measure")
    )


def rollup_levels(*, village_rows: pl.DataFrame) -> pl.DataFrame:
    """The village rows and the rows of every level above them, down to the nation ('').

    Each level sums the one below it, grouped by the code's prefix of the level's length.
    """
    current = village_rows.select(*ROW_SCHEMA).cast(ROW_SCHEMA)  # type: ignore[arg-type]
    levels = [current.with_columns(level=pl.lit(5, pl.Int16))]
    for level, length in LEVEL_LENGTHS[1:]:
        current = current.group_by(
            pl.col("region_code").str.slice(0, length), "measure", "key"
        ).agg(pl.col("value").sum())
        levels.append(current.with_columns(level=pl.lit(level, pl.Int16)))
    return pl.concat([frame.select(*LEVEL_ROW_SCHEMA) for frame in levels])


def region_year_rows(
    *,
    households: pl.DataFrame,
    assessments: pl.DataFrame,
    member_counts: pl.DataFrame,
    transitions: pl.DataFrame,
    year: int,
) -> pl.DataFrame:
    """Every level's rows for `year` from the registry's frames: the whole kernel."""
    sized = household_persons(
        households=households, assessments=assessments, member_counts=member_counts, year=year
    )
    flags = household_year_frame(households=sized, transitions=transitions, year=year)
    return rollup_levels(village_rows=village_rollup(flags=flags))
