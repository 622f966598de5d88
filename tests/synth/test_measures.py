"""The synthetic ledger: measures only in the years a household keeps its support, one to
three a year, the first answering its main cause unless drawn as a gap, and every row one
the ledger's own import accepts."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.core.audit import Actor
from fupin.support.models import Measure
from fupin.synth.measures import TYPES, measures_frame, synth_measures
from tests.stats.conftest import registry  # noqa: F401

ANSWERS = {"illness": ["health"], "disability": ["minimum_living", "welfare_post"]}

households_st = st.lists(
    st.tuples(
        st.sampled_from(["illness", "disability", "skills", ""]),
        st.integers(2014, 2020),
        st.one_of(st.none(), st.integers(2014, 2021)),
    ),
    min_size=1,
    max_size=30,
)


def frame_of(rows: list[tuple[str, int, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(f"H{i}", cause, start, removed) for i, (cause, start, removed) in enumerate(rows)],
        schema={"household_no": pl.String, "main_cause": pl.String, "from_year": pl.Int64,
                "removed_year": pl.Int64},
        orient="row",
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(rows=households_st, seed=st.integers(0, 2**32 - 1))
def test_measures_fall_in_supported_years_one_to_three_a_year(
    rows: list[tuple[str, int, int | None]], seed: int
) -> None:
    households = frame_of(rows)
    years = range(2016, 2021)
    drawn = measures_frame(households, years=years, answers=ANSWERS, seed=seed,
                           until=date(2020, 6, 30))  # fmt: skip
    per_year = drawn.group_by("household_no", "year").len()
    assert per_year["len"].is_between(1, 3).all()
    expected = {
        (f"H{i}", str(year))
        for i, (_, start, removed) in enumerate(rows)
        for year in years
        if start <= year and (removed is None or removed > year)
    }
    assert set(per_year.select("household_no", "year").iter_rows()) == expected
    assert (drawn["given_on"].str.to_date() <= date(2020, 6, 30)).all()
    assert (drawn["given_on"].str.slice(0, 4) == drawn["year"]).all()
    for kind, value in drawn.select("measure_type", "value").iter_rows():
        _, _, low, high, _ = TYPES[kind]
        assert low <= int(value) <= high


def test_the_same_seed_draws_the_same_ledger() -> None:
    households = frame_of([("illness", 2015, None), ("disability", 2014, 2019)])
    first = measures_frame(households, years=[2018, 2019], answers=ANSWERS, seed=3,
                           until=date(2019, 12, 31))  # fmt: skip
    again = measures_frame(households, years=[2018, 2019], answers=ANSWERS, seed=3,
                           until=date(2019, 12, 31))  # fmt: skip
    assert first.equals(again) and first.height >= 3


@pytest.mark.django_db
def test_the_ledger_goes_in_through_the_import_and_leaves_a_few_gaps(
    registry: dict[str, int],  # noqa: F811
) -> None:
    from fupin.support.queries import coverage_gaps

    written = synth_measures(region="522727", years=[2016], seed=11, actor=Actor(None, "test"))
    assert written == Measure.objects.count() > 0
    # 2016 kept: H1 (exited that year), H2, H5 (returned) and H7; H4 was removed in 2016
    assert set(Measure.objects.values_list("household__household_no", flat=True)) == {
        "H1", "H2", "H5", "H7"}  # fmt: skip
    from django.contrib.auth import get_user_model

    from fupin.core.access import grant_add

    user = get_user_model().objects.create_user(username="county")
    grant_add(user=user, role="county", region_prefix="522727", actor=Actor(None, "test"))
    gaps = coverage_gaps(user=user, prefix="522727", year=2016)
    assert "H7" in set(gaps.households.values_list("household_no", flat=True))  # no cause
