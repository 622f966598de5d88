"""The job pages: the list of visible jobs, a job's progress (a plain page that reloads
itself without JavaScript, and an htmx fragment polled every second), its download."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from fupin.core.audit import Actor
from fupin.jobs.kinds import JobRefused
from fupin.jobs.models import Job
from fupin.jobs.queries import job_access, job_cancellable, job_file, jobs_list
from fupin.jobs.services import job_cancel

RESULT_LABELS = {
    "year": _("年度"), "households": _("户数"), "rows": _("行数"), "opened": _("新开案件"),
    "total_opened": _("新开案件合计"), "already": _("已有案件"), "chunks": _("提交批次"),
    "dry_run": _("试运行"), "errors": _("错误"), "warnings": _("警告"), "applied": _("已写入"),
    "skipped_households": _("跳过户数"), "written": _("写入"), "file": _("文件"),
}  # fmt: skip


def _result_items(job: Job) -> list[tuple[Any, str]]:
    if not isinstance(job.result, dict):
        return []
    items = []
    for key, value in job.result.items():
        if isinstance(value, dict):
            value = "，".join(f"{k} {v}" for k, v in value.items()) or "0"
        items.append((RESULT_LABELS.get(key, key), str(value)))
    return items


def _context(request: HttpRequest, job: Job) -> dict[str, Any]:
    return {
        "job": job,
        "result_items": _result_items(job),
        "download": job_file(request.user, job) is not None,
        "can_cancel": job_cancellable(request.user, job),
    }


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The jobs acting on regions in the user's scope."""
    return render(request, "jobs/job_list.html", {"jobs": jobs_list(request.user)})


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress page."""
    job = job_access(request.user, job_id)
    return render(request, "jobs/job_detail.html", _context(request, job))


@login_required
@require_GET
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment htmx polls; it stops polling once the job has ended."""
    job = job_access(request.user, job_id)
    return render(request, "jobs/_job_status.html", _context(request, job))


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    """The job's result file (an export, an import's issue list)."""
    job = job_access(request.user, job_id)
    path = job_file(request.user, job)
    if path is None:
        raise Http404("no job here")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@login_required
@require_POST
def job_cancel_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """Cancel a job, then show its page again."""
    job = job_access(request.user, job_id)
    try:
        job_cancel(job=job, actor=Actor.of(request.user))
    except JobRefused:
        raise PermissionDenied from None
    return redirect("jobs:job_detail", job_id=job.pk)
