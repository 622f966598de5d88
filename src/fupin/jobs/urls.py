"""The job pages: the list, a job's progress and result."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from fupin.jobs import views

app_name = "jobs"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.job_list, name="job_list"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    path("<int:job_id>/status/", views.job_status, name="job_status"),
    path("<int:job_id>/download/", views.job_download, name="job_download"),
    path("<int:job_id>/cancel/", views.job_cancel_view, name="job_cancel"),
]
