"""The procedures' API routes: cases, their history, and taking a case's next step.

Reads start from `core.access.restrict`; a case is fetched with `access_get` (missing and
out of scope: the same 404). A step is taken through `targeting.services.case_step_take`
once the user is found to act on cases there (`access_get(..., "change")`); the service
checks the step itself (order, the user's post, evidence, notice periods) and refuses with
a `CaseError`, answered as JSON with its code.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router

from fupin.core.access import access_get, restrict
from fupin.core.api import (
    ObjectId,
    api_actor,
    api_user,
    page_of,
    refusals_install,
    responses,
)
from fupin.regions.queries import code_prefix_q
from fupin.targeting.models import Case, CaseStep
from fupin.targeting.queries import case_next_steps
from fupin.targeting.schemas import CaseFilters, CaseOut, CasePageOut, StepIn
from fupin.targeting.services import CaseError, case_step_take

router = Router(tags=["cases"])

# Refusals about what the request says (400); the others are about the state of the case
# or the user's post in it (409).
BAD_REQUEST_CODES = frozenset({
    "evidence_missing", "evidence_invalid", "unknown_step", "unknown_kind", "reason_missing",
    "detail_invalid", "subject_missing", "date_in_future",
})  # fmt: skip


def _case_item(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk, "kind": case.kind, "household_id": case.household_id,
        "region_code": case.region_code, "year": case.year, "outcome": case.outcome,
        "step": case.step, "trigger": case.trigger, "opened_on": case.opened_on,
        "decided_on": case.decided_on,
    }  # fmt: skip


@router.get("/cases", response=responses({200: CasePageOut}), summary="Cases")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """The cases in your scope, filtered, newest first, a page at a time."""
    cases = restrict(Case.objects.all(), api_user(request), "view")
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.outcome:
        cases = cases.filter(outcome=filters.outcome)
    if filters.year:
        cases = cases.filter(year=filters.year)
    if filters.region:
        cases = cases.filter(code_prefix_q(filters.region, "region_code"))
    items, count = page_of(
        cases.order_by("-opened_on", "-id"),
        page=filters.page, page_size=filters.page_size, request=request,
    )  # fmt: skip
    return {
        "items": [_case_item(case) for case in items],
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
    }


def case_detail_view(case: Case, user: AbstractBaseUser) -> dict[str, Any]:
    """A case with its history and the steps `user` may take next."""
    history = restrict(CaseStep.objects.filter(case=case), user, "view").order_by("seq")
    next_steps = [
        {"slug": step.slug, "label": step.label, "roles": sorted(step.roles),
         "evidence": [{"key": e.key, "label": e.label, "kind": e.kind} for e in step.evidence],
         "notice": step.notice}
        for step in case_next_steps(case, user)
    ]  # fmt: skip
    return {
        **_case_item(case),
        "household_no": case.household.household_no if case.household else None,
        "clue_on": case.clue_on, "notice_ends": case.notice_ends,
        "awaiting_reverification": case.awaiting_reverification, "reason": case.reason,
        "detail": case.detail, "steps": list(history), "next_steps": next_steps,
    }  # fmt: skip


@router.get("/cases/{case_id}", response=responses({200: CaseOut}), summary="A case")
def case_detail(request: HttpRequest, case_id: ObjectId) -> dict[str, Any]:
    """A case with its step history and the steps you may take next."""
    user = api_user(request)
    case = access_get(Case.objects.select_related("household"), user, "view", pk=case_id)
    return case_detail_view(case, user)


@router.post(
    "/cases/{case_id}/steps",
    response=responses({200: CaseOut}, 409),
    summary="Take a case's next step",
)
def case_step(request: HttpRequest, case_id: ObjectId, payload: StepIn) -> dict[str, Any]:
    """Take the case's next step with its evidence (JSON); a refused step answers with the
    refusal's code (400 for what the request says, 409 for the state of the case)."""
    user = api_user(request)
    case = access_get(Case.objects.all(), user, "change", pk=case_id)
    today = timezone.localdate()
    on = payload.on or today
    if on > today:
        raise CaseError("date_in_future", _("办理日期不能晚于今天"))
    try:
        case = case_step_take(
            case=case, step=payload.step, on=on, actor=api_actor(request),
            evidence=payload.evidence, note=payload.note,
        )  # fmt: skip
    except ArithmeticError:
        # A rate such as "NaN" passes Decimal() but fails every comparison.
        raise CaseError("evidence_invalid", _("证据中的数值无效")) from None
    case = access_get(Case.objects.select_related("household"), user, "view", pk=case.pk)
    return case_detail_view(case, user)


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused case action as JSON with the refusal's stable code."""
    refusals_install(api, CaseError, bad_request=BAD_REQUEST_CODES)
