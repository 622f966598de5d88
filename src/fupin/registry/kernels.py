"""Pure Polars kernels of the registry: frame layouts, derived figures and diffs.

No Django import and no I/O: these take frames and return frames, so the same code serves
the import, the synthetic country and, later, batch jobs running elsewhere.
"""

from __future__ import annotations

import polars as pl

HOUSEHOLD_FIELDS: dict[str, pl.DataType] = {
    "household_no": pl.String(),
    "village_code": pl.String(),
    "category": pl.String(),
    "main_cause": pl.String(),
    "second_cause": pl.String(),
    "third_cause": pl.String(),
    "phone": pl.String(),
    "bank_account": pl.String(),
    "address": pl.String(),
}
MEMBER_FIELDS: dict[str, pl.DataType] = {
    "household_no": pl.String(),
    "name": pl.String(),
    "id_number": pl.String(),
    "relation": pl.String(),
    "sex": pl.String(),
    "birth_date": pl.Date(),
    "ethnicity": pl.String(),
    "education": pl.String(),
    "in_school": pl.Boolean(),
    "health": pl.String(),
    "labor": pl.String(),
    "migrant_months": pl.Int16(),
    "medical_insured": pl.Boolean(),
    "critical_illness_insured": pl.Boolean(),
    "pension_insured": pl.Boolean(),
}
INCOME_FIELDS = (
    "wage_income",
    "business_income",
    "business_cost",
    "property_income",
    "transfer_income",
)
ASSESSMENT_FIELDS: dict[str, pl.DataType] = {
    "household_no": pl.String(),
    "year": pl.Int16(),
    **{name: pl.Int64() for name in INCOME_FIELDS},
    "household_size": pl.Int16(),
    "food_ok": pl.Boolean(),
    "clothing_ok": pl.Boolean(),
    "education_ok": pl.Boolean(),
    "medical_ok": pl.Boolean(),
    "housing_grade": pl.String(),
    "water_ok": pl.Boolean(),
}
TRANSITION_FIELDS: dict[str, pl.DataType] = {
    "household_no": pl.String(),
    "from_status": pl.String(),
    "to_status": pl.String(),
    "year": pl.Int16(),
    "date": pl.Date(),
    "reason": pl.String(),
}
# Text columns stored as '' rather than NULL (Django's convention for CharField).
BLANK_TEXT = {
    "category", "main_cause", "second_cause", "third_cause", "phone", "bank_account",
    "address", "education", "labor", "reason",
}  # fmt: skip
# Defaults for NOT NULL columns a file may leave empty.
DEFAULTS: dict[str, object] = {"in_school": False, "migrant_months": 0}


def conform(frame: pl.DataFrame, layout: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast `frame` to `layout`, filling absent columns with nulls and blanks."""
    columns = []
    for name, dtype in layout.items():
        expr = pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype)
        if name in BLANK_TEXT:
            expr = expr.fill_null("")
        elif name in DEFAULTS:
            expr = expr.fill_null(pl.lit(DEFAULTS[name], dtype))
        columns.append(expr.alias(name))
    return frame.select(columns)


def net_income_per_capita(frame: pl.DataFrame) -> pl.Expr:
    """Per-capita net income in yuan with 2 decimals, rounded half away from zero, no floats.

    (wages + business − business cost + property + transfers) / household size.
    """
    total = (
        pl.col("wage_income")
        + pl.col("business_income")
        - pl.col("business_cost")
        + pl.col("property_income")
        + pl.col("transfer_income")
    )
    size = pl.col("household_size").cast(pl.Int64)
    cents = (total.abs() * 200 + size) // (2 * size)
    cents = pl.when(total < 0).then(-cents).otherwise(cents)
    # The scale must be set before dividing: Decimal(18, 0) / 100 drops the cents.
    return (cents.cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(12, 2))


def latest_status(transitions: pl.DataFrame) -> pl.DataFrame:
    """The current status of each household: its latest transition's `to_status`."""
    return (
        transitions.with_row_index("_order")
        .sort(["household_no", "date", "_order"])
        .group_by("household_no", maintain_order=True)
        .agg(pl.col("to_status").last().alias("status"))
    )


def changed_rows(
    incoming: pl.DataFrame, existing: pl.DataFrame, key: list[str], fields: list[str]
) -> pl.DataFrame:
    """Rows of `incoming` whose key exists in `existing` with a different value in `fields`.

    The result holds the key, `id` from `existing`, the incoming fields, and each field's
    previous value as `<field>__before` for the audit trail.
    """
    before = existing.select(
        [*key, "id", *[pl.col(name).alias(f"{name}__before") for name in fields]]
    )
    joined = incoming.join(before, on=key, how="inner")
    differs = pl.any_horizontal(
        [pl.col(name).ne_missing(pl.col(f"{name}__before")) for name in fields]
    )
    return joined.filter(differs) if fields else joined.clear()
