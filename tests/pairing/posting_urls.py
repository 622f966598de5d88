"""The project's URLs with the posting pages and API routes, for the tests of
`tests/pairing/test_posting_pages.py` until `fupin.urls` and `fupin.api` wire them; once
wired, the project's own URLs are used unchanged."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from fupin import urls as project
from fupin.api import api as project_api
from fupin.core import api as core_api
from fupin.pairing import api as pairing_api
from fupin.pairing import posting_api

urlpatterns: list[URLPattern | URLResolver] = []

if not any(router is posting_api.router for _, router in project_api._routers):
    api = NinjaAPI(
        title="postings (tests)", urls_namespace="postings-api", auth=core_api.API_AUTH,
        renderer=core_api.Utf8JsonRenderer(), docs_url=None, openapi_url=None,
    )  # fmt: skip
    core_api.errors_install(api)
    pairing_api.errors_install(api)
    api.add_router("/v1/", posting_api.router)
    urlpatterns.append(path("api/", api.urls))

if not any(getattr(entry, "namespace", None) == "postings" for entry in project.urlpatterns):
    urlpatterns.append(path("", include("fupin.pairing.posting_urls")))

urlpatterns += project.urlpatterns
