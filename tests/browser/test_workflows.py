"""A county's work in Chromium: drill down from the county to a village, find a household
by its ID number, take an identification step, and read an import's error report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from fupin.core.audit import Actor
from fupin.registry.importer import household_file_import
from fupin.registry.models import Household, Member
from fupin.stats.services import rollups_refresh
from fupin.targeting.models import Case
from fupin.targeting.services import case_open
from tests.browser.conftest import Login, login
from tests.registry.factories import family, write_csv
from tests.targeting.conftest import assess, household_make

VILLAGE = "522727100218"  # 京舟村, 平舟镇, 平塘县


@pytest.fixture
def register(villages: list[str], tmp_path: Path, actor: Actor) -> dict[str, Household]:
    """Three families of 京舟村 imported for 2016 through the real importer, with rollups."""
    rows = family("522727100218001") + family("522727100218002", seed=1)
    rows += family("522727100218003", seed=2)
    report = household_file_import(path=write_csv(tmp_path / "京舟村.csv", rows), year=2016,
                                   actor=actor)  # fmt: skip
    assert report.errors.height == 0
    rollups_refresh(year=2016, prefix="522727")
    return {h.household_no: h for h in Household.objects.all()}


def test_a_county_officer_drills_down_to_a_village(
    register: dict[str, Household],
    make_user: Callable[..., Login],
    logged_in: Callable[[Login], Page],
    screenshot: Callable[..., Path],
    console_errors: list[str],
) -> None:
    # given
    page = logged_in(make_user("pingtang-county", "county", "522727"))
    page.goto("/region/522727/?year=2016")
    screenshot(page, "county")
    # when: the county's township, then the township's village
    page.get_by_role("link", name="平舟镇").first.click()
    page.wait_for_url("**/region/522727100/**")
    screenshot(page, "township")
    page.get_by_role("link", name="京舟村村民委员会").first.click()
    page.wait_for_url(f"**/region/{VILLAGE}/**")
    screenshot(page, "village")
    # then the village's dashboard shows its households
    assert "京舟村" in page.locator("main h1").inner_text()
    assert "2016" in page.locator("main").inner_text()
    assert console_errors == []


def test_a_household_is_found_by_its_id_number(
    register: dict[str, Household],
    make_user: Callable[..., Login],
    logged_in: Callable[[Login], Page],
    screenshot: Callable[..., Path],
) -> None:
    # given the head of the second family
    head = Member.objects.get(household__household_no="522727100218002", relation="head")
    page = logged_in(make_user("pingtang-county", "county", "522727"))
    # when
    page.goto("/households/")
    page.locator("input[name=q]").fill(head.id_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**q=*")
    screenshot(page)
    # then only that household is listed, and it opens
    results = page.locator("main table tbody tr")
    assert results.count() == 1
    assert "522727100218002" in results.first.inner_text()
    results.first.get_by_role("link").first.click()
    page.wait_for_url(f"**/households/{head.household_id}/")
    screenshot(page, "household")
    assert head.id_number in page.locator("main").inner_text()  # a county post sees it whole


def test_a_village_cadre_takes_an_identification_step(
    villages: list[str],
    make_user: Callable[..., Login],
    logged_in: Callable[[Login], Page],
    screenshot: Callable[..., Path],
    console_errors: list[str],
) -> None:
    # given a poor household's identification case, opened by the annual comparison
    household = household_make("522727100218777")
    assess(household, 2016, 2000)
    case = case_open(kind="identification", year=2016, on=date(2016, 10, 8),
                     actor=Actor(None, "annual run"), trigger="annual_run",
                     household=household)  # fmt: skip
    page = logged_in(make_user("jingzhou-cadre", "village_cadre", VILLAGE))
    page.goto(f"/cases/{case.pk}/")
    screenshot(page, "before")
    # when the cadre records the household's application with its evidence
    form = page.locator("form.action", has=page.locator("input[name=action][value=take]"))
    for field in form.locator("input[type=text]").all():
        field.fill("申请书 2016-10-08 第1号")
    form.locator("input[name=on]").fill("2016-10-08")
    form.get_by_role("button", name="确认办理").click()
    page.wait_for_load_state()
    screenshot(page, "after")
    # then the case stands at the application, taken by the cadre
    case.refresh_from_db()
    assert case.step == "application"
    assert case.steps.get(step="application").actor_label == "jingzhou-cadre"
    assert "jingzhou-cadre" in page.locator("main").inner_text()
    assert console_errors == []


def test_an_import_with_an_error_shows_its_report(
    villages: list[str],
    tmp_path: Path,
    make_user: Callable[..., Login],
    logged_in: Callable[[Login], Page],
    screenshot: Callable[..., Path],
) -> None:
    # given a file whose second family's head has a wage that is not a number
    rows = family("522727100218001") + family("522727100218002", seed=1)
    rows[4]["wage_income"] = "很多"
    path = write_csv(tmp_path / "京舟村2016.csv", rows)
    page = logged_in(make_user("jingzhou-cadre", "village_cadre", VILLAGE))
    # when
    page.goto("/imports/")
    page.locator("input[name=file]").set_input_files(str(path))
    page.locator("input[name=year]").fill("2016")
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_load_state()
    screenshot(page)
    # then the report names the file's row and field, and nothing is written
    # the spoiled row: the header, four members of the first family, then the second's head
    issue = page.locator("tr", has_text="value.not_integer").last.locator("td").all_inner_texts()
    assert issue[:4] == ["京舟村2016.csv", "6", "wage_income", "value.not_integer"]
    assert not Household.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_pages_read_on_a_phone_with_or_without_javascript(
    register: dict[str, Household],
    browser: Browser,
    server: LiveServer,
    make_user: Callable[..., Login],
    screenshot: Callable[..., Path],
    javascript: bool,
) -> None:
    # given a village cadre on a 360-pixel phone, scripts on or off
    cadre = make_user("jingzhou-cadre", "village_cadre", VILLAGE)
    context = browser.new_context(base_url=server.url, locale="zh-CN", java_script_enabled=javascript,
                                  viewport={"width": 360, "height": 740}, is_mobile=True)  # fmt: skip
    phone = context.new_page()
    login(phone, cadre.username, cadre.password)
    household = register["522727100218001"]
    for name, path, text in (
        ("dashboard", f"/region/{VILLAGE}/?year=2016", "京舟村"),
        ("households", "/households/", "522727100218001"),
        ("household", f"/households/{household.pk}/", "522727100218001"),
        ("cases", "/cases/", "程序案件"),
        ("village-cards", f"/villages/{VILLAGE}/cards/", "精准帮扶联系卡"),
        ("village-postings", f"/villages/{VILLAGE}/postings/", "驻村"),
        ("village-committee", f"/villages/{VILLAGE}/committee/", "委员会"),
        ("village-labour", f"/villages/{VILLAGE}/labour-posts/", "劳务岗位"),
        ("village-lists", f"/villages/{VILLAGE}/lists/", "榜"),
        ("overdue", "/visits/overdue/", "逾期未走访"),
        ("cadres", "/cadres/", "帮扶责任人"),
        ("objections", "/objections/", "群众意见"),
        ("ledger", "/support/?year=2016", "帮扶措施台账"),
        ("ledger-gaps", "/support/gaps/?year=2016", "帮扶措施缺口"),
        ("ledger-upload", "/support/upload/", "帮扶措施批量导入"),
        ("relocation", "/relocation/", "易地扶贫搬迁"),
        ("credit", "/credit/", "小额信贷"),
        ("exit-checks", "/verify/", "评估"),
        ("evaluation", "/evaluation/", "考核"),
        ("reports", "/reports/", "年度报告"),
    ):
        # when
        response = phone.goto(path)
        screenshot(phone, name)
        # then it answers, shows its content, and nothing runs off the side of the screen
        assert response is not None and response.status == 200, path
        assert text in phone.locator("main").inner_text(), path
        width = phone.evaluate("document.documentElement.scrollWidth") if javascript else None
        assert width is None or width <= 360, f"{path}: {width} px wide"
    context.close()
