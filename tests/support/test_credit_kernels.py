"""The microcredit kernels (pure): a loan's state on a day, the default boundary, and
properties over random portfolios: a balance never negative, repaid exactly when nothing
is owed, rates within [0, 1], the sub-regions adding up to the region."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.support.credit.kernels import LOAN_SCHEMA, RATE_COLUMNS, credit_rates, loan_states
from fupin.support.relocation.kernels import relocation_progress

VILLAGES = ("522727100218", "522727100212", "522728100201")


def loans(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LOAN_SCHEMA, orient="row")


def test_a_loan_defaults_the_day_after_the_default_days() -> None:
    frame = loans([(1, 1, VILLAGES[0], Decimal(1000), date(2017, 10, 2), date(2019, 10, 2),
                    Decimal(0), None)])  # fmt: skip
    states = [
        loan_states(frame, on=day, default_days=90)["status"][0]
        for day in (date(2019, 10, 2), date(2019, 10, 3), date(2019, 12, 31), date(2020, 1, 1))
    ]
    assert states == ["current", "overdue", "overdue", "defaulted"]
    assert loan_states(frame, on=date(2017, 10, 1), default_days=90).height == 0


def test_no_loans_no_rates() -> None:
    rates = credit_rates(loan_states(loans([]), on=date(2019, 1, 1), default_days=90), level=6)
    assert rates.height == 0


def test_relocation_progress_without_a_target_has_no_share() -> None:
    moves = pl.DataFrame({"village_code": [VILLAGES[0]], "plan_year": [2018],
                          "status": ["moved"], "households": [2], "persons": [7]})  # fmt: skip
    targets = pl.DataFrame(schema={"region_code": pl.String, "year": pl.Int32,
                                   "households": pl.Int64, "persons": pl.Int64})  # fmt: skip
    row = relocation_progress(targets, moves, year=2018, prefix="52", level=6).row(0, named=True)
    assert (row["moved_households"], row["moved_persons"], row["moved_share"]) == (2, 7, None)


@st.composite
def portfolio(draw: st.DrawFn) -> pl.DataFrame:
    rows = []
    for loan_id in range(1, draw(st.integers(1, 25)) + 1):
        issued = date(2015, 1, 1) + timedelta(days=draw(st.integers(0, 1500)))
        amount = Decimal(draw(st.integers(1, 5000))) * 10
        repaid = Decimal(draw(st.integers(0, int(amount)))) if draw(st.booleans()) else amount
        written = issued + timedelta(days=draw(st.integers(1, 2000))) if draw(
            st.integers(0, 9)) == 0 else None  # fmt: skip
        rows.append((loan_id, draw(st.integers(1, 8)), draw(st.sampled_from(VILLAGES)), amount,
                     issued, issued + timedelta(days=draw(st.integers(30, 1100))), repaid,
                     written))  # fmt: skip
    return loans(rows)


@settings(max_examples=60, deadline=None)
@given(frame=portfolio(), offset=st.integers(0, 3000), days=st.integers(0, 365))
def test_balances_states_and_rates_hold_for_any_portfolio(
    frame: pl.DataFrame, offset: int, days: int
) -> None:
    on = date(2015, 1, 1) + timedelta(days=offset)
    states = loan_states(frame, on=on, default_days=days)
    assert (states["balance"] >= 0).all()
    repaid = states.filter(pl.col("status") == "repaid")
    owed_nothing = states.filter((pl.col("balance") == 0) & (pl.col("status") != "written_off"))
    assert repaid["loan_id"].to_list() == owed_nothing["loan_id"].to_list()
    assert (states.filter(pl.col("status") == "defaulted")["days_overdue"] > days).all()
    region = credit_rates(states, level=4)
    villages = credit_rates(states, level=12)
    for rates in (region, villages):
        for name in RATE_COLUMNS:
            values = rates[name].drop_nulls()
            assert ((values >= 0) & (values <= 1)).all(), name
        assert (rates["overdue_balance"] >= rates["defaulted_balance"]).all()
        assert (rates["households_overdue"] >= rates["households_defaulted"]).all()
    for name in ("loans", "balance", "overdue_balance", "defaulted_balance", "written_off"):
        assert region[name].sum() == villages[name].sum(), name
