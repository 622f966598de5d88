"""Browser tests: Debian's Chromium driven by Playwright against the application served live.

The application runs in pytest-django's `live_server` (a threaded HTTP server in this
process, over the test database: on SQLite the in-memory database's connection is shared
with the server thread, on PostgreSQL the data is committed). Every browser test is
therefore transactional, and restores the migrations' data (policy seeds) at its start.

Chromium is the system's (`/usr/bin/chromium`, or FUPIN_CHROMIUM); Playwright never
downloads a browser. Where the CI environment variable is set a missing Chromium fails
the tests; elsewhere it skips them.

Fixtures: `page` (a fresh browser context on the live server), `console_errors` (what the
page reported, CSP refusals included), `make_user` (a user with a password and one grant),
`logged_in` (a page logged in through the real login form) and `screenshot` (a PNG of the
page under var/screenshots/<test-name>.png).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright
from pytest_django.live_server_helper import LiveServer

from fupin.core.access import grant_add
from fupin.core.audit import Actor

CHROMIUM = Path(os.environ.get("FUPIN_CHROMIUM", "/usr/bin/chromium"))
# Headless, sandbox-free (CI runs as root) and silent: this machine's network is closed,
# and Chromium's background connections would otherwise be refused at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A phone-sized window would hide the desktop layout; pages are checked at desk size, and
# a test that needs a phone makes its own context.
VIEWPORT = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module.

    Playwright's sync API keeps an asyncio loop marked as running in this thread while it
    is open, and Django then refuses database calls here ("async context"). The browser
    therefore lives only as long as a module of browser tests (all transactional, so
    pytest-django runs them together, after the others), with Django's check lifted for
    that time only.
    """
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(f"CI requires the browser tests to run. {message}", pytrace=False)
        pytest.skip(message)
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def server(live_server: LiveServer, policy_seeded: None) -> LiveServer:
    """The application, served over HTTP on localhost, over the test database."""
    return live_server


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the page reported on its console (a CSP refusal is one), uncaught script
    errors and failed loads of what a page needs (scripts, styles, images, htmx calls)."""
    return []


@pytest.fixture
def page(browser: Browser, server: LiveServer, console_errors: list[str]) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies) whose relative URLs reach the server."""
    context = browser.new_context(base_url=server.url, locale="zh-CN", viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        # A failed load is reported below with its address; the console omits it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            console_errors.append(message.text)

    def record_failed_load(response: Response) -> None:
        # Pages themselves may answer 404 (a test asks for that); what they load may not.
        request = response.request
        needed = request.resource_type != "document" and not request.url.endswith("/favicon.ico")
        if response.status >= 400 and needed:
            console_errors.append(f"{response.status} {request.url}")

    page.on("console", record)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.on("response", record_failed_load)
    yield page
    context.close()


@dataclass(frozen=True)
class Login:
    """A user's name and password, for logging in through the form."""

    username: str
    password: str


@pytest.fixture
def make_user(server: LiveServer) -> Callable[..., Login]:
    """Make a user with a random password and, if a role is given, one grant."""

    def make(
        username: str,
        role: str | None = None,
        region_prefix: str = "",
        *,
        department: str = "",
        is_staff: bool = False,
    ) -> Login:
        password = secrets.token_urlsafe(12)
        user = get_user_model().objects.create_user(
            username=username, password=password, is_staff=is_staff
        )
        if role is not None:
            grant_add(
                user=user, role=role, region_prefix=region_prefix, department=department,
                actor=Actor(None, "browser-test"),
            )  # fmt: skip
        return Login(username, password)

    return make


def login(page: Page, username: str, password: str) -> None:
    """Log in through the login page's form, as a person would."""
    page.goto(reverse("web:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")


@pytest.fixture
def logged_in(page: Page) -> Callable[[Login], Page]:
    """Log the page in as a user (through the form) and return it."""

    def log_in(user: Login) -> Page:
        login(page, user.username, user.password)
        assert not page.url.rstrip("/").endswith(reverse("web:login").rstrip("/")), (
            f"login as {user.username} failed: still on {page.url}"
        )
        return page

    return log_in


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Save a full-page PNG as var/screenshots/<test-name>[-<suffix>].png; return its path."""
    base = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    folder = Path(settings.VAR_DIR) / "screenshots"

    def take(page: Page, suffix: str = "") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{base}-{suffix}" if suffix else base
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
