"""The dashboard: access by region, the figures straight from the rollups, charts without
JavaScript, and the layout rules every page template keeps (phone width, no inline code)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.regions.models import PoorAreaDesignation, Region
from fupin.stats.queries import region_stats
from fupin.stats.services import rollups_refresh_years
from tests.stats.conftest import V1, V2, YEARS, registry  # noqa: F401 - the fixture
from tests.stats.conftest import household_make as stats_household
from tests.web.conftest import POSTS, Posts, client_for

pytestmark = pytest.mark.django_db

COUNTY, TOWNSHIP = "522727", "522727100"
V3 = "522727100299"  # a third village, with no poor household: ready to exit
WEB = Path(__file__).resolve().parents[2] / "src" / "fupin" / "web"


@pytest.fixture
def rollups(registry: dict[str, int], posts: Posts) -> dict[str, int]:  # noqa: F811
    """The hand-built registry of tests/stats with a third village, and its rollups."""
    Region.objects.create(code=V3, name="新村村民委员会", level=5, parent_id=TOWNSHIP,
                          kind="rural", is_western=True, edition=2023)  # fmt: skip
    stats_household("H8", V3, sizes=(5, 5, 5))
    rollups_refresh_years(years=YEARS)
    return registry


def test_anonymous_is_sent_to_the_login_page(client: Client, villages: list[str]) -> None:
    for url in ("/", "/region/", f"/region/{COUNTY}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    ("name", "target"),
    [("national", "/region/"), ("evaluator", "/region/"), ("province", "/region/52/"),
     ("county", f"/region/{COUNTY}/"), ("inspector", f"/region/{COUNTY}/"),
     ("township", f"/region/{TOWNSHIP}/"), ("cadre", f"/region/{V1}/")],
)  # fmt: skip
def test_home_opens_the_widest_region_of_the_users_grants(
    posts: Posts, name: str, target: str
) -> None:
    response = client_for(posts, name).get("/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_home_without_a_post_that_reads_statistics_says_so(villages: list[str]) -> None:
    users = get_user_model().objects
    administrator, household, paired = (users.create_user(username=name)
                                    for name in ("administrator", "household", "paired"))  # fmt: skip
    grant_add(user=administrator, role="administrator", region_prefix="", actor=Actor(None, "t"))
    grant_add(user=household, role="household", region_prefix=V1, actor=Actor(None, "t"))
    grant_add(user=paired, role="paired_cadre", region_prefix=V1, actor=Actor(None, "t"))
    answers = {}
    for user in (administrator, household, paired):
        client = Client()
        client.force_login(user)
        answers[user.username] = client.get("/")
    assert answers["administrator"].status_code == 403
    assert "尚未获得查看统计的岗位授权" in answers["administrator"].content.decode()
    assert answers["household"].status_code == 403
    assert "扫描卡上的二维码" in answers["household"].content.decode()
    # a paired cadre starts from the households they answer for
    assert answers["paired"].status_code == 302 and answers["paired"]["Location"] == "/mine/"


@pytest.mark.parametrize("name", sorted(POSTS))
def test_every_post_opens_the_dashboard_of_its_own_region(
    rollups: dict[str, int], posts: Posts, name: str
) -> None:
    # given
    _role, prefix = POSTS[name]
    url = f"/region/{prefix}/" if prefix else "/region/"
    # when
    response = client_for(posts, name).get(url)
    # then
    assert response.status_code == 200
    assert response.context["year"] == 2016
    assert "<svg" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "url"),
    [("cadre", f"/region/{V2}/"), ("cadre", f"/region/{TOWNSHIP}/"), ("cadre", "/region/"),
     ("other_cadre", f"/region/{V1}/"), ("township", f"/region/{COUNTY}/"),
     ("county", "/region/52/"), ("county", "/region/"), ("province", "/region/")],
)  # fmt: skip
def test_a_region_out_of_scope_is_not_found_like_a_missing_one(
    rollups: dict[str, int], posts: Posts, name: str, url: str
) -> None:
    client = client_for(posts, name)
    outside = client.get(url)
    missing = client.get("/region/999999999999/")
    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content


def test_a_post_that_reads_no_statistics_sees_no_figures(rollups: dict[str, int]) -> None:
    user = get_user_model().objects.create_user(username="paired")
    grant_add(user=user, role="paired_cadre", region_prefix=V1, actor=Actor(None, "t"))
    client = Client()
    client.force_login(user)
    response = client.get(f"/region/{V1}/")
    assert response.status_code == 200
    assert response.context["year"] is None
    assert "暂无统计数据" in response.content.decode()


@pytest.mark.parametrize("code", [COUNTY, TOWNSHIP, V1, V2, ""])
@pytest.mark.parametrize("year", YEARS)
def test_the_figures_are_the_rollups(
    rollups: dict[str, int], posts: Posts, code: str, year: int
) -> None:
    # when
    response = client_for(posts, "national").get(f"/region/{code}/?year={year}".replace("//", "/"))
    # then
    stats = region_stats(region=code, year=year)
    assert response.context["year"] == year
    assert response.context["measures"] == stats["measures"]
    assert response.context["current"]["incidence"] == stats["incidence"]
    page = response.content.decode()
    assert f"{stats['measures']['registered_persons']:,}" in page
    assert f"{stats['measures']['exited_persons']:,}" in page


def test_the_township_ranks_its_villages_by_incidence(
    rollups: dict[str, int], posts: Posts
) -> None:
    response = client_for(posts, "township").get(f"/region/{TOWNSHIP}/?year=2016")
    children = response.context["children"]
    assert [child.code for child in children] == [V2, V1, V3]
    for child in children:
        stats = region_stats(region=child.code, year=2016)
        assert child.persons == stats["measures"]["persons"]
        assert child.poor_persons == stats["measures"]["registered_persons"]
        assert child.incidence == stats["incidence"]
        assert f'href="/region/{child.code}/?year=2016"' in response.content.decode()


def test_the_charts_follow_the_series(rollups: dict[str, int], posts: Posts) -> None:
    response = client_for(posts, "county").get(f"/region/{COUNTY}/")
    charts = response.context["charts"]
    poor = [region_stats(region=COUNTY, year=y)["measures"]["registered_persons"] for y in YEARS]
    # 2014-2020 on the axis; bars only for the years that have rollups
    assert [tick.label for tick in charts["poor"].x_ticks] == [str(y) for y in range(2014, 2021)]
    assert [bar.value_text for bar in charts["poor"].bars] == [f"{p:,}" for p in poor]
    target = charts["burn_down"].lines[1]
    assert target.marks[0].value_text == f"{poor[0]:,}"
    assert target.marks[-1].value_text == "0"
    assert [row["poor"] for row in charts["table"][: len(YEARS)]] == poor


def test_causes_and_categories_come_from_the_breakdowns(
    rollups: dict[str, int], posts: Posts
) -> None:
    response = client_for(posts, "county").get(f"/region/{COUNTY}/?year=2015")
    stats = region_stats(region=COUNTY, year=2015)["breakdowns"]
    categories = {row["key"]: row["persons"] for row in response.context["categories"]["rows"]}
    causes = {row["key"]: row["households"] for row in response.context["causes"]["rows"]}
    assert categories == stats["registered_persons_by_category"]
    assert causes == stats["registered_households_by_cause"]
    assert "未填写" in response.content.decode()  # the 'unspecified' key, labelled


def test_a_year_without_rollups_falls_back_to_the_last(
    rollups: dict[str, int], posts: Posts
) -> None:
    client = client_for(posts, "county")
    assert client.get(f"/region/{COUNTY}/?year=2015").context["year"] == 2015
    assert client.get(f"/region/{COUNTY}/?year=1999").context["year"] == 2016
    assert client.get(f"/region/{COUNTY}/?year=abc").context["year"] == 2016
    assert client.get(f"/region/{COUNTY}/").context["years"] == list(YEARS)


def test_villages_and_counties_ready_to_exit(rollups: dict[str, int], posts: Posts) -> None:
    # given: four poor villages and the poor county; only V3 is under the threshold
    for code, designated, lifted in ((V1, 2014, None), (V2, 2014, None), (V3, 2014, None)):
        PoorAreaDesignation.objects.create(region_id=code, kind="village",
                                           designated_year=designated, lifted_year=lifted)  # fmt: skip
    PoorAreaDesignation.objects.create(region_id=COUNTY, kind="county", designated_year=2014)
    # when
    response = client_for(posts, "county").get(f"/region/{COUNTY}/?year=2016")
    # then
    ready = {item.kind: item for item in response.context["ready"]}
    assert [row.code for row in ready["village"].rows] == [V3]
    assert ready["village"].total == 1
    assert ready["village"].rows[0].incidence == Decimal("0")
    assert ready["village"].rows[0].threshold == Decimal("0.03")  # Guizhou, a western province
    assert "county" not in ready  # the county page lists what lies below the county
    province = client_for(posts, "province").get("/region/52/?year=2016")
    counties = {item.kind: item for item in province.context["ready"]}["county"]
    incidence = region_stats(region=COUNTY, year=2016)["incidence"]
    assert incidence > Decimal("0.03")
    assert counties.rows == []


def test_a_lifted_or_later_designation_is_not_ready(rollups: dict[str, int], posts: Posts) -> None:
    PoorAreaDesignation.objects.create(region_id=V3, kind="village", designated_year=2014,
                                       lifted_year=2016)  # fmt: skip
    client = client_for(posts, "county")
    ready_2016 = {i.kind: i for i in client.get(f"/region/{COUNTY}/?year=2016").context["ready"]}
    ready_2015 = {i.kind: i for i in client.get(f"/region/{COUNTY}/?year=2015").context["ready"]}
    assert ready_2016["village"].rows == []
    assert [row.code for row in ready_2015["village"].rows] == [V3]
    PoorAreaDesignation.objects.filter(region_id=V3).update(designated_year=2016, lifted_year=None)
    ready_2015 = {i.kind: i for i in client.get(f"/region/{COUNTY}/?year=2015").context["ready"]}
    assert ready_2015["village"].rows == []


def test_the_dashboard_reads_no_registry_table(rollups: dict[str, int], posts: Posts) -> None:
    PoorAreaDesignation.objects.create(region_id=V3, kind="village", designated_year=2014)
    client = client_for(posts, "national")
    with CaptureQueriesContext(connection) as queries:
        for url in ("/region/", f"/region/{COUNTY}/", f"/region/{TOWNSHIP}/", f"/region/{V1}/"):
            assert client.get(url).status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "stats_regionyearstat" in sql
    for table in ("registry_household", "registry_member", "registry_assessment",
                  "registry_statustransition"):  # fmt: skip
        assert table not in sql


def test_the_breadcrumbs_link_only_regions_in_scope(rollups: dict[str, int], posts: Posts) -> None:
    page = client_for(posts, "township").get(f"/region/{V1}/").content.decode()
    assert f'href="/region/{TOWNSHIP}/' in page
    assert f'href="/region/{COUNTY}/' not in page
    assert 'href="/region/?' not in page


def test_the_dashboard_reads_in_english(rollups: dict[str, int], posts: Posts) -> None:
    client = client_for(posts, "county")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(f"/region/{COUNTY}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Registered poor persons" in page and ">Dashboard</a>" in page
    assert "在册贫困人口" not in page


# The layout rules, checked on the template files themselves.

TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB / "templates")))
def test_no_template_holds_inline_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "a <script> without src: put the code in a static file"
    assert not EVENT_HANDLER.search(text), "an inline event handler: the CSP forbids it"
    assert not INLINE_STYLE.search(text), "inline style: the CSP allows only the stylesheet"


def test_the_page_frame_fits_a_phone() -> None:
    base = (WEB / "templates" / "web" / "base.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in base
    css = (WEB / "static" / "web" / "site.css").read_text(encoding="utf-8")
    # no fixed width wider than a 360-pixel screen, anywhere in the stylesheet
    for value, unit in re.findall(r"(?<![-\w])(?:min-)?width:\s*([\d.]+)(px|rem|em)", css):
        pixels = float(value) * (16 if unit in ("rem", "em") else 1)
        assert pixels <= 320, f"a fixed width of {value}{unit}"


def test_charts_scale_with_the_screen(rollups: dict[str, int], posts: Posts) -> None:
    page = client_for(posts, "county").get(f"/region/{COUNTY}/").content.decode()
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert svgs
    for tag in svgs:
        assert "viewBox=" in tag
        assert not re.search(r"\s(width|height)=", tag)
