"""Reads of the jobs app: the jobs a user may see, one job by id, its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from fupin.core.access import UserLike, access_get, personal_data_visible, restrict
from fupin.jobs.kinds import job_dir
from fupin.jobs.models import Job
from fupin.jobs.services import job_may_start, jobs_check_alive


def jobs_visible(user: UserLike) -> QuerySet[Job]:
    """The jobs acting on regions in the user's scope, newest first."""
    return restrict(Job.objects.select_related("user"), user, "view").order_by("-created_at", "-id")


def jobs_list(user: UserLike, *, limit: int = 50) -> list[Job]:
    """The user's visible jobs, newest first, those whose worker died seen as failed."""
    return jobs_check_alive(list(jobs_visible(user)[:limit]))


def job_access(user: UserLike, job_id: Any) -> Job:
    """One job the user may see, its worker's death noticed; Http404 if missing or out of
    scope alike."""
    job = access_get(Job.objects.select_related("user"), user, "view", pk=job_id)
    return jobs_check_alive([job])[0]


def job_file(user: UserLike, job: Job) -> Path | None:
    """The job's result file if there is one and the user may read it: exports and import
    reports hold ID numbers and phones in full, so only the posts that see personal data
    in the job's region download them."""
    if not job.result_file or not personal_data_visible(user, job.region_code):
        return None
    path = job_dir(job.pk) / job.result_file
    return path if path.is_file() else None


def job_cancellable(user: UserLike, job: Job) -> bool:
    """Whether the user may cancel the job (it is open, and they started it or may start it)."""
    if not job.is_open or user is None or not user.is_authenticated:
        return False
    return job.user_id == user.pk or job_may_start(
        user=user, kind=job.kind, region_code=job.region_code
    )
