"""Writes of the jobs app: start a job (and its detached worker), record its progress and
its end, cancel it, and see a job whose worker died as failed.

A job runs in its own OS process (`fupin jobs run ID`), started detached once the job's
row is committed, with the environment of the process that started it (DATABASE_URL,
FUPIN_VAR_DIR), so that it reaches the same database on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import SYSTEM, Actor, EventSpec, audit_record
from fupin.jobs.choices import OPEN_STATUSES, JobKind, JobStatus
from fupin.jobs.kinds import KINDS, JobError, JobRefused, job_dir
from fupin.jobs.models import Job
from fupin.regions.models import Region

log = logging.getLogger(__name__)

WORKER = "fupin jobs worker"
WORKER_ACTOR = Actor(None, WORKER)
# A queued job whose worker never reported (the starting process died before launching it).
NEVER_STARTED_AFTER = timedelta(minutes=5)
LOST_MESSAGE = "任务中断：工作进程已退出，未能记录结果；请重新开始任务"
SAFE_NAME = re.compile(r"[^\w.\-]+")


def job_may_start(*, user: Any, kind: str, region_code: str) -> bool:
    """Whether `user` holds a post that may start a `kind` job over `region_code`."""
    spec = KINDS.get(kind)
    return spec is not None and bool(roles_at(user, region_code) & spec.roles)


def job_start(
    *,
    kind: str,
    params: dict[str, Any],
    region_code: str,
    actor: Actor,
    upload: File | None = None,
) -> Job:
    """Record a job for `actor` over `region_code` and launch its worker once committed."""
    spec = KINDS.get(kind)
    if spec is None:
        raise JobError(f"unknown job kind {kind!r}; one of {', '.join(JobKind.values)}")
    if region_code and not (
        region_code.isdigit() and Region.objects.filter(code=region_code).exists()
    ):
        raise JobError(f"no region {region_code!r}")
    if actor.user is None or not job_may_start(user=actor.user, kind=kind, region_code=region_code):
        raise JobRefused(f"no post that may start a {kind} job over {region_code or 'the nation'}")
    cleaned = spec.params(params, region_code)
    if spec.needs_file and upload is None:
        raise JobError(f"a {kind} job needs a file")
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, params=cleaned, region_code=region_code, user_id=actor.user.pk,
            created_at=timezone.now(),
        )  # fmt: skip
        if spec.needs_file and upload is not None:
            job.params = {**cleaned, "file": _store_upload(job.pk, upload)}
            job.save(update_fields=["params"])
        audit_record(actor=actor, spec=_event("job.start", job, after={"kind": kind, **job.params}))
        transaction.on_commit(lambda: job_launch(job_id=job.pk))
    return job


def _store_upload(job_id: int, upload: File) -> str:
    """Keep an uploaded file in the job's directory under a safe name; returns the name."""
    name = SAFE_NAME.sub("_", Path(upload.name or "upload").name).lstrip(".") or "upload"
    directory = job_dir(job_id)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / name).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return name


def job_launch(*, job_id: int) -> None:
    """Start the detached worker process of a queued job (`fupin jobs run ID`)."""
    directory = job_dir(job_id)
    directory.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "FUPIN_VAR_DIR": str(settings.VAR_DIR)}
    try:
        with (directory / "worker.log").open("ab") as log_file:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "fupin.cli", "jobs", "run", str(job_id)],
                env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                start_new_session=True, close_fds=True,
            )  # fmt: skip
    except OSError:
        log.exception("job %s: the worker could not be started", job_id)
        job_finish(job_id=job_id, status=JobStatus.FAILED, message="工作进程未能启动")
        return
    # Reap the worker when it ends, so that a finished worker is no zombie that looks alive.
    threading.Thread(target=process.wait, daemon=True, name=f"job-{job_id}-reaper").start()
    Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, pid__isnull=True).update(
        pid=process.pid, host=socket.gethostname()
    )


def job_begin(*, job_id: int) -> Job | None:
    """Mark a queued job running in this process; None if it is no longer queued."""
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), pid=os.getpid(),
            host=socket.gethostname(), message="运行中",
        )  # fmt: skip
    return Job.objects.select_related("user").get(pk=job_id) if claimed else None


def job_progress(*, job_id: int, done: int, total: int, message: str = "") -> str:
    """Record a job's progress in one short transaction; returns the job's status, so that
    the worker stops when it reads 'cancelled'. Cheap: one UPDATE, one SELECT, no audit
    event (progress is bookkeeping, not a change to the record); call it outside the work's
    own transaction, or it shows only when that commits."""
    with transaction.atomic():
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            done=max(done, 0), total=max(total, 0), message=message[:500]
        )
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
    return status or JobStatus.CANCELLED


def job_finish(
    *,
    job_id: int,
    status: str,
    message: str,
    result: dict[str, Any] | None = None,
    result_file: str = "",
) -> bool:
    """Record the end of an open job; False if it had already ended (cancelled meanwhile),
    in which case the result is still kept beside the cancellation."""
    fields: dict[str, Any] = {"result": result, "result_file": result_file}
    with transaction.atomic():
        ended = Job.objects.filter(pk=job_id, status__in=OPEN_STATUSES).update(
            status=status, message=message[:500], finished_at=timezone.now(), **fields
        )
        if not ended:
            Job.objects.filter(pk=job_id).update(**fields)
        job = Job.objects.get(pk=job_id)
        audit_record(
            actor=WORKER_ACTOR,
            spec=_event(
                "job.finish", job, after={"status": job.status, "message": job.message,
                                          "result": result, "file": result_file},
            ),
        )  # fmt: skip
    return bool(ended)


def job_cancel(*, job: Job, actor: Actor) -> Job:
    """Cancel an open job: mark it cancelled and ask its worker to stop. Work that already
    committed stays (annual-run chunks; an import commits whole or not at all)."""
    may = actor.user is not None and (
        job.user_id == actor.user.pk
        or job_may_start(user=actor.user, kind=job.kind, region_code=job.region_code)
    )
    if not may:
        raise JobRefused("only who started a job, or a post that may start it, cancels it")
    with transaction.atomic():
        cancelled = Job.objects.filter(pk=job.pk, status__in=OPEN_STATUSES).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now(), message="已取消"
        )
        job.refresh_from_db()
        if cancelled:
            audit_record(actor=actor, spec=_event("job.cancel", job))
    if cancelled and job.pid and worker_alive(job):
        try:
            os.kill(job.pid, 15)  # SIGTERM: the worker unwinds its transaction and stops
        except OSError:
            log.warning("job %s: could not signal worker %s", job.pk, job.pid)
    return job


def jobs_check_alive(jobs: list[Job]) -> list[Job]:
    """`jobs`, with those whose worker died marked failed (checked when jobs are read)."""
    for job in jobs:
        if job.is_open and job_lost(job):
            with transaction.atomic():
                marked = Job.objects.filter(pk=job.pk, status=job.status, pid=job.pid).update(
                    status=JobStatus.FAILED, message=LOST_MESSAGE, finished_at=timezone.now()
                )
                if marked:
                    job.refresh_from_db()
                    audit_record(actor=SYSTEM, spec=_event("job.lost", job))
    return jobs


def job_lost(job: Job) -> bool:
    """Whether an open job's worker is gone (or never started) on this host."""
    if job.pid is None:
        return job.status == JobStatus.QUEUED and job.created_at < timezone.now() - (
            NEVER_STARTED_AFTER
        )
    if job.host and job.host != socket.gethostname():
        return False  # another host's process: not ours to judge
    return not worker_alive(job)


def worker_alive(job: Job) -> bool:
    """Whether the process `job.pid` runs and is this job's worker (not a zombie, and not
    another program that was given the pid after the worker ended)."""
    if job.pid is None:
        return False
    try:
        os.kill(job.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{job.pid}")
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        args = (proc / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return True  # no /proc here: the pid's existence is all we know
    return state not in {"Z", "X"} and b"jobs" in args and str(job.pk).encode() in args


def _event(action: str, job: Job, after: dict[str, Any] | None = None) -> EventSpec:
    return EventSpec(
        action=action, object_type="job", object_id=str(job.pk), region_code=job.region_code,
        after=after if after is not None else {"kind": job.kind, "status": job.status},
    )  # fmt: skip
