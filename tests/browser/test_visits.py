"""A paired cadre logs a visit in Chromium on a phone-sized screen: from their households,
with a photo, and reads it back on the household's page."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import Browser
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from fupin.core.audit import Actor
from fupin.monitoring.models import Visit
from fupin.pairing.services import assignment_open, cadre_register
from fupin.registry.idnumber import id_make
from tests.browser.conftest import Login, login
from tests.targeting.conftest import household_make

PHONE = {"width": 360, "height": 740}


def test_a_cadre_logs_a_visit_with_a_photo(
    villages: list[str],
    server: LiveServer,
    settings: Settings,
    browser: Browser,
    make_user: Callable[..., Login],
    screenshot: Callable[..., Path],
    console_errors: list[str],
    tmp_path: Path,
) -> None:
    # given a cadre with a login, paired with a household of 京舟村
    settings.VAR_DIR = tmp_path
    actor = Actor(None, "browser-test")
    household = household_make("522727100218011", status="registered")
    helper = cadre_register(
        name="罗建华", id_number=id_make("522727", date(1982, 6, 1), 31), phone="13985401234",
        unit="平塘县农业农村局", unit_level="county", region_code="522727", actor=actor,
    )  # fmt: skip
    assignment_open(cadre=helper, household=household, on=date(2016, 3, 1), actor=actor)
    credentials = make_user("luo-jianhua", "paired_cadre", "522727")
    helper.user = get_user_model().objects.get(username="luo-jianhua")
    helper.save()
    photo = tmp_path / "门前.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    page = browser.new_context(base_url=server.url, viewport=PHONE, locale="zh-CN").new_page()
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    login(page, credentials.username, credentials.password)
    # when they open their households and log a visit
    page.goto("/mine/")
    assert "逾期未走访" in page.locator("main").inner_text()
    screenshot(page, "mine")
    page.get_by_role("link", name="记录走访").click()
    page.get_by_label("了解到的情况").fill("户主腿疾好转，已能下地；孩子在镇中学住校")
    page.get_by_label("商定的措施和下一步").fill("申请护林员公益岗位；下月回访")
    page.get_by_label("照片（可选，JPEG或PNG）").set_input_files(str(photo))
    screenshot(page, "form")
    page.get_by_role("button", name="保存走访记录").click()
    page.wait_for_url(f"**/households/{household.pk}/")
    # then the household's page shows the visit and its photo
    text = page.locator("main").inner_text()
    assert "走访已记录" in text and "户主腿疾好转" in text and "申请护林员公益岗位" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "household")
    visit = Visit.objects.get()
    assert visit.cadre_id == helper.pk and visit.photos.count() == 1
    with page.expect_response(lambda r: "/visits/photos/" in r.url) as shown:
        page.get_by_role("link", name="照片1").click()
    assert shown.value.status == 200 and shown.value.headers["content-type"] == "image/jpeg"
    page.goto("/mine/")
    assert "逾期未走访" not in page.locator("main").inner_text()
    page.context.close()
    assert console_errors == []
