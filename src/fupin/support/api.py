"""The assistance ledger's API routes: a household's measures, recording one, a
department's file, the ledger by type and the coverage gaps.

Reads start from `core.access.restrict`; writes go through `support.services`, whose
refusal (`MeasureError`) is answered as JSON with its stable code and, for a file or a
row, every problem by row and field.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, NinjaAPI, Query, Router, Status
from ninja.files import UploadedFile

from fupin.core.access import access_get, restrict, user_prefixes
from fupin.core.api import ObjectId, api_actor, api_user, error_response, responses
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household
from fupin.support import ledger_file
from fupin.support.models import MEASURE_KEEPERS, Measure
from fupin.support.queries import coverage_gaps, household_measures
from fupin.support.schemas import (
    CoverageGapFilters,
    CoverageGapVillageOut,
    ImportOut,
    LedgerFilters,
    LedgerTypeOut,
    MeasureIn,
    MeasureOut,
)
from fupin.support.services import MeasureError, measure_record

router = Router(tags=["support"])
# A refusal about the post (403); every other names what the request or file says (400),
# except a household off the register (409, the state of things).
FORBIDDEN_CODES = frozenset({"household_no.outside_posts", "provider_kind.department_only"})
MEASURES_MAX = 500
CENT = Decimal("0.01")
UPLOAD_SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})


@router.get(
    "/households/{household_id}/measures",
    response=responses({200: list[MeasureOut]}),
    summary="A household's measures",
)
def measure_list(request: HttpRequest, household_id: ObjectId) -> list[Measure]:
    """The household's measures, newest first (the latest 500)."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    return list(household_measures(user=user, household=household)[:MEASURES_MAX])


@router.post(
    "/households/{household_id}/measures",
    response=responses({201: MeasureOut}, 409),
    summary="Record a measure",
)
def measure_create(
    request: HttpRequest, household_id: ObjectId, payload: MeasureIn
) -> Status[Measure]:
    """Record one measure the household received (the year is the date's)."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    measure = measure_record(
        household=household, year=payload.given_on.year, actor=api_actor(request),
        **payload.dict(),
    )  # fmt: skip
    return Status(201, measure)


@router.post("/measures/import", response=responses({200: ImportOut}), summary="Import a file")
def measure_import(
    request: HttpRequest, file: File[UploadedFile], check_only: Form[bool] = False
) -> Status[dict[str, Any]]:
    """Record a department's file of measures (.xlsx or .csv, multipart form) whole, or
    nothing: a refusal lists every problem by row and field (`errors`)."""
    user = api_user(request)
    if not user_prefixes(user, MEASURE_KEEPERS):
        raise MeasureError("role_not_allowed", "your posts do not record support measures")
    name = Path(file.name or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise MeasureError("file_unusable", f"{name}: only .xlsx and .csv files are imported")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        count = ledger_file.measures_file_import(
            path=path, actor=api_actor(request), file_name=name, dry_run=check_only
        )
    return Status(200, {"file": name, "measures": count, "recorded": not check_only})


@router.get("/measures", response=responses({200: list[LedgerTypeOut]}), summary="The ledger")
def ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> list[dict[str, Any]]:
    """The measures of a region and year by type: households, measures and value."""
    measures = restrict(Measure.objects.filter(year=filters.year), api_user(request), "view")
    measures = measures.filter(code_prefix_q(filters.region, "household__village_id"))
    if filters.measure_type:
        measures = measures.filter(measure_type=filters.measure_type)
    rows = (
        measures.order_by()
        .values("measure_type")
        .annotate(households=Count("household_id", distinct=True), measures=Count("id"),
                  value=Sum("value"))
        .order_by("measure_type")
    )  # fmt: skip
    # SQLite sums decimals without their places; give yuan and fen on both databases.
    return [{**row, "value": (row["value"] or Decimal(0)).quantize(CENT)} for row in rows]


@router.get(
    "/measures/gaps",
    response=responses({200: list[CoverageGapVillageOut]}),
    summary="Coverage gaps",
)
def gaps(request: HttpRequest, filters: Query[CoverageGapFilters]) -> list[dict[str, Any]]:
    """Per village, the households keeping support in the year with no measure answering
    their main cause of poverty."""
    found = coverage_gaps(user=api_user(request), prefix=filters.region, year=filters.year)
    return [{"village_code": code, "households": n} for code, n in found.by_village]


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused measure or file as JSON: its stable code, and every problem."""

    @api.exception_handler(MeasureError)
    def refused(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, MeasureError)
        codes = {issue.code for issue in exc.issues} or {exc.code}
        status = 400
        if exc.code == "role_not_allowed" or codes & FORBIDDEN_CODES:
            status = 403
        elif codes == {"household_no.not_on_register"}:
            status = 409
        errors = ledger_file.issue_rows(exc.issues)
        return error_response(api, request, status, exc.code, str(exc), errors=errors or None)
