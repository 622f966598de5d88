"""URL configuration: the pages, the API (/api/v1, docs at /api/docs), jobs, the back office."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from fupin.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("jobs/", include("fupin.jobs.urls")),
    path("", include("fupin.pairing.urls")),
    path("", include("fupin.pairing.posting_urls")),
    path("", include("fupin.pairing.committee_urls")),
    path("", include("fupin.monitoring.urls")),
    path("", include("fupin.support.urls")),
    path("", include("fupin.support.funds.urls")),
    path("", include("fupin.support.relocation.urls")),
    path("", include("fupin.support.credit.urls")),
    path("", include("fupin.stats.urls")),
    path("", include("fupin.monitoring.verification.urls")),
    path("", include("fupin.monitoring.evaluation.urls")),
    path("", include("fupin.web.urls")),
]
if settings.SERVE_STATIC:
    # The demo (`make demo`) has no web server in front of gunicorn to serve static files.
    urlpatterns.insert(
        0, re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_ROOT})
    )
