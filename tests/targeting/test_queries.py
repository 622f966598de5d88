"""Reads of the procedures: next steps, overdue cases and the notices villages post."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member
from fupin.targeting.notices import notice_pdf
from fupin.targeting.queries import case_next_steps, cases_overdue, village_notice
from fupin.targeting.services import case_open
from tests.targeting.conftest import VILLAGE, Posts, household_make
from tests.targeting.test_cases import START, opened, walk

pytestmark = pytest.mark.django_db


def with_head(number: str, name: str, **kw: object) -> Household:
    household = household_make(number, **kw)  # type: ignore[arg-type]
    Member.objects.create(
        household=household, name=name,
        id_number=id_make("522727", date(1970, 3, 4), 17 + 2 * int(number)),
        relation="head", sex="M", birth_date=date(1970, 3, 4), ethnicity="布依族",
        health="chronic",
    )  # fmt: skip
    Household.objects.filter(pk=household.pk).update(category="general", main_cause="illness")
    return household


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(
        " ", ""
    )


def test_the_first_notice_lists_the_village_cases_with_ids_masked(posts: Posts) -> None:
    for number, name in (("1", "罗明"), ("2", "韦芳")):
        walk(
            opened("identification", posts, with_head(number, name)), posts, until="township_review"
        )
    document = village_notice(village=VILLAGE, case_kind="identification", step="first_notice",
                              on=START + timedelta(days=2))  # fmt: skip
    assert [row["name"] for row in document.rows] == ["罗明", "韦芳"]
    assert document.period_end == START + timedelta(days=8)
    text = text_of(notice_pdf(document=document))
    full_id = id_make("522727", date(1970, 3, 4), 19)
    assert "京舟村村民委员会识别第一次公示" in text and "罗明" in text
    assert full_id not in text and full_id[:6] + "********" + full_id[-4:] in text


def test_the_monitoring_notice_shows_no_id_or_health(posts: Posts) -> None:
    household = with_head("1", "罗明", status="exited")
    case = opened("monitoring", posts, household,
                  detail={"monitoring_type": "unstable", "risks": ["illness"]})  # fmt: skip
    walk(case, posts, until="township_review")
    notice_day = case.steps.get(step="notice").on
    text = text_of(notice_pdf(document=village_notice(
        village=VILLAGE, case_kind="monitoring", step="notice", on=notice_day)))  # fmt: skip
    assert "罗明" in text and "脱贫不稳定户" in text
    assert "522727" not in text and "慢性" not in text and "因病" not in text


def test_no_notice_without_cases() -> None:
    with pytest.raises(LookupError):
        village_notice(village=VILLAGE, case_kind="exit", step="notice", on=START)
    with pytest.raises(LookupError):
        village_notice(village=VILLAGE, case_kind="exit", step="verification", on=START)


def test_a_monitoring_case_open_past_fifteen_days_is_overdue(posts: Posts) -> None:
    household = household_make("1", status="exited")
    case = case_open(kind="monitoring", year=2021, on=date(2021, 5, 3), actor=posts.cadre,
                     trigger="cadre_visit", household=household, clue_on=date(2021, 5, 1),
                     detail={"monitoring_type": "unstable", "risks": ["disaster"]})  # fmt: skip
    assert not cases_overdue(on=date(2021, 5, 16)).exists()
    assert list(cases_overdue(on=date(2021, 5, 17))) == [case]
    assert not cases_overdue(on=date(2021, 5, 17), prefix="11").exists()
    # decided on day 12: never overdue
    walk(case, posts, start=date(2021, 5, 3))
    case.refresh_from_db()
    assert case.outcome == "approved" and (case.decided_on - case.clue_on).days <= 15
    assert not cases_overdue(on=date(2021, 7, 1)).exists()


def test_a_late_decision_stays_flagged(posts: Posts) -> None:
    household = household_make("1", status="exited")
    case = case_open(kind="monitoring", year=2021, on=date(2021, 5, 20), actor=posts.cadre,
                     trigger="cadre_visit", household=household, clue_on=date(2021, 5, 1),
                     detail={"monitoring_type": "unstable", "risks": ["disaster"]})  # fmt: skip
    walk(case, posts, start=date(2021, 5, 20))
    assert list(cases_overdue(on=date(2021, 8, 1))) == [case]


def test_next_steps_are_offered_only_to_the_posts_that_may_take_them(posts: Posts) -> None:
    case = opened("identification", posts, household_make("1"))
    assert [s.slug for s in case_next_steps(case, posts.cadre.user)] == ["application"]
    assert case_next_steps(case, posts.township.user) == []
    assert case_next_steps(case, posts.other_cadre.user) == []
    case = walk(case, posts, until="township_review")
    assert [s.slug for s in case_next_steps(case, posts.township.user)] == ["township_review"]
