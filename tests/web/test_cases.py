"""The case pages: list, one case with its steps and forms, and the notices as PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from pypdf import PdfReader

from fupin.targeting import procedures as p
from fupin.targeting.models import Case
from tests.targeting.conftest import VILLAGE, Posts, evidence_for, posts  # noqa: F401
from tests.targeting.test_cases import START, opened, walk
from tests.targeting.test_queries import with_head

pytestmark = pytest.mark.django_db


def as_post(posts: Posts, name: str) -> Client:  # noqa: F811
    return posts.client(name)


def identification(posts: Posts, until: str | None = None) -> Case:  # noqa: F811
    case = opened("identification", posts, with_head("1", "王大山"))
    return walk(case, posts, until=until) if until else case


def step_post(step: p.Step, on: str, **override: object) -> dict[str, object]:
    """The form fields that take `step` with valid evidence."""
    data: dict[str, object] = {"action": "take", "step": step.slug, "on": on}
    for key, value in evidence_for(step).items():
        if isinstance(value, dict) and "for" in value:
            data.update({f"ev_{key}_{part}": count for part, count in value.items()})
        elif isinstance(value, dict):
            data[f"ev_{key}"] = [code for code, ok in value.items() if ok]
        else:
            data[f"ev_{key}"] = value
    data.update(override)
    return data


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return "".join(page.extract_text() for page in pages).replace(" ", "")


def test_the_list_shows_the_cases_in_scope_and_filters_them(posts: Posts) -> None:  # noqa: F811
    case = identification(posts)
    url = "/cases/"
    page = as_post(posts, "county").get(url)
    assert page.status_code == 200 and f"/cases/{case.pk}/" in page.content.decode()
    assert f"/cases/{case.pk}/" not in as_post(posts, "other_cadre").get(url).content.decode()
    filtered = as_post(posts, "county").get(url, {"kind": "exit", "year": "2016"})
    assert f"/cases/{case.pk}/" not in filtered.content.decode()
    by_region = as_post(posts, "county").get(url, {"region": VILLAGE, "outcome": "open"})
    assert f"/cases/{case.pk}/" in by_region.content.decode()
    assert Client().get(url).status_code == 302  # login first


@pytest.mark.parametrize("name", ["cadre", "township", "county", "inspector", "national"])
def test_the_case_page_opens_for_the_posts_in_scope(posts: Posts, name: str) -> None:  # noqa: F811
    case = identification(posts, until="township_review")
    page = as_post(posts, name).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    for step in p.IDENTIFICATION.steps:
        assert step.label in text
    assert "书面申请书 第1号" in text  # the evidence of the history


def test_a_case_outside_the_scope_is_not_found(posts: Posts) -> None:  # noqa: F811
    case = identification(posts, until="first_notice")
    client = as_post(posts, "other_cadre")
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/", {"action": "withdraw"}).status_code == 404
    assert client.get(f"/cases/{case.pk}/notice.pdf").status_code == 404
    assert client.get(f"/cases/{case.pk + 1000}/").status_code == 404


def test_a_step_taken_through_the_page_moves_the_case(posts: Posts) -> None:  # noqa: F811
    # given an identification case that waits for its village appraisal
    case = identification(posts, until="village_appraisal")
    client = as_post(posts, "cadre")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="ev_votes_for"' in page and 'value="village_appraisal"' in page
    # when the cadre posts the appraisal with its minutes and votes
    step = p.IDENTIFICATION.step("village_appraisal")
    answer = client.post(f"/cases/{case.pk}/", step_post(step, START.isoformat()))
    # then the case has moved and the page says so
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.step == "village_appraisal"
    recorded = case.steps.get(step="village_appraisal")
    assert recorded.evidence["votes"] == {"for": 21, "against": 2, "abstain": 1}
    assert recorded.actor_label == "cadre"
    assert "已办理" in client.get(answer["Location"]).content.decode()


def test_missing_evidence_is_shown_in_the_page_and_nothing_moves(posts: Posts) -> None:  # noqa: F811
    case = identification(posts, until="village_appraisal")
    step = p.IDENTIFICATION.step("village_appraisal")
    data = step_post(step, START.isoformat(), ev_minutes="")
    answer = as_post(posts, "cadre").post(f"/cases/{case.pk}/", data)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "缺少必需的佐证材料" in text and "minutes" in text and "Traceback" not in text
    assert 'value="21"' in text  # what was typed is kept
    case.refresh_from_db()
    assert case.step == "application"


def test_a_wrong_role_sees_no_form_and_a_forged_post_is_refused(posts: Posts) -> None:  # noqa: F811
    # given a case that waits for the village appraisal, opened to the township
    case = identification(posts, until="village_appraisal")
    client = as_post(posts, "township")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="action" value="take"' not in page and 'value="reject"' not in page
    # when the township forges the appraisal form
    step = p.IDENTIFICATION.step("village_appraisal")
    answer = client.post(f"/cases/{case.pk}/", step_post(step, START.isoformat()))
    # then the service's refusal is shown, and the case has not moved
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "您的岗位不能办理这一步骤" in text and "is taken by" in text
    case.refresh_from_db()
    assert case.step == "application"
    # and an inspector (read-only) cannot withdraw it either
    refused = as_post(posts, "inspector").post(
        f"/cases/{case.pk}/", {"action": "withdraw", "on": START.isoformat(), "reason": "x"}
    )
    assert refused.status_code == 400 and "withdrawn by" in refused.content.decode()


def test_an_objection_and_its_reverification_through_the_page(posts: Posts) -> None:  # noqa: F811
    case = identification(posts, until="township_review")
    assert case.notice_ends is not None
    cadre = as_post(posts, "cadre")
    assert 'value="objection"' in cadre.get(f"/cases/{case.pk}/").content.decode()
    on = case.notice_ends.isoformat()
    cadre.post(f"/cases/{case.pk}/", {"action": "objection", "on": on, "objection": "收入不实"})
    case.refresh_from_db()
    assert case.awaiting_reverification
    assert 'value="reverify"' in cadre.get(f"/cases/{case.pk}/").content.decode()
    cadre.post(f"/cases/{case.pk}/", {"action": "reverify", "on": on, "upheld": "no",
                                      "visit_record": "复核记录"})  # fmt: skip
    case.refresh_from_db()
    assert not case.awaiting_reverification and case.step == "village_appraisal"


def test_the_case_notice_is_a_pdf_with_the_village_list(posts: Posts) -> None:  # noqa: F811
    # given a case whose first notice has been posted
    case = identification(posts, until="township_review")
    posted = case.steps.get(step="first_notice").on
    client = as_post(posts, "township")
    # when its notice is asked for
    answer = client.get(f"/cases/{case.pk}/notice.pdf")
    # then it is a PDF with the household and the masked ID
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "识别第一次公示" in text and "王大山" in text and "522727********" in text
    # and the village's notice page lists it and prints it too
    listing = client.get(f"/notices/{VILLAGE}/").content.decode()
    assert "first_notice" in listing
    pdf = client.get(f"/notices/{VILLAGE}/", {"kind": "identification", "step": "first_notice",
                                              "on": posted.isoformat()})  # fmt: skip
    assert pdf["Content-Type"] == "application/pdf" and "王大山" in pdf_text(pdf.content)
    missing = {"kind": "identification", "step": "first_notice",
               "on": (posted + timedelta(days=1)).isoformat()}  # fmt: skip
    assert client.get(f"/notices/{VILLAGE}/", missing).status_code == 404
    assert client.get(f"/notices/{VILLAGE}/", {"on": "soon"}).status_code == 400
    # and the notices of a village outside the scope are not found
    assert as_post(posts, "other_cadre").get(f"/notices/{VILLAGE}/").status_code == 404
    assert client.get("/notices/999999999999/").status_code == 404


def test_a_case_without_a_notice_has_no_pdf(posts: Posts) -> None:  # noqa: F811
    case = identification(posts, until="first_notice")
    assert as_post(posts, "cadre").get(f"/cases/{case.pk}/notice.pdf").status_code == 404
