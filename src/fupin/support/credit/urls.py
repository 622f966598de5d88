"""Microcredit's pages, under /credit/ and on the household."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.support.credit import views

app_name = "credit"
urlpatterns: list[URLPattern] = [
    path("credit/", views.rates, name="rates"),
    path("credit/loans/<int:loan_id>/", views.loan, name="loan"),
    path("households/<int:household_id>/loans/", views.household_panel, name="household"),
    path("households/<int:household_id>/loans/new/", views.loan_new, name="loan_new"),
]
