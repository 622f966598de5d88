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


def test_schema_names_are_unique() -> None:
    """The OpenAPI document names a component by its class name alone: two schemas of one
    name would silently document one route with the other's fields."""
    from ninja import Schema

    import fupin.api  # noqa: F401  (every router, so every schema, is imported)

    def subclasses(cls: type) -> list[type]:
        return [sub for child in cls.__subclasses__() for sub in (child, *subclasses(child))]

    ours = [cls for cls in subclasses(Schema) if cls.__module__.startswith("fupin.")]
    names = [cls.__name__ for cls in ours]
    assert len(ours) > 40
    assert sorted({name for name in names if names.count(name) > 1}) == []
