"""The scorecard kernel (考核评价表), on generated cases: shares stay within [0, 1], a cadre
without households has no visit share, an on-time visit never lowers a score, and the
order of the rows changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.monitoring.evaluation import kernels as k

YEAR = 2018
AS_OF = date(YEAR, 12, 31)
INTERVALS = k.Intervals(30, {"53": 60})
VILLAGES = ("522727100218", "522727100212", "530102001001")
CADRES = (1, 2, 3)
SHARES = (*k.SHARES,)

days = st.integers(min_value=0, max_value=600).map(lambda n: date(YEAR - 1, 1, 1) + timedelta(n))


@st.composite
def cases(draw: Any) -> k.Sources:
    """A small register: households, their cadres, visits, exits and returns, ratings."""
    n = draw(st.integers(min_value=0, max_value=8))
    households, assignments, visits, moves, ratings, gaps, objections = [], [], [], [], [], [], []
    for household in range(1, n + 1):
        village = draw(st.sampled_from(VILLAGES))
        households.append((household, village))
        helper = draw(st.none() | st.sampled_from(CADRES))
        if helper is not None:
            start = draw(days)
            end = draw(st.none() | days.filter(lambda d, s=start: d >= s))
            assignments.append((household, helper, start, end))
        if draw(st.booleans()):
            visits.append((household, draw(days)))
        for status in draw(st.lists(st.sampled_from(["exited", "returned"]), max_size=3)):
            day = draw(days)
            moves.append((household, village, status, day.year, day))
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            satisfaction = draw(st.sampled_from(sorted(k.SATISFACTION_POINTS)))
            ratings.append((household, village, draw(st.sampled_from(CADRES)), satisfaction))
        if draw(st.booleans()):
            gaps.append((household,))
        if draw(st.booleans()):
            objections.append((household, village, draw(st.sampled_from(CADRES)),
                               draw(st.booleans())))  # fmt: skip
    scores = draw(st.lists(st.tuples(st.sampled_from(CADRES), st.sampled_from(["down"]),
                                     st.integers(0, 100)), max_size=3))  # fmt: skip
    evaluations = [(c, "522727", d, float(s)) for c, d, s in scores]
    evaluations += [(None, VILLAGES[0], "up", float(draw(st.integers(0, 100))))]

    def frame(rows: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
        return pl.DataFrame(rows, schema=schema, orient="row")

    return k.Sources(
        frame(households, k.HOUSEHOLD_SCHEMA), frame(assignments, k.ASSIGNMENT_SCHEMA),
        frame(visits, k.VISIT_SCHEMA), frame(moves, k.TRANSITION_SCHEMA),
        frame(gaps, k.GAP_SCHEMA), frame(objections, k.OBJECTION_SCHEMA),
        frame(ratings, k.RATING_SCHEMA), frame(evaluations, k.EVALUATION_SCHEMA),
    )  # fmt: skip


def both(sources: k.Sources) -> list[pl.DataFrame]:
    cadres = k.cadre_scorecards(pl.Series([*CADRES, 99]), sources, year=YEAR, as_of=AS_OF,
                                intervals=INTERVALS)  # fmt: skip
    villages = k.unit_scorecards(pl.Series(VILLAGES), sources, year=YEAR, as_of=AS_OF,
                                 intervals=INTERVALS)  # fmt: skip
    return [cadres, villages]


@settings(max_examples=80, deadline=None)
@given(cases())
def test_shares_and_scores_stay_in_range(sources: k.Sources) -> None:
    for frame in both(sources):
        assert list(frame.columns) == list(k.SCORECARD_COLUMNS)
        for name in SHARES:
            values = frame[name].drop_nulls()
            assert ((values >= 0) & (values <= 1)).all(), name
        scores = frame["score"].drop_nulls()
        assert ((scores >= 0) & (scores <= 100)).all()
        assert (frame["on_time"] <= frame["paired"]).all()
        assert (frame["stayed_out"] <= frame["exited"]).all()


@settings(max_examples=60, deadline=None)
@given(cases())
def test_a_cadre_with_no_households_has_no_visit_share(sources: k.Sources) -> None:
    cadres = both(sources)[0]
    empty = cadres.filter(pl.col("households") == 0)
    assert empty["on_time_share"].null_count() == empty.height
    assert cadres.filter(pl.col("subject") == "99")["households"].to_list() == [0]


@settings(max_examples=80, deadline=None)
@given(cases(), st.data())
def test_an_on_time_visit_never_lowers_a_score(sources: k.Sources, data: Any) -> None:
    # given: a household with a cadre today
    current = sources.assignments.filter(
        (pl.col("started_on") <= AS_OF)
        & (pl.col("ended_on").is_null() | (pl.col("ended_on") > AS_OF))
    )
    if current.is_empty():
        return
    household = data.draw(st.sampled_from(sorted(current["household_id"].to_list())))
    before = both(sources)
    # when: the cadre visits it on the last day
    visits = pl.concat([sources.last_visits.filter(pl.col("household_id") != household),
                        pl.DataFrame([(household, AS_OF)], schema=k.VISIT_SCHEMA,
                                     orient="row")])  # fmt: skip
    after = both(replace(sources, last_visits=visits))
    # then
    for old, new in zip(before, after, strict=True):
        joined = old.join(new, on="subject", suffix="_new")
        assert (joined["on_time_new"] >= joined["on_time"]).all()
        scored = joined.filter(pl.col("score").is_not_null())
        assert (scored["score_new"] >= scored["score"]).all()


@settings(max_examples=60, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_the_order_of_the_rows_changes_nothing(sources: k.Sources, rng: Any) -> None:
    shuffled = k.Sources(*(frame.sample(fraction=1.0, shuffle=True, seed=rng.randint(0, 999))
                           for frame in (sources.households, sources.assignments,
                                         sources.last_visits, sources.transitions,
                                         sources.coverage_gaps, sources.objections,
                                         sources.ratings, sources.evaluations)))  # fmt: skip
    for first, second in zip(both(sources), both(shuffled), strict=True):
        assert first.sort("subject").equals(second.sort("subject"))


def test_units_of_two_levels_at_once_are_refused() -> None:
    with pytest.raises(ValueError, match="one level"):
        k.unit_scorecards(pl.Series(["522727", "522727100"]), k.sources_empty(), year=YEAR,
                          as_of=AS_OF, intervals=INTERVALS)  # fmt: skip


def test_a_province_with_its_own_interval_counts_its_own() -> None:
    # given: two households last visited 45 days before the year's end, one in a
    # province with a 60-day interval
    sources = replace(
        k.sources_empty(),
        households=pl.DataFrame([(1, VILLAGES[0]), (2, VILLAGES[2])], schema=k.HOUSEHOLD_SCHEMA,
                                orient="row"),
        assignments=pl.DataFrame([(1, 1, date(YEAR, 1, 1), None), (2, 1, date(YEAR, 1, 1), None)],
                                 schema=k.ASSIGNMENT_SCHEMA, orient="row"),
        last_visits=pl.DataFrame([(1, AS_OF - timedelta(45)), (2, AS_OF - timedelta(45))],
                                 schema=k.VISIT_SCHEMA, orient="row"),
    )  # fmt: skip
    # when
    card = k.cadre_scorecards(pl.Series([1]), sources, year=YEAR, as_of=AS_OF,
                              intervals=INTERVALS).row(0, named=True)  # fmt: skip
    # then: on time only where the interval is 60 days; the visit share alone scores
    assert (card["on_time"], card["on_time_share"]) == (1, 0.5)
    assert card["score"] == pytest.approx(100 * (25 * 0.5 + 10 + 10) / 45, abs=0.05)
