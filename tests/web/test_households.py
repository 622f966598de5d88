"""The household pages: scope, masking by role, the audit of a full read, search, filters,
paging, the htmx fragment, and the record's sections."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.registry.models import Household, Member
from fupin.targeting.models import Case
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, assess, household_make
from tests.web.conftest import Posts, client_for

pytestmark = pytest.mark.django_db

HEAD_ID = "52272719800101123X"
CHILD_ID = "522727201001011234"
PHONE, BANK = "13812345678", "6228480012345678901"
FULL_READERS = ("cadre", "secretary", "team", "township", "county", "inspector")
MASKED_READERS = ("prefecture", "province", "national")


def member_add(household: Household, name: str, id_number: str, **fields: object) -> Member:
    values = {"relation": "head", "sex": "M", "birth_date": date(1980, 1, 1),
              "ethnicity": "布依族", "health": "chronic", **fields}  # fmt: skip
    return Member.objects.create(household=household, name=name, id_number=id_number, **values)


@pytest.fixture
def homes(posts: Posts) -> dict[str, Household]:
    """A registered household in the cadre's village and one in the other village."""
    near = household_make("5227271002180001", status="exited")
    Household.objects.filter(pk=near.pk).update(
        phone=PHONE, bank_account=BANK, category="general", main_cause="illness"
    )
    member_add(near, "王大山", HEAD_ID)
    member_add(near, "王小花", CHILD_ID, relation="child", sex="F", birth_date=date(2010, 1, 1),
               health="healthy")  # fmt: skip
    assess(near, 2015, 2100, size=2)
    assess(near, 2016, 3900, size=2)
    far = household_make("5227271002120001", status="registered", village=OTHER_VILLAGE)
    Household.objects.filter(pk=far.pk).update(category="dibao", main_cause="disability")
    member_add(far, "李远", "522727197502021111")
    assess(far, 2016, 1800, size=1)
    return {"near": Household.objects.get(pk=near.pk), "far": Household.objects.get(pk=far.pk)}


def listed(response: object) -> list[str]:
    return [row.household_no for row in response.context["page"].rows]  # type: ignore[attr-defined]


def test_anonymous_is_sent_to_the_login_page(client: Client, homes: dict) -> None:
    for url in ("/households/", f"/households/{homes['near'].pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("cadre", ["5227271002180001"]), ("other_cadre", ["5227271002120001"]),
     ("township", ["5227271002120001", "5227271002180001"]),
     ("national", ["5227271002120001", "5227271002180001"])],
)  # fmt: skip
def test_the_list_holds_the_households_in_scope(
    homes: dict, posts: Posts, name: str, expected: list[str]
) -> None:
    response = client_for(posts, name).get("/households/")
    assert response.status_code == 200
    assert listed(response) == expected


@pytest.mark.parametrize("name", FULL_READERS + MASKED_READERS)
def test_every_post_in_scope_opens_the_household(homes: dict, posts: Posts, name: str) -> None:
    response = client_for(posts, name).get(f"/households/{homes['near'].pk}/")
    assert response.status_code == 200
    assert "王大山" in response.content.decode()


@pytest.mark.parametrize(("name", "home"), [("cadre", "far"), ("other_cadre", "near")])
def test_a_household_out_of_scope_is_not_found_like_a_missing_one(
    homes: dict, posts: Posts, name: str, home: str
) -> None:
    client = client_for(posts, name)
    outside = client.get(f"/households/{homes[home].pk}/")
    missing = client.get("/households/987654321/")
    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content


@pytest.mark.parametrize("role", ["paired_cadre", "evaluator", "household"])
def test_a_post_that_reads_no_register_sees_no_household(homes: dict, role: str) -> None:
    user = get_user_model().objects.create_user(username="reader")
    grant_add(user=user, role=role, region_prefix=VILLAGE, actor=Actor(None, "t"))
    client = Client()
    client.force_login(user)
    assert client.get(f"/households/{homes['near'].pk}/").status_code == 404
    assert listed(client.get("/households/")) == []


@pytest.mark.parametrize("name", FULL_READERS)
def test_posts_that_serve_the_household_see_it_in_full(
    homes: dict, posts: Posts, name: str
) -> None:
    page = client_for(posts, name).get(f"/households/{homes['near'].pk}/").content.decode()
    for value in (HEAD_ID, CHILD_ID, PHONE, BANK, "慢性病", "1980-01-01"):
        assert value in page


@pytest.mark.parametrize("name", MASKED_READERS)
def test_other_posts_see_personal_data_masked(homes: dict, posts: Posts, name: str) -> None:
    page = client_for(posts, name).get(f"/households/{homes['near'].pk}/").content.decode()
    for value in (HEAD_ID, CHILD_ID, PHONE, BANK, "慢性病"):
        assert value not in page
    assert "522727********123X" in page
    assert "138****5678" in page
    assert "**** **** 8901" in page
    assert "已做遮挡处理" in page
    assert "1980-01-01" not in page and "<td>1980</td>" in page  # the birth date the ID hides


def test_the_health_department_sees_health_but_not_numbers(homes: dict, villages: list) -> None:
    user = get_user_model().objects.create_user(username="health")
    grant_add(user=user, role="department", region_prefix="522727", department="health",
              actor=Actor(None, "t"))  # fmt: skip
    client = Client()
    client.force_login(user)
    page = client.get(f"/households/{homes['near'].pk}/").content.decode()
    assert "慢性病" in page
    assert HEAD_ID not in page
    assert not AuditEvent.objects.filter(action="household.read_full").exists()


def test_a_full_read_is_audited(homes: dict, posts: Posts) -> None:
    # given
    household = homes["near"]
    # when
    client_for(posts, "county").get(f"/households/{household.pk}/")
    client_for(posts, "prefecture").get(f"/households/{household.pk}/")
    # then: the county's full read is recorded, the prefecture's masked one is not
    events = list(AuditEvent.objects.filter(action="household.read_full"))
    assert len(events) == 1
    event = events[0]
    assert (event.object_type, event.object_id) == ("household", str(household.pk))
    assert event.region_code == VILLAGE
    assert event.actor_label == "county"


def test_a_refused_read_is_not_audited(homes: dict, posts: Posts) -> None:
    client_for(posts, "cadre").get(f"/households/{homes['far'].pk}/")
    assert not AuditEvent.objects.filter(action="household.read_full").exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("q=王大山", ["5227271002180001"]), ("q=王", ["5227271002180001"]),
     ("q=小花", []), ("q=李远", ["5227271002120001"]),
     ("q=5227271002120001", ["5227271002120001"]),
     (f"q={HEAD_ID}", ["5227271002180001"]), (f"q={HEAD_ID.lower()}", ["5227271002180001"]),
     ("status=registered", ["5227271002120001"]), ("status=exited", ["5227271002180001"]),
     ("category=dibao", ["5227271002120001"]), ("cause=illness", ["5227271002180001"]),
     ("year=2015", ["5227271002180001"]),
     ("year=2016", ["5227271002120001", "5227271002180001"]),
     ("region=522727100212", ["5227271002120001"]), ("region=522727100", ["5227271002120001", "5227271002180001"]),
     ("year=1900&status=bogus&region=abc", ["5227271002120001", "5227271002180001"]),
     ("q=王&status=registered", [])],
)  # fmt: skip
def test_search_and_filters(homes: dict, posts: Posts, query: str, expected: list[str]) -> None:
    response = client_for(posts, "county").get(f"/households/?{query}")
    assert response.status_code == 200
    assert listed(response) == expected


def test_an_id_number_finds_nothing_for_a_post_that_cannot_see_it(
    homes: dict, posts: Posts
) -> None:
    client = client_for(posts, "prefecture")
    assert listed(client.get(f"/households/?q={HEAD_ID}")) == []
    assert listed(client.get("/households/?q=王大山")) == ["5227271002180001"]


def test_the_year_filter_shows_that_years_income(homes: dict, posts: Posts) -> None:
    page = client_for(posts, "county").get("/households/?year=2016").content.decode()
    assert "2016年人均纯收入" in page
    assert "3,900" in page and "1,800" in page


def test_the_list_pages_on_the_server(homes: dict, posts: Posts) -> None:
    # given: 120 more households in the village
    now = timezone.now()
    Household.objects.bulk_create(
        Household(household_no=f"5227271002189{i:03d}", village_id=VILLAGE, created_at=now,
                  updated_at=now)
        for i in range(120)
    )  # fmt: skip
    client = client_for(posts, "cadre")
    # when
    first = client.get("/households/?region=522727100218")
    third = client.get("/households/?region=522727100218&page=3")
    beyond = client.get("/households/?region=522727100218&page=9")
    # then
    assert len(listed(first)) == 50 and first.context["page"].has_next
    assert listed(third)[-1] == "5227271002189119" and not third.context["page"].has_next
    assert len(listed(third)) == 21
    assert listed(beyond) == []
    page = first.content.decode()
    assert 'href="?region=522727100218&amp;page=2"' in page
    assert 'rel="prev"' not in page


def test_htmx_gets_the_results_alone(homes: dict, posts: Posts) -> None:
    client = client_for(posts, "county")
    headers = {"HX-Request": "true", "HX-Target": "household-results"}
    fragment = client.get("/households/?q=王", headers=headers)
    whole = client.get("/households/?q=王")
    restore = client.get(
        "/households/?q=王", headers={**headers, "HX-History-Restore-Request": "true"}
    )
    assert fragment.content.decode().lstrip().startswith('<section id="household-results"')
    assert "<html" not in fragment.content.decode()
    assert "<html" in whole.content.decode() and "<html" in restore.content.decode()
    assert 'id="household-results"' in whole.content.decode()
    assert "HX-Request" in fragment["Vary"]
    # the plain form works without JavaScript: GET to the same page
    assert re.search(r'<form method="get" action="/households/"', whole.content.decode())


def test_the_record_shows_assessments_timeline_and_cases(homes: dict, posts: Posts) -> None:
    # given: an exit case of the household and a case of the other village
    household = homes["near"]
    case = Case.objects.create(kind="exit", household=household, region_code=VILLAGE, year=2016,
                               outcome="approved", trigger="annual_run", clue_on=date(2016, 9, 1),
                               opened_on=date(2016, 9, 1), decided_on=date(2016, 10, 20))  # fmt: skip
    household.transitions.filter(to_status="exited").update(case_ref=case.ref, reason="达标退出")
    # when
    response = client_for(posts, "cadre").get(f"/households/{household.pk}/")
    # then
    record = response.context["record"]
    page = response.content.decode()
    assert [row.year for row in record.assessments] == [2016, 2015]
    assert [(t.from_status, t.to_status) for t in record.transitions] == [
        ("非建档立卡户", "建档立卡贫困户"), ("建档立卡贫困户", "已脱贫"),
    ]  # fmt: skip
    assert record.transitions[1].case_id == case.pk
    assert f'href="/cases/{case.pk}/"' in page
    assert "达标退出" in page and "3,900" in page


def test_an_unpaired_household_says_so_and_support_is_not_yet_recorded(
    homes: dict, posts: Posts
) -> None:
    page = client_for(posts, "cadre").get(f"/households/{homes['near'].pk}/").content.decode()
    assert "尚未结对帮扶责任人" in page and "尚未打印联系卡" in page and "尚无走访记录" in page
    assert "尚未登记帮扶措施" in page
    # the village cadre keeps the ledger; the inspector reads it only
    assert f'href="/households/{homes["near"].pk}/measures/new/"' in page
    inspector = client_for(posts, "inspector").get(f"/households/{homes['near'].pk}/")
    assert "/measures/new/" not in inspector.content.decode()


def test_only_get_is_served(homes: dict, posts: Posts) -> None:
    client = client_for(posts, "county")
    assert client.post("/households/").status_code == 405
    assert client.post(f"/households/{homes['near'].pk}/").status_code == 405
