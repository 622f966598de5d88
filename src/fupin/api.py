"""The API: django-ninja under /api/v1, OpenAPI at /api/docs.

Each app adds its router (`<app>/api.py`); every route reads through
`core.access.restrict` and writes through the app's services.
"""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="fupin API",
    version="1",
    description="The register of a targeted poverty-alleviation campaign (精准扶贫).",
    urls_namespace="api",
)
