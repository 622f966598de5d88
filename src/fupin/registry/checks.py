"""Data-quality rules over whole households (DOMAIN.md 2.3), as one pure Polars kernel.

`check_households` takes typed member rows (one per member, household fields on the head's
row, as `registry.parsing` gives them, with the ID-derived `id_sex` and `id_birth_date`)
and returns an issue frame. The import runs it on a whole file; the single-record
services run it on one household, so both paths apply the same rules.
"""

from __future__ import annotations

import polars as pl

from fupin.registry.columns import COLUMNS
from fupin.registry.issues import empty_issues

ROW = "_row"
HOUSEHOLD_LEVEL = [
    c.name for c in COLUMNS if c.level in ("household", "assessment") and c.name != "household_no"
]
HEAD_REQUIRED = [c.name for c in COLUMNS if c.level in ("household", "assessment") and c.required]
MEMBER_REQUIRED = [c.name for c in COLUMNS if c.level == "member" and c.required]
WORKING_AGE = (16, 65)


def _issue(frame: pl.DataFrame, condition: pl.Expr, column: str, code: str) -> pl.DataFrame:
    """Rows of `frame` meeting `condition` as issues of `code` on `column`."""
    value = pl.col(column).cast(pl.String) if column in frame.columns else pl.lit(None, pl.String)
    return frame.filter(condition).select(
        pl.col(ROW).alias("row"), pl.lit(column).alias("column"), pl.lit(code).alias("code"),
        value.alias("value"),
    )  # fmt: skip


_KIND_TYPES: dict[str, pl.DataType] = {
    "flag": pl.Boolean(), "int": pl.Int64(), "money": pl.Int64(), "date": pl.Date(),
}  # fmt: skip
EXPECTED: dict[str, pl.DataType] = {
    **{c.name: _KIND_TYPES.get(c.kind, pl.String()) for c in COLUMNS if c.name != "other_causes"},
    "second_cause": pl.String(),
    "third_cause": pl.String(),
    "id_sex": pl.String(),
    "id_birth_date": pl.Date(),
}


def _with_context(members: pl.DataFrame, year: int) -> pl.DataFrame:
    """Add age, head flag, and the household's head row values to every member row."""
    missing = [pl.lit(None, dtype).alias(n) for n, dtype in EXPECTED.items() if n not in members]
    frame = members.with_columns(missing).with_columns(
        pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)
        for name in ("second_cause", "third_cause")
    )
    frame = frame.with_columns(
        (pl.lit(year) - pl.col("birth_date").dt.year()).alias("_age"),
        (pl.col("relation") == "head").fill_null(False).alias("_is_head"),
    )
    # Window expressions add columns without copying the others (a join would copy all).
    return frame.with_columns(
        pl.col("_is_head").sum().over("household_no").alias("_heads"),
        pl.col(ROW).min().over("household_no").alias("_first_row"),
        pl.len().over("household_no").alias("_size"),
    )


def _household_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per household carrying the head's values and member aggregates."""
    labourer = pl.col("labor").is_in(["ordinary", "skilled"]) & pl.col("_age").is_between(
        *WORKING_AGE
    )
    aggregates = frame.group_by("household_no").agg(
        (pl.col("health").is_in(["chronic", "serious", "disabled"])).any().alias("_any_sick"),
        (pl.col("health") == "disabled").any().alias("_any_disabled"),
        pl.col("in_school").fill_null(False).any().alias("_any_student"),
        labourer.fill_null(False).any().alias("_any_labourer"),
        (pl.col("migrant_months").fill_null(0) > 0).any().alias("_any_worker"),
    )
    heads = frame.filter(pl.col("_is_head") & (pl.col("_heads") == 1))
    return heads.join(aggregates, on="household_no", how="left")


def _structure_issues(frame: pl.DataFrame) -> list[pl.DataFrame]:
    no_head = (pl.col("_heads") == 0) & (pl.col(ROW) == pl.col("_first_row"))
    two_heads = (pl.col("_heads") > 1) & pl.col("_is_head")
    parts = [
        _issue(frame, no_head, "relation", "household.no_head"),
        _issue(frame, two_heads, "relation", "household.two_heads"),
    ]
    dup = pl.col("id_number").is_not_null() & pl.col("id_number").is_duplicated()
    parts.append(_issue(frame, dup, "id_number", "id.duplicate_in_file"))
    for name in MEMBER_REQUIRED:
        if name in frame.columns:
            parts.append(_issue(frame, pl.col(name).is_null(), name, "value.missing"))
    head_ok = pl.col("_is_head") & (pl.col("_heads") == 1)
    for name in HEAD_REQUIRED:
        if name in frame.columns:
            parts.append(_issue(frame, head_ok & pl.col(name).is_null(), name, "value.missing"))
    return parts


def _conflict_issues(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """Household fields on a member's row must be empty or repeat the head's."""
    present = [name for name in HOUSEHOLD_LEVEL if name in frame.columns]
    if not present:
        return []
    is_head = pl.col("_is_head")
    # Member rows usually leave household fields empty: find the few that fill any, and
    # compare those households only.
    filled = frame.filter(
        ~is_head & (pl.col("_heads") == 1) & pl.any_horizontal(pl.col(present).is_not_null())
    )
    if filled.height == 0:
        return []
    flags = filled.select("household_no").unique()
    rows = frame.join(flags.select("household_no"), on="household_no")
    head_values = rows.filter(is_head).select(
        "household_no", *[pl.col(name).alias(f"{name}__head") for name in present]
    )
    joined = rows.filter(~is_head).join(head_values, on="household_no", how="inner")
    return [
        _issue(
            joined,
            pl.col(name).is_not_null() & pl.col(name).ne_missing(pl.col(f"{name}__head")),
            name,
            "household.conflict",
        )
        for name in present
    ]


def _identity_issues(frame: pl.DataFrame) -> list[pl.DataFrame]:
    parts = []
    if "id_sex" in frame.columns:
        mismatch = pl.col("id_sex").is_not_null() & pl.col("sex").is_not_null()
        parts.append(_issue(frame, mismatch & (pl.col("id_sex") != pl.col("sex")), "sex",
                            "id.sex_mismatch"))  # fmt: skip
    if "id_birth_date" in frame.columns:
        known = pl.col("id_birth_date").is_not_null() & pl.col("birth_date").is_not_null()
        differs = known & (pl.col("id_birth_date") != pl.col("birth_date"))
        parts.append(_issue(frame, differs, "birth_date", "id.birth_mismatch"))
    return parts


def _member_issues(frame: pl.DataFrame) -> list[pl.DataFrame]:
    age = pl.col("_age")
    in_school = pl.col("in_school")
    working_age = age.is_between(*WORKING_AGE)
    return [
        _issue(frame, (age < 0), "birth_date", "member.birth_future"),
        _issue(frame, (age >= 6) & ~in_school.fill_null(False) & pl.col("education").is_null(),
               "education", "member.education_missing"),
        _issue(frame, age.is_between(6, 23) & in_school.is_null(), "in_school",
               "member.in_school_missing"),
        _issue(frame, working_age & pl.col("labor").is_null(), "labor", "member.labor_missing"),
        _issue(frame, working_age & (pl.col("health") == "healthy") & (pl.col("labor") == "lost"),
               "labor", "member.healthy_lost_labor"),
        _issue(frame, (age <= 14) & in_school & (pl.col("education") == "senior"), "education",
               "member.young_in_senior"),
        _issue(frame, (age >= 20) & in_school & (pl.col("education") == "primary"), "education",
               "member.old_in_primary"),
    ]  # fmt: skip


def _cause_issues(households: pl.DataFrame) -> list[pl.DataFrame]:
    def has(cause: str) -> pl.Expr:
        return (
            (pl.col("main_cause") == cause)
            | (pl.col("second_cause") == cause)
            | (pl.col("third_cause") == cause)
        ).fill_null(False)

    poor = pl.col("category").is_not_null() & (pl.col("category") != "")
    return [
        _issue(households, poor & pl.col("main_cause").is_null(), "main_cause", "cause.missing"),
        _issue(households, has("illness") & ~pl.col("_any_sick"), "main_cause",
               "cause.illness_without_sick"),
        _issue(households, has("disability") & ~pl.col("_any_disabled"), "main_cause",
               "cause.disability_without_disabled"),
        _issue(households, has("schooling") & ~pl.col("_any_student"), "main_cause",
               "cause.schooling_without_student"),
        _issue(households, (pl.col("category") == "tekun") & pl.col("_any_labourer"), "category",
               "household.tekun_with_labor"),
    ]  # fmt: skip


def _income_issues(households: pl.DataFrame) -> list[pl.DataFrame]:
    if "wage_income" not in households.columns:
        return []
    net = (
        pl.col("wage_income") + pl.col("business_income") - pl.col("business_cost")
        + pl.col("property_income") + pl.col("transfer_income")
    )  # fmt: skip
    per_capita = net / pl.col("_size")
    return [
        _issue(households, (per_capita <= 0) | (per_capita > 100_000), "wage_income",
               "income.per_capita_range"),
        _issue(households, (pl.col("business_income") > 0) & (pl.col("business_cost") == 0),
               "business_cost", "income.business_without_cost"),
        _issue(households, (pl.col("wage_income") > 0) & ~pl.col("_any_worker"), "wage_income",
               "income.wage_without_worker"),
        _issue(households, (pl.col("wage_income") == 0) & pl.col("_any_worker"), "wage_income",
               "income.worker_without_wage"),
    ]  # fmt: skip


def _spouse_issues(frame: pl.DataFrame) -> list[pl.DataFrame]:
    heads = frame.filter(pl.col("_is_head")).select("household_no", pl.col("sex").alias("_hs"))
    spouses = frame.filter(pl.col("relation") == "spouse").join(heads, on="household_no")
    return [_issue(spouses, pl.col("sex") == pl.col("_hs"), "sex", "member.head_spouse_same_sex")]


def check_households(members: pl.DataFrame, *, year: int) -> pl.DataFrame:
    """Every rule of DOMAIN.md 2.3 over typed member rows; one issue row per finding."""
    frame = _with_context(members, year)
    households = _household_rows(frame)
    parts = [
        *_structure_issues(frame),
        *_conflict_issues(frame),
        *_identity_issues(frame),
        *_member_issues(frame),
        *_cause_issues(households),
        *_income_issues(households),
        *_spouse_issues(frame),
    ]
    schema = empty_issues().schema
    return pl.concat([empty_issues(), *[part.cast(schema) for part in parts]])
