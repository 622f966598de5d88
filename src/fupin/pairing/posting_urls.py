"""The posting pages (驻村): a village's first secretary and work team and their forms, the
villages without cover, the members flagged for attendance."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.pairing import posting_views as views

app_name = "postings"
urlpatterns: list[URLPattern] = [
    path("villages/<str:code>/postings/", views.village, name="village"),
    path("villages/<str:code>/postings/open/", views.open_posting, name="open"),
    path("postings/coverage/", views.coverage, name="coverage"),
    path("postings/attendance/", views.attendance, name="attendance"),
    path("postings/<int:posting_id>/end/", views.end, name="end"),
    path("postings/<int:posting_id>/replace/", views.replace, name="replace"),
    path("postings/<int:posting_id>/members/add/", views.add_member, name="member_add"),
    path("postings/<int:posting_id>/members/remove/", views.remove_member, name="member_remove"),
    path("postings/<int:posting_id>/attendance/log/", views.log_day, name="attendance_log"),
    path(
        "postings/<int:posting_id>/attendance/confirm/",
        views.confirm_month,
        name="attendance_confirm",
    ),
]
