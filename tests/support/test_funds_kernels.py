"""The funds rollup kernel (资金对账): a worked example, and properties over any allocations
and payments: every level adds up to the one above, and money passed down never vanishes
between the levels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.support.funds.kernels import (
    ADDITIVE,
    ALLOCATION_SCHEMA,
    DISBURSEMENT_SCHEMA,
    county_spending,
    funds_flags,
    funds_nodes,
    funds_rollup,
)

D = Decimal
PROVINCES, PREFECTURES, COUNTIES = ("11", "52"), ("01", "27"), ("01", "27")
REGIONS = [p for p in PROVINCES] + [p + c for p in PROVINCES for c in PREFECTURES] + [
    p + c + k for p in PROVINCES for c in PREFECTURES for k in COUNTIES]  # fmt: skip
COUNTY_CODES = [code for code in REGIONS if len(code) == 6]
YEARS = (2018, 2019)


def allocations_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ALLOCATION_SCHEMA, orient="row")


def payments_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=DISBURSEMENT_SCHEMA, orient="row")


def test_a_worked_example() -> None:
    # given: the centre gives 52 100; 52 budgets 10 of its own, passes 70 to a county and
    # 20 to a prefecture; the county budgets 5 of its own, merged, and pays 85
    allocations = allocations_frame([
        (2018, "", "52", D(100), date(2018, 3, 1), False),
        (2018, "52", "522727", D(70), date(2018, 4, 1), False),
        (2018, "52", "52", D(10), date(2018, 4, 1), False),
        (2018, "52", "5227", D(20), date(2018, 4, 1), False),
        (2018, "522727", "522727", D(5), date(2018, 4, 1), True),
    ])  # fmt: skip
    payments = payments_frame([(2018, "522727100218", D(30), 1), (2018, "522727100218", D(5), 1),
                               (2018, "522727", D(50), None)])  # fmt: skip
    # when
    spending = county_spending(payments)
    nodes = funds_nodes(allocations, spending, idle_cutoff={"": date(2018, 3, 15)})
    rollup = funds_rollup(allocations, nodes)
    # then
    assert spending.rows() == [(2018, "522727", D(50), D(35), 1)]
    by_code = {row["code"]: row for row in nodes.to_dicts()}
    assert [by_code["52"][k] for k in ("allocated", "passed_down", "available", "idle")] == [
        D(110),
        D(90),
        D(20),
        D(10),
    ]  # only the centre's 100 is older than the cutoff
    assert [by_code["522727"][k] for k in ("disbursed", "undisbursed", "overspent")] == [
        D(85), D(-10), D(10)]  # fmt: skip
    assert funds_flags(nodes)["code"].to_list() == ["52", "522727"]
    rows = {(row["level"], row["code"]): row for row in rollup.to_dicts()}
    assert [rows[(4, "5200")][k] for k in ("received", "own_funds", "passed_out", "available")] == [
        D(100), D(10), D(90), D(20)]  # fmt: skip
    assert [rows[(0, "")][k] for k in ("own_funds", "available", "disbursed", "integrated")] == [
        D(115), D(115), D(85), D(5)]  # fmt: skip


amounts = st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2)
days = st.dates(min_value=date(2017, 10, 1), max_value=date(2019, 12, 31))


@st.composite
def allocation(draw: st.DrawFn) -> tuple[Any, ...]:
    receiver = draw(st.sampled_from(REGIONS))
    givers = ["", *[receiver[:n] for n in (2, 4, 6) if n <= len(receiver)]]
    return (draw(st.sampled_from(YEARS)), draw(st.sampled_from(givers)), receiver,
            draw(amounts), draw(days), draw(st.booleans()) and len(receiver) == 6)  # fmt: skip


@st.composite
def payment(draw: st.DrawFn) -> tuple[Any, ...]:
    county = draw(st.sampled_from(COUNTY_CODES))
    household = draw(st.none() | st.integers(0, 4))
    # a household lives in one village of one county
    where = county if household is None else f"{county}100200"
    household_id = None if household is None else COUNTY_CODES.index(county) * 10 + household
    return draw(st.sampled_from(YEARS)), where, draw(amounts), household_id


def children(rollup: pl.DataFrame, level: int, code: str, year: int) -> pl.DataFrame:
    return rollup.filter(
        (pl.col("level") == level + 2) & pl.col("code").str.starts_with(code)
        & (pl.col("year") == year)
    )  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    st.lists(allocation(), max_size=30),
    st.lists(payment(), max_size=20),
    st.dates(min_value=date(2017, 10, 1), max_value=date(2019, 12, 31)),
)
def test_every_level_adds_up_and_nothing_passed_down_vanishes(
    allocations: list[tuple[Any, ...]], payments: list[tuple[Any, ...]], cutoff: date
) -> None:
    given_frame = allocations_frame(allocations)
    nodes = funds_nodes(given_frame, county_spending(payments_frame(payments)),
                        idle_cutoff={"": cutoff})  # fmt: skip
    rollup = funds_rollup(given_frame, nodes)
    for row in rollup.to_dicts():
        # what a part of the tree has is what came in, plus its own budget, less what left
        assert row["available"] == row["received"] + row["own_funds"] - row["passed_out"]
        if row["level"] == 6:
            continue
        parts = children(rollup, row["level"], row["code"], row["year"])
        assert parts.height > 0
        for name in ADDITIVE:
            assert parts[name].sum() == row[name], name
        net = (parts["received"] - parts["passed_out"]).sum()
        assert net == row["received"] - row["passed_out"]
    for year in YEARS:
        mine = [a for a in allocations if a[0] == year]
        paid = [p for p in payments if p[0] == year]
        nation = rollup.filter((pl.col("level") == 0) & (pl.col("year") == year))
        if not mine and not paid:
            assert nation.is_empty()
            continue
        top = nation.row(0, named=True)
        # the centre's allocations and every budget line, counted once
        assert top["own_funds"] == sum((a[3] for a in mine if a[1] in ("", a[2])), D(0))
        assert top["disbursed"] == sum((p[2] for p in paid), D(0))
        assert top["households_paid"] == len({p[3] for p in paid if p[3] is not None})
        for region in REGIONS:
            _check_region(rollup, nodes, mine, region, year)


def _check_region(
    rollup: pl.DataFrame, nodes: pl.DataFrame, mine: list[tuple[Any, ...]], region: str, year: int
) -> None:
    """A region's received money is what came into it from above, and what it passed down
    leaves its own-level row."""
    row = rollup.filter((pl.col("code") == region) & (pl.col("year") == year))
    came = sum((a[3] for a in mine if a[2].startswith(region) and not a[1].startswith(region)),
               D(0))  # fmt: skip
    assert (row["received"].sum() if row.height else D(0)) == came
    if len(region) == 6:
        return
    passed = sum((a[3] for a in mine if a[1] == region and a[2] != region), D(0))
    node = nodes.filter((pl.col("code") == region) & (pl.col("year") == year))
    assert (node["passed_down"].sum() if node.height else D(0)) == passed
    own = rollup.filter(
        (pl.col("level") == len(region) + 2) & (pl.col("code") == region + "00")
        & (pl.col("year") == year)
    )  # fmt: skip
    assert (own["passed_out"].sum() if own.height else D(0)) == passed
