"""Pure Polars kernels of the rollups (统计汇总): household flags, villages, then levels up.

No Django and no I/O: `stats.services` extracts the registry into frames, calls these
functions and writes their rows back. The order is fixed: flags per household for a
year, then one aggregation to villages, then each level from the one below it by a
prefix of the code (12 -> 9 -> 6 -> 4 -> 2 -> 0), so no level ever rereads households.

The totals are wide, one row per region with a column per measure; the breakdowns of
the poor stock are narrow, one row per (region, measure, key) with a value other than
0, the key a category or cause slug (`unspecified` when the household has none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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
FLAGS = ("registered", "ever_registered", "new", "exited", "returned", "removed", "monitored")
UNITS = ("households", "persons")
TOTAL_MEASURES = ("households", "persons", *(f"{flag}_{unit}" for flag in FLAGS for unit in UNITS))
# (breakdown name, household column) of the poor stock.
BREAKDOWNS = (("category", "category"), ("cause", "main_cause"))
BREAKDOWN_MEASURES = tuple(
    f"registered_{unit}_by_{name}" for name, _ in BREAKDOWNS for unit in UNITS
)
MEASURES = TOTAL_MEASURES + BREAKDOWN_MEASURES

# Code length of each level, village first; '' is the nation.
LEVEL_LENGTHS = ((5, 12), (4, 9), (3, 6), (2, 4), (1, 2), (0, 0))
LENGTH_OF_LEVEL = dict(LEVEL_LENGTHS)
LEVEL_OF_LENGTH = {length: level for level, length in LEVEL_LENGTHS}
VILLAGE_LEVEL = 5
VILLAGE_LENGTH = LENGTH_OF_LEVEL[VILLAGE_LEVEL]

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
MONITORING_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "identified_on": pl.Date(),
    "eliminated_on": pl.Date(),
}
TOTALS_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "level": pl.Int16(),
    **{measure: pl.Int64() for measure in TOTAL_MEASURES},
}
BREAKDOWN_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "level": pl.Int16(),
    "measure": pl.String(),
    "key": pl.String(),
    "value": pl.Int64(),
}


@dataclass(frozen=True)
class Rollups:
    """The rollups of one year: `totals` per region (TOTALS_SCHEMA), `breakdowns` per
    region, measure and key (BREAKDOWN_SCHEMA); villages and every level above them."""

    totals: pl.DataFrame
    breakdowns: pl.DataFrame


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


# The flags `household_year_frame` reads off the year's transitions; `registered` comes
# from the status at the year's end, `monitored` from the monitorings.
_TRANSITION_FLAGS = ("ever_registered", "new", "exited", "returned", "removed")


def household_year_frame(
    *, households: pl.DataFrame, transitions: pl.DataFrame, monitorings: pl.DataFrame, year: int
) -> pl.DataFrame:
    """Per household, its status at the end of `year` and the year's flags.

    `households` holds household_id, village_code, category, main_cause and persons;
    `transitions` household_id, transition_id, to_status, year and date; `monitorings`
    household_id, identified_on and eliminated_on. The status at a year's end is the
    `to_status` of the latest transition of a year up to it (by date, then id),
    `not_registered` when there is none; a household is monitored at the year's end when
    a monitoring of it began by then and had not ended by then.
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
    year_end = date(year, 12, 31)
    eliminated = pl.col("eliminated_on")
    monitored = monitorings.filter(
        (pl.col("identified_on") <= year_end) & (eliminated.is_null() | (eliminated > year_end))
    )["household_id"]
    return (
        households.lazy()
        .join(flags, on="household_id", how="left")
        .with_columns(
            pl.col("status").fill_null(NOT_REGISTERED),
            *(pl.col(name).fill_null(False) for name in _TRANSITION_FLAGS),
        )
        .with_columns(
            registered=pl.col("status").is_in(POOR_STATUSES),
            monitored=pl.col("household_id").is_in(monitored.implode()),
        )
        .collect()
    )


def village_totals(*, flags: pl.DataFrame) -> pl.DataFrame:
    """The totals of each village from the household flags: one row per village.

    A village is a row as soon as it has a household, whatever its other figures: that
    is how a reader tells a region without rollups from one with nothing to count.
    """
    persons = pl.col("persons").cast(pl.Int64)
    return (
        _with_village_number(flags)
        .group_by("village")
        .agg(
            pl.len().cast(pl.Int64).alias("households"),
            persons.sum().alias("persons"),
            *(
                measure
                for flag in FLAGS
                for measure in (
                    pl.col(flag).sum().cast(pl.Int64).alias(f"{flag}_households"),
                    (persons * pl.col(flag)).sum().alias(f"{flag}_persons"),
                )
            ),
        )
        .collect()
    )


def village_breakdowns(*, flags: pl.DataFrame) -> pl.DataFrame:
    """The poor stock of each village by category and by cause, in households and persons:
    rows (village, measure, key, value), only values other than 0."""
    poor = _with_village_number(flags).filter(pl.col("registered"))
    frames = []
    for name, column in BREAKDOWNS:
        slug = pl.col(column).fill_null("")
        frames.append(
            poor.with_columns(key=pl.when(slug == "").then(pl.lit(UNSPECIFIED)).otherwise(slug))
            .group_by("village", "key")
            .agg(
                pl.len().cast(pl.Int64).alias(f"registered_households_by_{name}"),
                pl.col("persons").cast(pl.Int64).sum().alias(f"registered_persons_by_{name}"),
            )
            .unpivot(index=["village", "key"], variable_name="measure")
        )
    return (
        pl.concat(frames)
        .select("village", "measure", "key", pl.col("value").cast(pl.Int64))
        .filter(pl.col("value") != 0)
        .collect()
    )


def _with_village_number(flags: pl.DataFrame) -> pl.LazyFrame:
    """`flags` with `village`, the village code as a number: a level's code is then a
    quotient, and an integer groups faster than a string."""
    if (flags["village_code"].str.len_bytes() != VILLAGE_LENGTH).any():
        raise ValueError("every household's village code must have 12 digits")
    return flags.lazy().with_columns(village=pl.col("village_code").cast(pl.Int64, strict=True))


def rollup_levels(*, villages: pl.DataFrame, keys: Sequence[str] = ()) -> pl.DataFrame:
    """The rows of `villages` (a `village` number, `keys`, then figures) and the rows of
    every level above them, down to the nation (''), with their `region_code` and `level`.

    Each level sums the one below it in one grouping, by its code's prefix and `keys`.
    """
    figures = [name for name in villages.columns if name != "village" and name not in keys]
    # Eager on purpose: a lazy chain of levels is recomputed from the villages for each
    # level it is concatenated with (measured: 0.17 s against 0.07 s at 400,000 villages).
    current = villages.rename({"village": "code"})
    levels = [_coded(current, VILLAGE_LEVEL, keys, figures)]
    below = VILLAGE_LENGTH
    for level, length in LEVEL_LENGTHS[1:]:
        prefix = pl.col("code") // 10 ** (below - length)
        current = current.group_by(prefix, *keys).agg(pl.col(figures).sum())
        levels.append(_coded(current, level, keys, figures))
        below = length
    return pl.concat(levels)


def _coded(
    frame: pl.DataFrame, level: int, keys: Sequence[str], figures: list[str]
) -> pl.DataFrame:
    """`frame` with its numeric `code` spelt as the level's zero-padded region code."""
    length = LENGTH_OF_LEVEL[level]
    code = pl.col("code").cast(pl.String).str.zfill(length) if length else pl.lit("")
    return frame.select(
        code.alias("region_code"), pl.lit(level, pl.Int16).alias("level"), *keys, *figures
    )


def region_year_rollups(
    *,
    households: pl.DataFrame,
    assessments: pl.DataFrame,
    member_counts: pl.DataFrame,
    transitions: pl.DataFrame,
    monitorings: pl.DataFrame,
    year: int,
) -> Rollups:
    """Every level's totals and breakdowns for `year` from the registry's frames."""
    sized = household_persons(
        households=households, assessments=assessments, member_counts=member_counts, year=year
    )
    flags = household_year_frame(
        households=sized, transitions=transitions, monitorings=monitorings, year=year
    )
    totals = rollup_levels(villages=village_totals(flags=flags))
    breakdowns = rollup_levels(villages=village_breakdowns(flags=flags), keys=("measure", "key"))
    return Rollups(
        totals=totals.select(*TOTALS_SCHEMA).cast(TOTALS_SCHEMA),  # type: ignore[arg-type]
        breakdowns=breakdowns.select(*BREAKDOWN_SCHEMA).cast(BREAKDOWN_SCHEMA),  # type: ignore[arg-type]
    )
