"""`web.charts`: the chart geometry is pure; every mark lies inside the plot, scales are nice."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.web import charts

values = st.one_of(st.none(), st.floats(min_value=0, max_value=1e9, allow_nan=False))
EPSILON = 0.02  # coordinates are rounded to two places


def series(count: int) -> st.SearchStrategy[list[float | None]]:
    return st.lists(values, min_size=count, max_size=count)


@st.composite
def chart_inputs(draw: st.DrawFn) -> tuple[list[str], list[float | None], list[float | None]]:
    count = draw(st.integers(min_value=1, max_value=12))
    return [str(2014 + i) for i in range(count)], draw(series(count)), draw(series(count))


@given(chart_inputs())
def test_every_bar_and_point_lies_inside_the_plot(data: tuple) -> None:
    # given
    labels, bars, line = data
    # when
    chart = charts.year_chart(labels=labels, bars=bars,
                              lines=[charts.SeriesInput("poor", line)])  # fmt: skip
    # then
    for bar in chart.bars:
        assert chart.top - EPSILON <= bar.y <= chart.bottom + EPSILON
        assert bar.y + bar.height <= chart.bottom + EPSILON
        assert chart.left <= bar.x and bar.x + bar.width <= chart.right + EPSILON
    marks = chart.lines[0].marks
    for mark in marks:
        assert chart.top - EPSILON <= mark.y <= chart.bottom + EPSILON
        assert chart.left <= mark.x <= chart.right
    assert [mark.x for mark in marks] == sorted(mark.x for mark in marks)
    assert len(chart.bars) == sum(v is not None for v in bars)
    assert len(marks) == sum(v is not None for v in line)


@given(chart_inputs())
def test_a_gap_starts_a_new_stretch_of_line(data: tuple) -> None:
    labels, _, line = data
    chart = charts.year_chart(labels=labels, lines=[charts.SeriesInput("poor", line)])
    runs = sum(1 for i, v in enumerate(line) if v is not None and (i == 0 or line[i - 1] is None))
    assert chart.lines[0].path.count("M") == runs


@given(chart_inputs())
def test_the_y_axis_starts_at_zero_and_covers_the_largest_value(data: tuple) -> None:
    labels, bars, line = data
    chart = charts.year_chart(labels=labels, bars=bars, lines=[charts.SeriesInput("x", line)])
    first, last = chart.y_ticks[0], chart.y_ticks[-1]
    assert first.at == chart.bottom and first.label == "0"
    assert math.isclose(last.at, chart.top, abs_tol=EPSILON)
    assert 3 <= len(chart.y_ticks) <= charts.TICKS + 1


def test_the_largest_bar_reaches_its_value_on_the_scale() -> None:
    chart = charts.year_chart(labels=["2014", "2015"], bars=[400.0, 1000.0])
    top_value, _ = charts.y_scale(1000.0)
    tall = chart.bars[1]
    assert math.isclose(tall.height / (chart.bottom - chart.top), 1000.0 / top_value, rel_tol=1e-3)
    assert [bar.value_text for bar in chart.bars] == ["400", "1,000"]


@given(st.floats(min_value=1e-9, max_value=1e12, allow_nan=False))
def test_a_nice_step_is_one_two_two_and_a_half_or_five_times_a_power_of_ten(raw: float) -> None:
    step = charts.nice_step(raw)
    assert step >= raw * (1 - 1e-9)
    assert step <= raw * 2.5 + 1e-12
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5, 10))


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_the_scale_covers_the_highest_value_in_three_to_five_ticks(highest: float) -> None:
    top, step = charts.y_scale(highest)
    assert top >= highest
    assert 2 <= round(top / step) <= charts.TICKS


@pytest.mark.parametrize("bad", [[-1.0], [math.nan], [math.inf]])
def test_a_negative_or_non_finite_value_is_refused(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="finite values"):
        charts.year_chart(labels=["2014"], bars=bad)


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        charts.year_chart(labels=["a", "b", "c"], bars=[1.0, 2.0])


@given(
    start=st.integers(min_value=2010, max_value=2019),
    value=st.floats(min_value=0, max_value=1e8, allow_nan=False),
)
def test_the_burn_down_target_falls_in_a_straight_line_to_zero(start: int, value: float) -> None:
    years = list(range(2010, 2023))
    target = charts.burn_down_target(years, start_year=start, start_value=value, end_year=2020)
    assert all(t is None for y, t in zip(years, target, strict=True) if y < start)
    assert target[years.index(start)] == value
    assert target[years.index(2020)] == 0
    known = [t for t in target if t is not None]
    assert known == sorted(known, reverse=True)
    steps = [a - b for a, b in itertools.pairwise(known)][: 2020 - start]
    assert all(math.isclose(s, steps[0], rel_tol=1e-9, abs_tol=1e-6) for s in steps)


def test_the_burn_down_needs_a_later_end() -> None:
    with pytest.raises(ValueError, match="after the start"):
        charts.burn_down_target([2020], start_year=2020, start_value=1.0, end_year=2020)


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=13))
def test_breakdown_bars_scale_to_the_largest_and_shares_add_up(counts: list[int]) -> None:
    chart = charts.breakdown_chart([(f"k{i}", float(c)) for i, c in enumerate(counts)])
    widths = [row.bar_width for row in chart.rows]
    assert all(0 <= width <= charts.ROW_BAR for width in widths)
    if max(counts) > 0:
        assert max(widths) == charts.ROW_BAR
        shares = sum(float(row.share_text.rstrip("%")) for row in chart.rows)
        assert abs(shares - 100) <= 0.05 * len(counts) + 1e-9
    assert chart.height >= len(counts) * charts.ROW_HEIGHT
    assert all(row.value_x <= chart.width for row in chart.rows)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (950, "950"), (12_000, "1.2万"), (250_000_000, "2.5亿"), (9_999, "9,999")],
)
def test_compact_numbers_use_the_largest_unit_reached(value: float, expected: str) -> None:
    assert charts.compact_number(value, ((1e4, "万"), (1e8, "亿"))) == expected


def test_percent_text_has_one_place() -> None:
    assert charts.percent_text(0.0123) == "1.2%"
    assert charts.percent_text(0) == "0.0%"
