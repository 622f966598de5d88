"""The worker (`fupin jobs run ID`) running each kind for real, in its own process, on the
test's database (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.test import Client

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.jobs.kinds import job_dir
from fupin.jobs.models import Job
from fupin.jobs.services import job_cancel, job_start
from fupin.registry.importer import household_file_import
from fupin.registry.models import Household
from fupin.targeting.models import Case
from tests.jobs.conftest import SharedDatabase
from tests.registry.factories import family, write_csv
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, assess, household_make

LINE_2016 = 2952


def _upload(
    rows: list[dict[str, str]], tmp_path: Path, name: str = "households.csv"
) -> ContentFile:
    path = write_csv(tmp_path / name, rows)
    return ContentFile(path.read_bytes(), name=name)


def _client(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)  # type: ignore[arg-type]
    return client


def test_an_annual_run_job_runs_and_reports_per_chunk(
    shared_db: SharedDatabase, posts: Posts
) -> None:
    # given two poor households (one per village) and a comfortable one
    for number, village, income in (("H1", VILLAGE, LINE_2016 - 1), ("H2", OTHER_VILLAGE, 1500),
                                    ("H3", VILLAGE, 9000)):  # fmt: skip
        household = household_make(number, village=village)
        assess(household, 2015, income)
        assess(household, 2016, income)
    job = job_start(kind="annual_run", region_code="522727", actor=posts.county,
                    params={"year": 2016, "chunk_level": "village"})  # fmt: skip
    # when
    done = shared_db.run(job.pk)
    # then
    assert done.returncode == 0, done.stderr
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("succeeded", 2, 2)
    assert job.result is not None and job.result["opened"] == {"identification": 2}
    assert job.result["households"] == 3 and job.pid and job.started_at and job.finished_at
    assert "新开 2 个案件" in job.message
    assert Case.objects.filter(kind="identification", year=2016).count() == 2
    event = AuditEvent.objects.filter(action="annual_run.cases").first()
    assert event is not None and event.actor_label == "county"  # acted for its starter
    assert AuditEvent.objects.filter(action="job.finish", object_id=str(job.pk)).exists()


def test_an_import_job_writes_the_file_of_its_post(
    shared_db: SharedDatabase, posts: Posts, tmp_path: Path
) -> None:
    job = job_start(kind="household_import", region_code=VILLAGE, actor=posts.cadre,
                    params={"year": 2016}, upload=_upload(family("H1") + family("H2", seed=1), tmp_path))  # fmt: skip
    done = shared_db.run(job.pk)
    assert done.returncode == 0, done.stderr
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result_file) == ("succeeded", 3, 3, "")
    assert job.result is not None and job.result["households"] == 2 and job.result["applied"]
    assert set(Household.objects.values_list("household_no", flat=True)) == {"H1", "H2"}
    assert AuditEvent.objects.get(action="registry.bulk_write").actor_label == "cadre"


def test_an_import_with_errors_fails_with_a_message_and_a_report(
    shared_db: SharedDatabase, posts: Posts, tmp_path: Path
) -> None:
    # given a file with a bad birth date
    rows = family("H1") + family("H2", seed=1)
    rows[1]["birth_date"] = "not a date"
    job = job_start(kind="household_import", region_code=VILLAGE, actor=posts.cadre,
                    params={"year": 2016}, upload=_upload(rows, tmp_path))  # fmt: skip
    # when
    done = shared_db.run(job.pk)
    # then nothing is written, the message says so, and the issue list is downloadable
    assert done.returncode == 1
    job.refresh_from_db()
    assert job.status == "failed" and "未写入任何数据" in job.message
    assert job.result is not None and job.result["errors"] >= 1
    assert Household.objects.count() == 0
    response = _client(posts.cadre).get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert b"birth_date" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_an_import_may_not_reach_outside_its_posts_village(
    shared_db: SharedDatabase, posts: Posts, tmp_path: Path
) -> None:
    rows = family("H1") + family("H2", seed=1, village_code=OTHER_VILLAGE)
    job = job_start(kind="household_import", region_code=VILLAGE, actor=posts.cadre,
                    params={"year": 2016}, upload=_upload(rows, tmp_path))  # fmt: skip
    shared_db.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and OTHER_VILLAGE in job.message
    assert Household.objects.count() == 0


def test_an_export_job_writes_a_file_its_posts_download(
    shared_db: SharedDatabase, posts: Posts, tmp_path: Path, actor: Actor
) -> None:
    # given two households in the register
    household_file_import(path=write_csv(tmp_path / "in.csv", family("H1") + family("H2", seed=1)),
                          year=2016, actor=actor)  # fmt: skip
    job = job_start(kind="export", region_code="522727", actor=posts.county,
                    params={"year": 2016})  # fmt: skip
    # when
    done = shared_db.run(job.pk)
    # then
    assert done.returncode == 0, done.stderr
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("succeeded", 1, 1)
    assert job.result == {"rows": 8, "file": "households-522727-2016.xlsx"}
    path = job_dir(job.pk) / job.result_file
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    numbers = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert {"H1", "H2"} <= numbers
    page = _client(posts.county).get(f"/jobs/{job.pk}/")
    assert b"/download/" in page.content and b"<progress" in page.content
    assert _client(posts.county).get(f"/jobs/{job.pk}/download/").status_code == 200
    # the province office above sees the job but not the personal data in the file
    assert _client(posts.province).get(f"/jobs/{job.pk}/").status_code == 200
    assert _client(posts.province).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert _client(posts.other_cadre).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_a_failure_shows_a_message_and_logs_the_traceback(
    shared_db: SharedDatabase, posts: Posts
) -> None:
    # given a job whose stored parameters were spoilt (a defect, not bad input)
    job = job_start(kind="export", region_code="522727", actor=posts.county,
                    params={"year": 2016})  # fmt: skip
    Job.objects.filter(pk=job.pk).update(params={})
    # when
    done = shared_db.run(job.pk)
    # then the user reads a plain message; the traceback is in the worker's log
    job.refresh_from_db()
    assert job.status == "failed" and "系统内部错误" in job.message
    assert "Traceback" not in job.message and "KeyError" in done.stderr
    page = _client(posts.county).get(f"/jobs/{job.pk}/")
    assert b"Traceback" not in page.content and b"KeyError" not in page.content


def test_a_run_for_a_year_without_policy_fails_with_its_reason(
    shared_db: SharedDatabase, posts: Posts
) -> None:
    job = job_start(kind="annual_run", region_code="522727", actor=posts.county,
                    params={"year": 2001})  # fmt: skip
    household = household_make("H1")
    assess(household, 2001, 500)
    shared_db.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "2001" in job.message


def test_a_cancelled_job_is_not_run(shared_db: SharedDatabase, posts: Posts) -> None:
    job = job_start(kind="export", region_code="522727", actor=posts.county,
                    params={"year": 2016})  # fmt: skip
    job_cancel(job=job, actor=posts.county)
    done = shared_db.run(job.pk)
    assert done.returncode == 2 and "not queued" in done.stderr
    job.refresh_from_db()
    assert job.status == "cancelled" and job.started_at is None


def test_the_list_command(shared_db: SharedDatabase, posts: Posts) -> None:
    job = job_start(kind="export", region_code="522727", actor=posts.county,
                    params={"year": 2016})  # fmt: skip
    shared_db.run(job.pk)
    import subprocess

    from tests.jobs.conftest import FUPIN

    shared_db.push()
    listed = subprocess.run([*FUPIN, "jobs", "list"], env=shared_db.env, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert (
        f"{job.pk}" in listed.stdout and "export" in listed.stdout and "succeeded" in listed.stdout
    )


@pytest.mark.slow
def test_a_started_job_runs_in_a_detached_worker(
    shared_db: SharedDatabase, posts: Posts, real_launch: Callable[..., None]
) -> None:
    # given
    job = job_start(kind="export", region_code="522727", actor=posts.county,
                    params={"year": 2016})  # fmt: skip
    # when the worker launched on commit ends
    status = shared_db.wait(job.pk)
    # then
    assert status == "succeeded"
    job = Job.objects.get(pk=job.pk)
    assert job.pid and job.host and job.result == {"rows": 0, "file": job.result_file}
    assert (job_dir(job.pk) / "worker.log").exists()
