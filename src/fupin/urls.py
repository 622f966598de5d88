"""URL configuration: the pages, the API (/api/v1, docs at /api/docs), jobs, the back office."""

from django.contrib import admin
from django.urls import include, path

from fupin.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("jobs/", include("fupin.jobs.urls")),
    path("", include("fupin.web.urls")),
]
