"""Kernels of the exit check: the stratified draw and the three rates and one degree."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.monitoring.verification.kernels import (
    STRATA,
    SampleSizes,
    check_results,
    draw_sample,
    populations_by_stratum,
)


@st.composite
def counties(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A county's villages (some poor) and households in three strata."""
    village_count = draw(st.integers(min_value=1, max_value=12))
    poor = draw(st.lists(st.booleans(), min_size=village_count, max_size=village_count))
    codes = [f"5227271002{index:02d}" for index in range(village_count)]
    villages = pl.DataFrame({"village_code": codes, "poor": poor})
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, village_count - 1),
                st.sampled_from(STRATA),
                st.integers(min_value=1, max_value=9),
            ),
            max_size=150,
        )
    )
    households = pl.DataFrame(
        [(index + 1, codes[v], stratum, persons) for index, (v, stratum, persons) in enumerate(rows)],
        schema={"household_id": pl.Int64, "village_code": pl.String, "stratum": pl.String,
                "persons": pl.Int32},
        orient="row",
    )  # fmt: skip
    return villages, households


sizes_strategy = st.builds(
    SampleSizes,
    poor_villages=st.integers(0, 6),
    non_poor_villages=st.integers(0, 6),
    registered_per_village=st.integers(0, 8),
    non_registered_per_village=st.integers(0, 8),
)


@settings(max_examples=150, deadline=None)
@given(counties(), sizes_strategy, st.integers(0, 2**63 - 1), st.integers(0, 1000))
def test_the_same_seed_draws_the_same_sample_whatever_the_row_order(
    county: tuple[pl.DataFrame, pl.DataFrame], sizes: SampleSizes, seed: int, shuffle: int
) -> None:
    # given
    villages, households = county
    # when
    first = draw_sample(villages, households, sizes=sizes, seed=seed)
    again = draw_sample(
        villages.sample(fraction=1.0, shuffle=True, seed=shuffle),
        households.sample(fraction=1.0, shuffle=True, seed=shuffle),
        sizes=sizes,
        seed=seed,
    )
    # then
    assert first.villages.equals(again.villages)
    assert first.households.equals(again.households)


@settings(max_examples=200, deadline=None)
@given(counties(), sizes_strategy, st.integers(0, 2**32))
def test_strata_sizes_are_kept_or_capped_by_what_the_county_has(
    county: tuple[pl.DataFrame, pl.DataFrame], sizes: SampleSizes, seed: int
) -> None:
    # given
    villages, households = county
    # when
    sample = draw_sample(villages, households, sizes=sizes, seed=seed)
    # then: villages of each kind, as many as asked or all there are
    poor_there = int(villages["poor"].sum())
    drawn_kinds = sample.villages["village_kind"].to_list()
    assert drawn_kinds.count("poor") == min(sizes.poor_villages, poor_there)
    assert drawn_kinds.count("non_poor") == min(sizes.non_poor_villages,
                                                villages.height - poor_there)  # fmt: skip
    drawn = sample.households
    assert drawn["household_id"].n_unique() == drawn.height
    assert set(drawn["village_code"]) <= set(sample.villages["village_code"])
    # and in every drawn village, each half as asked or all there are
    for code in sample.villages["village_code"]:
        there = households.filter(pl.col("village_code") == code)["stratum"].to_list()
        taken = drawn.filter(pl.col("village_code") == code)["stratum"].to_list()
        registered = there.count("exited") + there.count("poor")
        assert taken.count("exited") + taken.count("poor") == min(
            sizes.registered_per_village, registered
        )
        assert taken.count("exited") <= there.count("exited")
        assert taken.count("poor") <= there.count("poor")
        assert taken.count("non_registered") == min(
            sizes.non_registered_per_village, there.count("non_registered")
        )
    # and the drawn rows are the county's own
    original = households.join(drawn.select("household_id"), on="household_id")
    assert original.sort("household_id")["persons"].equals(drawn.sort("household_id")["persons"])


def test_the_registered_half_is_shared_in_proportion_rounded_half_up() -> None:
    # given: a village of 9 exited and 3 still-poor households, 6 registered to draw
    villages = pl.DataFrame({"village_code": ["V"], "poor": [True]})
    strata = ["exited"] * 9 + ["poor"] * 3
    households = pl.DataFrame(
        {"household_id": list(range(1, 13)), "village_code": ["V"] * 12, "stratum": strata,
         "persons": [3] * 12},
        schema={"household_id": pl.Int64, "village_code": pl.String, "stratum": pl.String,
                "persons": pl.Int32},
    )  # fmt: skip
    sizes = SampleSizes(registered_per_village=6, non_registered_per_village=0)
    # when
    sample = draw_sample(villages, households, sizes=sizes, seed=1)
    # then: 6 x 9/12 = 4.5, rounded half up to 5 exited, and 1 still poor
    assert sample.households["stratum"].to_list().count("exited") == 5
    assert sample.households["stratum"].to_list().count("poor") == 1


@st.composite
def findings(draw: st.DrawFn) -> pl.DataFrame:
    """Findings of sampled households over a few villages of both kinds."""
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 5),
                st.sampled_from(STRATA),
                st.integers(1, 9),
                st.booleans(),
                st.booleans(),
                st.booleans(),
                st.booleans(),
            ),
            min_size=1,
            max_size=80,
        )
    )
    return pl.DataFrame(
        [
            (f"V{v}", "poor" if v % 2 else "non_poor", stratum, persons, surveyed,
             wrong and stratum == "exited", omitted and stratum == "non_registered", approves)
            for v, stratum, persons, surveyed, wrong, omitted, approves in rows
        ],
        schema={"village_code": pl.String, "village_kind": pl.String, "stratum": pl.String,
                "persons": pl.Int32, "surveyed": pl.Boolean, "wrongly_exited": pl.Boolean,
                "omitted": pl.Boolean, "approves": pl.Boolean},
        orient="row",
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(findings(), st.integers(0, 500), st.integers(0, 500), st.integers(0, 2000))
def test_rates_lie_in_0_1_and_their_intervals_hold_them(
    frame: pl.DataFrame, poor: int, exited: int, others: int
) -> None:
    # given
    populations = populations_by_stratum(
        pl.DataFrame(
            {"stratum": ["poor", "exited", "non_registered"], "persons": [poor, exited, others]}
        )
    )
    # when
    results = check_results(frame, populations)
    # then
    for estimate in (results.wrong_exit_rate, results.omission_rate, results.recognition,
                     results.incidence):  # fmt: skip
        if estimate.value is None:
            assert estimate.low is None and estimate.high is None
            continue
        assert estimate.low is not None and estimate.high is not None
        assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0
    surveyed = frame.filter(pl.col("surveyed"))
    assert results.households_surveyed == surveyed.height
    if surveyed.height:
        assert results.recognition.value == surveyed["approves"].sum() / surveyed.height


def test_the_interval_is_the_stratified_linearised_one() -> None:
    # given: two poor and two non-poor villages, one surveyed household of 1 person each
    # in the exited stratum; villages A and C find it wrongly exited.
    frame = pl.DataFrame(
        {"village_code": ["A", "B", "C", "D"],
         "village_kind": ["poor", "poor", "non_poor", "non_poor"],
         "stratum": ["exited"] * 4, "persons": [1, 1, 1, 1], "surveyed": [True] * 4,
         "wrongly_exited": [True, False, True, False], "omitted": [None] * 4,
         "approves": [True] * 4},
        schema={"village_code": pl.String, "village_kind": pl.String, "stratum": pl.String,
                "persons": pl.Int32, "surveyed": pl.Boolean, "wrongly_exited": pl.Boolean,
                "omitted": pl.Boolean, "approves": pl.Boolean},
    )  # fmt: skip
    # when
    results = check_results(frame, populations_by_stratum(frame.select("stratum", "persons")))
    # then: R = 2/4 = 0.5; linearised z = (y - 0.5 x) / 4 = +1/8, -1/8 in each stratum;
    # each stratum: 2/1 x ((1/8)^2 + (1/8)^2) = 1/16; variance 1/8; se = 0.35355;
    # 1.96 se = 0.69296, so the interval [0, 1] after clamping, around 0.5.
    wrong = results.wrong_exit_rate
    assert wrong.value == 0.5
    assert (wrong.low, wrong.high) == (0.0, 1.0)
    # and over eight villages, four a kind, one exited household of 10 persons each, only
    # A's wrongly exited: R = 10/80 = 0.125; z = (y - 0.125 x)/80 = 8.75/80 = 0.109375 for
    # A, -1.25/80 = -0.015625 for the others. Poor stratum: mean 0.015625, deviations
    # 0.09375 and 3 x -0.03125, squares 0.0087890625 + 3 x 0.0009765625 = 0.01171875,
    # x 4/3 = 0.015625; non-poor stratum: no spread. se = 0.125, 1.959964 x 0.125 = 0.2449955.
    codes = list("ABCDEFGH")
    frame = pl.DataFrame(
        {"village_code": codes, "village_kind": ["poor"] * 4 + ["non_poor"] * 4,
         "stratum": ["exited"] * 8, "persons": [10] * 8, "surveyed": [True] * 8,
         "wrongly_exited": [True] + [False] * 7, "omitted": [None] * 8, "approves": [True] * 8},
        schema=frame.schema,
    )  # fmt: skip
    results = check_results(frame, populations_by_stratum(frame.select("stratum", "persons")))
    wrong = results.wrong_exit_rate
    assert wrong.value == 0.125
    assert wrong.low == 0.0 and abs(wrong.high - (0.125 + 0.2449955)) < 1e-6  # type: ignore[operator]
