"""The evaluation pages (考核评价)."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.monitoring.evaluation import views

app_name = "evaluation"
urlpatterns: list[URLPattern] = [
    path("evaluation/", views.scorecards, name="scorecards"),
    path("evaluation/cadres/<int:cadre_id>/", views.cadre, name="cadre"),
    path("evaluation/cadres/<int:cadre_id>/score/", views.cadre_score, name="cadre_score"),
    path("evaluation/cadres/<int:cadre_id>/recommend/", views.cadre_recommend,
         name="cadre_recommend"),
    path("evaluation/units/<str:code>/", views.unit, name="unit"),
    path("evaluation/units/<str:code>/score/", views.unit_score, name="unit_score"),
    path("evaluation/units/<str:code>/recommend/", views.unit_recommend, name="unit_recommend"),
    path("evaluation/recommendations/<int:recommendation_id>/", views.recommendation,
         name="recommendation"),
    path("evaluation/recommendations/<int:recommendation_id>/appeal/",
         views.recommendation_appeal, name="recommendation_appeal"),
    path("evaluation/recommendations/<int:recommendation_id>/decide/",
         views.recommendation_decide, name="recommendation_decide"),
]  # fmt: skip
