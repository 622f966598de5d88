"""Rollup kernels: flags per household, villages, levels; sums hold whatever the input."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.stats import kernels
from fupin.stats.kernels import (
    LEVEL_LENGTHS,
    household_persons,
    household_year_frame,
    households_missing_size,
    region_year_rows,
    rollup_levels,
    village_rollup,
)

# Villages that share some prefixes and not others, down to the township.
VILLAGES = ("522727100218", "522727100212", "522727101201", "522701001001", "523001001001",
            "110101001001")  # fmt: skip
STATUSES = ("registered", "exited", "returned", "removed")
CATEGORIES = ("", "general", "dibao", "tekun")
CAUSES = ("", "illness", "land")
YEARS = range(2014, 2021)


def households_frame(rows: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "household_id": list(range(1, len(rows) + 1)),
            "village_code": [row[0] for row in rows],
            "category": [row[1] for row in rows],
            "main_cause": [row[2] for row in rows],
            "persons": [row[3] for row in rows],
        },
        schema={**kernels.HOUSEHOLD_SCHEMA, "persons": pl.Int64},
    )


def transitions_frame(rows: list[tuple[int, str, int, int]]) -> pl.DataFrame:
    """Rows of (household_id, to_status, year, day of the year); ids in row order."""
    return pl.DataFrame(
        {
            "household_id": [row[0] for row in rows],
            "transition_id": list(range(1, len(rows) + 1)),
            "to_status": [row[1] for row in rows],
            "year": [row[2] for row in rows],
            "date": [date(row[2], 1, 1) + timedelta(days=row[3]) for row in rows],
        },
        schema=kernels.TRANSITION_SCHEMA,
    )


household_rows = st.lists(
    st.tuples(
        st.sampled_from(VILLAGES), st.sampled_from(CATEGORIES), st.sampled_from(CAUSES),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=40,
)  # fmt: skip


@st.composite
def registries(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    households = draw(household_rows)
    transitions = draw(
        st.lists(
            st.tuples(
                st.integers(1, len(households)), st.sampled_from(STATUSES),
                st.sampled_from(YEARS), st.integers(0, 3),
            ),
            max_size=60,
        )
    )  # fmt: skip
    return households_frame(households), transitions_frame(transitions)


def rows_of(frame: pl.DataFrame) -> dict[tuple[str, str, str], int]:
    return {
        (code, measure, key): value
        for code, measure, key, value in frame.select(
            "region_code", "measure", "key", "value"
        ).iter_rows()
    }


def reference_status(transitions: pl.DataFrame, household: int, year: int) -> str:
    """The latest transition up to `year` by (date, id), the slow obvious way."""
    mine = [
        (row["date"], row["transition_id"], row["to_status"])
        for row in transitions.iter_rows(named=True)
        if row["household_id"] == household and row["year"] <= year
    ]
    return max(mine)[2] if mine else "not_registered"


@settings(max_examples=150, deadline=None)
@given(registries(), st.sampled_from(YEARS))
def test_flags_follow_the_latest_transition_of_the_year(
    registry: tuple[pl.DataFrame, pl.DataFrame], year: int
) -> None:
    # given
    households, transitions = registry
    # when
    flags = household_year_frame(households=households, transitions=transitions, year=year)
    # then
    assert flags.height == households.height
    for row in flags.iter_rows(named=True):
        status = reference_status(transitions, row["household_id"], year)
        assert row["status"] == status
        assert row["registered"] == (status in ("registered", "returned"))
        mine = transitions.filter(pl.col("household_id") == row["household_id"])
        this_year = set(mine.filter(pl.col("year") == year)["to_status"].to_list())
        assert row["new"] == ("registered" in this_year)
        assert row["exited"] == ("exited" in this_year)
        assert row["returned"] == ("returned" in this_year)
        assert row["removed"] == ("removed" in this_year)
        earlier = set(mine.filter(pl.col("year") <= year)["to_status"].to_list())
        assert row["ever_registered"] == bool(earlier & {"registered", "returned"})


@settings(max_examples=150, deadline=None)
@given(registries(), st.sampled_from(YEARS))
def test_every_level_is_the_sum_of_its_villages(
    registry: tuple[pl.DataFrame, pl.DataFrame], year: int
) -> None:
    # given
    households, transitions = registry
    flags = household_year_frame(households=households, transitions=transitions, year=year)
    # when
    villages = village_rollup(flags=flags)
    levels = rollup_levels(village_rows=villages)
    # then
    village_rows = rows_of(villages)
    level_rows = rows_of(levels)
    assert len(level_rows) == levels.height  # one row per (region, measure, key)
    for (code, measure, key), value in level_rows.items():
        below = sum(
            v for (village, m, k), v in village_rows.items()
            if village.startswith(code) and (m, k) == (measure, key)
        )  # fmt: skip
        assert value == below, (code, measure, key)
    codes = set(levels["region_code"].to_list())
    for village in set(households["village_code"].to_list()):
        assert {village[:length] for _, length in LEVEL_LENGTHS} <= codes
    for level, length in LEVEL_LENGTHS:
        assert (
            levels.filter(pl.col("level") == level)["region_code"].str.len_bytes() == length
        ).all()
    nation = Counter({(m, k): v for (code, m, k), v in level_rows.items() if code == ""})
    assert nation["households", ""] == households.height
    assert nation["persons", ""] == households["persons"].sum()
    assert nation["registered_households", ""] == flags["registered"].sum()
    assert 0 not in village_rows.values()


@settings(max_examples=100, deadline=None)
@given(registries(), st.sampled_from(YEARS), st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(
    registry: tuple[pl.DataFrame, pl.DataFrame], year: int, seed: int
) -> None:
    # given the same registry with its rows shuffled (transition ids travel with their rows)
    households, transitions = registry
    shuffled = (households.sample(fraction=1.0, shuffle=True, seed=seed),
                transitions.sample(fraction=1.0, shuffle=True, seed=seed))  # fmt: skip
    empty = pl.DataFrame(schema=kernels.MEMBER_COUNT_SCHEMA)
    sizes = pl.DataFrame(schema=kernels.ASSESSMENT_SCHEMA)
    # when
    results = [
        rows_of(region_year_rows(households=h.drop("persons"), assessments=sizes,
                                 member_counts=empty, transitions=t, year=year))
        for h, t in (registry, shuffled)
    ]  # fmt: skip
    # then
    assert results[0] == results[1]


@settings(max_examples=100, deadline=None)
@given(registries(), st.sampled_from(YEARS))
def test_breakdowns_add_up_to_the_poor_stock(
    registry: tuple[pl.DataFrame, pl.DataFrame], year: int
) -> None:
    households, transitions = registry
    flags = household_year_frame(households=households, transitions=transitions, year=year)
    rows = rollup_levels(village_rows=village_rollup(flags=flags))
    totals = rows.filter(pl.col("key") == "").select("region_code", "measure", "value")
    for unit in ("households", "persons"):
        for name in ("category", "cause"):
            summed = (
                rows.filter(pl.col("measure") == f"registered_{unit}_by_{name}")
                .group_by("region_code").agg(pl.col("value").sum())
            )  # fmt: skip
            stock = totals.filter(pl.col("measure") == f"registered_{unit}")
            joined = stock.join(summed, on="region_code", how="left", suffix="_keys")
            assert joined["value"].to_list() == joined["value_keys"].fill_null(0).to_list()


def test_same_day_transitions_are_ordered_by_id() -> None:
    # given an exit and a correction back to registered on the same day, and a later year
    households = households_frame([(VILLAGES[0], "general", "illness", 3)])
    transitions = transitions_frame(
        [(1, "registered", 2014, 200), (1, "exited", 2015, 300), (1, "registered", 2015, 300),
         (1, "exited", 2016, 10)]
    )  # fmt: skip
    # when
    flags = {
        year: household_year_frame(households=households, transitions=transitions, year=year)
        for year in (2014, 2015, 2016)
    }
    # then
    assert [flags[y]["status"][0] for y in (2014, 2015, 2016)] == [
        "registered", "registered", "exited",
    ]  # fmt: skip
    assert flags[2015]["exited"][0] and flags[2015]["new"][0] and flags[2015]["registered"][0]


def test_persons_come_from_the_assessment_else_the_members() -> None:
    # given household 1 assessed in 2015 only, household 2 never, household 3 has no one
    households = households_frame(
        [(VILLAGES[0], "", "", 0), (VILLAGES[0], "", "", 0), (VILLAGES[1], "", "", 0)]
    ).drop("persons")
    assessments = pl.DataFrame(
        {"household_id": [1], "year": [2015], "household_size": [5]},
        schema=kernels.ASSESSMENT_SCHEMA,
    )
    members = pl.DataFrame(
        {"household_id": [1, 2], "members": [4, 2]}, schema=kernels.MEMBER_COUNT_SCHEMA
    )
    # when
    missing = households_missing_size(
        households=households, assessments=assessments, years=[2015, 2016]
    )
    persons = {
        year: household_persons(households=households, assessments=assessments,
                                member_counts=members, year=year)
        .sort("household_id")["persons"].to_list()
        for year in (2015, 2016)
    }  # fmt: skip
    # then
    assert sorted(missing["household_id"].to_list()) == [1, 2, 3]
    assert persons == {2015: [5, 2, 0], 2016: [4, 2, 0]}


def test_a_village_keeps_only_figures_other_than_zero() -> None:
    # given a village of one household that was never poor
    households = households_frame([(VILLAGES[0], "", "", 4)])
    flags = household_year_frame(
        households=households, transitions=transitions_frame([]), year=2016
    )
    # when
    rows = village_rollup(flags=flags)
    # then
    assert rows_of(rows) == {(VILLAGES[0], "households", ""): 1, (VILLAGES[0], "persons", ""): 4}


def test_a_household_outside_a_village_is_refused() -> None:
    households = households_frame([("522727100", "", "", 2)])
    flags = household_year_frame(
        households=households, transitions=transitions_frame([]), year=2016
    )
    with pytest.raises(ValueError, match="12 digits"):
        village_rollup(flags=flags)
