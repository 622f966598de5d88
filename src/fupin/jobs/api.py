"""The jobs API (mounted at /api/v1/jobs): start jobs and follow them.

Every read goes through `core.access` (a job outside the caller's scope answers as a
missing one) and every write through `jobs.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from fupin.core.api import responses
from fupin.core.audit import Actor
from fupin.jobs.choices import JobKind
from fupin.jobs.kinds import JobError, JobRefused
from fupin.jobs.models import Job
from fupin.jobs.queries import job_access, job_file, jobs_list
from fupin.jobs.schemas import JobIn, JobOut
from fupin.jobs.services import job_cancel, job_start

router = Router(tags=["jobs"])
NOT_FOUND = {"code": "not_found", "message": "no such job"}
UNAUTHENTICATED = {"code": "unauthenticated", "message": "log in or send an API token"}


def _user(request: HttpRequest) -> Any:
    """The caller: the user an API token authenticated, else the session's user."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, AbstractBaseUser):
        return auth
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def job_out(user: Any, job: Job) -> dict[str, Any]:
    """A job as the API shows it to `user`."""
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "region_code": job.region_code,
        "params": job.params, "done": job.done, "total": job.total, "percent": job.percent,
        "message": job.message, "result": job.result,
        "has_file": job_file(user, job) is not None,
        "page": reverse("jobs:job_detail", kwargs={"job_id": job.pk}),
        "user": job.user.get_username() if job.user else None,
        "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
    }  # fmt: skip


def _started(user: Any, start: Any) -> Status[Any]:
    try:
        job = start()
    except JobRefused as exc:
        return Status(403, {"code": "forbidden", "message": str(exc)})
    except JobError as exc:
        return Status(400, {"code": "bad_request", "message": str(exc)})
    return Status(201, job_out(user, job))


@router.post("", response=responses({201: JobOut}))
def job_create(request: HttpRequest, payload: JobIn) -> Status[Any]:
    """Start a job (annual_run or export; an import uploads its file to /household-import)."""
    user = _user(request)
    if user is None:
        return Status(401, UNAUTHENTICATED)
    if payload.kind == JobKind.HOUSEHOLD_IMPORT:
        message = "an import uploads its file: POST /jobs/household-import"
        return Status(400, {"code": "bad_request", "message": message})
    return _started(user, lambda: job_start(
        kind=payload.kind, params=payload.params, region_code=payload.region_code,
        actor=Actor.of(user),
    ))  # fmt: skip


@router.post("/household-import", response=responses({201: JobOut}))
def job_create_import(
    request: HttpRequest,
    file: File[UploadedFile],
    region_code: Form[str],
    year: Form[int],
    apply_valid: Form[bool] = False,
    dry_run: Form[bool] = False,
) -> Status[Any]:
    """Start a household import from an uploaded CSV or XLSX file (multipart form)."""
    user = _user(request)
    if user is None:
        return Status(401, UNAUTHENTICATED)
    params = {"year": year, "apply_valid": apply_valid, "dry_run": dry_run}
    return _started(user, lambda: job_start(
        kind=JobKind.HOUSEHOLD_IMPORT, params=params, region_code=region_code,
        actor=Actor.of(user), upload=file,
    ))  # fmt: skip


@router.get("", response=responses({200: list[JobOut]}))
def job_index(request: HttpRequest, limit: int = 50) -> Status[Any]:
    """The jobs acting on regions in the caller's scope, newest first."""
    user = _user(request)
    if user is None:
        return Status(401, UNAUTHENTICATED)
    return Status(
        200, [job_out(user, job) for job in jobs_list(user, limit=max(1, min(limit, 500)))]
    )


@router.get("/{job_id}", response=responses({200: JobOut}))
def job_read(request: HttpRequest, job_id: int) -> Status[Any]:
    """A job's status, progress and result."""
    user = _user(request)
    if user is None:
        return Status(401, UNAUTHENTICATED)
    try:
        return Status(200, job_out(user, job_access(user, job_id)))
    except Http404:
        return Status(404, NOT_FOUND)


CANCEL_RESPONSES = responses({200: JobOut})


@router.post("/{job_id}/cancel", response=CANCEL_RESPONSES)
def job_cancel_route(request: HttpRequest, job_id: int) -> Status[Any]:
    """Cancel a queued or running job (who started it, or a post that may start it)."""
    user = _user(request)
    if user is None:
        return Status(401, UNAUTHENTICATED)
    try:
        job = job_access(user, job_id)
    except Http404:
        return Status(404, NOT_FOUND)
    try:
        return Status(200, job_out(user, job_cancel(job=job, actor=Actor.of(user))))
    except JobRefused as exc:
        return Status(403, {"code": "forbidden", "message": str(exc)})
