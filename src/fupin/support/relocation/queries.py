"""Reads of relocation: the sites with how full they are, a household's moves, one move or
site by id, and the progress of a region's moves against its targets.

Every read starts from `restrict`. Progress is asked of a region the reader's posts cover
whole (an office or inspector over it), so that it is never a silent part of the picture;
a region outside them reads as missing. The operator at the command line reads every
region (`OPERATOR`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household, Member
from fupin.support.choices import MoveStatus
from fupin.support.models import (
    RelocationMove,
    RelocationTarget,
    ResettlementSite,
)
from fupin.support.models.relocation import HANDED_OVER
from fupin.support.readers import OPERATOR, Reader, readable, readable_one, region_covered
from fupin.support.relocation import kernels

__all__ = ["OPERATOR", "Progress", "Reader"]
LEVELS = (0, 2, 4, 6, 9, 12)


@dataclass(frozen=True)
class Progress:
    """A region's moves of a plan year against its target (`total`), and its sub-regions'."""

    region: str
    year: int
    total: dict[str, Any]
    parts: list[dict[str, Any]]


def relocation_progress(*, user: Reader, region: str, year: int) -> Progress:
    """The target and the moves of plan year `year` of `region` and of each region one level
    below it (`kernels.relocation_progress`)."""
    region_covered(user, region, levels=LEVELS, model=RelocationTarget, what="relocation")
    targets = readable(
        RelocationTarget.objects.filter(code_prefix_q(region, "region_code"), year=year), user
    ).values_list("region_code", "year", "households", "persons")
    target_frame = pl.DataFrame(list(targets), schema=kernels.TARGET_SCHEMA, orient="row")
    moves = (
        readable(RelocationMove.objects.all(), user)
        .filter(code_prefix_q(region, "household__village_id"), plan_year=year)
        .order_by()
        .values_list("household__village_id", "plan_year", "status")
        .annotate(households=Count("id"), persons=Sum("persons"))
    )
    move_frame = pl.DataFrame(list(moves), schema=kernels.MOVE_COUNT_SCHEMA, orient="row")
    level = len(region)
    total = kernels.relocation_progress(
        target_frame, move_frame, year=year, prefix=region, level=level
    )
    below = next((length for length in LEVELS if length > level), None)
    parts = (
        kernels.relocation_progress(target_frame, move_frame, year=year, prefix=region,
                                    level=below).to_dicts()
        if below is not None else []
    )  # fmt: skip
    return Progress(region, year, _first(total, region), parts)


def site_list(*, user: Reader, region: str = "") -> QuerySet[ResettlementSite]:
    """The sites under `region` the reader may see, with their households planned (not
    called off), handed over and moved in."""
    sites = readable(ResettlementSite.objects.filter(code_prefix_q(region, "village_code")), user)
    open_moves = ~Q(moves__status=MoveStatus.CANCELLED)
    return sites.annotate(
        households_planned=Count("moves", filter=open_moves),
        households_handed_over=Count("moves", filter=Q(moves__status__in=HANDED_OVER)),
        households_moved=Count("moves", filter=Q(moves__status=MoveStatus.MOVED)),
        persons_moved=Sum("moves__persons", filter=Q(moves__status=MoveStatus.MOVED)),
    ).order_by("county_code", "name")


def access_site(user: Reader, site_id: int) -> ResettlementSite:
    """One site the reader may see, with its counts; missing and forbidden alike 404."""
    found = site_list(user=user).filter(pk=site_id).first()
    if found is None:
        raise Http404("no site here")
    return found


def site_moves(*, user: Reader, site: ResettlementSite) -> QuerySet[RelocationMove]:
    """The moves to `site` the reader may see (a village post sees its own households')."""
    moves = readable(RelocationMove.objects.filter(site=site), user)
    return moves.select_related("household", "household__village").order_by(
        "plan_year", "household__household_no"
    )


def household_moves(*, user: Reader, household: Household) -> QuerySet[RelocationMove]:
    """The household's moves the reader may see, newest first, with their site."""
    return (
        readable(RelocationMove.objects.filter(household=household), user)
        .select_related("site")
        .prefetch_related("jobs__member", "follow_ups__measure")
        .order_by("-plan_year", "-id")
    )


def access_move(user: Reader, move_id: int) -> RelocationMove:
    """One move the reader may see; missing and forbidden alike 404."""
    moves = RelocationMove.objects.select_related("household", "site")
    return readable_one(moves, user, what="move", pk=move_id)


def _first(frame: pl.DataFrame, region: str) -> dict[str, Any]:
    if frame.height:
        return frame.row(0, named=True)
    row: dict[str, Any] = {name: 0 for name in frame.columns}
    row.update(region_code=region, target_households=None, target_persons=None,
               handed_over_share=None, moved_share=None, moved_persons_share=None)  # fmt: skip
    return row


def move_members(*, user: Reader, move: RelocationMove) -> QuerySet[Member]:
    """The active members of the moved household the reader may see, in their order."""
    members = Member.objects.filter(household_id=move.household_id, is_active=True)
    return readable(members, user).order_by("id")
