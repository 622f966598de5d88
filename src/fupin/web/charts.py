"""Server-rendered charts (统计图): pure functions from figures to the geometry of an inline
SVG that a template draws, so that a chart reads without JavaScript.

No Django here: numbers in, coordinates and label text out. The SVG has a fixed viewBox
and no width, so the stylesheet scales it to the screen (360 px and up).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 180
# The plot area inside the viewBox: room for the y labels on the left, the x labels below.
LEFT, RIGHT, TOP, BOTTOM = 46.0, 312.0, 10.0, 156.0
BAR_SHARE = 0.6  # of a year's band, the rest is the gap between bars
TICKS = 4  # intervals on the y axis
TINY = 1e-12  # below this the largest value draws as 0 (a scale of 0 to 1)
# Rows of a breakdown chart: label column, bar column, value column (viewBox units).
ROW_HEIGHT, ROW_LABEL, ROW_BAR = 22.0, 104.0, 130.0

Formatter = Callable[[float], str]


def integer_text(value: float) -> str:
    """A count with thousands separators: 12,345."""
    return f"{value:,.0f}"


def percent_text(value: float) -> str:
    """A ratio as a percentage to one place: 0.0123 -> 1.2%."""
    return f"{value * 100:.1f}%"


def compact_number(value: float, units: Sequence[tuple[float, str]] = ()) -> str:
    """A count shortened by the largest of `units` (size, suffix) it reaches: 12,000 -> 1.2万."""
    for size, suffix in sorted(units, reverse=True):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:,.0f}" if value == int(value) else f"{value:.3g}"


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis."""

    at: float
    label: str


@dataclass(frozen=True)
class Bar:
    """One bar of a year chart."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str


@dataclass(frozen=True)
class Mark:
    """One point of a line, with its value for the tooltip."""

    x: float
    y: float
    label: str
    value_text: str


@dataclass(frozen=True)
class Line:
    """One line of a year chart: its SVG path ('' when it has no point) and its points."""

    name: str
    css: str
    path: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class SeriesInput:
    """A named series of a year chart: one value (or None, a gap) per label."""

    name: str
    values: Sequence[float | None]
    css: str = "line-1"


@dataclass(frozen=True)
class YearChart:
    """The geometry of a chart over years: bars and lines on a shared y scale."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    bar_name: str
    lines: tuple[Line, ...]

    @property
    def y_label_x(self) -> float:
        """Where the y labels end, left of the plot."""
        return self.left - 4

    @property
    def x_label_y(self) -> float:
        """The baseline of the x labels, under the plot."""
        return self.bottom + 15


def nice_step(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least `raw` (> 0)."""
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-12):
            return factor * power
    return 10.0 * power  # pragma: no cover - the loop ends at 10


def y_scale(highest: float, ticks: int = TICKS) -> tuple[float, float]:
    """The top of the y axis and its step for values up to `highest` (0 or more)."""
    if highest <= TINY:
        return 1.0, 1.0 / ticks
    step = nice_step(highest / ticks)
    # The tolerance keeps 1000 at 1000, not 1250; max() keeps float rounding from cutting under.
    return max(step * math.ceil(highest / step * (1 - 1e-12)), highest), step


def _check(values: Sequence[float | None]) -> list[float]:
    found = [float(v) for v in values if v is not None]
    for value in found:
        if math.isnan(value) or math.isinf(value) or value < 0:
            raise ValueError(f"a chart takes finite values of 0 or more, not {value}")
    return found


def year_chart(
    *,
    labels: Sequence[str],
    bars: Sequence[float | None] = (),
    bar_name: str = "",
    lines: Sequence[SeriesInput] = (),
    value_format: Formatter = integer_text,
    tick_format: Formatter | None = None,
) -> YearChart:
    """A chart over `labels` (years): optional bars and lines, each one value per label."""
    count = len(labels)
    for series in [bars, *(line.values for line in lines)]:
        if series and len(series) != count:
            raise ValueError(f"{len(series)} values for {count} labels")
    values = _check(bars) + [v for line in lines for v in _check(line.values)]
    top_value, step = y_scale(max(values, default=0.0))
    band = (RIGHT - LEFT) / max(count, 1)

    def x_of(index: int) -> float:
        return round(LEFT + (index + 0.5) * band, 2)

    def y_of(value: float) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * value / top_value, 2)

    ticks_format = tick_format or value_format
    y_ticks = tuple(
        Tick(y_of(step * i), ticks_format(step * i)) for i in range(round(top_value / step) + 1)
    )
    x_ticks = tuple(Tick(x_of(i), label) for i, label in enumerate(labels))
    bar_width = round(band * BAR_SHARE, 2)
    drawn_bars = tuple(
        Bar(
            x=round(x_of(i) - bar_width / 2, 2),
            y=y_of(float(value)),
            width=bar_width,
            height=round(BOTTOM - y_of(float(value)), 2),
            label=labels[i],
            value_text=value_format(float(value)),
        )
        for i, value in enumerate(bars)
        if value is not None
    )
    drawn_lines = tuple(_line(line, labels, x_of, y_of, value_format) for line in lines)
    return YearChart(
        width=WIDTH, height=HEIGHT, left=LEFT, right=RIGHT, top=TOP, bottom=BOTTOM,
        x_ticks=x_ticks, y_ticks=y_ticks, bars=drawn_bars, bar_name=bar_name, lines=drawn_lines,
    )  # fmt: skip


def _line(
    series: SeriesInput,
    labels: Sequence[str],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    value_format: Formatter,
) -> Line:
    """A series as an SVG path: a gap (None) starts a new subpath."""
    marks: list[Mark] = []
    parts: list[str] = []
    pen_down = False
    for index, value in enumerate(series.values):
        if value is None:
            pen_down = False
            continue
        x, y = x_of(index), y_of(float(value))
        parts.append(f"{'L' if pen_down else 'M'}{x:g} {y:g}")
        pen_down = True
        marks.append(Mark(x, y, labels[index], value_format(float(value))))
    return Line(series.name, series.css, " ".join(parts), tuple(marks))


def burn_down_target(
    years: Sequence[int], *, start_year: int, start_value: float, end_year: int
) -> list[float | None]:
    """The straight line from `start_value` in `start_year` to 0 in `end_year`, per year
    (None before the start; 0 from the end on)."""
    if end_year <= start_year:
        raise ValueError("the target year must come after the start")
    span = end_year - start_year
    return [
        None
        if year < start_year
        else 0.0
        if year >= end_year
        else start_value - start_value * (year - start_year) / span
        for year in years
    ]


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a breakdown chart: its label, bar and value."""

    y: float
    text_y: float
    label: str
    bar_x: float
    bar_width: float
    value_x: float
    value_text: str
    share_text: str


@dataclass(frozen=True)
class BreakdownChart:
    """Horizontal bars, one per key, longest for the largest value."""

    width: int
    height: int
    rows: tuple[BreakdownRow, ...]
    total: float


def breakdown_chart(
    items: Sequence[tuple[str, float]], *, value_format: Formatter = integer_text
) -> BreakdownChart:
    """Horizontal bars for (label, value) pairs, in the order given."""
    values = _check([value for _, value in items])
    total = sum(values)
    highest = max(values, default=0.0)
    rows = []
    for index, (label, value) in enumerate(items):
        y = index * ROW_HEIGHT + 4
        width = 0.0 if highest <= 0 else round(ROW_BAR * float(value) / highest, 2)
        rows.append(
            BreakdownRow(
                y=y, text_y=y + ROW_HEIGHT * 0.6, label=label, bar_x=ROW_LABEL, bar_width=width,
                value_x=round(ROW_LABEL + width + 4, 2), value_text=value_format(float(value)),
                share_text=percent_text(float(value) / total) if total else "",
            )
        )  # fmt: skip
    return BreakdownChart(
        width=WIDTH, height=int(len(rows) * ROW_HEIGHT + 8), rows=tuple(rows), total=total
    )
