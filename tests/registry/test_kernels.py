"""Registry kernels: per-capita income without floats, latest status, diffs."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.registry.kernels import changed_rows, latest_status, net_income_per_capita

money = st.integers(min_value=0, max_value=2_000_000)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(money, money, money, money, money, st.integers(min_value=1, max_value=15)),
        min_size=1,
        max_size=40,
    )
)
def test_per_capita_income_matches_exact_decimal_arithmetic(rows: list[tuple[int, ...]]) -> None:
    # given
    names = ["wage_income", "business_income", "business_cost", "property_income",
             "transfer_income", "household_size"]  # fmt: skip
    frame = pl.DataFrame(rows, schema=names, orient="row")
    # when
    computed = frame.select(net_income_per_capita(frame).alias("x"))["x"].to_list()
    # then
    for (wage, business, cost, prop, transfer, size), value in zip(rows, computed, strict=True):
        exact = Decimal(wage + business - cost + prop + transfer) / Decimal(size)
        assert value == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_latest_status_follows_the_last_dated_transition() -> None:
    transitions = pl.DataFrame(
        {
            "household_no": ["A", "A", "B", "A"],
            "to_status": ["registered", "returned", "registered", "exited"],
            "date": [date(2014, 10, 1), date(2019, 5, 1), date(2015, 1, 1), date(2017, 1, 1)],
        }
    )
    status = dict(latest_status(transitions).iter_rows())
    assert status == {"A": "returned", "B": "registered"}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 3)), unique_by=lambda t: t[0]))
def test_changed_rows_finds_exactly_the_differing_keys(pairs: list[tuple[int, int]]) -> None:
    # given existing values 0 for every key, and incoming values that differ for some keys
    existing = pl.DataFrame(
        {"k": [k for k, _ in pairs], "id": [k + 100 for k, _ in pairs], "v": [0] * len(pairs)},
        schema={"k": pl.Int64, "id": pl.Int64, "v": pl.Int64},
    )
    incoming = pl.DataFrame(pairs, schema={"k": pl.Int64, "v": pl.Int64}, orient="row")
    # when
    changed = changed_rows(incoming, existing, ["k"], ["v"])
    # then
    assert sorted(changed["k"].to_list()) == sorted(k for k, v in pairs if v != 0)
    assert all(changed["v__before"] == 0)
