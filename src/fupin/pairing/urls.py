"""The pairing pages: contact cards and their public page, objections, gaps."""

from __future__ import annotations

from django.urls import URLPattern, path

from fupin.pairing import views

app_name = "pairing"
urlpatterns: list[URLPattern] = [
    path("card/<str:token>/", views.card_page, name="card"),
    path("card/<str:token>/rate/", views.card_rate, name="card_rate"),
    path("card/<str:token>/object/", views.card_object, name="card_object"),
    path("households/<int:household_id>/card.pdf", views.household_card_pdf, name="card_pdf"),
    path("villages/<str:code>/cards/", views.village_cards, name="village_cards"),
    path("villages/<str:code>/cards.pdf", views.village_cards_pdf, name="village_cards_pdf"),
    path("objections/", views.objection_list, name="objections"),
    path("objections/<int:objection_id>/answer/", views.objection_answer, name="objection_answer"),
    path("pairing/gaps/", views.gaps, name="gaps"),
    path("cadres/", views.cadres, name="cadres"),
    path("cadres/<int:cadre_id>/", views.cadre, name="cadre"),
    path("cadres/<int:cadre_id>/rotation/", views.cadre_rotation, name="cadre_rotation"),
    path(
        "households/<int:household_id>/assignment/",
        views.household_assignment,
        name="household_assignment",
    ),
    path("assignments/<int:assignment_id>/end/", views.assignment_finish, name="assignment_end"),
    path("pairing/proposals/", views.proposals, name="proposals"),
    path("pairing/proposals/<int:proposal_id>/", views.proposal, name="proposal"),
    path(
        "pairing/proposals/<int:proposal_id>/decision/",
        views.proposal_decide,
        name="proposal_decide",
    ),
]
