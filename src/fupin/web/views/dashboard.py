"""The dashboard (总览): any region from the nation to a village, from the rollups only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.core.access import user_prefixes
from fupin.core.choices import Role
from fupin.registry.choices import Category, Cause
from fupin.web import charts
from fupin.web.queries.dashboard import (
    CAMPAIGN_END,
    CAMPAIGN_START,
    NATION,
    children_ranked,
    dashboard_place,
    exit_ready,
    home_region,
    place_ancestors,
    place_series,
)

UNSPECIFIED = "unspecified"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The user's own widest region; a page that says so when they have none."""
    code = home_region(user=request.user)
    if code is None:
        holder = request.user if request.user.is_authenticated else None
        if user_prefixes(holder, {Role.PAIRED_CADRE}):
            return redirect("monitoring:mine")  # a paired cadre starts from their households
        household = bool(user_prefixes(holder, {Role.HOUSEHOLD}))
        return render(request, "web/no_scope.html", {"section": "dashboard",
                      "household": household}, status=403)  # fmt: skip
    if code == NATION:
        return redirect("web:nation")
    return redirect("web:region", code=code)


@login_required
@require_GET
def region(request: HttpRequest, code: str = NATION) -> HttpResponse:
    """The dashboard of region `code` ('' the nation) for the year asked (default the last)."""
    place = dashboard_place(user=request.user, code=code)
    series = place_series(user=request.user, place=place)
    years = [item["year"] for item in series]
    year = _year(request.GET.get("year"), years)
    context: dict[str, Any] = {
        "section": "dashboard",
        "place": place,
        "ancestors": place_ancestors(user=request.user, place=place),
        "years": years,
        "year": year,
    }
    if year is not None:
        current = next(item for item in series if item["year"] == year)
        context.update(
            current=current,
            measures=current["measures"],
            charts=_charts(series),
            categories=_breakdown(current, "category", Category.choices),
            causes=_breakdown(current, "cause", Cause.choices),
            children=children_ranked(user=request.user, place=place, year=year),
            ready=exit_ready(user=request.user, place=place, year=year),
        )
    return render(request, "web/dashboard.html", context)


def _year(asked: str | None, years: Sequence[int]) -> int | None:
    """The year asked for if it has rollups, else the last that has; None if none has."""
    if asked and asked.isdigit() and int(asked) in years:
        return int(asked)
    return years[-1] if years else None


def _tick_units() -> tuple[tuple[float, str], ...]:
    if (translation.get_language() or "").startswith("zh"):
        return ((1e4, "万"), (1e8, "亿"))
    return ((1e3, "k"), (1e6, "M"))


def _charts(series: list[dict[str, Any]]) -> dict[str, Any]:
    """The year charts of the series: poor persons, incidence, and the burn-down."""
    by_year = {item["year"]: item for item in series}
    first = min([*by_year, CAMPAIGN_START])
    years = list(range(first, max([*by_year, CAMPAIGN_END]) + 1))
    labels = [str(year) for year in years]
    poor = [_measure(by_year.get(year), "registered_persons") for year in years]
    rates = [
        float(by_year[year]["incidence"])
        if year in by_year and by_year[year]["incidence"] is not None
        else None
        for year in years
    ]
    units = _tick_units()

    def ticks(value: float) -> str:
        return charts.compact_number(value, units)

    start = next((year for year in years if year >= CAMPAIGN_START and year in by_year), None)
    lines = [charts.SeriesInput(_("在册贫困人口"), poor, "line-actual")]
    if start is not None and start < CAMPAIGN_END:
        target = charts.burn_down_target(
            years, start_year=start, start_value=float(poor[years.index(start)] or 0),
            end_year=CAMPAIGN_END,
        )  # fmt: skip
        lines.append(charts.SeriesInput(_("计划（2020年清零）"), target, "line-target"))
    return {
        "poor": charts.year_chart(
            labels=labels, bars=poor, bar_name=_("在册贫困人口"), tick_format=ticks
        ),
        "incidence": charts.year_chart(
            labels=labels,
            lines=[charts.SeriesInput(_("贫困发生率"), rates, "line-actual")],
            value_format=charts.percent_text,
        ),
        "burn_down": charts.year_chart(labels=labels, lines=lines, tick_format=ticks),
        "table": [
            {"year": year, "poor": poor[i], "incidence": rates[i], "target": _target_at(lines, i)}
            for i, year in enumerate(years)
        ],
    }


def _target_at(lines: list[charts.SeriesInput], index: int) -> float | None:
    return lines[1].values[index] if len(lines) > 1 else None


def _measure(item: dict[str, Any] | None, name: str) -> float | None:
    return None if item is None else float(item["measures"][name])


def _breakdown(
    current: dict[str, Any], name: str, choices: list[tuple[str, str]]
) -> dict[str, Any]:
    """The poor stock by category or cause: persons and households per key, largest first."""
    persons = current["breakdowns"][f"registered_persons_by_{name}"]
    households = current["breakdowns"][f"registered_households_by_{name}"]
    labels = {**dict(choices), UNSPECIFIED: _("未填写")}
    keys = sorted(persons, key=lambda key: (-persons[key], key))
    rows = [
        {"key": key, "label": str(labels.get(key, key)), "persons": persons[key],
         "households": households.get(key, 0)}
        for key in keys
    ]  # fmt: skip
    chart = charts.breakdown_chart([(row["label"], row["persons"]) for row in rows])
    return {"rows": rows, "chart": chart}
