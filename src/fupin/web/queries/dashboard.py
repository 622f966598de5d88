"""Reads of the dashboard (总览): a region's rollups, its children ranked by incidence, the
poor villages and counties ready to exit. Rollup tables only, never the registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fupin.core.access import access_get, access_rule, restrict, user_prefixes
from fupin.policy.models import Parameter
from fupin.policy.queries import PolicyMissing, policy_value
from fupin.regions.models import PoorAreaDesignation, Region
from fupin.regions.queries import code_prefix_q
from fupin.stats.models import RegionYearStat
from fupin.stats.queries import incidence, region_series

UserLike = AbstractBaseUser | AnonymousUser
NATION = ""
# The campaign (精准扶贫): the register filled from 2014, every poor person out by 2020.
CAMPAIGN_START, CAMPAIGN_END = 2014, 2020
VILLAGE_LEVEL, COUNTY_LEVEL = 5, 3
READY_SHOWN = 100  # rows of each ready-to-exit list; the count says how many in all
# Incidence thresholds are compared in integers: parts per ten thousand, the policy's places.
PARTS = 10_000


@dataclass(frozen=True)
class Place:
    """A region a dashboard is about; the nation has the code ''."""

    code: str
    name: str
    level: int

    @property
    def is_nation(self) -> bool:
        return self.code == NATION


@dataclass(frozen=True)
class ChildRow:
    """A region one level below, with its incidence."""

    code: str
    name: str
    persons: int
    poor_persons: int
    incidence: Decimal | None


@dataclass(frozen=True)
class ReadyRow:
    """A poor village or county whose incidence is under the exit threshold."""

    code: str
    name: str
    designated_year: int
    persons: int
    poor_persons: int
    incidence: Decimal | None
    threshold: Decimal


@dataclass
class ReadyList:
    """The designations of one kind ready to exit: the first rows and how many in all."""

    kind: str
    label: str
    rows: list[ReadyRow] = field(default_factory=list)
    total: int = 0


def _holder(user: UserLike) -> AbstractBaseUser | None:
    return None if isinstance(user, AnonymousUser) else user


def rollup_roles() -> frozenset[str]:
    """The roles that may read the rollups."""
    return access_rule(RegionYearStat).roles("view")


def dashboard_place(*, user: UserLike, code: str) -> Place:
    """The region whose dashboard `user` opens; Http404 if missing or out of scope alike."""
    if code == NATION:
        if NATION not in user_prefixes(_holder(user), access_rule(Region).roles("view")):
            raise Http404("no region here")
        return Place(NATION, str(_("全国")), 0)
    region = access_get(Region.objects.all(), user, "view", code=code)
    return Place(region.code, region.name, region.level)


def home_region(*, user: UserLike) -> str | None:
    """The widest region over which the user reads rollups ('' the nation), or None."""
    prefixes = sorted(user_prefixes(_holder(user), rollup_roles()), key=lambda p: (len(p), p))
    if NATION in prefixes:
        return NATION
    known = set(Region.objects.filter(code__in=prefixes).values_list("code", flat=True))
    return next((prefix for prefix in prefixes if prefix in known), None)


def place_ancestors(*, user: UserLike, place: Place) -> list[Place]:
    """The regions above `place` that the user may open, nation first."""
    codes = [place.code[:length] for length in (2, 4, 6, 9) if length < len(place.code)]
    found = restrict(Region.objects.filter(code__in=codes), user, "view").order_by("code")
    above = [Place(region.code, region.name, region.level) for region in found]
    if not place.is_nation and NATION in user_prefixes(_holder(user), rollup_roles()):
        above.insert(0, Place(NATION, str(_("全国")), 0))
    return above


def rollup_years(*, user: UserLike, place: Place) -> list[int]:
    """The years the region has rollups in that the user may read, in order."""
    rows = restrict(RegionYearStat.objects.filter(region_code=place.code), user, "view")
    return sorted(set(rows.values_list("year", flat=True)))


def place_series(*, user: UserLike, place: Place) -> list[dict[str, Any]]:
    """`stats.queries.region_series` of the region over the years the user may read."""
    years = rollup_years(user=user, place=place)
    return region_series(region=place.code, years=years) if years else []


def children_ranked(*, user: UserLike, place: Place, year: int) -> list[ChildRow]:
    """The regions one level below with rollups in `year`, highest incidence first."""
    if place.level >= VILLAGE_LEVEL:
        return []
    stats = restrict(
        RegionYearStat.objects.filter(
            code_prefix_q(place.code, "region_code"), year=year, level=place.level + 1
        ),
        user,
        "view",
    ).values_list("region_code", "persons", "registered_persons")
    rows = list(stats)
    names = dict(
        restrict(Region.objects.filter(code__in=[code for code, _, _ in rows]), user, "view")
        .values_list("code", "name")
    )  # fmt: skip
    children = [
        ChildRow(code, names.get(code, code), persons, poor,
                 incidence(poor_persons=poor, persons=persons))
        for code, persons, poor in rows
    ]  # fmt: skip
    return sorted(
        children, key=lambda row: (row.incidence is None, -(row.incidence or 0), row.code)
    )


def exit_ready(*, user: UserLike, place: Place, year: int) -> list[ReadyList]:
    """The poor villages and counties under `place`, not lifted by `year`, whose incidence
    in `year`'s rollups is under the exit threshold of their province."""
    kinds = [
        (PoorAreaDesignation.Kind.COUNTY, Parameter.COUNTY_EXIT_INCIDENCE, COUNTY_LEVEL),
        (PoorAreaDesignation.Kind.VILLAGE, Parameter.VILLAGE_EXIT_INCIDENCE, VILLAGE_LEVEL),
    ]
    provinces = _provinces(user=user, place=place)
    return [
        _ready(user=user, place=place, year=year, kind=kind, parameter=parameter,
               provinces=provinces)
        for kind, parameter, level in kinds
        if place.level < level
    ]  # fmt: skip


def _provinces(*, user: UserLike, place: Place) -> list[str]:
    if not place.is_nation:
        return [place.code[:2]]
    return list(
        restrict(Region.objects.filter(level=1), user, "view").values_list("code", flat=True)
    )


def _thresholds(parameter: str, year: int, provinces: Sequence[str]) -> dict[Decimal, list[str]]:
    """The provinces by the threshold in force for them (most share the national one)."""
    grouped: dict[Decimal, list[str]] = {}
    for province in provinces:
        try:
            value = policy_value(parameter, year=year, province=province).value
        except PolicyMissing:
            continue
        grouped.setdefault(value, []).append(province)
    return grouped


def _ready(
    *, user: UserLike, place: Place, year: int, kind: str, parameter: str,
    provinces: Sequence[str],
) -> ReadyList:  # fmt: skip
    label = str(PoorAreaDesignation.Kind(kind).label)
    thresholds = _thresholds(parameter, year, provinces)
    if not thresholds:
        return ReadyList(kind, label)
    stat = restrict(
        RegionYearStat.objects.filter(region_code=OuterRef("region_id"), year=year), user, "view"
    )
    under = reduce(
        or_,
        (
            reduce(or_, (code_prefix_q(code, "region_id") for code in codes))
            & Q(poor_parts__lt=F("persons") * int(value * PARTS))
            for value, codes in thresholds.items()
        ),
    )
    designations = (
        restrict(PoorAreaDesignation.objects.filter(code_prefix_q(place.code, "region_id")),
                 user, "view")
        .filter(kind=kind, designated_year__lte=year)
        .filter(Q(lifted_year__isnull=True) | Q(lifted_year__gt=year))
        .annotate(persons=Subquery(stat.values("persons")[:1]),
                  poor=Subquery(stat.values("registered_persons")[:1]))
        .filter(persons__gt=0)
        .annotate(poor_parts=F("poor") * PARTS)
        .filter(under)
    )  # fmt: skip
    by_value = {province: value for value, codes in thresholds.items() for province in codes}
    rows = [
        ReadyRow(
            code=item.region_id,
            name=item.region.name,
            designated_year=item.designated_year,
            persons=item.persons,
            poor_persons=item.poor,
            incidence=incidence(poor_persons=item.poor, persons=item.persons),
            threshold=by_value[item.region_id[:2]],
        )
        for item in designations.select_related("region").order_by("region_id")[:READY_SHOWN]
    ]
    total = len(rows) if len(rows) < READY_SHOWN else designations.count()
    return ReadyList(kind, label, rows, total)
