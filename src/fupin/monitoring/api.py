"""The monitoring API routes: a household's visits, logging one, the overdue counts.

Reads start from `core.access.restrict` (`access_get`: missing and out of scope, the same
404); a visit is logged through `monitoring.services.visit_log`, which refuses with a
`VisitError` answered as JSON with its stable code.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Query, Router, Status

from fupin.core.access import access_get
from fupin.core.api import ObjectId, api_actor, api_user, refusals_install, responses
from fupin.monitoring.models import Visit
from fupin.monitoring.queries import household_visits, overdue_by_cadre, overdue_counts
from fupin.monitoring.schemas import OverdueFilters, OverdueOut, VisitIn, VisitOut
from fupin.monitoring.services import VisitError, visit_log
from fupin.pairing.models import Cadre
from fupin.registry.models import Household

router = Router(tags=["visits"])
# Refusals about what the request says (400) and the user's post (403); the rest (the
# household off the register, the cadre not paired then) are about the state (409).
BAD_REQUEST_CODES = frozenset({
    "date_in_future", "found_missing", "text_too_long", "location_invalid", "photos_too_many",
    "photo_too_large", "photo_invalid", "cadre_missing", "cadre_unknown",
})  # fmt: skip
FORBIDDEN_CODES = frozenset({"role_not_allowed"})
VISITS_MAX = 200


def _visit_item(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk, "household_id": visit.household_id, "cadre_id": visit.cadre_id,
        "cadre_name": visit.cadre.name, "visited_on": visit.visited_on, "found": visit.found,
        "agreed": visit.agreed, "latitude": visit.latitude, "longitude": visit.longitude,
        "photos": [photo.pk for photo in visit.photos.all()],
    }  # fmt: skip


@router.get(
    "/households/{household_id}/visits",
    response=responses({200: list[VisitOut]}),
    summary="A household's visits",
)
def visit_list(request: HttpRequest, household_id: ObjectId) -> list[dict[str, Any]]:
    """The household's visits, newest first (the latest 200)."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    visits = household_visits(user=user, household=household)[:VISITS_MAX]
    return [_visit_item(visit) for visit in visits]


@router.post(
    "/households/{household_id}/visits",
    response=responses({201: VisitOut}, 409),
    summary="Log a visit",
)
def visit_create(
    request: HttpRequest, household_id: ObjectId, payload: VisitIn
) -> Status[dict[str, Any]]:
    """Log a visit to the household: by its paired cadre, or by the village for a cadre."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    cadre = None
    if payload.cadre_id is not None:
        cadre = Cadre.objects.filter(pk=payload.cadre_id, assignments__household=household).first()
        if cadre is None:
            raise VisitError("cadre_unknown", "that cadre was never paired with the household")
    visit = visit_log(
        household=household, on=payload.visited_on, found=payload.found,
        agreed=payload.agreed, actor=api_actor(request), cadre=cadre,
        latitude=payload.latitude, longitude=payload.longitude,
    )  # fmt: skip
    return Status(201, _visit_item(Visit.objects.select_related("cadre").get(pk=visit.pk)))


@router.get(
    "/visits/overdue", response=responses({200: list[OverdueOut]}), summary="Overdue visits"
)
def overdue(request: HttpRequest, filters: Query[OverdueFilters]) -> list[dict[str, Any]]:
    """Households whose visit is overdue, counted per county, township, village or cadre."""
    user = api_user(request)
    on = filters.on or timezone.localdate()
    if filters.by == "cadre":
        rows = overdue_by_cadre(user=user, on=on, prefix=filters.region)
        return [{"key": str(pk), "households": n} for pk, n in rows]
    counted = overdue_counts(user=user, on=on, prefix=filters.region, by=filters.by)
    return [{"key": code, "households": n} for code, n in counted]


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused visit as JSON with the refusal's stable code."""
    refusals_install(api, VisitError, bad_request=BAD_REQUEST_CODES, forbidden=FORBIDDEN_CODES)
