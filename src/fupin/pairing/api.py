"""The pairing API routes: cadres, assignments, rotations, a household's pairing, the gaps,
and the objections raised from contact cards.

Reads start from `core.access.restrict`; an object is fetched with `access_get` (missing
and out of scope: the same 404); writes go through `pairing.services` and
`pairing.cards`, which check the user's post and refuse with a `PairingError`, answered as
JSON with its stable code.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Router, Status

from fupin.core.access import access_get, personal_data_visible, restrict
from fupin.core.api import (
    ObjectId,
    api_actor,
    api_user,
    page_of,
    refusals_install,
    responses,
)
from fupin.core.masking import mask_id_number
from fupin.pairing import cards, committee_api, posting_api
from fupin.pairing.models import Assignment, AssignmentProposal, Cadre, CardObjection
from fupin.pairing.proposals import proposal_apply, proposal_discard, proposal_make
from fupin.pairing.queries import household_pairing, pairing_gaps
from fupin.pairing.schemas import (
    AnswerIn,
    AssignmentEndIn,
    AssignmentIn,
    AssignmentOut,
    CadreFilters,
    CadreIn,
    CadreOut,
    CadrePageOut,
    GapFilters,
    GapOut,
    HouseholdPairingOut,
    ObjectionFilters,
    ObjectionOut,
    ObjectionPageOut,
    ProposalIn,
    ProposalOut,
    RotationIn,
)
from fupin.pairing.services import (
    PairingError,
    assignment_end,
    assignment_open,
    cadre_register,
    cadre_rotate,
)
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household

router = Router(tags=["pairing"])

# Refusals about what the request says (400) and about the user's post (403); the others
# are about the state of things (409).
BAD_REQUEST_CODES = frozenset({
    "region_invalid", "region_unknown", "unit_level", "value_missing", "id_number",
    "reason_missing", "date_invalid", "same_cadre", "answer_missing", "text_length", "satisfaction",
})  # fmt: skip
# The postings' and committees' refusals answer through the same handler.
BAD_REQUEST_CODES |= posting_api.BAD_REQUEST_CODES | committee_api.BAD_REQUEST_CODES
FORBIDDEN_CODES = (
    frozenset({"role_not_allowed"}) | posting_api.FORBIDDEN_CODES | committee_api.FORBIDDEN_CODES
)
LEVEL_LENGTHS = {"county": 6, "township": 9, "village": 12}


def _cadres(user: AbstractBaseUser) -> Any:
    return restrict(Cadre.objects.all(), user, "view").annotate(
        households=Count("assignments", filter=Q(assignments__ended_on__isnull=True))
    )


def _cadre_item(cadre: Cadre, user: AbstractBaseUser) -> dict[str, Any]:
    full = personal_data_visible(user, cadre.region_code)
    return {
        "id": cadre.pk, "name": cadre.name,
        "id_number": cadre.id_number if full else mask_id_number(cadre.id_number),
        "phone": cadre.phone, "unit": cadre.unit, "unit_level": cadre.unit_level,
        "region_code": cadre.region_code, "households": getattr(cadre, "households", 0),
    }  # fmt: skip


def _assignment_item(assignment: Assignment) -> dict[str, Any]:
    return {
        "id": assignment.pk, "household_id": assignment.household_id,
        "cadre_id": assignment.cadre_id, "cadre_name": assignment.cadre.name,
        "primary": assignment.primary, "started_on": assignment.started_on,
        "ended_on": assignment.ended_on, "end_reason": assignment.end_reason,
    }  # fmt: skip


@router.get("/cadres", response=responses({200: CadrePageOut}), summary="Paired cadres")
def cadre_list(request: HttpRequest, filters: Query[CadreFilters]) -> dict[str, Any]:
    """The paired cadres serving in your scope, with the households each answers for today."""
    user = api_user(request)
    cadres = _cadres(user)
    if filters.region:
        cadres = cadres.filter(code_prefix_q(filters.region, "region_code"))
    if filters.unit_level:
        cadres = cadres.filter(unit_level=filters.unit_level)
    if filters.q:
        cadres = cadres.filter(name__startswith=filters.q)
    items, count = page_of(
        cadres.order_by("region_code", "name", "id"),
        page=filters.page, page_size=filters.page_size, request=request,
    )  # fmt: skip
    return {"items": [_cadre_item(c, user) for c in items], "count": count,
            "page": filters.page, "page_size": filters.page_size}  # fmt: skip


@router.get("/cadres/{cadre_id}", response=responses({200: CadreOut}), summary="A cadre")
def cadre_detail(request: HttpRequest, cadre_id: ObjectId) -> dict[str, Any]:
    """A cadre and the number of households they answer for today."""
    user = api_user(request)
    return _cadre_item(access_get(_cadres(user), user, "view", pk=cadre_id), user)


@router.post("/cadres", response=responses({201: CadreOut}, 409), summary="Register a cadre")
def cadre_create(request: HttpRequest, payload: CadreIn) -> Status[dict[str, Any]]:
    """Register a cadre who may answer for households in `region_code` (a county, township
    or village); a member of a poor household cannot be one."""
    user = api_user(request)
    cadre = cadre_register(
        name=payload.name, id_number=payload.id_number, phone=payload.phone, unit=payload.unit,
        unit_level=payload.unit_level, region_code=payload.region_code,
        actor=api_actor(request),
    )  # fmt: skip
    return Status(201, _cadre_item(access_get(_cadres(user), user, "view", pk=cadre.pk), user))


@router.post(
    "/cadres/{cadre_id}/rotation",
    response=responses({200: list[AssignmentOut]}, 409),
    summary="Rotate a cadre",
)
def cadre_rotation(
    request: HttpRequest, cadre_id: ObjectId, payload: RotationIn
) -> list[dict[str, Any]]:
    """Hand every household of the cadre to a successor in one action (轮换)."""
    user = api_user(request)
    cadre = access_get(Cadre.objects.all(), user, "change", pk=cadre_id)
    successor = access_get(Cadre.objects.all(), user, "change", pk=payload.successor_id)
    opened = cadre_rotate(cadre=cadre, successor=successor, on=payload.on,
                          reason=payload.reason, actor=api_actor(request))  # fmt: skip
    return [_assignment_item(a) for a in opened]


@router.post(
    "/assignments", response=responses({201: AssignmentOut}, 409), summary="Pair a household"
)
def assignment_create(request: HttpRequest, payload: AssignmentIn) -> Status[dict[str, Any]]:
    """Make a cadre the household's paired cadre from a day, within the cadre's cap."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "change", pk=payload.household_id)
    cadre = access_get(Cadre.objects.all(), user, "view", pk=payload.cadre_id)
    opened = assignment_open(cadre=cadre, household=household, on=payload.on,
                             actor=api_actor(request))  # fmt: skip
    return Status(201, _assignment_item(opened))


@router.post(
    "/assignments/{assignment_id}/end",
    response=responses({200: AssignmentOut}, 409),
    summary="End an assignment",
)
def assignment_finish(
    request: HttpRequest, assignment_id: ObjectId, payload: AssignmentEndIn
) -> dict[str, Any]:
    """End an open assignment on a day, with its reason; it stays on record."""
    user = api_user(request)
    assignment = access_get(
        Assignment.objects.select_related("household", "cadre"), user, "change",
        pk=assignment_id,
    )  # fmt: skip
    ended = assignment_end(assignment=assignment, on=payload.on, reason=payload.reason,
                           actor=api_actor(request))  # fmt: skip
    return _assignment_item(ended)


@router.get(
    "/households/{household_id}/pairing",
    response=responses({200: HouseholdPairingOut}),
    summary="A household's pairing",
)
def household_pairing_detail(request: HttpRequest, household_id: ObjectId) -> dict[str, Any]:
    """The household's paired cadres (open first), its current card, ratings, objections."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    pairing = household_pairing(user=user, household=household)
    return {
        "assignments": [_assignment_item(a) for a in pairing.assignments],
        "card": pairing.card,
        "ratings": pairing.ratings,
        "objections": pairing.objections,
    }


@router.get("/pairing/gaps", response=responses({200: list[GapOut]}), summary="Pairing gaps")
def gaps(request: HttpRequest, filters: Query[GapFilters]) -> list[dict[str, Any]]:
    """Households on the register (the exited through the transition) without a paired
    cadre, counted per county, township or village in your scope, most first."""
    counted = pairing_gaps(user=api_user(request), prefix=filters.region,
                           level_length=LEVEL_LENGTHS[filters.level])  # fmt: skip
    return [{"region_code": code, "households": households} for code, households in counted]


@router.get("/objections", response=responses({200: ObjectionPageOut}), summary="Card objections")
def objection_list(request: HttpRequest, filters: Query[ObjectionFilters]) -> dict[str, Any]:
    """Objections households raised from their contact cards in your scope, oldest first."""
    objections = restrict(CardObjection.objects.all(), api_user(request), "view")
    if filters.status:
        objections = objections.filter(status=filters.status)
    if filters.region:
        objections = objections.filter(code_prefix_q(filters.region, "household__village_id"))
    items, count = page_of(
        objections.order_by("created_at", "id"),
        page=filters.page, page_size=filters.page_size, request=request,
    )  # fmt: skip
    return {"items": list(items), "count": count, "page": filters.page,
            "page_size": filters.page_size}  # fmt: skip


@router.post(
    "/objections/{objection_id}/answer",
    response=responses({200: ObjectionOut}, 409),
    summary="Answer an objection",
)
def objection_answer(request: HttpRequest, objection_id: ObjectId, payload: AnswerIn) -> Any:
    """The township or county answers; the household reads the answer on its card's page."""
    objection = access_get(
        CardObjection.objects.select_related("household"), api_user(request), "change",
        pk=objection_id,
    )  # fmt: skip
    return cards.objection_answer(objection=objection, answer=payload.answer,
                                  upheld=payload.upheld, actor=api_actor(request))  # fmt: skip


@router.post(
    "/pairing/proposals",
    response=responses({201: ProposalOut}, 409),
    summary="Propose an automatic pairing",
)
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Status[AssignmentProposal]:
    """Propose a cadre with room for each unpaired household of a county or township, near
    first, within the caps; nothing is paired until the proposal is applied."""
    made = proposal_make(region_code=payload.region, starts_on=payload.starts_on,
                         actor=api_actor(request))  # fmt: skip
    return Status(201, made)


@router.get(
    "/pairing/proposals/{proposal_id}",
    response=responses({200: ProposalOut}),
    summary="A pairing proposal",
)
def proposal_detail(request: HttpRequest, proposal_id: ObjectId) -> AssignmentProposal:
    """A proposal with its summary: matched at each distance, per county, unmatched."""
    return access_get(AssignmentProposal.objects.all(), api_user(request), "view", pk=proposal_id)


@router.post(
    "/pairing/proposals/{proposal_id}/apply",
    response=responses({200: ProposalOut}, 409),
    summary="Apply a pairing proposal",
)
def proposal_applied(request: HttpRequest, proposal_id: ObjectId) -> AssignmentProposal:
    """Open the proposal's assignments (rows no longer valid are skipped and counted)."""
    item = access_get(AssignmentProposal.objects.all(), api_user(request), "change",
                      pk=proposal_id)  # fmt: skip
    return proposal_apply(proposal=item, actor=api_actor(request)).proposal


@router.post(
    "/pairing/proposals/{proposal_id}/discard",
    response=responses({200: ProposalOut}, 409),
    summary="Discard a pairing proposal",
)
def proposal_discarded(request: HttpRequest, proposal_id: ObjectId) -> AssignmentProposal:
    """Set the proposal aside unapplied."""
    item = access_get(AssignmentProposal.objects.all(), api_user(request), "change",
                      pk=proposal_id)  # fmt: skip
    return proposal_discard(proposal=item, actor=api_actor(request))


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused pairing write (cards, postings and committees too) as JSON with the
    refusal's stable code."""
    refusals_install(api, PairingError, bad_request=BAD_REQUEST_CODES, forbidden=FORBIDDEN_CODES)
