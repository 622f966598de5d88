"""The API docs (Swagger UI at /api/docs) run under the site's Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page


def test_the_api_docs_render_under_the_csp(
    page: Page, screenshot: Callable[..., Path], console_errors: list[str]
) -> None:
    # when
    response = page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    screenshot(page)
    # then: Swagger UI built the page from its files, and the CSP refused nothing
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "fupin API" in page.locator(".swagger-ui .info .title").inner_text()
    assert console_errors == []
