"""The assistance ledger's pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.support import views

app_name = "support"
urlpatterns: list[URLPattern] = [
    path("support/", views.ledger, name="ledger"),
    path("support/gaps/", views.gaps, name="gaps"),
    path("support/upload/", views.upload, name="upload"),
    path("support/template.xlsx", views.template, name="template"),
    path("households/<int:household_id>/measures/new/", views.measure_new, name="measure_new"),
]
