"""The API: django-ninja under /api/v1, OpenAPI at /api/docs.

Each app adds its router (`<app>/api.py`); every route reads through
`core.access.restrict` and writes through the app's services. Every route needs an
authenticated user: a bearer token (`core.tokens`) or the browser's session with CSRF
(`core.api`). Errors are JSON with a stable code: `{"code": ..., "message": ...}`.
"""

from __future__ import annotations

from ninja import NinjaAPI

from fupin.core import api as core_api
from fupin.jobs import api as jobs_api
from fupin.monitoring import api as monitoring_api
from fupin.monitoring.evaluation import api as evaluation_api
from fupin.monitoring.verification import api as verification_api
from fupin.pairing import api as pairing_api
from fupin.pairing import committee_api, posting_api
from fupin.regions import api as regions_api
from fupin.registry import api as registry_api
from fupin.stats import api as stats_api
from fupin.support import api as support_api
from fupin.support.credit import api as credit_api
from fupin.support.funds import api as funds_api
from fupin.support.relocation import api as relocation_api
from fupin.targeting import api as targeting_api

api = NinjaAPI(
    title="fupin API",
    version="1",
    description="The register of a targeted poverty-alleviation campaign (精准扶贫).",
    urls_namespace="api",
    auth=core_api.API_AUTH,
    renderer=core_api.Utf8JsonRenderer(),
)

core_api.errors_install(api)
registry_api.errors_install(api)
targeting_api.errors_install(api)
pairing_api.errors_install(api)
monitoring_api.errors_install(api)
support_api.errors_install(api)
relocation_api.errors_install(api)
credit_api.errors_install(api)
funds_api.errors_install(api)
verification_api.errors_install(api)
evaluation_api.errors_install(api)

api.add_router("/v1/", core_api.router)
api.add_router("/v1/", regions_api.router)
api.add_router("/v1/", registry_api.router)
api.add_router("/v1/", targeting_api.router)
api.add_router("/v1/", stats_api.router)
api.add_router("/v1/", pairing_api.router)
api.add_router("/v1/", posting_api.router)
api.add_router("/v1/", committee_api.router)
api.add_router("/v1/", monitoring_api.router)
api.add_router("/v1/", support_api.router)
api.add_router("/v1/", relocation_api.router)
api.add_router("/v1/", credit_api.router)
api.add_router("/v1/", funds_api.router)
api.add_router("/v1/", verification_api.router)
api.add_router("/v1/", evaluation_api.router)
api.add_router("/v1/jobs", jobs_api.router)
