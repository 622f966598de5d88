"""The pairing API: cadres, assignments and rotations, a household's pairing, gaps and the
objections raised from cards, through the same services and the same restrict."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from fupin.core.tokens import token_create
from fupin.pairing import cards
from fupin.pairing.models import Assignment, Cadre
from fupin.registry.idnumber import id_make
from tests.pairing.test_cards import paired, token_of
from tests.pairing.test_services import cadre, poor
from tests.targeting.conftest import OTHER_VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def client(posts: Posts, name: str) -> Client:  # noqa: F811
    user = getattr(posts, name).user
    raw = token_create(user=user, name="test", actor=getattr(posts, name)).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(api: Client, path: str, body: dict[str, Any]) -> Any:
    return api.post(f"/api/v1{path}", json.dumps(body, default=str),
                    content_type="application/json")  # fmt: skip


def test_cadres_are_listed_with_their_load_and_masked_ids(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    helper = household.assignments.get().cadre
    county = client(posts, "county").get("/api/v1/cadres?region=522727").json()
    assert county["count"] == 1
    assert (
        county["items"][0] | {"households": 1, "id_number": helper.id_number} == county["items"][0]
    )
    inspector = client(posts, "inspector").get(f"/api/v1/cadres/{helper.pk}").json()
    assert inspector["id_number"] == helper.id_number  # the inspector checks in full
    province = client(posts, "province").get(f"/api/v1/cadres/{helper.pk}").json()
    assert province["id_number"] != helper.id_number and "*" in province["id_number"]
    # A cadre is reached where they are registered (here the county): a village post sees
    # its households' cadres through their assignments, not in the county's cadre list.
    assert client(posts, "cadre").get("/api/v1/cadres").json()["count"] == 0
    far = client(posts, "other_cadre").get(f"/api/v1/cadres/{helper.pk}")
    assert far.status_code == 404


def test_a_cadre_is_registered_paired_and_rotated(posts: Posts) -> None:  # noqa: F811
    api = client(posts, "county")
    body = {"name": "张明", "id_number": id_make("522727", date(1979, 1, 2), 41),
            "phone": "13800001111", "unit": "平塘县教育局", "unit_level": "county",
            "region_code": "522727"}  # fmt: skip
    made = post(api, "/cadres", body)
    assert made.status_code == 201, made.content
    household = poor("H7")
    opened = post(
        api,
        "/assignments",
        {"household_id": household.pk, "cadre_id": made.json()["id"], "on": "2016-04-01"},
    )
    assert opened.status_code == 201 and opened.json()["cadre_name"] == "张明"
    again = post(
        api,
        "/assignments",
        {"household_id": household.pk, "cadre_id": made.json()["id"], "on": "2016-04-02"},
    )
    assert again.status_code == 409 and again.json()["code"] == "paired_already"
    successor = cadre(posts, 9, level="county")
    rotated = post(
        api,
        f"/cadres/{made.json()['id']}/rotation",
        {"successor_id": successor.pk, "on": "2017-01-05", "reason": "驻村轮换"},
    )
    assert rotated.status_code == 200 and [a["cadre_id"] for a in rotated.json()] == [successor.pk]
    pairing = api.get(f"/api/v1/households/{household.pk}/pairing").json()
    assert [a["cadre_id"] for a in pairing["assignments"]] == [successor.pk, made.json()["id"]]
    current = Assignment.objects.get(household=household, ended_on=None)
    ended = post(api, f"/assignments/{current.pk}/end", {"on": "2016-01-01", "reason": "x"})
    assert ended.status_code == 400 and ended.json()["code"] == "date_invalid"


def test_a_village_post_cannot_register_a_cadre_elsewhere(posts: Posts) -> None:  # noqa: F811
    body = {"name": "李四", "id_number": id_make("522727", date(1979, 1, 2), 43),
            "phone": "13800001111", "unit": "某局", "unit_level": "county",
            "region_code": "522727"}  # fmt: skip
    refused = post(client(posts, "cadre"), "/cadres", body)
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    assert not Cadre.objects.exists()


def test_pairing_elsewhere_is_not_found(posts: Posts) -> None:  # noqa: F811
    far = household_make("F1", village=OTHER_VILLAGE, status="registered")
    helper = cadre(posts, 3, level="county")
    answer = post(
        client(posts, "cadre"),
        "/assignments",
        {"household_id": far.pk, "cadre_id": helper.pk, "on": "2016-04-01"},
    )
    missing = post(
        client(posts, "cadre"),
        "/assignments",
        {"household_id": 987654321, "cadre_id": helper.pk, "on": "2016-04-01"},
    )
    assert answer.status_code == missing.status_code == 404
    assert not Assignment.objects.exists()


def test_the_household_pairing_never_shows_the_card_token(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=date(2016, 11, 20), actor=posts.cadre)
    answer = client(posts, "township").get(f"/api/v1/households/{household.pk}/pairing")
    assert answer.json()["card"]["id"] == printed.card.pk
    assert token_of(printed) not in answer.content.decode()
    assert printed.card.token_hash not in answer.content.decode()


def test_gaps_and_objections(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    poor("H2")
    gaps = client(posts, "county").get("/api/v1/pairing/gaps?level=village").json()
    assert gaps == [{"region_code": household.village_id, "households": 1}]
    printed = cards.card_print(household=household, on=date(2016, 11, 20), actor=posts.cadre)
    objection = cards.card_object(raw=token_of(printed), text="入户走访太少")
    listed = client(posts, "township").get("/api/v1/objections?status=open").json()
    assert [item["id"] for item in listed["items"]] == [objection.pk]
    refused = post(client(posts, "cadre"), f"/objections/{objection.pk}/answer",
                   {"answer": "好", "upheld": False})  # fmt: skip
    assert refused.status_code == 404  # a village post may read it, not answer it
    answered = post(client(posts, "township"), f"/objections/{objection.pk}/answer",
                    {"answer": "已约谈帮扶责任人", "upheld": True})  # fmt: skip
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert answered.json()["upheld"] is True
