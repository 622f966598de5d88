"""Reconciling funds down the levels (资金对账): pure functions over Polars frames.

Every region of the four fund-holding levels (the centre, province, prefecture, county) is
a *node*. Its own figures come from the allocations into and out of it and, for a county,
its payments. The rollup then sums node figures by `substr(place, 1, k)`, where a node's
place is its code padded with zeros to six digits (GB/T 2260: 贵州 52 is 520000, 黔南州
5227 is 522700). A region's row at level k therefore has its sub-regions at level k + 2
as children *and* its own level (本级) as one more child, the padded code ending in 00:
money a province keeps is shown as its own row instead of vanishing between the levels,
and every additive figure of a region is the sum of its children's.

The centre has no one above it: its allocations are its own funds, so it keeps nothing.
Amounts are Decimal(38, 2) throughout; no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

MONEY = pl.Decimal(38, 2)
LEVELS = (0, 2, 4, 6)
PLACE_DIGITS = 6
ZERO = pl.lit(0).cast(MONEY)

ALLOCATION_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "from_code": pl.String(),
    "to_code": pl.String(),
    "amount": MONEY,
    "allocated_on": pl.Date(),
    "integrated": pl.Boolean(),
}
DISBURSEMENT_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "region_code": pl.String(),
    "amount": MONEY,
    "household_id": pl.Int64(),
}
SPENDING_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "county_code": pl.String(),
    "to_projects": MONEY,
    "to_households": MONEY,
    "households_paid": pl.Int64(),
}
# Node figures that add up from the nodes to any level.
ADDITIVE = ("own_funds", "integrated", "available", "to_projects", "to_households",
            "disbursed", "households_paid", "undisbursed", "idle", "overspent")  # fmt: skip
NODE_MONEY = ("allocated", "own_funds", "integrated", "early", "passed_down",
              "to_projects", "to_households")  # fmt: skip


def county_spending(disbursements: pl.DataFrame) -> pl.DataFrame:
    """Each county's payments of a year (DISBURSEMENT_SCHEMA rows; a null household is a
    payment to a project): to projects, to households, and the households paid."""
    paid = disbursements.select(
        pl.col(name).cast(dtype) for name, dtype in DISBURSEMENT_SCHEMA.items()
    ).with_columns(county_code=pl.col("region_code").str.slice(0, PLACE_DIGITS))
    to_household = pl.col("household_id").is_not_null()
    return (
        paid.group_by("year", "county_code")
        .agg(
            to_projects=pl.col("amount").filter(~to_household).sum(),
            to_households=pl.col("amount").filter(to_household).sum(),
            households_paid=pl.col("household_id").drop_nulls().n_unique().cast(pl.Int64),
        )
        .select(pl.col(name).cast(dtype) for name, dtype in SPENDING_SCHEMA.items())
        .sort("year", "county_code")
    )


def funds_nodes(
    allocations: pl.DataFrame, spending: pl.DataFrame, *, idle_cutoff: Mapping[str, date]
) -> pl.DataFrame:
    """One row per node (code of 0, 2, 4 or 6 digits) and year with its own figures.

    `allocations` has ALLOCATION_SCHEMA, `spending` SPENDING_SCHEMA (`county_spending`).
    `idle_cutoff` maps a province code to the last allocation day whose money, still unspent,
    counts as idle; '' holds the day for the centre and every province not listed.

    allocated: into the node (its own budget lines included); own_funds: those lines (the
    centre's allocations are all its own); passed_down: out of it to regions below;
    available = allocated - passed_down; disbursed: paid by it (a county);
    undisbursed = available - disbursed; idle: money allocated by the cutoff and
    neither passed down nor paid (the oldest money is spent first); overspent: passed down
    and paid beyond what was allocated.
    """
    given = _allocations(allocations)
    # The centre's allocations are its own funds: as budget lines of the centre they make
    # it keep nothing, and its money is counted once, where it starts.
    lines = pl.concat(
        [given, given.filter(pl.col("from_code") == "").with_columns(to_code=pl.lit(""))]
    )
    default = idle_cutoff.get("", date.min)
    lines = lines.with_columns(
        cutoff=pl.col("to_code")
        .str.slice(0, 2)
        .replace_strict(dict(idle_cutoff), default=default, return_dtype=pl.Date)
    )
    incoming = lines.group_by("year", code=pl.col("to_code")).agg(
        allocated=pl.col("amount").sum(),
        own_funds=pl.col("amount").filter(pl.col("from_code") == pl.col("to_code")).sum(),
        integrated=pl.col("amount").filter(pl.col("integrated")).sum(),
        early=pl.col("amount").filter(pl.col("allocated_on") <= pl.col("cutoff")).sum(),
    )
    outgoing = (
        given.filter(pl.col("from_code") != pl.col("to_code"))
        .group_by("year", code=pl.col("from_code"))
        .agg(passed_down=pl.col("amount").sum())
    )
    paying = (
        spending.select(pl.col(name).cast(dtype) for name, dtype in SPENDING_SCHEMA.items())
        .group_by("year", code=pl.col("county_code"))
        .agg(pl.col("to_projects", "to_households", "households_paid").sum())
    )
    nodes = incoming.join(outgoing, on=["year", "code"], how="full", coalesce=True).join(
        paying, on=["year", "code"], how="full", coalesce=True
    )
    return (
        nodes.with_columns(
            *[pl.col(name).cast(MONEY).fill_null(ZERO) for name in NODE_MONEY],
            pl.col("households_paid").fill_null(0).cast(pl.Int64),
        )
        .with_columns(
            available=pl.col("allocated") - pl.col("passed_down"),
            disbursed=pl.col("to_projects") + pl.col("to_households"),
        )
        .with_columns(
            undisbursed=pl.col("available") - pl.col("disbursed"),
            idle=_at_least_zero(pl.col("early") - pl.col("passed_down") - pl.col("disbursed")),
            overspent=_at_least_zero(
                pl.col("passed_down") + pl.col("disbursed") - pl.col("allocated")
            ),
        )
        .drop("early")
        .sort("year", "code")
    )


def funds_rollup(allocations: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """The node figures summed to every level (0, 2, 4, 6) by the prefix of their place,
    with the flows across each row's border: received (allocated into it from outside)
    and passed_out (allocated from it to outside; only a row of a level's own funds, 本级,
    passes money out). On every row available = received + own_funds - passed_out.
    `own_level` marks a row that stands for the money of its parent's own level."""
    given = _allocations(allocations).filter(pl.col("from_code") != pl.col("to_code"))
    frames = []
    for length in LEVELS:
        summed = nodes.group_by("year", code=_place("code").str.slice(0, length)).agg(
            pl.col(list(ADDITIVE)).sum()
        )
        crossing = given.with_columns(
            giver=_place("from_code").str.slice(0, length),
            receiver=_place("to_code").str.slice(0, length),
        ).filter(pl.col("giver") != pl.col("receiver"))
        received = crossing.group_by("year", code=pl.col("receiver")).agg(
            received=pl.col("amount").sum()
        )
        passed_out = crossing.group_by("year", code=pl.col("giver")).agg(
            passed_out=pl.col("amount").sum()
        )
        rows = (
            summed.join(received, on=["year", "code"], how="full", coalesce=True)
            .join(passed_out, on=["year", "code"], how="full", coalesce=True)
            .with_columns(
                pl.lit(length, pl.Int8).alias("level"),
                own_level=pl.lit(length > 0) & pl.col("code").str.ends_with("00"),
            )
        )
        frames.append(rows)
    money = ["received", "passed_out", *[name for name in ADDITIVE if name != "households_paid"]]
    return (
        pl.concat(frames, how="diagonal_relaxed")
        .with_columns(
            *[pl.col(name).cast(MONEY).fill_null(ZERO) for name in money],
            pl.col("households_paid").fill_null(0).cast(pl.Int64),
        )
        .select("level", "code", "year", "own_level", "received", "passed_out", *ADDITIVE)
        .sort("level", "code", "year")
    )


def funds_flags(nodes: pl.DataFrame) -> pl.DataFrame:
    """The nodes with money idle or overspent, the largest first."""
    return nodes.filter((pl.col("idle") > 0) | (pl.col("overspent") > 0)).sort(
        pl.col("idle") + pl.col("overspent"), "code", descending=[True, False]
    )


def _allocations(allocations: pl.DataFrame) -> pl.DataFrame:
    return allocations.select(
        pl.col(name).cast(dtype) for name, dtype in ALLOCATION_SCHEMA.items()
    ).with_columns(pl.col("from_code").fill_null(""), pl.col("integrated").fill_null(False))


def _place(name: str) -> pl.Expr:
    """A node's code padded to six digits (the centre is 000000)."""
    return pl.col(name).str.pad_end(PLACE_DIGITS, "0")


def _at_least_zero(amount: pl.Expr) -> pl.Expr:
    return pl.when(amount > 0).then(amount).otherwise(ZERO)
