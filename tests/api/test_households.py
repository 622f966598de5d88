"""Households through the API: scope, masking by role, the audited full read, filters,
pages, and writes through `household_save`."""

from __future__ import annotations

from datetime import date

import pytest

from fupin.core.models import AuditEvent
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household
from tests.api.conftest import ApiClient
from tests.targeting.conftest import VILLAGE, assess

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("post", ["cadre", "township", "county", "province", "inspector", "health"])
def test_in_scope_household_is_read(api_client: ApiClient, homes: dict, post: str) -> None:
    response = api_client(post).get(f"/api/v1/households/{homes['home'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["household_no"] == "5227271002180001"
    assert [m["relation"] for m in body["members"]] == ["head", "spouse"]


def test_out_of_scope_is_the_same_404_as_missing(api_client: ApiClient, homes: dict) -> None:
    neighbour_cadre = api_client("other_cadre")
    home = homes["home"].pk
    for path in ("/api/v1/households/{}", "/api/v1/households/{}/assessments"):
        forbidden = neighbour_cadre.get(path.format(home))
        missing = neighbour_cadre.get(path.format(home + 1000))
        assert forbidden.status_code == missing.status_code == 404
        assert forbidden.content == missing.content
    assert neighbour_cadre.get(f"/api/v1/households/{homes['neighbour'].pk}").status_code == 200


def test_personal_data_in_full_for_the_village_and_the_read_is_audited(
    api_client: ApiClient, homes: dict
) -> None:
    # when the village cadre opens the household
    body = api_client("cadre").get(f"/api/v1/households/{homes['home'].pk}").json()

    # then numbers and health are in full, and the read is on the audit log
    head = body["members"][0]
    assert head["id_number"] == id_make("522727", date(1970, 3, 4), 11)
    assert head["health"] == "chronic" and head["birth_date"] == "1970-03-04"
    assert body["phone"] == "13812345678" and body["bank_account"] == "6228480012345678901"
    assert not body["personal_data_masked"] and not body["health_masked"]
    event = AuditEvent.objects.get(action="household.read_full")
    assert (event.actor_label, event.object_id, event.region_code) == (
        "cadre",
        str(homes["home"].pk),
        VILLAGE,
    )


def test_a_province_reads_masked_and_is_not_audited_as_a_full_read(
    api_client: ApiClient, homes: dict
) -> None:
    body = api_client("province").get(f"/api/v1/households/{homes['home'].pk}").json()
    head = body["members"][0]
    assert head["id_number"] == "522727********0117"[:6] + "*" * 8 + head["id_number"][-4:]
    assert "19700304" not in head["id_number"]
    assert head["health"] is None and head["birth_date"] is None
    assert body["phone"] == "138****5678"
    assert body["bank_account"] == "**** **** 8901"
    assert body["personal_data_masked"] and body["health_masked"]
    assert not AuditEvent.objects.filter(action="household.read_full").exists()


def test_the_health_department_sees_health_but_not_numbers(
    api_client: ApiClient, homes: dict
) -> None:
    body = api_client("health").get(f"/api/v1/households/{homes['home'].pk}").json()
    assert body["members"][0]["health"] == "chronic"
    assert "*" in body["members"][0]["id_number"]
    assert body["personal_data_masked"] and not body["health_masked"]


def test_list_is_restricted_masked_and_paged(api_client: ApiClient, homes: dict) -> None:
    county = api_client("county").get("/api/v1/households", {"page_size": 1}).json()
    assert county["count"] == 2 and len(county["items"]) == 1
    second = api_client("county").get("/api/v1/households", {"page_size": 1, "page": 2}).json()
    assert {county["items"][0]["id"], second["items"][0]["id"]} == {
        homes["home"].pk,
        homes["neighbour"].pk,
    }
    cadre = api_client("cadre").get("/api/v1/households").json()
    assert [row["id"] for row in cadre["items"]] == [homes["home"].pk]
    assert cadre["items"][0]["head_id_number"] == id_make("522727", date(1970, 3, 4), 11)
    province = api_client("province").get("/api/v1/households").json()
    assert all("*" in row["head_id_number"] for row in province["items"])
    assert {row["head_name"] for row in province["items"]} == {"王老三", "张桂花"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "王老"}, {"home"}),
        ({"q": id_make("522727", date(1972, 5, 6), 12)}, {"home"}),
        ({"q": "5227271002120001"}, {"neighbour"}),
        ({"q": "522727100212"}, set()),  # a household number is matched whole
        ({"status": "registered"}, {"home"}),
        ({"status": "not_registered"}, {"neighbour"}),
        ({"category": "general"}, {"home"}),
        ({"cause": "illness"}, {"home"}),
        ({"cause": "schooling"}, set()),
        ({"region": "522727100212"}, {"neighbour"}),
        ({"region": "5227"}, {"home", "neighbour"}),
        ({"year": 2016}, {"neighbour"}),
    ],
)
def test_list_filters(api_client: ApiClient, homes: dict, params: dict, expected: set) -> None:
    assess(homes["neighbour"], 2016, 3000)
    ids = {household.pk: name for name, household in homes.items()}
    response = api_client("county").get("/api/v1/households", params)
    assert response.status_code == 200
    assert {ids[row["id"]] for row in response.json()["items"]} == expected


def test_a_bad_filter_is_invalid_not_an_error(api_client: ApiClient, homes: dict) -> None:
    for params in ({"status": "rich"}, {"region": "52x"}, {"page": 0}, {"year": 99999}):
        response = api_client("county").get("/api/v1/households", params)
        assert response.status_code == 422
        assert response.json()["code"] == "invalid"


def test_assessments_by_year(api_client: ApiClient, homes: dict) -> None:
    assess(homes["home"], 2016, 2000)
    assess(homes["home"], 2015, 1800)
    body = api_client("cadre").get(f"/api/v1/households/{homes['home'].pk}/assessments").json()
    assert [(row["year"], row["net_income_per_capita"]) for row in body] == [
        (2015, "1800.00"),
        (2016, "2000.00"),
    ]


ASSESSMENT = {
    "wage_income": 8000, "business_income": 0, "business_cost": 0, "property_income": 0,
    "transfer_income": 0, "food_ok": True, "clothing_ok": True, "education_ok": True,
    "medical_ok": True, "housing_grade": "A", "water_ok": True,
}  # fmt: skip


def _member(relation: str, sex: str, birth: date, sequence: int) -> dict:
    return {"name": "测试", "id_number": id_make("522727", birth, sequence), "relation": relation,
            "sex": sex, "birth_date": birth.isoformat(), "ethnicity": "苗族",
            "education": "junior", "in_school": False, "health": "healthy",
            "labor": "ordinary", "migrant_months": 6}  # fmt: skip


def _new_household(number: str = "5227271002180099") -> dict:
    return {
        "household_no": number, "village_code": VILLAGE, "year": 2018, "phone": "13900001111",
        "members": [_member("head", "M", date(1980, 5, 5), 31),
                    _member("spouse", "F", date(1982, 6, 6), 32)],
        "assessment": ASSESSMENT,
    }  # fmt: skip


def test_a_keeper_registers_a_household(api_client: ApiClient, posts: object) -> None:
    response = api_client("cadre").post("/api/v1/households", _new_household(),
                                        content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.json()
    household = Household.objects.get(household_no="5227271002180099")
    assert response.json()["id"] == household.pk
    assert response.json()["changes"]["members_inserted"] == 2
    assert household.members.count() == 2 and household.phone == "13900001111"
    assert AuditEvent.objects.filter(action="registry.bulk_write", actor_label="cadre").exists()


@pytest.mark.parametrize("post", ["other_cadre", "province", "inspector", "health"])
def test_only_keepers_of_the_village_register(
    api_client: ApiClient, posts: object, post: str
) -> None:
    response = api_client(post).post("/api/v1/households", _new_household(),
                                     content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    assert not Household.objects.exists()


def test_registering_refused_by_the_rules_is_invalid(api_client: ApiClient, posts: object) -> None:
    payload = _new_household()
    payload["members"][0]["sex"] = "F"  # the ID number says male
    response = api_client("cadre").post(
        "/api/v1/households", payload, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "id.sex_mismatch" in {issue["code"] for issue in body["errors"]}
    assert not Household.objects.exists()


def test_a_taken_household_number_is_a_conflict(api_client: ApiClient, homes: dict) -> None:
    payload = _new_household(number=homes["neighbour"].household_no)
    response = api_client("cadre").post(
        "/api/v1/households", payload, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "household_exists"
    assert Household.objects.get(pk=homes["neighbour"].pk).village_id != VILLAGE


def test_a_keeper_updates_what_is_sent(api_client: ApiClient, posts: object) -> None:
    cadre = api_client("cadre")
    created = cadre.post("/api/v1/households", _new_household(), content_type="application/json")
    household_id = created.json()["id"]

    response = cadre.patch(f"/api/v1/households/{household_id}",
                           {"year": 2018, "phone": "13700002222", "address": "京舟村3组"},
                           content_type="application/json")  # fmt: skip

    assert response.status_code == 200, response.json()
    household = Household.objects.get(pk=household_id)
    assert (household.phone, household.address) == ("13700002222", "京舟村3组")
    assert household.members.count() == 2
    assert AuditEvent.objects.filter(action="household.update").count() == 1


def test_viewers_cannot_update(api_client: ApiClient, homes: dict) -> None:
    for post in ("province", "inspector", "other_cadre"):
        response = api_client(post).patch(f"/api/v1/households/{homes['home'].pk}",
                                          {"year": 2018, "phone": "1"},
                                          content_type="application/json")  # fmt: skip
        assert response.status_code == 404
    assert Household.objects.get(pk=homes["home"].pk).phone == "13812345678"


def test_an_update_without_the_years_assessment_is_invalid(
    api_client: ApiClient, homes: dict
) -> None:
    response = api_client("cadre").patch(f"/api/v1/households/{homes['home'].pk}",
                                         {"year": 2019, "phone": "13700002222"},
                                         content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_an_update_adds_a_member_matched_by_id_number(api_client: ApiClient, posts: object) -> None:
    cadre = api_client("cadre")
    household_id = cadre.post(
        "/api/v1/households", _new_household(), content_type="application/json"
    ).json()["id"]
    spouse = _member("spouse", "F", date(1982, 6, 6), 32) | {"name": "改名"}
    child = _member("child", "F", date(2012, 2, 2), 34) | {"labor": None, "in_school": True,
                                                          "education": "primary", "migrant_months": 0}  # fmt: skip

    response = cadre.patch(f"/api/v1/households/{household_id}",
                           {"year": 2018, "members": [spouse, child]},
                           content_type="application/json")  # fmt: skip

    assert response.status_code == 200, response.json()
    members = Household.objects.get(pk=household_id).members.order_by("id")
    assert [(m.relation, m.name) for m in members] == [("head", "测试"), ("spouse", "改名"),
                                                       ("child", "测试")]  # fmt: skip
