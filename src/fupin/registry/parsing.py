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
# The largest income component or cost a household's year may hold (yuan): far above any
# rural household's, and small enough that the per-person income fits its column.
MONEY_MAX = 10**9
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CAUSE_SEPARATORS = r"[;；、,，]"
ROW = "_row"


def _flag(name: str) -> pl.Expr:
    """'yes'/'no' (or 是/否, ...) → Boolean; anything else → null."""
    slug = pl.col(name).replace_strict(FORM_VALUES[name], default=None, return_dtype=pl.String)
    return pl.when(slug == "yes").then(True).when(slug == "no").then(False)


def typed_value(column: Column) -> pl.Expr:
    """The typed value of one column (null where empty or unreadable)."""
    name = column.name
    raw = pl.col(name)
    if column.kind == "enum":
        return raw.replace_strict(FORM_VALUES[name], default=None, return_dtype=pl.String)
    if column.kind == "flag":
        return _flag(name)
    if column.kind in ("int", "money"):
        return raw.cast(pl.Int64, strict=False)
    if column.kind == "date":
        return raw.str.to_date("%Y-%m-%d", strict=False)
    return raw


def _cell_checks(column: Column) -> list[tuple[str, pl.Expr]]:
    """(issue code, condition) pairs for one column's cells; a true condition is an issue."""
    name = column.name
    raw = pl.col(name)
    present = raw.is_not_null() & (raw != "")
    checks: list[tuple[str, pl.Expr]] = []
    if column.kind == "text":
        checks.append(("value.control_char", raw.str.contains(CONTROL)))
        checks.append(("value.formula", raw.str.contains(FORMULA)))
    if column.kind in ("text", "code"):
        checks.append(("value.too_long", raw.str.len_chars() > column.max_length))
    if column.kind in ("enum", "flag"):
        checks.append(("value.unknown", present & typed_value(column).is_null()))
    if column.kind in ("int", "money"):
        checks.append(("value.not_integer", present & ~raw.str.contains(INTEGER)))
    if column.kind == "money":
        amount = raw.cast(pl.Int64, strict=False)
        checks.append(("income.negative", raw.str.contains(INTEGER) & (amount < 0)))
        too_large = present & raw.str.contains(INTEGER) & (amount.is_null() | (amount > MONEY_MAX))
        checks.append(("income.too_large", too_large))
    if column.kind == "date":
        bad = present & (~raw.str.contains(DATE) | typed_value(column).is_null())
        checks.append(("value.date", bad))
    if column.kind == "code":
        checks.append(("village.code_format", present & ~raw.str.contains(r"^[0-9]{12}$")))
    if name == "migrant_months":
        months = raw.cast(pl.Int64, strict=False)
        checks.append(
            ("member.migrant_months", raw.str.contains(INTEGER) & ~months.is_between(0, 12))
        )
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


def _cell_issues(raw: pl.DataFrame, present: list[Column]) -> pl.DataFrame:
    """Every cell-level check of every column; issues in long form (row, column, code)."""
    checks = [(column.name, code, condition) for column in present
              for code, condition in _cell_checks(column)]  # fmt: skip
    if not checks:
        return empty_issues()
    # One boolean pass over all cells finds the rare rows with an issue; the issue codes
    # are spelled out for those rows only (a text column per check would cost gigabytes).
    any_issue = pl.any_horizontal([condition.fill_null(False) for _, _, condition in checks])
    flagged = raw.filter(any_issue)
    codes = flagged.select(
        pl.col(ROW),
        *[
            pl.when(condition).then(pl.lit(code)).alias(f"{name}{_SEPARATOR}{index}")
            for index, (name, code, condition) in enumerate(checks)
        ],
    )
    long = (
        codes.unpivot(index=ROW, variable_name="check", value_name="code")
        .filter(pl.col("code").is_not_null())
        .with_columns(pl.col("check").str.split(_SEPARATOR).list.first().alias("column"))
    )
    values = flagged.select(ROW, *[pl.col(c.name) for c in present]).unpivot(
        index=ROW, variable_name="column", value_name="value"
    )
    return long.join(values, on=[ROW, "column"], how="left").select(
        pl.col(ROW).alias("row"), "column", "code", "value"
    )


_SEPARATOR = "\x1f"


def parse_cells(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed columns and cell-level issues of an all-text household frame.

    `raw` holds canonical column names (any subset of COLUMNS) as strings and `_row`,
    cells stripped and empty cells null, as `registry.fileformats` gives them.
    """
    present = [c for c in COLUMNS if c.name in raw.columns]
    issues = pl.concat(
        [_cause_list_checks(raw), _cell_issues(raw, present)], how="vertical_relaxed"
    )
    typed = raw.select(
        pl.col(ROW),
        *[typed_value(c).alias(c.name) for c in present if c.name != "other_causes"],
        *_other_causes(raw),
    )
    return typed, issues.cast(empty_issues().schema).unique(maintain_order=True)
