"""Reading cells of the household file into typed values (pure Polars, no Django).

`parse_cells` turns the all-text frame a file reader gives into typed columns and an
issue frame (row, column, code, value) for every cell that cannot be read. Rules that
span rows or households are in `registry.checks`.
"""

from __future__ import annotations

import polars as pl

from fupin.registry.columns import BY_NAME, COLUMNS, Column
from fupin.registry.issues import empty_issues
from fupin.registry.vocabulary import FORM_VALUES

FORMULA = r"^(?:[=@]|[+\-][^0-9\s])"
CONTROL = r"[\x00-\x1f\x7f]"
INTEGER = r"^[+\-]?[0-9]+$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CAUSE_SEPARATORS = r"[;；、,，]"
ROW = "_row"


def _raw(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars()


def _flag(name: str) -> pl.Expr:
    """'yes'/'no' (or 是/否, ...) → Boolean; anything else → null."""
    slug = _raw(name).replace_strict(FORM_VALUES[name], default=None, return_dtype=pl.String)
    return pl.when(slug == "yes").then(True).when(slug == "no").then(False)


def typed_value(column: Column) -> pl.Expr:
    """The typed value of one column (null where empty or unreadable)."""
    name = column.name
    raw = _raw(name)
    if column.kind == "enum":
        return raw.replace_strict(FORM_VALUES[name], default=None, return_dtype=pl.String)
    if column.kind == "flag":
        return _flag(name)
    if column.kind in ("int", "money"):
        return raw.cast(pl.Int64, strict=False)
    if column.kind == "date":
        return raw.str.to_date("%Y-%m-%d", strict=False)
    return raw


def _cell_checks(column: Column) -> list[pl.Expr]:
    """Expressions giving an issue code (or null) per row for one column's cells."""
    name = column.name
    raw = _raw(name)
    present = raw.is_not_null() & (raw != "")
    checks: list[pl.Expr] = []
    if column.kind == "text":
        checks.append(pl.when(raw.str.contains(CONTROL)).then(pl.lit("value.control_char")))
        checks.append(pl.when(raw.str.contains(FORMULA)).then(pl.lit("value.formula")))
    if column.kind in ("text", "code"):
        too_long = raw.str.len_chars() > column.max_length
        checks.append(pl.when(too_long).then(pl.lit("value.too_long")))
    if column.kind in ("enum", "flag"):
        unknown = present & typed_value(column).is_null()
        checks.append(pl.when(unknown).then(pl.lit("value.unknown")))
    if column.kind in ("int", "money"):
        bad = present & ~raw.str.contains(INTEGER)
        checks.append(pl.when(bad).then(pl.lit("value.not_integer")))
    if column.kind == "money":
        negative = raw.str.contains(INTEGER) & (raw.cast(pl.Int64, strict=False) < 0)
        checks.append(pl.when(negative).then(pl.lit("income.negative")))
    if column.kind == "date":
        bad = present & (~raw.str.contains(DATE) | typed_value(column).is_null())
        checks.append(pl.when(bad).then(pl.lit("value.date")))
    if column.kind == "code":
        bad = present & ~raw.str.contains(r"^[0-9]{12}$")
        checks.append(pl.when(bad).then(pl.lit("village.code_format")))
    if name == "migrant_months":
        out_of_range = raw.str.contains(INTEGER) & ~raw.cast(pl.Int64, strict=False).is_between(
            0, 12
        )
        checks.append(pl.when(out_of_range).then(pl.lit("member.migrant_months")))
    return checks


def _cause_list_checks(frame: pl.DataFrame) -> pl.DataFrame:
    """Issues of the `other_causes` cell: unknown values, more than two, repeating main."""
    if "other_causes" not in frame.columns:
        return empty_issues()
    vocabulary = FORM_VALUES["other_causes"]
    items = (
        frame.select(
            ROW,
            pl.col("other_causes").alias("value"),
            pl.col("other_causes")
            .str.replace_all(CAUSE_SEPARATORS, ";")
            .str.split(";")
            .alias("item"),
            typed_value(BY_NAME["main_cause"]).alias("main"),
        )
        .explode("item")
        .with_columns(pl.col("item").str.strip_chars())
        .filter(pl.col("item").is_not_null() & (pl.col("item") != ""))
        .with_columns(pl.col("item").replace_strict(vocabulary, default=None).alias("slug"))
    )
    unknown = items.filter(pl.col("slug").is_null()).select(ROW, "value").unique()
    repeated = items.filter(pl.col("slug") == pl.col("main")).select(ROW, "value").unique()
    counts = items.group_by(ROW).agg(pl.col("slug").n_unique().alias("n"), pl.first("value"))
    too_many = counts.filter(pl.col("n") > 2).select(ROW, "value")
    duplicated = items.group_by(ROW).agg(
        (pl.len() > pl.col("slug").n_unique()).alias("dup"), pl.first("value")
    )
    parts = [
        unknown.with_columns(pl.lit("value.unknown").alias("code")),
        repeated.with_columns(pl.lit("cause.repeated").alias("code")),
        too_many.with_columns(pl.lit("cause.too_many").alias("code")),
        duplicated.filter("dup")
        .select(ROW, "value")
        .with_columns(pl.lit("cause.repeated").alias("code")),
    ]
    return pl.concat(
        [p.select(pl.col(ROW).alias("row"), pl.lit("other_causes").alias("column"), "code", "value")
         for p in parts]
    )  # fmt: skip


def _other_causes(frame: pl.DataFrame) -> list[pl.Expr]:
    """`second_cause` and `third_cause` slugs from the `other_causes` cell."""
    if "other_causes" not in frame.columns:
        return [pl.lit("").alias("second_cause"), pl.lit("").alias("third_cause")]
    vocabulary = FORM_VALUES["other_causes"]
    items = (
        pl.col("other_causes")
        .str.replace_all(CAUSE_SEPARATORS, ";")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars().replace_strict(vocabulary, default=None))
        .list.drop_nulls()
        .list.unique(maintain_order=True)
    )
    return [
        items.list.get(0, null_on_oob=True).fill_null("").alias("second_cause"),
        items.list.get(1, null_on_oob=True).fill_null("").alias("third_cause"),
    ]


def parse_cells(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed columns and cell-level issues of an all-text household frame.

    `raw` holds canonical column names (any subset of COLUMNS) as strings and `_row`.
    Empty strings count as empty cells.
    """
    present = [c for c in COLUMNS if c.name in raw.columns]
    raw = raw.with_columns(
        pl.when(_raw(c.name) == "").then(None).otherwise(_raw(c.name)).alias(c.name)
        for c in present
    )
    issue_parts = [_cause_list_checks(raw)]
    for column in present:
        checks = _cell_checks(column)
        if not checks:
            continue
        codes = raw.select(
            pl.col(ROW).alias("row"),
            pl.col(column.name).alias("value"),
            pl.concat_list(checks).list.drop_nulls().alias("code"),
        ).explode("code")
        issue_parts.append(
            codes.filter(pl.col("code").is_not_null()).select(
                "row", pl.lit(column.name).alias("column"), "code", "value"
            )
        )
    typed = raw.select(
        pl.col(ROW),
        *[typed_value(c).alias(c.name) for c in present if c.name != "other_causes"],
        *_other_causes(raw),
    )
    issues = pl.concat([p.cast(empty_issues().schema) for p in issue_parts]).unique(
        maintain_order=True
    )
    return typed, issues
