"""The department work list: the households to confirm, one by one or by file."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.registry.models import Assessment, Household, IndicatorConfirmation
from tests.targeting.conftest import (
    OTHER_VILLAGE,
    VILLAGE,
    Posts,
    assess,
    household_make,
    posts,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def department_client(department: str, prefix: str, actor: Actor, name: str = "") -> Client:
    user = get_user_model().objects.create_user(username=name or f"{department}-{prefix}")
    grant_add(user=user, role="department", region_prefix=prefix, department=department,
              actor=actor)  # fmt: skip
    client = Client()
    client.force_login(user)
    return client


def assessed(number: str, village: str = VILLAGE, status: str = "registered") -> Household:
    household = household_make(number, status=status, village=village)
    assess(household, 2016, 2000)
    return household


def upload(client: Client, name: str, text: str, **fields: str) -> object:
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post("/department/?year=2016",
                       {"action": "upload", "year": "2016", "file": file, **fields})  # fmt: skip


@pytest.fixture
def homes(villages: list[str]) -> list[Household]:
    return [assessed("5227271002180001"), assessed("5227271002180002"),
            assessed("5227271002120001", village=OTHER_VILLAGE)]  # fmt: skip


def test_the_work_list_shows_the_households_of_the_department_area(
    homes: list[Household], actor: Actor
) -> None:
    client = department_client("education", VILLAGE, actor)
    page = client.get("/department/", {"year": "2016"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "5227271002180001" in text and "5227271002180002" in text
    assert "5227271002120001" not in text  # the neighbouring village is not its area
    assert "义务教育有保障" in text
    # the latest assessed year is the default
    assert department_client("water", "522727", actor).get("/department/").context["year"] == 2016


def test_posts_without_a_department_grant_are_refused(
    homes: list[Household],
    posts: Posts,  # noqa: F811
) -> None:
    client = Client()
    user = posts.actors["cadre"].user
    assert user is not None
    client.force_login(user)
    page = client.get("/department/")
    assert page.status_code == 403 and "5227271002180001" not in page.content.decode()
    assert Client().get("/department/").status_code == 302


def test_one_household_is_confirmed_from_its_row(homes: list[Household], actor: Actor) -> None:
    # given the housing department of the county
    client = department_client("housing", "522727", actor)
    household = homes[0]
    # when it confirms the dwelling is grade D, with a plain form
    answer = client.post("/department/?year=2016", {
        "action": "confirm", "department": "housing", "year": "2016",
        "household": str(household.pk), "value": "D",
    })  # fmt: skip
    # then the assessment says D and the confirmation is recorded
    assert answer.status_code == 302
    assert Assessment.objects.get(household=household, year=2016).housing_grade == "D"
    confirmation = IndicatorConfirmation.objects.get(household=household)
    assert (confirmation.value, confirmation.previous, confirmation.source) == ("D", "B", "web")
    # and with htmx only the row comes back, showing the confirmation
    row = client.post("/department/?year=2016", {
        "action": "confirm", "department": "housing", "year": "2016",
        "household": str(homes[1].pk), "value": "A",
    }, headers={"HX-Request": "true"})  # fmt: skip
    text = row.content.decode()
    assert row.status_code == 200 and text.lstrip().startswith("<tr") and "<html" not in text
    assert f'id="household-{homes[1].pk}"' in text and "housing-522727" in text


def test_a_row_outside_the_area_or_a_bad_value_is_refused(
    homes: list[Household], actor: Actor
) -> None:
    client = department_client("water", VILLAGE, actor)
    outside = client.post("/department/?year=2016", {
        "action": "confirm", "year": "2016", "household": str(homes[2].pk), "value": "no",
    })  # fmt: skip
    assert outside.status_code == 404
    bad = client.post("/department/?year=2016", {
        "action": "confirm", "year": "2016", "household": str(homes[0].pk), "value": "maybe",
    }, follow=True)  # fmt: skip
    assert "取值不在允许范围内" in bad.content.decode()
    assert not IndicatorConfirmation.objects.exists()


def test_a_file_confirms_every_row(homes: list[Household], actor: Actor) -> None:
    client = department_client("health", "522727", actor)
    text = "户编号,基本医疗有保障\n5227271002180001,否\n5227271002120001,是\n"
    answer = upload(client, "卫健.csv", text)
    assert answer.status_code == 302  # type: ignore[attr-defined]
    flags = dict(Assessment.objects.values_list("household__household_no", "medical_ok"))
    assert flags["5227271002180001"] is False and flags["5227271002120001"] is True
    assert IndicatorConfirmation.objects.filter(department="health").count() == 2
    assert "卫健.csv sha256:" in IndicatorConfirmation.objects.first().source  # type: ignore[union-attr]


def test_a_file_with_an_error_names_it_and_applies_nothing(
    homes: list[Household], actor: Actor
) -> None:
    # given an education file with one unknown household and one bad value
    client = department_client("education", "522727", actor)
    text = "household_no,value\n5227271002180001,否\n5227279999990001,是\n5227271002180002,也许\n"
    # when it is uploaded
    answer = upload(client, "edu.csv", text)
    # then the page names the file, the rows and the fields, and nothing is confirmed
    assert answer.status_code == 400  # type: ignore[attr-defined]
    issues = {(i["file"], i["row"], i["column"], i["code"])
              for i in answer.context["issues"]}  # type: ignore[attr-defined]  # fmt: skip
    assert issues == {
        ("edu.csv", 3, "household_no", "household.not_in_scope"),
        ("edu.csv", 4, "education_ok", "value.unknown"),
    }
    assert "edu.csv" in answer.content.decode()  # type: ignore[attr-defined]
    assert Assessment.objects.get(household=homes[0], year=2016).education_ok is True
    assert not IndicatorConfirmation.objects.exists()


def test_civil_affairs_lists_the_households_on_the_register(
    homes: list[Household], actor: Actor
) -> None:
    assessed("5227271002180009", status="not_registered")
    client = department_client("civil_affairs", "522727", actor)
    text = client.get("/department/", {"year": "2016"}).content.decode()
    assert "5227271002180001" in text and "5227271002180009" not in text
    assert "低保户" in text  # the attribute's values are offered
