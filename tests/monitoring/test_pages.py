"""The visit pages and API: the cadre's own households, logging a visit with a photo, the
overdue lists, a photo shown only to those who may see the visit."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fupin.core.tokens import token_create
from fupin.monitoring.models import Visit, VisitPhoto
from tests.monitoring.test_visits import helper_with_login, jpeg, pair, photo_dir  # noqa: F401
from tests.targeting.conftest import Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_cadre_sees_their_households_and_logs_a_visit(posts: Posts, photo_dir: Path) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    household = pair(posts, helper)
    client = logged_in(helper.user)
    mine = client.get("/mine/").content.decode()
    assert household.household_no in mine and "逾期未走访" in mine
    form = client.get(f"/households/{household.pk}/visits/new/")
    assert form.status_code == 200
    upload = Path(photo_dir.parent / "p.jpg")
    upload.write_bytes(jpeg())
    with upload.open("rb") as handle:
        done = client.post(f"/households/{household.pk}/visits/new/", {
            "visited_on": timezone.localdate().isoformat(), "found": "新房已入住",
            "agreed": "下月回访", "photos": [handle],
        })  # fmt: skip
    assert done.status_code == 302, done.content.decode()[:2000]
    visit = Visit.objects.get()
    assert visit.cadre_id == helper.pk and visit.photos.count() == 1
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "新房已入住" in page
    assert "尚未结对帮扶责任人" not in page  # the cadre sees their own assignment
    assert "逾期未走访" not in client.get("/mine/").content.decode()
    photo = VisitPhoto.objects.get()
    shown = client.get(f"/visits/photos/{photo.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert logged_in(posts.other_cadre.user).get(f"/visits/photos/{photo.pk}/").status_code == 404


def test_a_refused_visit_shows_why_and_keeps_nothing(posts: Posts, photo_dir: Path) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    household = pair(posts, helper)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    answer = logged_in(helper.user).post(f"/households/{household.pk}/visits/new/",
                                         {"visited_on": future, "found": "x"})  # fmt: skip
    assert (
        answer.status_code == 400
        and "a visit is logged after it took place" in answer.content.decode()
    )
    assert not Visit.objects.exists()


def test_the_overdue_page_counts_by_township_village_and_cadre(posts: Posts) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    household = pair(posts, helper)
    body = logged_in(posts.township.user).get("/visits/overdue/").content.decode()
    assert "522727100" in body and household.household_no in body and helper.name in body
    assert (
        household.household_no
        not in logged_in(posts.other_cadre.user).get("/visits/overdue/").content.decode()
    )


def test_the_api_lists_and_logs_visits(posts: Posts) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    household = pair(posts, helper)
    raw = token_create(user=posts.cadre.user, name="t", actor=posts.cadre).raw
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    body = {"visited_on": date(2016, 5, 1).isoformat(), "found": "在外务工", "cadre_id": helper.pk,
            "latitude": "25.8", "longitude": "107.3"}  # fmt: skip
    made = api.post(f"/api/v1/households/{household.pk}/visits", json.dumps(body),
                    content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    listed = api.get(f"/api/v1/households/{household.pk}/visits").json()
    assert [v["found"] for v in listed] == ["在外务工"]
    late = api.get("/api/v1/visits/overdue?by=cadre&on=2016-06-30").json()
    assert late == [{"key": str(helper.pk), "households": 1}]
    assert api.get("/api/v1/visits/overdue?by=village&on=2016-05-20").json() == []


def test_an_oversized_photo_is_refused_before_it_is_read(
    posts: Posts,  # noqa: F811
    photo_dir: Path,  # noqa: F811
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fupin.monitoring import services

    helper = helper_with_login(posts)
    household = pair(posts, helper)
    big = SimpleUploadedFile("大.jpg", b"\xff" * (services.PHOTO_MAX_BYTES + 1), "image/jpeg")
    answer = logged_in(helper.user).post(f"/households/{household.pk}/visits/new/", {
        "visited_on": "2016-05-01", "found": "在家", "photos": [big],
    })  # fmt: skip
    assert answer.status_code == 400 and "大.jpg" in answer.content.decode()
    assert not Visit.objects.exists()
