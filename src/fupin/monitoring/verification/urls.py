"""The exit check's pages (第三方评估), under /verify/."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.monitoring.verification import views

app_name = "verify"
urlpatterns: list[URLPattern] = [
    path("verify/", views.check_list, name="list"),
    path("verify/<int:check_id>/", views.check_detail, name="check"),
    path("verify/<int:check_id>/survey.pdf", views.check_survey_pdf, name="survey_pdf"),
    path("verify/<int:check_id>/survey.xlsx", views.check_survey_xlsx, name="survey_xlsx"),
]
