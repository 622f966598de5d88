"""The funds and projects API routes (扶贫资金和项目): the reconciliation of a region's funds
and its flags, allocations, projects with their steps and beneficiaries, and payments.

Reads start from `core.access.restrict` and `funds.queries` (a region or project out of
scope answers as missing, 404); writes go through `funds.services`, whose refusal
(`FundsError`) is answered as JSON with its stable code: 403 for the user's post, 409 for
the state of things, 400 for what the request says.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Router, Status

from fupin.core.access import access_get, restrict
from fupin.core.api import (
    ObjectId,
    PageIn,
    api_actor,
    api_user,
    page_of,
    refusals_install,
    responses,
)
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household
from fupin.support.funds.forms import FORBIDDEN_CODES
from fupin.support.funds.queries import funds_flags, funds_reconcile, project_list
from fupin.support.funds.schemas import (
    AllocationFilters,
    AllocationIn,
    AllocationOut,
    AllocationPageOut,
    FundsFilters,
    FundsNodeOut,
    FundsPaymentIn,
    FundsPaymentOut,
    FundsReconciliationOut,
    ProjectBeneficiariesAddedOut,
    ProjectBeneficiariesIn,
    ProjectBeneficiaryPageOut,
    ProjectDetailOut,
    ProjectFilters,
    ProjectIn,
    ProjectOut,
    ProjectPageOut,
    ProjectTransitionIn,
)
from fupin.support.funds.services import (
    FundsError,
    allocation_record,
    beneficiaries_add,
    disbursement_record,
    project_create,
    project_status_change,
)
from fupin.support.funds.views import project_get
from fupin.support.models import Allocation, Disbursement, Measure, Project

router = Router(tags=["funds"])
# Every refusal that is neither about the post nor the state names what the request says.
BAD_REQUEST_CODES = frozenset({
    "region_invalid", "region_unknown", "direction_invalid", "source_unknown",
    "source_not_here", "department_invalid", "integrated_outside_county", "amount_invalid",
    "document_missing", "date_invalid", "year_out_of_range", "payee_invalid", "kind_unknown",
    "name_invalid", "status_unknown", "households_missing", "household_unknown",
    "outside_project", "measure_for_household", "measure_other_household", "measure_in_kind",
})  # fmt: skip
PAYMENTS_MAX = 500
CENT = Decimal("0.01")


def _yuan(amount: Decimal | int | None) -> Decimal:
    # SQLite sums decimals without their places; give yuan and fen on both databases.
    return Decimal(amount or 0).quantize(CENT)


def _reconciliation_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "own_level": bool(row.get("own_level"))}


@router.get(
    "/funds/reconciliation",
    response=responses({200: FundsReconciliationOut}),
    summary="Reconcile a region's funds",
)
def reconciliation(request: HttpRequest, filters: Query[FundsFilters]) -> dict[str, Any]:
    """The funds of a region (the nation, a province, prefecture or county your posts
    cover whole) for a year: its row, its parts with its own level (本级), its own figures."""
    result = funds_reconcile(user=api_user(request), region=filters.region, year=filters.year,
                             on=filters.on)  # fmt: skip
    return {
        "region": result.region, "year": result.year,
        "total": _reconciliation_row(result.total),
        "parts": [_reconciliation_row(part) for part in result.parts], "node": result.node,
    }  # fmt: skip


@router.get("/funds/flags", response=responses({200: list[FundsNodeOut]}), summary="Funds flags")
def flags(request: HttpRequest, filters: Query[FundsFilters]) -> list[dict[str, Any]]:
    """The regions under a region whose funds of the year are idle or overspent, the
    largest first."""
    return funds_flags(user=api_user(request), region=filters.region, year=filters.year,
                       on=filters.on)  # fmt: skip


@router.get(
    "/funds/allocations", response=responses({200: AllocationPageOut}), summary="Allocations"
)
def allocation_list(request: HttpRequest, filters: Query[AllocationFilters]) -> dict[str, Any]:
    """The allocations into a region's part of the tree you may see, newest first."""
    allocations = restrict(Allocation.objects.all(), api_user(request), "view").filter(
        code_prefix_q(filters.region, "to_region_code")
    )
    if filters.year is not None:
        allocations = allocations.filter(year=filters.year)
    items, count = page_of(allocations.order_by("-allocated_on", "-id"), page=filters.page,
                           page_size=filters.page_size, request=request)  # fmt: skip
    return {"items": items, "count": count, "page": filters.page, "page_size": filters.page_size}


@router.post(
    "/funds/allocations", response=responses({201: AllocationOut}), summary="Record an allocation"
)
def allocation_create(request: HttpRequest, payload: AllocationIn) -> Status[Allocation]:
    """Record funds allocated from a level ('' the centre) to a region below it, or a
    region's own budget line; by an office over the giving region."""
    allocation = allocation_record(actor=api_actor(request), **payload.dict())
    return Status(201, allocation)


def _project_item(project: Project) -> dict[str, Any]:
    fields = ("id", "region_code", "year", "kind", "name", "budget", "status", "approved_on",
              "started_on", "completed_on", "accepted_on", "households")  # fmt: skip
    return {**{name: getattr(project, name) for name in fields},
            "paid": _yuan(project.paid)}  # type: ignore[attr-defined]  # fmt: skip


def _project_detail(user: AbstractBaseUser, project_id: int) -> dict[str, Any]:
    project = project_get(user, project_id)
    transitions = restrict(project.transitions.all(), user, "view").order_by("on", "id")
    payments = restrict(project.disbursements.all(), user, "view").order_by("-paid_on", "-id")
    return {**_project_item(project), "transitions": list(transitions),
            "payments": list(payments[:PAYMENTS_MAX])}  # fmt: skip


@router.get("/funds/projects", response=responses({200: ProjectPageOut}), summary="Projects")
def projects(request: HttpRequest, filters: Query[ProjectFilters]) -> dict[str, Any]:
    """The projects under a region you may see, with what was paid to them and how many
    households they benefit; newest year first."""
    found = project_list(user=api_user(request), region=filters.region, year=filters.year,
                         status=filters.status)  # fmt: skip
    items, count = page_of(found, page=filters.page, page_size=filters.page_size,
                           request=request)  # fmt: skip
    return {"items": [_project_item(project) for project in items], "count": count,
            "page": filters.page, "page_size": filters.page_size}  # fmt: skip


@router.post("/funds/projects", response=responses({201: ProjectOut}), summary="Create a project")
def project_new(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    """Put a project into the county's project bank (项目库); by the county office."""
    project = project_create(actor=api_actor(request), **payload.dict())
    return Status(201, _project_item(project_get(api_user(request), project.pk)))


@router.get(
    "/funds/projects/{project_id}", response=responses({200: ProjectDetailOut}), summary="A project"
)
def project_read(request: HttpRequest, project_id: ObjectId) -> dict[str, Any]:
    """A project with its steps and payments."""
    return _project_detail(api_user(request), project_id)


@router.post(
    "/funds/projects/{project_id}/transitions",
    response=responses({201: ProjectDetailOut}, 409),
    summary="Move a project on",
)
def project_step(
    request: HttpRequest, project_id: ObjectId, payload: ProjectTransitionIn
) -> Status[dict[str, Any]]:
    """Move a project one step on (入库 → 批复 → 在建 → 完工 → 验收), on the day it happened."""
    user = api_user(request)
    project = project_get(user, project_id)
    project_status_change(project=project, actor=api_actor(request), **payload.dict())
    return Status(201, _project_detail(user, project.pk))


@router.get(
    "/funds/projects/{project_id}/beneficiaries",
    response=responses({200: ProjectBeneficiaryPageOut}),
    summary="A project's beneficiaries",
)
def beneficiary_list(
    request: HttpRequest, project_id: ObjectId, paging: Query[PageIn]
) -> dict[str, Any]:
    """The households the project benefits, by household number."""
    user = api_user(request)
    project = project_get(user, project_id)
    rows = restrict(project.beneficiaries.all(), user, "view").select_related("household")
    items, count = page_of(rows.order_by("household__household_no"), page=paging.page,
                           page_size=paging.page_size, request=request)  # fmt: skip
    return {
        "items": [{"household_id": row.household_id, "household_no": row.household.household_no,
                   "village_code": row.household.village_id, "added_at": row.added_at}
                  for row in items],
        "count": count, "page": paging.page, "page_size": paging.page_size,
    }  # fmt: skip


@router.post(
    "/funds/projects/{project_id}/beneficiaries",
    response=responses({200: ProjectBeneficiariesAddedOut}),
    summary="Add beneficiaries",
)
def beneficiary_add(
    request: HttpRequest, project_id: ObjectId, payload: ProjectBeneficiariesIn
) -> dict[str, int]:
    """Add households the project benefits (those on it already are left as they are); a
    household you may not see reads as unknown."""
    user = api_user(request)
    project = project_get(user, project_id)
    wanted = set(payload.household_ids)
    seen = set(
        restrict(Household.objects.filter(pk__in=wanted), user, "view").values_list("pk", flat=True)
    )
    unknown = sorted(wanted - seen)
    if unknown:
        listed = ", ".join(str(pk) for pk in unknown[:10])
        raise FundsError("household_unknown", f"no household with id {listed}")
    added = beneficiaries_add(project=project, household_ids=seen, actor=api_actor(request))
    return {"added": added, "households": project.beneficiaries.count()}


@router.post(
    "/funds/payments", response=responses({201: FundsPaymentOut}, 409), summary="Record a payment"
)
def payment_create(request: HttpRequest, payload: FundsPaymentIn) -> Status[Disbursement]:
    """Record the county's payment to one of its projects or to a household (with the
    ledger measure it paid); the project, household and measure are ones you may see."""
    user = api_user(request)
    project = household = measure = None
    if payload.project_id is not None:
        project = access_get(Project.objects.all(), user, "view", pk=payload.project_id)
    if payload.household_id is not None:
        household = access_get(Household.objects.all(), user, "view", pk=payload.household_id)
    if payload.measure_id is not None:
        measure = access_get(Measure.objects.all(), user, "view", pk=payload.measure_id)
    payment = disbursement_record(
        year=payload.year, source=payload.source, amount=payload.amount, paid_on=payload.paid_on,
        voucher_no=payload.voucher_no, project=project, household=household, measure=measure,
        actor=api_actor(request),
    )  # fmt: skip
    return Status(201, payment)


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused funds or project write as JSON with its stable code."""
    refusals_install(api, FundsError, bad_request=BAD_REQUEST_CODES, forbidden=FORBIDDEN_CODES)
