"""The evaluation pages, API and command line (考核评价): the scorecard list and a subject's
page, the score, recommendation, appeal and decision forms, and the 404 of another county."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from fupin.monitoring.models import Evaluation, Recommendation
from tests.monitoring import test_evaluation as base
from tests.monitoring.test_evaluation import TOWNSHIP, YEAR, Township, far_cadre, user_of
from tests.targeting.conftest import OTHER_VILLAGE, Posts

pytestmark = pytest.mark.django_db
# The hand-built township of the service tests, as fixtures here too.
offices, township = base.offices, base.township
API = "/api/v1/evaluation"


def test_the_scorecard_list_ranks_the_cadres(offices: Posts, township: Township) -> None:
    response = offices.client("township").get(f"/evaluation/?year={YEAR}&region={TOWNSHIP}")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("干部1") < text.index("干部2")
    assert "64.7" in text and "38.1" in text


def test_a_cadres_page_shows_figures_scores_and_forms(offices: Posts, township: Township) -> None:
    page = offices.client("township").get(f"/evaluation/cadres/{township.li.pk}/?year={YEAR}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "按期走访率" in text and "0.0%" in text and "38.1" in text
    assert f"/evaluation/cadres/{township.li.pk}/recommend/" in text


def test_another_countys_cadre_answers_404(offices: Posts, township: Township) -> None:
    stranger = far_cadre()
    client = offices.client("county")
    for url in (f"/evaluation/cadres/{stranger.pk}/", f"/evaluation/cadres/{stranger.pk}/score/",
                f"{API}/cadres/{stranger.pk}/scorecard"):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_the_township_scores_and_recommends_through_the_pages(
    offices: Posts,
    township: Township,
) -> None:
    client = offices.client("township")
    scored = client.post(f"/evaluation/units/{OTHER_VILLAGE}/score/",
                         {"year": YEAR, "score": 72, "grade": "", "comments": "返贫一户"})  # fmt: skip
    assert scored.status_code == 302
    assert Evaluation.objects.get(region_code=OTHER_VILLAGE, cadre=None).score == 72
    made = client.post(f"/evaluation/cadres/{township.li.pk}/recommend/", {
        "year": YEAR, "kind": "warning", "reasons": "一户全年未走访", "notice_method": "in_person",
        "notified_on": "2019-01-15",
    })  # fmt: skip
    assert made.status_code == 302
    row = Recommendation.objects.get()
    assert made["Location"] == f"/evaluation/recommendations/{row.pk}/"
    assert row.figures["score"] == 38.1


def test_a_village_post_cannot_recommend_through_the_page(
    offices: Posts,
    township: Township,
) -> None:
    refused = offices.client("other_cadre").post(
        f"/evaluation/units/{OTHER_VILLAGE}/recommend/",
        {"year": YEAR, "kind": "sanction", "reasons": "x", "notice_method": "in_writing",
         "notified_on": "2019-01-15"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert not Recommendation.objects.exists()


def test_the_appeal_and_the_decision_through_the_pages(
    offices: Posts,
    township: Township,
) -> None:
    # given
    offices.client("township").post(f"/evaluation/cadres/{township.li.pk}/recommend/", {
        "year": YEAR, "kind": "warning", "reasons": "一户全年未走访", "notice_method": "in_person",
        "notified_on": "2019-01-15",
    })  # fmt: skip
    row = Recommendation.objects.get()
    li = user_of(township.li, offices)
    subject = Client()
    subject.force_login(li.user)
    page = subject.get(f"/evaluation/recommendations/{row.pk}/")
    assert page.status_code == 200 and "提出申诉" in page.content.decode()
    # when
    lodged = subject.post(f"/evaluation/recommendations/{row.pk}/appeal/",
                          {"grounds": "该户全家外出务工", "lodged_on": "2019-01-20"})  # fmt: skip
    decided = offices.client("county").post(
        f"/evaluation/recommendations/{row.pk}/decide/",
        {"outcome": "upheld", "reasons": "走访记录确无", "decided_on": "2019-02-01"},
    )
    # then
    assert (lodged.status_code, decided.status_code) == (302, 302)
    row.refresh_from_db()
    assert row.status == "upheld"
    assert "走访记录确无" in subject.get(f"/evaluation/recommendations/{row.pk}/").content.decode()


def test_the_api_scores_recommends_and_takes_the_appeal(
    offices: Posts,
    township: Township,
) -> None:
    township_client = offices.client("township")
    cards = township_client.get(f"{API}/scorecards?year={YEAR}&region={TOWNSHIP}&level=village")
    assert cards.status_code == 200
    assert {row["subject"] for row in cards.json()} == {"522727100218", OTHER_VILLAGE}
    one = township_client.get(f"{API}/cadres/{township.wang.pk}/scorecard?year={YEAR}").json()
    assert (one["score"], one["households"], one["name"]) == (64.7, 3, "干部1")
    refused = township_client.post(f"{API}/scores", json.dumps(
        {"year": YEAR, "cadre_id": township.wang.pk, "score": 50}),
        content_type="application/json")  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (409, "scored_already")
    made = township_client.post(f"{API}/recommendations", json.dumps({
        "year": YEAR, "region_code": OTHER_VILLAGE, "kind": "reward", "reasons": "措施全覆盖",
        "notified_on": "2019-01-15"}), content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["appeal"], body["appeal_until"]) == ("notified", None,
                                                                      "2019-01-30")  # fmt: skip
    forbidden = offices.client("county").post(
        f"{API}/recommendations/{body['id']}/appeal", json.dumps({"grounds": "x"}),
        content_type="application/json")  # fmt: skip
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "role_not_allowed")
    appealed = offices.client("other_cadre").post(
        f"{API}/recommendations/{body['id']}/appeal",
        json.dumps({"grounds": "应评更高", "lodged_on": "2019-01-20"}),
        content_type="application/json")  # fmt: skip
    assert appealed.status_code == 201 and appealed.json()["appeal"]["outcome"] == ""


def call(*args: Any) -> str:
    out = io.StringIO()
    call_command("evaluation", *args, stdout=out)
    return out.getvalue()


def test_the_command_line(offices: Posts, township: Township) -> None:
    listed = call("scorecards", "--region", TOWNSHIP, "--year", str(YEAR), "--as", "township")
    assert "64.7" in listed and listed.index("干部1") < listed.index("干部2")
    call("score", "--unit", OTHER_VILLAGE, "--year", str(YEAR), "--grade", "good",
         "--as", "township")  # fmt: skip
    assert Evaluation.objects.get(region_code=OTHER_VILLAGE, cadre=None).score == 82
    out = call("recommend", "--cadre", str(township.li.pk), "--year", str(YEAR), "--kind",
               "warning", "--reasons", "一户全年未走访", "--on", "2019-01-15", "--as", "township")  # fmt: skip
    row = Recommendation.objects.get()
    assert "appeal until 2019-01-30" in out
    user_of(township.li, offices)
    call("appeal", "--recommendation", str(row.pk), "--grounds", "已电话联系", "--on",
         "2019-01-16", "--as", f"cadre-{township.li.pk}")  # fmt: skip
    with pytest.raises(CommandError, match="role_not_allowed"):
        call("decide", "--recommendation", str(row.pk), "--outcome", "overturned", "--reasons",
             "x", "--as", "township")  # fmt: skip
    call("decide", "--recommendation", str(row.pk), "--outcome", "overturned", "--reasons",
         "已核实", "--on", str(date(2019, 2, 1)), "--as", "county")  # fmt: skip
    row.refresh_from_db()
    assert row.status == "overturned"
    with pytest.raises(CommandError, match="not found"):
        call("score", "--cadre", str(far_cadre().pk), "--year", str(YEAR), "--score", "80",
             "--as", "county")  # fmt: skip
