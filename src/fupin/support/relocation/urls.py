"""Relocation's pages, under /relocation/ and on the household."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.support.relocation import views

app_name = "relocation"
urlpatterns: list[URLPattern] = [
    path("relocation/", views.progress, name="progress"),
    path("relocation/sites/", views.sites, name="sites"),
    path("relocation/sites/<int:site_id>/", views.site, name="site"),
    path("relocation/moves/<int:move_id>/", views.move, name="move"),
    path("households/<int:household_id>/relocation/", views.household_panel, name="household"),
    path("households/<int:household_id>/relocation/new/", views.move_new, name="move_new"),
]
