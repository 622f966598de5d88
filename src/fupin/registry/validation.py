"""Validating household rows without the database, and shaping them for the bulk writer.

Pure Polars (no Django): cells are parsed (`registry.parsing`), ID numbers checked and
normalised (`registry.idnumber`), and the data-quality rules applied (`registry.checks`).
Checks that need the register (village codes, IDs in other households) are in
`registry.importer`.
"""

from __future__ import annotations

import polars as pl

from fupin.registry import kernels
from fupin.registry.checks import check_households
from fupin.registry.idnumber import id_check_frame
from fupin.registry.parsing import parse_cells


def validate_rows(raw: pl.DataFrame, *, year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse and check all-text rows without the database: typed rows and issues."""
    typed, cell_issues = parse_cells(raw)
    return check_typed(typed, cell_issues, year=year)


def check_typed(
    typed: pl.DataFrame, cell_issues: pl.DataFrame, *, year: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Check parsed rows (IDs, then every rule); typed rows with normalised IDs and issues.

    Separate from parsing so that a caller holding a large file can free its text cells
    in between.
    """
    typed, id_issues = check_ids(typed)
    rule_issues = check_households(typed, year=year)
    return typed, pl.concat([cell_issues, id_issues, rule_issues])


def check_ids(typed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalise ID numbers (15 → 18 digits) and report the invalid ones."""
    checked = id_check_frame(typed.select("_row", "id_number"), "id_number")
    reported = pl.col("id_error").is_not_null() & pl.col("id_number").is_not_null()
    issues = checked.filter(reported).select(
        pl.col("_row").alias("row"),
        pl.lit("id_number").alias("column"),
        pl.col("id_error").alias("code"),
        pl.col("id_number").alias("value"),
    )
    typed = typed.with_columns(
        checked["id_normalized"].alias("id_number"),
        checked["id_sex"].alias("id_sex"),
        checked["id_birth_date"].alias("id_birth_date"),
    )
    return typed, issues


def split_frames(typed: pl.DataFrame, *, year: int) -> dict[str, pl.DataFrame]:
    """The bulk writer's frames from valid typed rows: households, members, assessments."""
    heads = typed.filter(pl.col("relation") == "head")
    sizes = typed.group_by("household_no").agg(pl.len().cast(pl.Int16).alias("household_size"))
    assessments = heads.join(sizes, on="household_no").with_columns(
        pl.lit(year, pl.Int16).alias("year")
    )
    return {
        "households": kernels.conform(heads, kernels.HOUSEHOLD_FIELDS),
        "members": kernels.conform(typed, kernels.MEMBER_FIELDS),
        "assessments": kernels.conform(assessments, kernels.ASSESSMENT_FIELDS),
    }
