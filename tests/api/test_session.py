"""The browser's session authenticates too; its unsafe requests need the CSRF token."""

from __future__ import annotations

import pytest
from django.middleware.csrf import get_token
from django.test import Client

from tests.targeting.conftest import Posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(posts: Posts) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert posts.county.user is not None
    client.force_login(posts.county.user)
    return client


def _csrf_token(client: Client) -> str:
    # What a page would embed: a token matching the CSRF cookie the client now holds.
    from django.http import HttpRequest

    request = HttpRequest()
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return token


def test_a_session_reads_without_csrf(browser: Client) -> None:
    response = browser.get("/api/v1/tokens")
    assert response.status_code == 200
    assert response.json() == []


def test_a_session_write_without_csrf_is_refused(browser: Client) -> None:
    response = browser.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert browser.get("/api/v1/tokens").json() == []


def test_a_session_write_with_csrf_goes_through(browser: Client) -> None:
    token = _csrf_token(browser)
    response = browser.post("/api/v1/tokens", {"name": "x"}, content_type="application/json",
                            headers={"X-CSRFToken": token})  # fmt: skip
    assert response.status_code == 201
    assert [row["name"] for row in browser.get("/api/v1/tokens").json()] == ["x"]


def test_no_session_and_no_token_is_401_not_a_csrf_error(posts: Posts) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
