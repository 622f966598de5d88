"""The contact card in Chromium: the township prints a household's card from its page, the
QR code read off the printed PDF opens the card's page on a phone without login, and the
household rates its cadre with the quarter's code and raises an objection."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import Browser, Page
from pypdf import PdfReader
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from fupin.core.audit import Actor
from fupin.pairing.cards import quarter_of
from fupin.pairing.models import CardObjection, CardRating, ContactCard
from fupin.pairing.services import assignment_open, cadre_register
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member
from tests.browser.conftest import Login
from tests.targeting.conftest import household_make

VILLAGE = "522727100218"
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def household(villages: list[str], actor: Actor, policy_seeded: None) -> Household:
    household = household_make("522727100218007", status="registered")
    Member.objects.create(
        household=household, name="杨秀英", relation="head", sex="F",
        birth_date=date(1958, 3, 9), ethnicity="布依族", health="chronic",
        id_number=id_make("522727", date(1958, 3, 9), 24),
    )  # fmt: skip
    cadre = cadre_register(
        name="罗建华", id_number=id_make("522727", date(1982, 6, 1), 31), phone="13985401234",
        unit="平塘县农业农村局", unit_level="county", region_code="522727", actor=actor,
    )  # fmt: skip
    assignment_open(cadre=cadre, household=household, on=date(2016, 3, 1), actor=actor)
    return household


def _qr_url(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, "the card carries one QR code"
    return found[0].text


def _code(pdf: bytes, quarter: int) -> str:
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    match = re.search(QUARTER_NAMES[quarter - 1] + r"评价码\s*(\d{8})", text)
    assert match, f"quarter {quarter}'s code on the card"
    return match.group(1)


def test_a_card_is_printed_and_its_qr_code_opens_its_page(
    household: Household,
    server: LiveServer,
    settings: Settings,
    browser: Browser,
    make_user: Callable[..., Login],
    logged_in: Callable[[Login], Page],
    screenshot: Callable[..., Path],
    console_errors: list[str],
    tmp_path: Path,
) -> None:
    settings.PUBLIC_URL = server.url
    # given a township officer on the household's page
    page = logged_in(make_user("pingzhou-township", "township", "522727100"))
    page.goto(f"/households/{household.pk}/")
    assert "罗建华" in page.locator("main").inner_text()
    screenshot(page, "household")
    # when they print the card
    with page.expect_download() as download:
        page.get_by_role("button", name="打印新联系卡（PDF）").click()
    pdf_path = tmp_path / "card.pdf"
    download.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert ContactCard.objects.filter(household=household, revoked_at__isnull=True).count() == 1
    # then the QR code on the paper leads to the card's page, on a phone, without login
    url = _qr_url(pdf)
    assert url.startswith(server.url + "/card/")
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    phone.goto(url)
    body = phone.locator("main").inner_text()
    assert "本卡真实有效" in body and "罗建华" in body and "13985401234" in body
    assert Member.objects.get().id_number not in body
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    screenshot(phone, "card-page")
    # and the household rates its cadre with this quarter's code from the card
    today = date.today()
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_label(re.compile("评价码")).fill(_code(pdf, quarter_of(today)))
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    assert "评价已收到" in phone.locator("main").inner_text()
    assert CardRating.objects.get().satisfaction == "satisfied"
    # and raises an objection that reaches the township
    phone.get_by_label("反映的问题").fill("去年的产业补助还没有收到")
    phone.get_by_role("button", name="提交", exact=True).click()
    phone.wait_for_load_state()
    assert "去年的产业补助还没有收到" in phone.locator("main").inner_text()
    screenshot(phone, "card-page-after")
    page.goto("/objections/")
    assert "去年的产业补助还没有收到" in page.locator("main").inner_text()
    assert CardObjection.objects.count() == 1
    phone.context.close()
    assert console_errors == []
