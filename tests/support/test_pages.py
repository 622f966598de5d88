"""The ledger's pages: the ledger by type, a measure recorded from the household page, a
department's upload (recorded whole, or refused with every bad cell listed), the
template, and the coverage gaps by village; out-of-scope households answer 404."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from fupin.support.models import Measure
from tests.support.test_ledger import YEAR, department, poor, record
from tests.support.test_ledger_file import cells, workbook
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, path: Path, **extra: str) -> Any:
    with path.open("rb") as handle:
        return client.post("/support/upload/", {"file": handle, **extra})


def test_a_department_uploads_a_file_and_sees_it_recorded(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    poor("H1"), poor("H2")
    client = logged_in(department(posts).user)
    path = workbook(tmp_path / "卫健局.xlsx", [cells("H1"), cells("H2")])
    checked = upload(client, path, check_only="yes")
    assert checked.status_code == 200
    assert "检查通过：2 项措施可以登记" in checked.content.decode()
    assert not Measure.objects.exists()
    done = upload(client, path)
    assert done.status_code == 200 and "已登记 2 项帮扶措施" in done.content.decode()
    assert Measure.objects.count() == 2


def test_a_bad_upload_lists_each_row_and_column_and_records_nothing(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    poor("H1")
    client = logged_in(department(posts).user)
    path = workbook(tmp_path / "bad.xlsx", [cells("H1"), cells("H1", 金额="一千")])
    page = upload(client, path)
    assert page.status_code == 400
    text = page.content.decode()
    assert "“bad.xlsx”有 1 处问题，没有登记任何措施" in text
    assert '<td class="num">4</td><td>金额（元）</td><td>金额以元为单位' in text
    assert not Measure.objects.exists()


def test_a_post_that_records_no_measures_may_not_upload(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    client = logged_in(posts.inspector.user)
    assert client.get("/support/upload/").status_code == 403
    path = workbook(tmp_path / "x.xlsx", [cells("H1")])
    assert upload(client, path).status_code == 403
    assert not Measure.objects.exists()


def test_the_template_downloads_as_a_workbook(posts: Posts) -> None:  # noqa: F811
    response = logged_in(department(posts).user).get("/support/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert book["帮扶措施"]["A1"].value == "户编号"


def test_a_keeper_records_a_measure_from_the_household_page(posts: Posts) -> None:  # noqa: F811
    household = poor("H1")
    client = logged_in(posts.cadre.user)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "登记帮扶措施" in page and "尚未登记帮扶措施" in page
    done = client.post(f"/households/{household.pk}/measures/new/", {
        "given_on": date(YEAR, 6, 1).isoformat(), "measure_type": "education",
        "description": "雨露计划助学补助", "form": "money", "value": "1500",
        "provider_kind": "department", "provider_name": "平塘县扶贫办",
    })  # fmt: skip
    assert done.status_code == 302
    measure = Measure.objects.get()
    assert (measure.year, measure.measure_type, measure.recorded_by_id) == (
        YEAR, "education", posts.cadre.user.pk)  # fmt: skip
    assert "雨露计划助学补助" in client.get(f"/households/{household.pk}/").content.decode()


def test_a_refused_measure_says_why_in_chinese(posts: Posts) -> None:  # noqa: F811
    household = poor("H1")
    response = logged_in(posts.cadre.user).post(f"/households/{household.pk}/measures/new/", {
        "given_on": "2099-01-01", "measure_type": "education", "description": "x",
        "form": "money", "value": "1", "provider_kind": "village", "provider_name": "村",
    })  # fmt: skip
    assert response.status_code == 400
    assert "年度应在" in response.content.decode()
    assert not Measure.objects.exists()


def test_another_villages_household_is_not_found(posts: Posts) -> None:  # noqa: F811
    household = poor("H2", village=OTHER_VILLAGE)
    client = logged_in(posts.cadre.user)
    assert client.get(f"/households/{household.pk}/measures/new/").status_code == 404
    post = client.post(f"/households/{household.pk}/measures/new/", {"measure_type": "health"})
    assert post.status_code == 404


def test_the_ledger_counts_by_type_within_the_readers_region(posts: Posts) -> None:  # noqa: F811
    mine, theirs = poor("H1"), poor("H2", village=OTHER_VILLAGE)
    record(mine, posts.cadre)
    record(mine, posts.cadre, measure_type="training", value=300)
    record(theirs, posts.township)
    page = logged_in(posts.cadre.user).get(f"/support/?year={YEAR}").content.decode()
    assert "健康帮扶" in page and "技能培训" in page
    # (the household numbers as links: a bare "H2" may turn up in the CSRF token)
    assert ">H1</a>" in page and ">H2</a>" not in page
    township = logged_in(posts.township.user).get(f"/support/?year={YEAR}").content.decode()
    assert ">H2</a>" in township
    assert '<td class="num">1600.00</td>' in township  # 800 + 800 health


def test_the_gaps_page_lists_uncovered_households_by_village(posts: Posts) -> None:  # noqa: F811
    covered, uncovered = poor("H1"), poor("H3", cause="illness")
    record(covered, posts.cadre)  # health answers illness
    page = logged_in(posts.township.user).get(f"/support/gaps/?year={YEAR}").content.decode()
    assert "共 1 户" in page
    assert f"?region={VILLAGE}" in page and f">{uncovered.household_no}</a>" in page
    assert f'href="/households/{covered.pk}/"' not in page


def test_the_funds_link_is_shown_to_the_posts_that_read_funds(posts: Posts) -> None:  # noqa: F811
    assert 'href="/funds/"' in logged_in(posts.county.user).get("/support/").content.decode()
    village = logged_in(posts.cadre.user)
    assert 'href="/funds/"' not in village.get("/support/").content.decode()
    assert village.get("/funds/").status_code == 404
