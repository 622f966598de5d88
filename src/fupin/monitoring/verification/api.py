"""The exit check's API routes (第三方评估): the checks, drawing one, one with its results
(三率一度), importing the filled survey workbook, and moving a check on (forms sent, or
completed).

Reads start from `core.access.restrict` (`access_exit_check`: missing and out of scope,
the same 404); writes go through `verification.services`, whose refusals are answered as
JSON with their stable code, a refused workbook with every problem by row and field.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, NinjaAPI, Query, Router, Status
from ninja.files import UploadedFile

from fupin.core.api import (
    ObjectId,
    api_actor,
    api_user,
    error_response,
    refusals_install,
    responses,
)
from fupin.monitoring.models import ExitCheck
from fupin.monitoring.verification.choices import CheckStatus
from fupin.monitoring.verification.kernels import SampleSizes
from fupin.monitoring.verification.queries import (
    ResultsIncomplete,
    access_exit_check,
    exit_check_evidence,
    exit_check_results,
    exit_checks,
    stratum_counts,
)
from fupin.monitoring.verification.schemas import (
    ExitCheckDetailOut,
    ExitCheckFilters,
    ExitCheckFindingsOut,
    ExitCheckIn,
    ExitCheckOut,
    ExitCheckStatusIn,
)
from fupin.monitoring.verification.services import (
    CheckError,
    exit_check_complete,
    exit_check_draw,
    exit_check_send,
    findings_import,
)
from fupin.monitoring.verification.workbook import FindingIssue, FindingsError
from fupin.policy.queries import PolicyMissing
from fupin.regions.queries import code_prefix_q

router = Router(tags=["exit checks"])
# Refusals about what the request says (400) and the user's post (403); the rest (a check
# already drawn, sent or completed, a county with nobody to draw) are the state (409).
BAD_REQUEST_CODES = frozenset({"county_unknown", "seed_invalid"})
FORBIDDEN_CODES = frozenset({"role_not_allowed"})
CHECKS_MAX = 500


def _check_item(check: ExitCheck) -> dict[str, Any]:
    drawn = (check.parameters or {}).get("drawn", {}).get("households", {})
    return {
        "id": check.pk, "county_code": check.county_id, "county_name": check.county.name,
        "year": check.year, "seed": str(check.seed), "status": check.status,
        "households_sampled": sum(int(n) for n in drawn.values()),
        "drawn_by": check.drawn_by_label, "drawn_at": check.drawn_at,
        "completed_at": check.completed_at,
    }  # fmt: skip


def _check_detail(check: ExitCheck) -> dict[str, Any]:
    """A check with its strata, its results (fixed, or so far) and its evaluation."""
    strata = [{"stratum": row.stratum, "sampled": row.sampled, "surveyed": row.surveyed,
               "frame": row.frame} for row in stratum_counts(check)]  # fmt: skip
    results = check.results or exit_check_results(exit_check=check).as_dict()
    try:
        found = exit_check_evidence(exit_check=check)
    except (ResultsIncomplete, PolicyMissing):
        evaluation = None
    else:
        bars = found.bars
        evaluation = {
            "evidence": found.evidence, "vetoes": found.vetoes,
            "bars": {"incidence": bars.incidence, "wrong_exit_rate": bars.wrong_exit,
                     "omission_rate": bars.omission, "satisfaction": bars.satisfaction},
        }  # fmt: skip
    return {
        **_check_item(check), "parameters": check.parameters, "strata": strata,
        "results": {**results, "fixed": check.results is not None}, "evaluation": evaluation,
    }  # fmt: skip


def _check(request: HttpRequest, check_id: int) -> ExitCheck:
    return access_exit_check(api_user(request), check_id)


@router.get("/exit-checks", response=responses({200: list[ExitCheckOut]}), summary="Exit checks")
def check_list(request: HttpRequest, filters: Query[ExitCheckFilters]) -> list[dict[str, Any]]:
    """The exit checks you may see, newest year first (the first 500)."""
    checks = exit_checks(user=api_user(request)).select_related("county")
    checks = checks.filter(code_prefix_q(filters.region, "county_id"))
    if filters.year is not None:
        checks = checks.filter(year=filters.year)
    return [_check_item(check) for check in checks[:CHECKS_MAX]]


@router.post(
    "/exit-checks", response=responses({201: ExitCheckDetailOut}, 409), summary="Draw a check"
)
def check_draw(request: HttpRequest, payload: ExitCheckIn) -> Status[dict[str, Any]]:
    """Draw a county's sample for a year (an evaluator or the national office over it)."""
    sizes = SampleSizes(
        poor_villages=payload.poor_villages, non_poor_villages=payload.non_poor_villages,
        registered_per_village=payload.registered_per_village,
        non_registered_per_village=payload.non_registered_per_village,
    )  # fmt: skip
    check = exit_check_draw(county_code=payload.county_code, year=payload.year,
                            seed=payload.seed, sizes=sizes, actor=api_actor(request))  # fmt: skip
    return Status(201, _check_detail(ExitCheck.objects.select_related("county").get(pk=check.pk)))


@router.get(
    "/exit-checks/{check_id}", response=responses({200: ExitCheckDetailOut}), summary="A check"
)
def check_read(request: HttpRequest, check_id: ObjectId) -> dict[str, Any]:
    """A check with its sample by stratum, its results (fixed once completed, else from the
    findings so far) with their 95% intervals, and the bars and vetoes they give."""
    return _check_detail(_check(request, check_id))


@router.patch(
    "/exit-checks/{check_id}",
    response=responses({200: ExitCheckDetailOut}, 409),
    summary="Send or complete a check",
)
def check_move(
    request: HttpRequest, check_id: ObjectId, payload: ExitCheckStatusIn
) -> dict[str, Any]:
    """Record that the survey went to the field (`in_field`: the sample is no longer
    redrawn), or complete the check (`completed`: the results are fixed)."""
    check = _check(request, check_id)
    if payload.status == CheckStatus.COMPLETED:
        check = exit_check_complete(exit_check=check, actor=api_actor(request))
    else:
        check = exit_check_send(exit_check=check, actor=api_actor(request))
    return _check_detail(ExitCheck.objects.select_related("county").get(pk=check.pk))


@router.post(
    "/exit-checks/{check_id}/findings",
    response=responses({200: ExitCheckFindingsOut}, 409),
    summary="Import the filled survey",
)
def findings_upload(
    request: HttpRequest, check_id: ObjectId, file: File[UploadedFile]
) -> dict[str, Any]:
    """Import the check's filled survey workbook (.xlsx, multipart form) whole, replacing
    the findings entered before; a refusal lists every problem by row and field (`errors`)
    and writes nothing."""
    check = _check(request, check_id)
    name = Path(file.name or "upload.xlsx").name
    if Path(name).suffix.lower() != ".xlsx":
        raise FindingsError([FindingIssue(name, None, "file", "only .xlsx workbooks are read")])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.xlsx"
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            written = findings_import(exit_check=check, path=path, actor=api_actor(request),
                                      file_name=name)  # fmt: skip
        except PolicyMissing as missing:
            raise CheckError("policy_missing", str(missing)) from None
    return {"file": name, "households": written}


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused check as JSON with its stable code, and a refused workbook with
    every problem (`errors`: file, row, field, message)."""
    refusals_install(api, CheckError, bad_request=BAD_REQUEST_CODES, forbidden=FORBIDDEN_CODES)

    @api.exception_handler(FindingsError)
    def findings_refused(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, FindingsError)
        errors = [{"file": issue.file, "row": issue.row, "field": issue.field,
                   "message": issue.message} for issue in exc.issues]  # fmt: skip
        return error_response(api, request, 400, "findings_invalid", str(exc), errors=errors)
