"""Starting, following, cancelling jobs; a dead worker seen as failed."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from fupin.core.models import AuditEvent
from fupin.jobs.kinds import JobError, JobRefused, job_dir
from fupin.jobs.models import Job
from fupin.jobs.queries import job_access, jobs_visible
from fupin.jobs.services import LOST_MESSAGE, job_cancel, job_progress, job_start
from tests.targeting.conftest import VILLAGE, Posts

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int]:
    return Job.objects.count(), AuditEvent.objects.count()


def _job(posts: Posts, **fields: object) -> Job:
    values: dict[str, object] = {"kind": "annual_run", "params": {"year": 2016},
                                 "region_code": "522727", "user": posts.county.user,
                                 "created_at": timezone.now(), **fields}  # fmt: skip
    return Job.objects.create(**values)


@pytest.mark.parametrize(
    ("who", "kind", "region"),
    [
        ("cadre", "annual_run", VILLAGE),  # a village post runs no annual run
        ("township", "annual_run", "522727"),  # a township's grant does not cover the county
        ("province", "export", "52"),  # personal data in full: not for a province office
        ("other_cadre", "household_import", VILLAGE),  # another village
        ("inspector", "household_import", "522727"),  # an inspector keeps no register
        ("county", "annual_run", "52"),  # above the county's own region
    ],
)
def test_start_is_refused_outside_the_posts_reach(
    posts: Posts, who: str, kind: str, region: str, launched: list[int]
) -> None:
    # given
    before = _counts()
    upload = ContentFile(b"x", name="f.csv") if kind == "household_import" else None
    # when / then
    with pytest.raises(JobRefused):
        job_start(kind=kind, params={"year": 2016}, region_code=region,
                  actor=getattr(posts, who), upload=upload)  # fmt: skip
    assert _counts() == before and launched == []


@pytest.mark.parametrize(
    ("params", "region", "needle"),
    [
        ({}, "522727", "'year' is required"),
        ({"year": 2016, "path": "/etc/passwd"}, "522727", "unknown parameter"),
        ({"year": True}, "522727", "must be int"),
        ({"year": 1850}, "522727", "plausible"),
        ({"year": 2016, "chunk_level": "street"}, "522727", "chunk_level"),
        ({"year": 2016}, "522799", "no region"),
    ],
)
def test_bad_parameters_write_nothing(
    posts: Posts, params: dict[str, object], region: str, needle: str
) -> None:
    before = _counts()
    with pytest.raises(JobError, match=needle):
        job_start(kind="annual_run", params=params, region_code=region, actor=posts.county)
    assert _counts() == before


def test_a_start_is_recorded_audited_and_launched_on_commit(
    posts: Posts, django_capture_on_commit_callbacks: object
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        job = job_start(kind="annual_run", params={"year": 2016}, region_code="522727",
                        actor=posts.county)  # fmt: skip
    # then
    job.refresh_from_db()
    assert (job.status, job.user, job.region_code) == ("queued", posts.county.user, "522727")
    assert job.params == {"year": 2016, "dry_run": False, "chunk_level": "township", "on": None}
    event = AuditEvent.objects.get(action="job.start")
    assert (event.object_id, event.region_code, event.actor_label) == (str(job.pk), "522727",
                                                                       "county")  # fmt: skip
    assert len(callbacks) == 1  # the worker starts only once the job's row is committed


def test_an_upload_is_kept_under_a_safe_name_in_the_jobs_directory(posts: Posts) -> None:
    upload = ContentFile(b"household_no\n", name="../../etc/家庭 名单.csv")
    job = job_start(kind="household_import", params={"year": 2016}, region_code=VILLAGE,
                    actor=posts.cadre, upload=upload)  # fmt: skip
    name = job.params["file"]
    assert "/" not in name and not name.startswith(".")
    assert (job_dir(job.pk) / name).read_bytes() == b"household_no\n"


def test_an_import_needs_a_file(posts: Posts) -> None:
    with pytest.raises(JobError, match="needs a file"):
        job_start(kind="household_import", params={"year": 2016}, region_code=VILLAGE,
                  actor=posts.cadre)  # fmt: skip


def test_progress_is_recorded_and_tells_the_worker_of_a_cancel(posts: Posts) -> None:
    # given
    job = _job(posts, status="running")
    # when
    status = job_progress(job_id=job.pk, done=3, total=7, message="已提交 522727100")
    # then
    job.refresh_from_db()
    assert (status, job.done, job.total, job.message, job.percent) == (
        "running",
        3,
        7,
        "已提交 522727100",
        42,
    )
    job_cancel(job=job, actor=posts.county)
    assert job_progress(job_id=job.pk, done=4, total=7) == "cancelled"
    job.refresh_from_db()
    assert (job.done, job.status) == (3, "cancelled")


def test_cancel_is_for_the_starter_or_a_post_that_may_start_it(posts: Posts) -> None:
    # given a cadre's import, seen by the province office above
    job = _job(posts, kind="household_import", region_code=VILLAGE, user=posts.cadre.user)
    assert jobs_visible(posts.province.user).filter(pk=job.pk).exists()
    # when the province (no keeper) cancels, then it is refused
    with pytest.raises(JobRefused):
        job_cancel(job=job, actor=posts.province)
    # when the first secretary of the same village cancels, then it is cancelled and audited
    job_cancel(job=job, actor=posts.secretary)
    job.refresh_from_db()
    assert job.status == "cancelled" and job.finished_at is not None
    assert AuditEvent.objects.filter(action="job.cancel", object_id=str(job.pk)).count() == 1
    # and a second cancel changes nothing
    job_cancel(job=job, actor=posts.cadre)
    assert AuditEvent.objects.filter(action="job.cancel").count() == 1


def test_a_job_whose_worker_died_is_seen_as_failed(posts: Posts) -> None:
    # given a running job whose process has ended
    gone = subprocess.run([sys.executable, "-c", "pass"], check=True)
    pid = subprocess.Popen([sys.executable, "-c", "pass"])
    pid.wait()
    job = _job(posts, status="running", pid=pid.pid, started_at=timezone.now())
    assert gone.returncode == 0
    # when it is read
    seen = job_access(posts.county.user, job.pk)
    # then
    assert (seen.status, seen.message) == ("failed", LOST_MESSAGE)
    assert AuditEvent.objects.filter(action="job.lost", object_id=str(job.pk)).exists()


def test_a_live_worker_stays_running_and_another_program_on_its_pid_does_not(
    posts: Posts,
) -> None:
    job = _job(posts, status="running")
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)",
                               "jobs", "run", str(job.pk)])  # fmt: skip
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        Job.objects.filter(pk=job.pk).update(pid=worker.pid)
        assert job_access(posts.county.user, job.pk).status == "running"
        Job.objects.filter(pk=job.pk).update(pid=stranger.pid)
        assert job_access(posts.county.user, job.pk).status == "failed"
    finally:
        worker.kill()
        stranger.kill()
        worker.wait()
        stranger.wait()


def test_a_queued_job_never_launched_is_failed_after_a_while(posts: Posts) -> None:
    fresh = _job(posts)
    stale = _job(posts, created_at=timezone.now() - timedelta(minutes=10))
    assert job_access(posts.county.user, fresh.pk).status == "queued"
    assert job_access(posts.county.user, stale.pk).status == "failed"


def test_jobs_are_seen_in_scope_only(posts: Posts) -> None:
    village_job = _job(posts, kind="export", region_code=VILLAGE, user=posts.cadre.user)
    county_job = _job(posts)
    assert set(jobs_visible(posts.secretary.user)) == {village_job}
    assert set(jobs_visible(posts.other_cadre.user)) == set()
    assert set(jobs_visible(posts.county.user)) == {village_job, county_job}
    assert set(jobs_visible(posts.evaluator.user)) == set()  # no job viewer role


def test_the_job_directory_is_under_var(var_dir: Path) -> None:
    assert job_dir(7) == var_dir / "jobs" / "7"
