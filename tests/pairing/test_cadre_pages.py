"""The cadre pages and the household's pairing forms: register, pair the nearest cadre
with room, end, rotate; each through restrict and the services, refusals shown."""

from __future__ import annotations

from datetime import date

import pytest

from fupin.pairing.models import Assignment, Cadre
from fupin.registry.idnumber import id_make
from tests.pairing.test_services import cadre, poor
from tests.targeting.conftest import Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_township_registers_a_cadre_and_finds_them(posts: Posts) -> None:  # noqa: F811
    township = posts.client("township")
    body = {"name": "周文静", "id_number": id_make("522727", date(1987, 8, 8), 62),
            "phone": "13600001111", "unit": "平舟镇人民政府", "unit_level": "township",
            "region_code": "522727100"}  # fmt: skip
    made = township.post("/cadres/", body)
    assert made.status_code == 302
    helper = Cadre.objects.get()
    assert helper.name == "周文静" and helper.region_code == "522727100"
    listing = township.get("/cadres/?q=周").content.decode()
    assert "周文静" in listing and "平舟镇人民政府" in listing
    page = township.get(f"/cadres/{helper.pk}/").content.decode()
    assert helper.id_number in page  # the township needs the number in full
    province = posts.client("province").get(f"/cadres/{helper.pk}/").content.decode()
    assert helper.id_number not in province and helper.id_number[:6] in province
    assert posts.client("other_cadre").get(f"/cadres/{helper.pk}/").status_code == 404
    refused = township.post("/cadres/", {**body, "id_number": "123"})
    assert refused.status_code == 400 and "周文静" in refused.content.decode()  # kept
    assert Cadre.objects.count() == 1


def test_the_village_pairs_a_household_with_a_near_cadre(posts: Posts) -> None:  # noqa: F811
    near = cadre(posts, 1, level="village", region_code="522727100218")
    far_in_county = cadre(posts, 2, level="county")
    household = poor("H1")
    page = posts.client("county").get(f"/households/{household.pk}/").content.decode()
    assert page.index(near.name) < page.index(far_in_county.name)  # the nearest first
    # a village post chooses among the cadres registered in its village
    village = posts.client("cadre")
    page = village.get(f"/households/{household.pk}/").content.decode()
    assert near.name in page and far_in_county.name not in page
    answer = village.post(f"/households/{household.pk}/assignment/",
                          {"cadre": near.pk, "on": "2016-05-01"})  # fmt: skip
    assert answer.status_code == 302
    assignment = Assignment.objects.get(household=household)
    assert assignment.cadre_id == near.pk
    page = village.get(f"/households/{household.pk}/").content.decode()
    assert "结束结对" in page
    village.post(f"/assignments/{assignment.pk}/end/", {"on": "2016-04-01", "reason": "调岗"})
    assert Assignment.objects.get().ended_on is None  # ends after it starts: refused
    village.post(f"/assignments/{assignment.pk}/end/", {"on": "2017-04-01", "reason": "调岗"})
    assert Assignment.objects.get().ended_on == date(2017, 4, 1)
    # the inspector reads, and may not pair
    inspector = posts.client("inspector")
    assert "结对帮扶责任人" not in inspector.get(f"/households/{household.pk}/").content.decode()
    assert inspector.post(f"/households/{household.pk}/assignment/",
                          {"cadre": near.pk, "on": "2017-05-01"}).status_code == 404  # fmt: skip


def test_a_cadre_is_rotated_from_their_page(posts: Posts) -> None:  # noqa: F811
    leaving, successor = cadre(posts, 1, level="county"), cadre(posts, 2, level="county")
    households = [poor(f"H{n}") for n in range(2)]
    county = posts.client("county")
    for household in households:
        county.post(f"/households/{household.pk}/assignment/",
                    {"cadre": leaving.pk, "on": "2016-05-01"})  # fmt: skip
    assert Assignment.objects.filter(cadre=leaving, ended_on=None).count() == 2
    page = county.get(f"/cadres/{leaving.pk}/").content.decode()
    assert f'<option value="{successor.pk}">' in page  # a successor with room for both
    county.post(f"/cadres/{leaving.pk}/rotation/",
                {"successor": successor.pk, "on": "2018-01-02", "reason": "驻村轮换"})  # fmt: skip
    assert Assignment.objects.filter(cadre=successor, ended_on=None).count() == 2
    assert "驻村轮换" in county.get(f"/cadres/{leaving.pk}/").content.decode()
    assert posts.client("cadre").post(f"/cadres/{successor.pk}/rotation/", {
        "successor": leaving.pk, "on": "2018-02-02", "reason": "x"}).status_code == 404  # fmt: skip
