"""The visit pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.monitoring import views

app_name = "monitoring"
urlpatterns: list[URLPattern] = [
    path("mine/", views.my_households, name="mine"),
    path("households/<int:household_id>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/overdue/", views.overdue, name="overdue"),
    path("visits/photos/<int:photo_id>/", views.visit_photo, name="visit_photo"),
]
