"""The report page."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.stats import views

app_name = "stats"
urlpatterns: list[URLPattern] = [path("reports/", views.reports, name="reports")]
