"""The funds and projects pages (扶贫资金和项目), under /funds/."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.support.funds import views

app_name = "funds"
urlpatterns: list[URLPattern] = [
    path("funds/", views.overview, name="overview"),
    path("funds/allocations/new/", views.allocation_new, name="allocation_new"),
    path("funds/projects/", views.projects, name="projects"),
    path("funds/projects/new/", views.project_new, name="project_new"),
    path("funds/projects/<int:project_id>/", views.project_detail, name="project"),
    path("funds/payments/new/", views.payment_new, name="payment_new"),
]
