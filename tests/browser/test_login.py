"""Logging in through the real form, in Chromium, and what a post may then open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from fupin.registry.models import Household
from tests.browser.conftest import Login, login

VILLAGE, OTHER_VILLAGE = "522727100218", "522727100212"  # two villages of 平塘县, 平舟镇


def test_a_county_officer_logs_in_and_sees_the_landing_page(
    villages: list[str],
    make_user: Callable[..., Login],
    logged_in: Callable[[Login], Page],
    screenshot: Callable[..., Path],
    console_errors: list[str],
) -> None:
    # given
    officer = make_user("pingtang-county", "county", "522727")
    # when
    page = logged_in(officer)
    screenshot(page)
    # then
    assert page.url.endswith("/")
    assert page.locator("header .who").inner_text().startswith(officer.username)
    assert page.title().endswith("精准扶贫信息系统")
    assert "平塘县" in page.locator("main").inner_text()  # the landing page is the county's
    assert console_errors == []  # the CSP refused nothing the page needs


def test_a_wrong_password_shows_the_error(
    page: Page,
    make_user: Callable[..., Login],
    screenshot: Callable[..., Path],
    console_errors: list[str],
) -> None:
    # given
    officer = make_user("pingtang-county", "county", "522727")
    # when
    login(page, officer.username, "not-the-password")
    screenshot(page)
    # then
    assert page.url.endswith(reverse("web:login"))
    assert page.locator(".messages.error").inner_text() == "用户名或密码不正确。"
    assert page.locator("header .who form[action$='/logout/']").count() == 0  # not logged in
    assert console_errors == []


def test_a_village_cadre_cannot_open_a_household_of_another_village(
    villages: list[str],
    make_user: Callable[..., Login],
    logged_in: Callable[[Login], Page],
    screenshot: Callable[..., Path],
) -> None:
    # given
    now = timezone.now()
    own, other = (
        Household.objects.create(
            household_no=f"H{village}", village_id=village, created_at=now, updated_at=now
        )
        for village in (VILLAGE, OTHER_VILLAGE)
    )
    page = logged_in(make_user("jingzhou-cadre", "village_cadre", VILLAGE))
    # when
    own_response = page.goto(f"/households/{own.pk}/")
    screenshot(page, "own")
    own_text = page.locator("body").inner_text()
    other_response = page.goto(f"/households/{other.pk}/")
    screenshot(page, "other")
    # then: the own village's household opens, the other village's is not there at all
    assert own_response is not None and other_response is not None
    assert own_response.status == 200
    assert own.household_no in own_text
    assert other_response.status == 404
    assert other.household_no not in page.locator("body").inner_text()
