"""Security settings: Argon2 hashes, login lockout, CSP, cookies, sessions, `check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

PASSWORD = "correct horse battery staple"


def _clean_env(**overrides: str) -> dict[str, str]:
    """The environment without fupin's own variables, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUPIN_", "DATABASE_URL"))}
    return {**env, **overrides}


def _settings_value(overrides: dict[str, str], expression: str) -> str:
    code = f"import fupin.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_clean_env(**overrides), capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


@pytest.fixture
def officer(db: None) -> str:
    """A user with a real password; returns the username."""
    get_user_model().objects.create_user(username="county-officer", password=PASSWORD)
    return "county-officer"


def _login(client: Client, username: str, password: str) -> int:
    response = client.post(reverse("web:login"), {"username": username, "password": password})
    return response.status_code


def test_a_new_password_is_hashed_with_argon2(db: None) -> None:
    # when
    user = get_user_model().objects.create_user(username="someone", password=PASSWORD)
    # then
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_login_is_locked_after_repeated_failures(officer: str) -> None:
    # given
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    # when: the limit of wrong passwords for one username from one address
    statuses = [_login(client, officer, "wrong password") for _ in range(limit)]
    # then: refused before the limit, locked at it, and the right password no longer works
    assert statuses[:-1] == [200] * (limit - 1)
    assert statuses[-1] == 429
    assert _login(client, officer, PASSWORD) == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(officer: str) -> None:
    # given: another user from the same address is locked out
    get_user_model().objects.create_user(username="guessed", password=PASSWORD)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "guessed", "wrong password")
    # when / then: the officer still logs in from that address
    assert _login(client, officer, PASSWORD) == 302
    assert client.session["_auth_user_id"]


def test_a_success_before_the_limit_clears_the_failures(officer: str) -> None:
    # given
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, officer, "wrong password")
    assert _login(client, officer, PASSWORD) == 302
    client.logout()
    # when: as many failures again, one short of the limit
    statuses = [_login(client, officer, "wrong") for _ in range(settings.AXES_FAILURE_LIMIT - 1)]
    # then: not locked
    assert set(statuses) == {200}
    assert _login(client, officer, PASSWORD) == 302


def test_a_login_without_the_csrf_token_is_refused(officer: str) -> None:
    # given: a client that, like a browser, is held to CSRF checks
    client = Client(enforce_csrf_checks=True)
    # when
    status = _login(client, officer, PASSWORD)
    # then
    assert status == 403
    assert "_auth_user_id" not in client.session


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_pages_carry_a_csp_without_inline_code(client: Client) -> None:
    # when
    response = client.get(reverse("web:login"))
    # then
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_the_api_docs_run_no_inline_script(client: Client) -> None:
    # when
    response = client.get("/api/docs")
    # then: every script is a file of the site, or a JSON data block (which never runs)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    scripts = re.findall(r"<script\b([^>]*)>", response.content.decode())
    assert scripts
    for attributes in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes


def test_cookies_are_http_only_and_end_with_the_browser(officer: str) -> None:
    # given
    client = Client()
    client.get(reverse("web:login"))
    # when
    _login(client, officer, PASSWORD)
    # then
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert session["httponly"] and csrf["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["max-age"] and not session["expires"]  # a browser-session cookie


def test_sessions_expire_within_a_working_day(officer: str) -> None:
    # given
    client = Client()
    # when
    _login(client, officer, PASSWORD)
    # then
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert client.session.get_expire_at_browser_close()
    assert 0 < client.session.get_expiry_age() <= 8 * 60 * 60


def test_https_flag_turns_on_secure_cookies_redirect_and_hsts(tmp_path: Path) -> None:
    # given
    plain = {"FUPIN_VAR_DIR": str(tmp_path)}
    https = {**plain, "FUPIN_HTTPS": "1"}
    expression = (
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0"
    )
    # when / then
    assert _settings_value(plain, expression) == "False False False False"
    assert _settings_value(https, expression) == "True True True True"


def test_deploy_check_passes_in_production(tmp_path: Path) -> None:
    # given: the production environment: HTTPS, a real secret key, debug off
    env = _clean_env(
        FUPIN_HTTPS="1",
        FUPIN_SECRET_KEY=secrets.token_urlsafe(50),
        FUPIN_VAR_DIR=str(tmp_path),
        FUPIN_ALLOWED_HOSTS="fupin.example.gov.cn",
    )
    # when
    result = subprocess.run(
        [sys.executable, "-m", "fupin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    # then
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout
    assert not (tmp_path / "secret_key").exists()
