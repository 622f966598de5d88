"""Rollup kernels: flags per household, villages, levels; sums hold whatever the input."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.stats import kernels
from fupin.stats.kernels import (
    BREAKDOWN_MEASURES,
    FLAGS,
    LEVEL_LENGTHS,
    TOTAL_MEASURES,
    Rollups,
    household_persons,
    household_year_frame,
    households_missing_size,
    region_year_rollups,
    rollup_levels,
    village_breakdowns,
    village_totals,
)

# Villages that share some prefixes and not others, down to the township.
VILLAGES = ("522727100218", "522727100212", "522727101201", "522701001001", "523001001001",
            "110101001001")  # fmt: skip
STATUSES = ("registered", "exited", "returned", "removed")
CATEGORIES = ("", "general", "dibao", "tekun")
CAUSES = ("", "illness", "land")
YEARS = range(2014, 2021)
NO_MONITORING = pl.DataFrame(schema=kernels.MONITORING_SCHEMA)

Registry = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]
Figures = dict[tuple[str, str, str], int]


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


def monitorings_frame(rows: list[tuple[int, date, date | None]]) -> pl.DataFrame:
    """Rows of (household_id, identified_on, eliminated_on)."""
    return pl.DataFrame(
        {
            "household_id": [row[0] for row in rows],
            "identified_on": [row[1] for row in rows],
            "eliminated_on": [row[2] for row in rows],
        },
        schema=kernels.MONITORING_SCHEMA,
    )


household_rows = st.lists(
    st.tuples(
        st.sampled_from(VILLAGES), st.sampled_from(CATEGORIES), st.sampled_from(CAUSES),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=40,
)  # fmt: skip
# Days around the ends of the years, where the year-end rule bites.
some_day = st.builds(
    lambda year, days: date(year, 12, 31) + timedelta(days=days),
    st.sampled_from(YEARS), st.integers(-2, 2),
)  # fmt: skip


@st.composite
def registries(draw: st.DrawFn) -> Registry:
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
    monitorings = draw(
        st.lists(
            st.tuples(
                st.integers(1, len(households)), some_day,
                st.none() | st.integers(0, 800).map(lambda days: timedelta(days=days)),
            ),
            max_size=20,
        )
    )  # fmt: skip
    return (
        households_frame(households),
        transitions_frame(transitions),
        monitorings_frame([(id_, on, on + later if later else None)
                           for id_, on, later in monitorings]),
    )  # fmt: skip


def figures_of(rollups: Rollups) -> Figures:
    """Every figure by (region, measure, key): totals under key '' (zeros included)."""
    totals = rollups.totals.unpivot(index="region_code", on=list(TOTAL_MEASURES),
                                    variable_name="measure")  # fmt: skip
    figures = {(code, measure, ""): value for code, measure, value in totals.iter_rows()}
    for code, measure, key, value in rollups.breakdowns.select(
        "region_code", "measure", "key", "value"
    ).iter_rows():
        figures[code, measure, key] = value
    return figures


def rollups_of(registry: Registry, year: int) -> tuple[pl.DataFrame, Rollups]:
    """The household flags of `year` and the rollups of every level built from them."""
    households, transitions, monitorings = registry
    flags = household_year_frame(
        households=households, transitions=transitions, monitorings=monitorings, year=year
    )
    totals = rollup_levels(villages=village_totals(flags=flags))
    breakdowns = rollup_levels(villages=village_breakdowns(flags=flags), keys=("measure", "key"))
    return flags, Rollups(totals=totals, breakdowns=breakdowns)


def reference_status(transitions: pl.DataFrame, household: int, year: int) -> str:
    """The latest transition up to `year` by (date, id), the slow obvious way."""
    mine = [
        (row["date"], row["transition_id"], row["to_status"])
        for row in transitions.iter_rows(named=True)
        if row["household_id"] == household and row["year"] <= year
    ]
    return max(mine)[2] if mine else "not_registered"


def reference_monitored(monitorings: pl.DataFrame, household: int, year: int) -> bool:
    """Under monitoring on 31 December of `year`, the slow obvious way."""
    end = date(year, 12, 31)
    return any(
        row["identified_on"] <= end and (row["eliminated_on"] is None or row["eliminated_on"] > end)
        for row in monitorings.iter_rows(named=True)
        if row["household_id"] == household
    )


@settings(max_examples=150, deadline=None)
@given(registries(), st.sampled_from(YEARS))
def test_flags_follow_the_latest_transition_of_the_year(registry: Registry, year: int) -> None:
    # given
    households, transitions, monitorings = registry
    # when
    flags = household_year_frame(
        households=households, transitions=transitions, monitorings=monitorings, year=year
    )
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
        assert row["monitored"] == reference_monitored(monitorings, row["household_id"], year)


@settings(max_examples=150, deadline=None)
@given(registries(), st.sampled_from(YEARS))
def test_every_level_is_the_sum_of_its_villages(registry: Registry, year: int) -> None:
    # given
    households = registry[0]
    # when
    flags, rollups = rollups_of(registry, year)
    # then one totals row per region, one breakdown row per (region, measure, key)
    totals, breakdowns = rollups.totals, rollups.breakdowns
    assert totals["region_code"].n_unique() == totals.height
    assert breakdowns.select("region_code", "measure", "key").n_unique() == breakdowns.height
    # and every figure of every level is the sum of its villages' figures
    figures = figures_of(rollups)
    villages = {key: value for key, value in figures.items() if len(key[0]) == 12}
    for (code, measure, key), value in figures.items():
        below = sum(
            v for (village, m, k), v in villages.items()
            if village.startswith(code) and (m, k) == (measure, key)
        )  # fmt: skip
        assert value == below, (code, measure, key)
    # and every level of every village with a household is there, with its length
    codes = set(totals["region_code"].to_list())
    expected = {
        village[:length]
        for village in households["village_code"].to_list()
        for _, length in LEVEL_LENGTHS
    }
    assert codes == expected
    assert set(breakdowns["region_code"].to_list()) <= codes
    for frame in (totals, breakdowns):
        for level, length in LEVEL_LENGTHS:
            codes_of_level = frame.filter(pl.col("level") == level)["region_code"]
            assert (codes_of_level.str.len_bytes() == length).all()
    # and the nation counts everyone once
    nation = {m: value for (code, m, key), value in figures.items() if code == key == ""}
    assert nation["households"] == households.height
    assert nation["persons"] == households["persons"].sum()
    for flag in FLAGS:
        chosen = flags.filter(pl.col(flag))
        assert nation[f"{flag}_households"] == chosen.height, flag
        assert nation[f"{flag}_persons"] == chosen["persons"].sum(), flag
    assert 0 not in breakdowns["value"].to_list()
    assert (totals["households"] > 0).all()


@settings(max_examples=100, deadline=None)
@given(registries(), st.sampled_from(YEARS), st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(registry: Registry, year: int, seed: int) -> None:
    # given the same registry with its rows shuffled (transition ids travel with their rows)
    shuffled = tuple(frame.sample(fraction=1.0, shuffle=True, seed=seed) for frame in registry)
    empty = pl.DataFrame(schema=kernels.MEMBER_COUNT_SCHEMA)
    sizes = pl.DataFrame(schema=kernels.ASSESSMENT_SCHEMA)
    # when
    results = [
        figures_of(region_year_rollups(households=h.drop("persons"), assessments=sizes,
                                       member_counts=empty, transitions=t, monitorings=m,
                                       year=year))
        for h, t, m in (registry, shuffled)
    ]  # fmt: skip
    # then
    assert results[0] == results[1]


@settings(max_examples=100, deadline=None)
@given(registries(), st.sampled_from(YEARS))
def test_breakdowns_add_up_to_the_poor_stock(registry: Registry, year: int) -> None:
    # when
    _, rollups = rollups_of(registry, year)
    # then each breakdown of each region sums to its poor stock, households and persons
    for unit in ("households", "persons"):
        stock = rollups.totals.select("region_code", pl.col(f"registered_{unit}").alias("stock"))
        for name in ("category", "cause"):
            summed = (
                rollups.breakdowns.filter(pl.col("measure") == f"registered_{unit}_by_{name}")
                .group_by("region_code").agg(pl.col("value").sum())
            )  # fmt: skip
            joined = stock.join(summed, on="region_code", how="left")
            assert joined["stock"].to_list() == joined["value"].fill_null(0).to_list()


def test_the_whole_kernel_gives_frames_of_the_stored_shape() -> None:
    # given one household, poor and monitored
    households = households_frame([(VILLAGES[0], "dibao", "", 3)]).drop("persons")
    sizes = pl.DataFrame(
        {"household_id": [1], "year": [2016], "household_size": [3]},
        schema=kernels.ASSESSMENT_SCHEMA,
    )
    # when
    rollups = region_year_rollups(
        households=households, assessments=sizes,
        member_counts=pl.DataFrame(schema=kernels.MEMBER_COUNT_SCHEMA),
        transitions=transitions_frame([(1, "registered", 2015, 10)]),
        monitorings=monitorings_frame([(1, date(2016, 5, 1), None)]), year=2016,
    )  # fmt: skip
    # then
    assert rollups.totals.schema == kernels.TOTALS_SCHEMA
    assert rollups.breakdowns.schema == kernels.BREAKDOWN_SCHEMA
    assert rollups.totals["region_code"].to_list() == [
        VILLAGES[0][:length] for _, length in LEVEL_LENGTHS
    ]
    nation = rollups.totals.filter(pl.col("level") == 0).row(0, named=True)
    assert nation["monitored_persons"] == nation["registered_persons"] == 3
    assert nation["ever_registered_households"] == 1 and nation["new_households"] == 0
    assert set(rollups.breakdowns["measure"].to_list()) == set(BREAKDOWN_MEASURES)
    assert set(rollups.breakdowns["key"].to_list()) == {"dibao", "unspecified"}


def test_same_day_transitions_are_ordered_by_id() -> None:
    # given an exit and a correction back to registered on the same day, and a later year
    households = households_frame([(VILLAGES[0], "general", "illness", 3)])
    transitions = transitions_frame(
        [(1, "registered", 2014, 200), (1, "exited", 2015, 300), (1, "registered", 2015, 300),
         (1, "exited", 2016, 10)]
    )  # fmt: skip
    # when
    flags = {
        year: household_year_frame(
            households=households, transitions=transitions, monitorings=NO_MONITORING, year=year
        )
        for year in (2014, 2015, 2016)
    }
    # then
    assert [flags[y]["status"][0] for y in (2014, 2015, 2016)] == [
        "registered", "registered", "exited",
    ]  # fmt: skip
    assert flags[2015]["exited"][0] and flags[2015]["new"][0] and flags[2015]["registered"][0]


def test_monitoring_counts_at_the_end_of_the_year() -> None:
    # given monitorings that start or end right at a year's end, and one watched twice
    households = households_frame([(VILLAGES[0], "", "", 1)] * 5)
    monitorings = monitorings_frame(
        [(1, date(2016, 12, 31), None),                 # watched from the last day
         (2, date(2015, 3, 1), date(2016, 12, 31)),     # ends on the last day: not watched
         (3, date(2015, 3, 1), date(2017, 1, 1)),       # ends the day after: watched
         (4, date(2017, 1, 1), None),                   # starts the year after
         (5, date(2014, 1, 1), date(2015, 1, 1)), (5, date(2016, 2, 1), None)]
    )  # fmt: skip
    # when
    flags = household_year_frame(
        households=households, transitions=transitions_frame([]), monitorings=monitorings,
        year=2016,
    )  # fmt: skip
    # then
    assert flags.sort("household_id")["monitored"].to_list() == [True, False, True, False, True]
    nation = rollup_levels(villages=village_totals(flags=flags)).filter(pl.col("level") == 0)
    assert nation["monitored_households"].to_list() == [3]


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


def test_a_village_of_no_poor_household_has_its_totals_row_and_no_breakdown() -> None:
    # given a village of one household that was never poor
    households = households_frame([(VILLAGES[0], "", "", 4)])
    flags = household_year_frame(
        households=households, transitions=transitions_frame([]), monitorings=NO_MONITORING,
        year=2016,
    )  # fmt: skip
    # when
    totals = village_totals(flags=flags)
    breakdowns = village_breakdowns(flags=flags)
    # then
    assert totals.to_dicts() == [
        {"village": int(VILLAGES[0]), "households": 1, "persons": 4,
         **{f"{flag}_{unit}": 0 for flag in FLAGS for unit in ("households", "persons")}}
    ]  # fmt: skip
    assert breakdowns.height == 0


def test_a_household_outside_a_village_is_refused() -> None:
    households = households_frame([("522727100", "", "", 2)])
    flags = household_year_frame(
        households=households, transitions=transitions_frame([]), monitorings=NO_MONITORING,
        year=2016,
    )  # fmt: skip
    with pytest.raises(ValueError, match="12 digits"):
        village_totals(flags=flags)
