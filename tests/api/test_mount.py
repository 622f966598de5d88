"""The API as the project mounts it: /api/v1 routes, OpenAPI docs at /api/docs."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_urls(settings: pytest.FixtureRequest) -> None:
    settings.ROOT_URLCONF = "fupin.urls"  # type: ignore[attr-defined]


def test_docs_and_routes_under_api(project_urls: None) -> None:
    client = Client()
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/households/{household_id}" in schema["paths"]
    assert client.get("/api/v1/households").json()["code"] == "unauthenticated"
