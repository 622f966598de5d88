"""The job pages and the jobs API: in scope 200, out of scope 404 (as a missing job)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from ninja.testing import TestClient

from fupin.core.audit import Actor
from fupin.jobs.api import router
from fupin.jobs.models import Job
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts

pytestmark = pytest.mark.django_db
MISSING = 987654


def _job(actor: Actor, region: str, **fields: object) -> Job:
    return Job.objects.create(kind="export", params={"year": 2016}, region_code=region,
                              user=actor.user, created_at=timezone.now(), **fields)  # fmt: skip


def _client(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)  # type: ignore[arg-type]
    return client


def test_the_progress_page_in_scope_and_out(posts: Posts) -> None:
    # given a running job of the cadre's village
    job = _job(posts.cadre, VILLAGE, status="running", done=3, total=10, message="已提交 3 批",
               pid=None)  # fmt: skip
    # when / then: the cadre, the township above: 200; another village's cadre: 404 as missing
    for who in (posts.cadre, posts.township):
        page = _client(who).get(f"/jobs/{job.pk}/")
        assert page.status_code == 200
        assert b'<progress max="10" value="3">' in page.content and "已提交 3 批" in page.text
    far = _client(posts.other_cadre).get(f"/jobs/{job.pk}/")
    gone = _client(posts.other_cadre).get(f"/jobs/{MISSING}/")
    assert far.status_code == gone.status_code == 404
    assert _client(posts.evaluator).get(f"/jobs/{job.pk}/").status_code == 404


def test_a_running_job_polls_and_reloads_without_scripts(posts: Posts) -> None:
    job = _job(posts.county, "522727", status="running", total=0)
    page = _client(posts.county).get(f"/jobs/{job.pk}/").text
    assert f'hx-get="/jobs/{job.pk}/status/"' in page and 'hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    fragment = _client(posts.county).get(f"/jobs/{job.pk}/status/").text
    assert fragment.lstrip().startswith('<section id="job-status"') and "<html" not in fragment


def test_a_finished_job_stops_polling(posts: Posts) -> None:
    job = _job(posts.county, "522727", status="succeeded", done=1, total=1, message="已导出 8 行",
               result={"rows": 8}, finished_at=timezone.now())  # fmt: skip
    page = _client(posts.county).get(f"/jobs/{job.pk}/").text
    assert "hx-trigger" not in page and "http-equiv" not in page and "已导出 8 行" in page
    fragment = _client(posts.county).get(f"/jobs/{job.pk}/status/").text
    assert "hx-trigger" not in fragment
    # no file on disk: no link and no download
    assert "/download/" not in page
    assert _client(posts.county).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_list_shows_the_jobs_in_scope(posts: Posts) -> None:
    mine = _job(posts.cadre, VILLAGE)
    theirs = _job(posts.other_cadre, OTHER_VILLAGE)
    page = _client(posts.cadre).get("/jobs/").text
    assert f'href="/jobs/{mine.pk}/"' in page and f'href="/jobs/{theirs.pk}/"' not in page
    county = _client(posts.county).get("/jobs/").text
    assert f'href="/jobs/{mine.pk}/"' in county and f'href="/jobs/{theirs.pk}/"' in county


def test_anonymous_is_sent_to_log_in(posts: Posts) -> None:
    job = _job(posts.county, "522727")
    for url in ("/jobs/", f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_cancel_from_the_page(posts: Posts) -> None:
    job = _job(posts.county, "522727")
    assert _client(posts.other_cadre).post(f"/jobs/{job.pk}/cancel/").status_code == 404
    assert _client(posts.province).post(f"/jobs/{job.pk}/cancel/").status_code == 403
    response = _client(posts.county).post(f"/jobs/{job.pk}/cancel/")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "cancelled"


# The API


def test_the_api_starts_a_job(posts: Posts, launched: list[int]) -> None:
    api = TestClient(router)
    response = api.post("", json={"kind": "annual_run", "region_code": "522727",
                                  "params": {"year": 2016}}, user=posts.county.user)  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["page"] == f"/jobs/{body['id']}/"
    assert launched == []  # the worker starts on commit (the test's transaction never commits)


@pytest.mark.parametrize(
    ("who", "payload", "status", "code"),
    [
        ("cadre", {"kind": "annual_run", "region_code": VILLAGE, "params": {"year": 2016}}, 403,
         "forbidden"),
        ("county", {"kind": "annual_run", "region_code": "522727", "params": {}}, 400,
         "bad_request"),
        ("county", {"kind": "mining", "region_code": "522727", "params": {}}, 400, "bad_request"),
        ("cadre", {"kind": "household_import", "region_code": VILLAGE, "params": {}}, 400,
         "bad_request"),
    ],
)  # fmt: skip
def test_the_api_refuses_with_a_code_and_a_message(
    posts: Posts, who: str, payload: dict[str, object], status: int, code: str
) -> None:
    response = TestClient(router).post("", json=payload, user=getattr(posts, who).user)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]
    assert Job.objects.count() == 0


def test_the_api_starts_an_import_from_an_upload(posts: Posts) -> None:
    upload = SimpleUploadedFile("h.csv", b"household_no\n", content_type="text/csv")
    response = TestClient(router).post(
        "/household-import", data={"region_code": VILLAGE, "year": "2016"},
        FILES={"file": upload}, user=posts.cadre.user,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert Job.objects.get().params == {"year": 2016, "apply_valid": False, "dry_run": False,
                                        "file": "h.csv"}  # fmt: skip


def test_the_api_follows_jobs_in_scope_only(posts: Posts) -> None:
    mine = _job(posts.cadre, VILLAGE)
    theirs = _job(posts.other_cadre, OTHER_VILLAGE)
    api = TestClient(router)
    listed = api.get("", user=posts.cadre.user).json()
    assert [job["id"] for job in listed] == [mine.pk]
    assert api.get(f"/{mine.pk}", user=posts.cadre.user).json()["status"] == "queued"
    far = api.get(f"/{theirs.pk}", user=posts.cadre.user)
    gone = api.get(f"/{MISSING}", user=posts.cadre.user)
    assert far.status_code == gone.status_code == 404 and far.json() == gone.json()
    assert far.json() | {"errors": None} == {
        "code": "not_found",
        "message": "no such job",
        "errors": None,
    }
    assert api.post(f"/{theirs.pk}/cancel", user=posts.cadre.user).status_code == 404


def test_the_api_wants_a_user(posts: Posts) -> None:
    job = _job(posts.county, "522727")
    api = TestClient(router)
    assert api.get("").status_code == 401
    assert api.get(f"/{job.pk}").json()["code"] == "unauthenticated"
