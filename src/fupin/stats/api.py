"""The rollups' API routes: a region's figures in a year, and over a run of years.

`{code}` is a region code, or the literal `nation` for the whole country (stored as '').
The rollup rows go through `core.access.restrict` first: a region outside the user's
scope, or one without rollups, is not found (the same 404).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router

from fupin.core.access import restrict
from fupin.core.api import api_user, responses
from fupin.stats.models import RegionYearStat
from fupin.stats.queries import region_series, region_stats
from fupin.stats.schemas import RegionStatsOut

router = Router(tags=["stats"])

NATION = "nation"
REGION_CODE_PATTERN = r"^(nation|[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$"
RegionCode = Annotated[
    str, Path(pattern=REGION_CODE_PATTERN, description="a region code, or `nation`")
]
YEARS_PATTERN = r"^[0-9]{4}(-[0-9]{4})?$"
MAX_SERIES_YEARS = 50


def region_of(code: str) -> str:
    """The stored region code of a path's `{code}` ('' for `nation`)."""
    return "" if code == NATION else code


@router.get(
    "/stats/{code}", response=responses({200: RegionStatsOut}), summary="A region's figures"
)
def stats_region(
    request: HttpRequest,
    code: RegionCode,
    year: Annotated[int, Query(ge=2000, le=2100)],
) -> dict[str, Any]:
    """The region's figures in `year`: totals, incidence and the poor stock's breakdowns."""
    region = region_of(code)
    rows = RegionYearStat.objects.filter(region_code=region, year=year)
    if not restrict(rows, api_user(request), "view").exists():
        raise Http404("no rollups here")
    return region_stats(region=region, year=year)


@router.get(
    "/stats/{code}/series",
    response=responses({200: list[RegionStatsOut]}),
    summary="A region's figures over years",
)
def stats_series(
    request: HttpRequest,
    code: RegionCode,
    years: Annotated[
        str,
        Query(pattern=YEARS_PATTERN, description="a year or a run of years: 2014-2020"),
    ],
) -> list[dict[str, Any]]:
    """The region's figures for each year of `years` that has rollups, in year order."""
    region = region_of(code)
    first, _, last = years.partition("-")
    span = range(int(first), int(last or first) + 1)
    if not 0 < len(span) <= MAX_SERIES_YEARS:
        raise Http404("no rollups here")
    rows = RegionYearStat.objects.filter(region_code=region, year__in=list(span))
    visible = list(restrict(rows, api_user(request), "view").values_list("year", flat=True))
    if not visible:
        raise Http404("no rollups here")
    return region_series(region=region, years=visible)
