"""The worker: runs one job in this process (`fupin jobs run ID`) and records its end.

A failure records a clear message for the user; the traceback goes to the log (the
worker's stderr, kept in VAR_DIR/jobs/<id>/worker.log), never to the page.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

from fupin.jobs.choices import JobStatus
from fupin.jobs.kinds import KINDS, JobCancelled, JobError, JobRefused, job_dir
from fupin.jobs.services import job_begin, job_finish, job_may_start, job_progress

log = logging.getLogger(__name__)

# Errors whose text is written for the user: a bad region, a year without policy, a file
# outside the post's region. Anything else is a defect, shown as a generic message.
PROGRESS_EVERY_SECONDS = 0.5


def _expected_errors() -> tuple[type[BaseException], ...]:
    from fupin.policy.queries import PolicyMissing
    from fupin.targeting.annual import AnnualRunError

    return (JobError, JobRefused, AnnualRunError, PolicyMissing)


class Reporter:
    """The progress callback given to a kind: records at most every half second (and
    always the last step), and raises JobCancelled once the job was cancelled."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        status = job_progress(job_id=self.job_id, done=done, total=total, message=message)
        if status == JobStatus.CANCELLED:
            raise JobCancelled


def _stop_on_term(signum: int, frame: FrameType | None) -> None:
    raise JobCancelled


def job_run(*, job_id: int) -> str:
    """Run a queued job to its end in this process; returns its final status."""
    job = job_begin(job_id=job_id)
    if job is None:
        log.warning("job %s is not queued; nothing to run", job_id)
        return ""
    job_dir(job.pk).mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGTERM, _stop_on_term)
    try:
        # The posts may have changed since the job was queued.
        if not job_may_start(user=job.user, kind=job.kind, region_code=job.region_code):
            raise JobRefused("发起人已无权在该地区运行此任务")
        outcome = KINDS[job.kind].run(job, Reporter(job.pk))
    except JobCancelled:
        job_finish(job_id=job_id, status=JobStatus.CANCELLED, message="已取消")
    except _expected_errors() as exc:
        log.warning("job %s failed: %s", job_id, exc)
        job_finish(job_id=job_id, status=JobStatus.FAILED, message=str(exc))
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        job_finish(
            job_id=job_id, status=JobStatus.FAILED,
            message=f"任务失败：系统内部错误，已记入日志（任务 {job_id}）",
        )  # fmt: skip
    else:
        status = JobStatus.FAILED if outcome.failed else JobStatus.SUCCEEDED
        job_finish(job_id=job_id, status=status, message=outcome.message,
                   result=outcome.result, result_file=outcome.file)  # fmt: skip
    finally:
        signal.signal(signal.SIGTERM, previous)
    job.refresh_from_db()
    return job.status
