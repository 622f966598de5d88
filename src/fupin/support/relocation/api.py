"""Relocation's API routes (易地扶贫搬迁): sites, targets and progress, a household's moves,
the steps of a move, and its follow-up (jobs, ledger measures).

Reads start from `core.access.restrict` (missing and out of scope, the same 404); writes
go through `relocation.services`, whose refusals are answered as JSON with their stable
code (`errors_install`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Router, Status

from fupin.core.access import access_get
from fupin.core.api import ObjectId, api_actor, api_user, refusals_install, responses
from fupin.registry.models import Household
from fupin.support.models import RelocationMove
from fupin.support.relocation import services
from fupin.support.relocation.queries import (
    access_move,
    access_site,
    household_moves,
    move_members,
    relocation_progress,
    site_list,
)
from fupin.support.relocation.schemas import (
    RelocationCancelIn,
    RelocationHandoverIn,
    RelocationJobIn,
    RelocationJobOut,
    RelocationMeasureIn,
    RelocationMoveIn,
    RelocationMoveInIn,
    RelocationMoveOut,
    RelocationProgressFilters,
    RelocationProgressOut,
    RelocationSiteFilters,
    RelocationSiteIn,
    RelocationSiteOut,
    RelocationTargetIn,
    RelocationTargetOut,
)

router = Router(tags=["relocation"])
# Refusals about what the request says (400) and the user's post (403); the rest (a move
# at another step, a site full, a home not safe) are the state of things (409).
BAD_REQUEST_CODES = frozenset({
    "region_invalid", "name_invalid", "kind_unknown", "capacity_invalid", "target_invalid",
    "year_out_of_range", "date_invalid", "persons_invalid", "area_invalid", "grade_unknown",
    "reason_missing", "employer_invalid", "wage_invalid", "member_other_household",
    "measure_other_household", "measure_invalid", "site_other_province",
})  # fmt: skip
FORBIDDEN_CODES = frozenset({"role_not_allowed"})
SITES_MAX = 500


def _move_out(move: RelocationMove) -> dict[str, Any]:
    return {
        "id": move.pk, "household_id": move.household_id, "site_id": move.site_id,
        "site_name": move.site.name, "plan_year": move.plan_year, "persons": move.persons,
        "status": move.status, "planned_on": move.planned_on,
        "handed_over_on": move.handed_over_on, "moved_on": move.moved_on,
        "cancelled_on": move.cancelled_on, "home_area": move.home_area,
        "home_grade": move.home_grade, "jobs": list(move.jobs.all()),
        "follow_ups": [
            {"measure_id": f.measure_id, "given_on": f.measure.given_on,
             "measure_type": f.measure.measure_type, "description": f.measure.description,
             "value": f.measure.value}
            for f in move.follow_ups.select_related("measure").order_by("measure__given_on")
        ],
    }  # fmt: skip


def _move(request: HttpRequest, move_id: int) -> RelocationMove:
    return access_move(api_user(request), move_id)


@router.get("/relocation/sites", response=responses({200: list[RelocationSiteOut]}),
            summary="Resettlement sites")  # fmt: skip
def sites(request: HttpRequest, filters: Query[RelocationSiteFilters]) -> list[Any]:
    """The sites under a region you may see, with their households (the first 500)."""
    return list(site_list(user=api_user(request), region=filters.region)[:SITES_MAX])


@router.post("/relocation/sites", response=responses({201: RelocationSiteOut}, 409),
             summary="Open a site")  # fmt: skip
def site_create(request: HttpRequest, payload: RelocationSiteIn) -> Status[Any]:
    """Open a resettlement site in a village."""
    made = services.site_create(actor=api_actor(request), **payload.dict())
    return Status(201, access_site(api_user(request), made.pk))


@router.get("/relocation/sites/{site_id}", response=responses({200: RelocationSiteOut}),
            summary="A site")  # fmt: skip
def site_detail(request: HttpRequest, site_id: ObjectId) -> Any:
    """One site with its households planned, handed over and moved in."""
    return access_site(api_user(request), site_id)


@router.put("/relocation/targets", response=responses({200: RelocationTargetOut}),
            summary="Set a target")  # fmt: skip
def target_set(request: HttpRequest, payload: RelocationTargetIn) -> Any:
    """Set a region's relocation target for a year (replacing an earlier one)."""
    return services.target_set(actor=api_actor(request), **payload.dict())


@router.get("/relocation/progress", response=responses({200: list[RelocationProgressOut]}),
            summary="Progress against targets")  # fmt: skip
def progress(request: HttpRequest, filters: Query[RelocationProgressFilters]) -> list[Any]:
    """The region's moves of the plan year against its target, then its sub-regions'."""
    found = relocation_progress(user=api_user(request), region=filters.region, year=filters.year)
    return [found.total, *found.parts]


@router.get(
    "/households/{household_id}/relocation",
    response=responses({200: list[RelocationMoveOut]}),
    summary="A household's moves",
)
def moves(request: HttpRequest, household_id: ObjectId) -> list[dict[str, Any]]:
    """The household's moves, newest first."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    return [_move_out(move) for move in household_moves(user=user, household=household)]


@router.post("/households/{household_id}/relocation",
             response=responses({201: RelocationMoveOut}, 409), summary="Plan a move")  # fmt: skip
def move_plan(
    request: HttpRequest, household_id: ObjectId, payload: RelocationMoveIn
) -> Status[Any]:
    """Put the household into a year's relocation plan, bound for a site."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    site = access_site(user, payload.site_id)
    move = services.move_plan(household=household, site=site, plan_year=payload.plan_year,
                              planned_on=payload.planned_on, persons=payload.persons,
                              actor=api_actor(request))  # fmt: skip
    return Status(201, _move_out(move))


@router.post(
    "/relocation/moves/{move_id}/handover",
    response=responses({200: RelocationMoveOut}, 409),
    summary="Hand the home over",
)
def handover(request: HttpRequest, move_id: ObjectId, payload: RelocationHandoverIn) -> Any:
    """Hand the new home over; a home that is not safe housing is refused."""
    move = services.move_hand_over(move=_move(request, move_id), actor=api_actor(request),
                                   **payload.dict())  # fmt: skip
    return _move_out(move)


@router.post("/relocation/moves/{move_id}/move-in",
             response=responses({200: RelocationMoveOut}, 409), summary="Moved in")  # fmt: skip
def move_in(request: HttpRequest, move_id: ObjectId, payload: RelocationMoveInIn) -> Any:
    """Record that the household moved into its new home."""
    move = services.move_in(move=_move(request, move_id), moved_on=payload.moved_on,
                            actor=api_actor(request))  # fmt: skip
    return _move_out(move)


@router.post(
    "/relocation/moves/{move_id}/cancel",
    response=responses({200: RelocationMoveOut}, 409),
    summary="Call a move off",
)
def cancel(request: HttpRequest, move_id: ObjectId, payload: RelocationCancelIn) -> Any:
    """Call off a move not yet moved into."""
    move = services.move_cancel(move=_move(request, move_id), on=payload.on,
                                reason=payload.reason, actor=api_actor(request))  # fmt: skip
    return _move_out(move)


@router.post("/relocation/moves/{move_id}/jobs",
             response=responses({201: RelocationJobOut}, 409), summary="Record a job")  # fmt: skip
def job(request: HttpRequest, move_id: ObjectId, payload: RelocationJobIn) -> Status[Any]:
    """Record a job a member of the moved household found (and its ledger measure)."""
    move = _move(request, move_id)
    member = move_members(user=api_user(request), move=move).filter(pk=payload.member_id).first()
    if member is None:
        raise services.RelocationError("member_other_household", "no such member in the household")
    made = services.job_record(
        move=move, member=member, kind=payload.kind, employer=payload.employer,
        started_on=payload.started_on, monthly_wage=payload.monthly_wage,
        actor=api_actor(request),
    )  # fmt: skip
    return Status(201, made)


@router.post(
    "/relocation/moves/{move_id}/measures",
    response=responses({201: RelocationMoveOut}, 409),
    summary="Record follow-up",
)
def follow_up(request: HttpRequest, move_id: ObjectId, payload: RelocationMeasureIn) -> Status[Any]:
    """Record a follow-up measure (后续扶持) in the ledger and link it to the move."""
    move = _move(request, move_id)
    services.follow_up_record(move=move, actor=api_actor(request), **payload.dict())
    return Status(201, _move_out(access_move(api_user(request), move.pk)))


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused relocation write as JSON with its stable code."""
    refusals_install(api, services.RelocationError,
                     bad_request=BAD_REQUEST_CODES, forbidden=FORBIDDEN_CODES)  # fmt: skip


__all__ = ["errors_install", "router"]
