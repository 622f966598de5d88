"""A microcredit portfolio as of a day (扶贫小额信贷): pure functions over Polars frames.

`loan_states` says where each loan stands on a day from its amount, due date, the
principal repaid by then and its write-off. `credit_rates` sums the states by region (a
code prefix of the household's village) into the overdue and default rates, by households
and by amounts. No Django, no I/O.

A loan is *outstanding* while something is owed and it is not written off; it is *overdue*
once its due date has passed with principal unpaid, and *defaulted* once overdue for more
than the policy's days (`credit_default_days`). Defaulted loans are overdue too: the
overdue rate counts them, the default rate counts only them. A written-off loan (covered
by the risk compensation fund, 风险补偿金) is no longer outstanding.
"""

from __future__ import annotations

from datetime import date

import polars as pl

MONEY = pl.Decimal(38, 2)
ZERO = pl.lit(0).cast(MONEY)

LOAN_SCHEMA: dict[str, pl.DataType] = {
    "loan_id": pl.Int64(),
    "household_id": pl.Int64(),
    "village_code": pl.String(),
    "amount": MONEY,
    "issued_on": pl.Date(),
    "due_on": pl.Date(),
    "principal_repaid": MONEY,  # by the day the states are taken on
    "written_off_on": pl.Date(),
}
OUTSTANDING = ("current", "overdue", "defaulted")
PAST_DUE = ("overdue", "defaulted")
RATE_COLUMNS = ("overdue_household_rate", "default_household_rate", "overdue_amount_rate",
                "default_amount_rate")  # fmt: skip


def loan_states(loans: pl.DataFrame, *, on: date, default_days: int) -> pl.DataFrame:
    """Each loan issued by `on` (LOAN_SCHEMA) with its `balance` (principal owed), the days
    it is overdue and its `status` on that day."""
    issued = loans.select(pl.col(name).cast(dtype) for name, dtype in LOAN_SCHEMA.items()).filter(
        pl.col("issued_on") <= on
    )
    written_off = pl.col("written_off_on").is_not_null() & (pl.col("written_off_on") <= on)
    owed = (pl.col("amount") - pl.col("principal_repaid")).clip(lower_bound=ZERO)
    late = (pl.lit(on) - pl.col("due_on")).dt.total_days()
    return issued.with_columns(
        balance=pl.when(written_off).then(ZERO).otherwise(owed),
        days_overdue=pl.when(written_off | (owed == ZERO)).then(0).otherwise(late.clip(0)),
    ).with_columns(
        status=pl.when(written_off)
        .then(pl.lit("written_off"))
        .when(pl.col("balance") == ZERO)
        .then(pl.lit("repaid"))
        .when(pl.col("days_overdue") > default_days)
        .then(pl.lit("defaulted"))
        .when(pl.col("days_overdue") > 0)
        .then(pl.lit("overdue"))
        .otherwise(pl.lit("current"))
    )


def credit_rates(states: pl.DataFrame, *, level: int) -> pl.DataFrame:
    """The portfolio of `states` (from `loan_states`) by region of `level` digits (0: the
    nation): households and balances outstanding, overdue and defaulted, the amount written
    off, and the four rates (null where nothing is outstanding)."""
    status = pl.col("status")
    by_household = pl.col("household_id")
    return (
        states.with_columns(region_code=pl.col("village_code").str.slice(0, level))
        .group_by("region_code")
        .agg(
            loans=pl.len().cast(pl.Int64),
            households=by_household.n_unique().cast(pl.Int64),
            lent=pl.col("amount").sum().cast(MONEY),
            households_outstanding=by_household.filter(status.is_in(OUTSTANDING))
            .n_unique()
            .cast(pl.Int64),
            households_overdue=by_household.filter(status.is_in(PAST_DUE))
            .n_unique()
            .cast(pl.Int64),
            households_defaulted=by_household.filter(status == "defaulted")
            .n_unique()
            .cast(pl.Int64),
            balance=pl.col("balance").sum().cast(MONEY),
            overdue_balance=pl.col("balance").filter(status.is_in(PAST_DUE)).sum().cast(MONEY),
            defaulted_balance=pl.col("balance").filter(status == "defaulted").sum().cast(MONEY),
            written_off=(pl.col("amount") - pl.col("principal_repaid"))
            .filter(status == "written_off")
            .sum()
            .cast(MONEY),
        )
        .with_columns(
            overdue_household_rate=_share("households_overdue", "households_outstanding"),
            default_household_rate=_share("households_defaulted", "households_outstanding"),
            overdue_amount_rate=_share("overdue_balance", "balance"),
            default_amount_rate=_share("defaulted_balance", "balance"),
        )
        .sort("region_code")
    )


def _share(part: str, whole: str) -> pl.Expr:
    whole_value = pl.col(whole).cast(pl.Float64)
    return (
        pl.when(whole_value > 0)
        .then(pl.col(part).cast(pl.Float64) / whole_value)
        .otherwise(None)
        .cast(pl.Float64)
    )
