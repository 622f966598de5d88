"""Relocation's pages (易地扶贫搬迁): the progress of a region's moves against its targets by
sub-region, the sites, one site with its households, and a household's moves as a panel
for the household page.

Every page reads through `core.access` (`restrict`, `access_get`); out of scope and missing
answer the same 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fupin.core.access import access_get, user_prefixes
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.support.models import RelocationTarget
from fupin.support.relocation.queries import (
    access_site,
    household_moves,
    relocation_progress,
    site_list,
    site_moves,
)
from fupin.support.relocation.services import FIRST_YEAR

SHOWN = 200


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and FIRST_YEAR <= int(text) <= this_year + 1 else this_year


def _region(request: HttpRequest, roles: frozenset[str]) -> str | None:
    """The region asked for, or the widest the user's posts cover (None: no post)."""
    region = request.GET.get("region", "")
    if region.isdigit() and len(region) <= 12:
        return region
    prefixes = user_prefixes(request.user, roles)  # type: ignore[arg-type]
    return min(prefixes, key=len) if prefixes else None


def _names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    """The moves of a plan year against the targets, for a region and its sub-regions."""
    year = _year(request)
    region = _region(request, RelocationTarget.ACCESS.view)
    context: dict[str, Any] = {"section": "support", "year": year, "region": region or ""}
    if region is None:
        return render(request, "support/relocation/progress.html", {**context, "no_scope": True})
    try:
        found = relocation_progress(user=request.user, region=region, year=year)
    except Http404:
        return render(request, "support/relocation/progress.html",
                      {**context, "out_of_scope": True}, status=404)  # fmt: skip
    names = _names([region, *[part["region_code"] for part in found.parts]])
    parts = [{**part, "name": names.get(part["region_code"], "")} for part in found.parts]
    return render(request, "support/relocation/progress.html", {
        **context, "total": found.total, "parts": parts, "region_name": names.get(region, ""),
    })  # fmt: skip


@login_required
@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    """The resettlement sites the user may see under a region, with how full they are."""
    region = request.GET.get("region", "")
    region = region if region.isdigit() and len(region) <= 12 else ""
    found = list(site_list(user=request.user, region=region).select_related()[:SHOWN])
    return render(request, "support/relocation/sites.html", {
        "section": "support", "region": region, "sites": found, "shown": SHOWN,
        "names": _names(sorted({site.village_code for site in found})),
    })  # fmt: skip


@login_required
@require_GET
def site(request: HttpRequest, site_id: int) -> HttpResponse:
    """One site: where it lies, its capacity, and the households moving to it."""
    found = access_site(request.user, site_id)
    moves = list(site_moves(user=request.user, site=found)[:SHOWN])
    return render(request, "support/relocation/site.html", {
        "section": "support", "site": found, "moves": moves, "shown": SHOWN,
        "village_name": _names([found.village_code]).get(found.village_code, ""),
    })  # fmt: skip


@login_required
@require_GET
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """A household's moves, jobs and follow-up measures: the panel of the household page."""
    household = access_get(Household.objects.all(), request.user, "view", pk=household_id)
    moves = list(household_moves(user=request.user, household=household))
    return render(request, "support/relocation/_panel.html",
                  {"household": household, "moves": moves})  # fmt: skip
