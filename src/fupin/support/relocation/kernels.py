"""Relocation counted against its targets (搬迁任务完成情况): pure functions over Polars frames.

A region's target for a year is its own target row when it has one, and otherwise the sum
of the targets of its counties (targets are set for counties, where the plans are made,
and may be set above them too). Its counts are the moves of that plan year from villages
under it: planned (not called off), handed over (交房) and moved in (搬迁入住). No Django,
no I/O.
"""

from __future__ import annotations

import polars as pl

COUNTY_DIGITS = 6
TARGET_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "year": pl.Int32(),
    "households": pl.Int64(),
    "persons": pl.Int64(),
}
# Moves summed by the database: one row per village, plan year and status.
MOVE_COUNT_SCHEMA: dict[str, pl.DataType] = {
    "village_code": pl.String(),
    "plan_year": pl.Int32(),
    "status": pl.String(),
    "households": pl.Int64(),
    "persons": pl.Int64(),
}
HANDED_OVER = ("handed_over", "moved")
COUNTS = ("planned_households", "planned_persons", "handed_over_households",
          "moved_households", "moved_persons")  # fmt: skip


def relocation_progress(
    targets: pl.DataFrame, moves: pl.DataFrame, *, year: int, prefix: str, level: int
) -> pl.DataFrame:
    """The regions of `level` digits under `prefix` in plan year `year`: their target, their
    moves counted, and the shares of the target handed over and moved in (null without a
    target). A region with a target and no move, or moves and no target, is listed too."""
    moves = moves.select(pl.col(name).cast(dtype) for name, dtype in MOVE_COUNT_SCHEMA.items())
    targets = targets.select(pl.col(name).cast(dtype) for name, dtype in TARGET_SCHEMA.items())
    under = pl.col("region_code").str.starts_with(prefix)
    counted = (
        moves.filter((pl.col("plan_year") == year) & pl.col("village_code").str.starts_with(prefix))
        .with_columns(region_code=pl.col("village_code").str.slice(0, level))
        .group_by("region_code")
        .agg(
            planned_households=_sum("households", pl.col("status") != "cancelled"),
            planned_persons=_sum("persons", pl.col("status") != "cancelled"),
            handed_over_households=_sum("households", pl.col("status").is_in(HANDED_OVER)),
            moved_households=_sum("households", pl.col("status") == "moved"),
            moved_persons=_sum("persons", pl.col("status") == "moved"),
        )
    )
    of_year = targets.filter((pl.col("year") == year) & under)
    own = of_year.filter(pl.col("region_code").str.len_chars() == level).select(
        "region_code", own_households="households", own_persons="persons"
    )
    counties = (
        of_year.filter(pl.col("region_code").str.len_chars() == COUNTY_DIGITS)
        .filter(pl.lit(level <= COUNTY_DIGITS))
        .group_by(pl.col("region_code").str.slice(0, level))
        .agg(county_households=pl.col("households").sum(), county_persons=pl.col("persons").sum())
    )
    codes = pl.concat([counted.select("region_code"), own.select("region_code"),
                       counties.select("region_code")]).unique()  # fmt: skip
    return (
        codes.join(counted, on="region_code", how="left")
        .join(own, on="region_code", how="left")
        .join(counties, on="region_code", how="left")
        .with_columns(
            [pl.col(name).fill_null(0) for name in COUNTS],
            target_households=pl.coalesce("own_households", "county_households"),
            target_persons=pl.coalesce("own_persons", "county_persons"),
        )
        .with_columns(
            handed_over_share=_share("handed_over_households", "target_households"),
            moved_share=_share("moved_households", "target_households"),
            moved_persons_share=_share("moved_persons", "target_persons"),
        )
        .select(
            "region_code",
            "target_households",
            "target_persons",
            *COUNTS,
            "handed_over_share",
            "moved_share",
            "moved_persons_share",
        )
        .sort("region_code")
    )


def _sum(column: str, condition: pl.Expr) -> pl.Expr:
    return pl.col(column).filter(condition).sum().cast(pl.Int64)


def _share(part: str, whole: str) -> pl.Expr:
    return (
        pl.when(pl.col(whole) > 0)
        .then(pl.col(part).cast(pl.Float64) / pl.col(whole).cast(pl.Float64))
        .otherwise(None)
    )
