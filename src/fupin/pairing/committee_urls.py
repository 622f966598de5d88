"""The pages of the village committee for poverty alleviation (村扶贫工作委员会): the committee
and its meetings, the labour posts, the scores and red and black lists, and for townships
and counties the meetings missed and the appeals awaiting a decision."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.pairing import committee_views as views

app_name = "committees"
urlpatterns: list[URLPattern] = [
    path("villages/<str:code>/committee/", views.committee, name="committee"),
    path("villages/<str:code>/committee/form/", views.form, name="form"),
    path("villages/<str:code>/committee/replace/", views.replace, name="replace"),
    path("villages/<str:code>/committee/end/", views.end, name="end"),
    path("villages/<str:code>/committee/division/", views.divide, name="divide"),
    path("villages/<str:code>/committee/meetings/", views.meeting, name="meeting"),
    path("villages/<str:code>/labour-posts/", views.labour, name="labour"),
    path("villages/<str:code>/labour-posts/new/", views.post_new, name="post_new"),
    path("labour-posts/<int:post_id>/apply/", views.apply, name="apply"),
    path("labour-posts/<int:post_id>/close/", views.close, name="close"),
    path("labour-posts/<int:post_id>/work/", views.work, name="work"),
    path("labour-applications/<int:application_id>/assign/", views.assign, name="assign"),
    path("labour-applications/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("labour-applications/<int:application_id>/leave/", views.leave, name="leave"),
    path("villages/<str:code>/lists/", views.lists, name="lists"),
    path("villages/<str:code>/lists/score/", views.score, name="score"),
    path("villages/<str:code>/lists/red/", views.red, name="red"),
    path("villages/<str:code>/lists/black/", views.black, name="black"),
    path("black-list/<int:entry_id>/notice/", views.notice, name="notice"),
    path("black-list/<int:entry_id>/appeal/", views.appeal, name="appeal"),
    path("black-list/<int:entry_id>/decision/", views.decide, name="decide"),
    path("committees/missed/", views.missed, name="missed"),
    path("committees/appeals/", views.appeals, name="appeals"),
]
