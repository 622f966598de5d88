"""Evaluating cadres and units (考核评价): the scorecards of a hand-built township checked
against figures worked out by hand, two-way scores, who may score and recommend, and the
recommendation's notice, appeal and decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.monitoring.evaluation.queries import (
    access_cadre,
    access_unit,
    cadre_scorecard,
    scorecards,
    unit_scorecard,
)
from fupin.monitoring.evaluation.services import (
    EvaluationError,
    appeal_decide,
    appeal_lodge,
    evaluation_enter,
    recommendation_final,
    recommendation_record,
)
from fupin.monitoring.models import Evaluation, Recommendation
from fupin.monitoring.services import visit_log
from fupin.pairing.models import Cadre, CardObjection, CardRating, ContactCard
from fupin.pairing.services import assignment_open
from fupin.regions.models import Region
from fupin.registry.models import Household, StatusTransition
from tests.pairing.test_services import cadre
from tests.support.test_ledger import poor, record
from tests.targeting.conftest import OTHER_VILLAGE, POSTS, VILLAGE, Posts, household_make

APPEAL_DAYS = 15  # the seeded evaluation_appeal_days (policy)

pytestmark = pytest.mark.django_db
YEAR = 2018
TOWNSHIP = "522727100"
PAIRED_ON = date(YEAR, 3, 1)


@pytest.fixture
def offices(villages: list[str], actor: Actor) -> Posts:
    """One user per post of 平塘县 (`tests.targeting.conftest.POSTS`)."""
    actors = {}
    for name, (role, prefix) in POSTS.items():
        user = get_user_model().objects.create_user(username=name)
        grant_add(user=user, role=role, region_prefix=prefix, actor=actor)
        actors[name] = Actor.of(user)
    return Posts(actors)


@dataclass
class Township:
    """平舟镇 in 2018: two cadres, five households (see `township`)."""

    wang: Cadre
    li: Cadre
    households: dict[str, Household]


def _card(household: Household, helper: Cadre, number: int) -> ContactCard:
    return ContactCard.objects.create(household=household, cadre=helper, year=YEAR,
                                      token_hash=f"{number:064d}", facts={},
                                      printed_at=timezone.now())  # fmt: skip


def _rate(card: ContactCard, quarter: int, satisfaction: str) -> None:
    CardRating.objects.create(household=card.household, card=card, cadre=card.cadre, year=YEAR,
                              quarter=quarter, satisfaction=satisfaction,
                              created_at=timezone.now())  # fmt: skip


def _visit(offices: Posts, household: Household, helper: Cadre, on: date) -> None:
    visit_log(household=household, on=on, found="在家，了解收入情况", actor=offices.township,
              cadre=helper)  # fmt: skip


@pytest.fixture
def township(offices: Posts) -> Township:
    """Wang, a township cadre, answers for H1 (registered, visited 12-10, a measure for its
    cause, rated 满意 and 基本满意), H2 (exited 2018-10-20 and stayed out, last visited
    11-15: overdue at year end) and H3 (exited, then returned 12-05; visited 12-20; an
    objection from its card). Li, a cadre of village 212, answers for H4 (never visited, a
    measure, rated 不满意). H5 in village 218 has no cadre."""
    wang = cadre(offices, 1, level="township", region_code=TOWNSHIP)
    li = cadre(offices, 2, level="village", region_code=OTHER_VILLAGE)
    h1 = poor("H1")
    h2 = household_make("H2", status="exited", registered_year=YEAR - 1)
    h3 = household_make("H3", status="exited", registered_year=YEAR - 1, village=OTHER_VILLAGE)
    StatusTransition.objects.create(household=h3, from_status="exited", to_status="returned",
                                    year=YEAR, date=date(YEAR, 12, 5))  # fmt: skip
    Household.objects.filter(pk=h3.pk).update(status="returned")
    h3.refresh_from_db()
    h4 = poor("H4", village=OTHER_VILLAGE)
    h5 = poor("H5")
    for household, helper in ((h1, wang), (h2, wang), (h3, wang), (h4, li)):
        assignment_open(cadre=helper, household=household, on=PAIRED_ON, actor=offices.township)
    _visit(offices, h1, wang, date(YEAR, 12, 10))
    _visit(offices, h2, wang, date(YEAR, 11, 15))
    _visit(offices, h3, wang, date(YEAR, 12, 20))
    record(h1, offices.township)
    record(h4, offices.township)
    card1, card3, card4 = _card(h1, wang, 1), _card(h3, wang, 3), _card(h4, li, 4)
    _rate(card1, 1, "satisfied")
    _rate(card1, 2, "fairly")
    _rate(card4, 1, "dissatisfied")
    CardObjection.objects.create(
        household=h3, card=card3, text="帮扶干部很少来", status="answered", answer="已核实并督促",
        created_at=datetime(YEAR, 6, 1, tzinfo=timezone.get_current_timezone()),
    )  # fmt: skip
    evaluation_enter(year=YEAR, actor=offices.township, cadre=wang, score=88)
    evaluation_enter(year=YEAR, actor=offices.township, cadre=li, grade="fair", comments="走访不够")
    evaluation_enter(year=YEAR, actor=offices.cadre, region_code=TOWNSHIP, score=80)
    evaluation_enter(year=YEAR, actor=offices.other_cadre, region_code=TOWNSHIP, score=60)
    evaluation_enter(year=YEAR, actor=offices.county, region_code=TOWNSHIP, score=85)
    return Township(wang, li, {h.household_no: h for h in (h1, h2, h3, h4, h5)})


def user_of(helper: Cadre, offices: Posts) -> Actor:
    """Give the cadre a login (a paired cadre's grant over the county)."""
    helper.user = get_user_model().objects.create_user(username=f"cadre-{helper.pk}")
    helper.save(update_fields=["user"])
    grant_add(user=helper.user, role="paired_cadre", region_prefix="522727", actor=offices.county)
    return Actor.of(helper.user)


# The scorecards, against the figures worked out by hand


def test_a_cadres_scorecard_has_the_figures_worked_out_by_hand(
    offices: Posts,
    township: Township,
) -> None:
    # when
    card = cadre_scorecard(user=offices.county.user, cadre=township.wang, year=YEAR)
    # then: three households, H2 overdue; two exits, H3 came back; H2 and H3 uncovered
    expected = {"households": 3, "paired": 3, "on_time": 2, "exited": 2, "stayed_out": 1,
                "returned": 1, "coverage_gaps": 2, "objections": 1, "objections_upheld": 0,
                "ratings": 2, "rating_mean": 80.0, "superior_count": 1, "superior_score": 88.0,
                "subordinate_count": 0, "subordinate_score": None, "pairing_gaps": None}  # fmt: skip
    assert {name: card[name] for name in expected} == expected
    assert card["on_time_share"] == pytest.approx(2 / 3)
    assert card["stayed_out_share"] == 0.5
    assert card["return_free_share"] == pytest.approx(2 / 3)
    assert card["covered_share"] == pytest.approx(1 / 3)
    # (25·2/3 + 15·0.5 + 10·2/3 + 10·1/3 + 15·0.8 + 10·0.88) / 85 = 64.67
    assert card["score"] == 64.7


def test_a_cadre_with_one_unvisited_household(offices: Posts, township: Township) -> None:
    card = cadre_scorecard(user=offices.township.user, cadre=township.li, year=YEAR)
    assert (card["households"], card["on_time"], card["on_time_share"]) == (1, 0, 0.0)
    assert card["stayed_out_share"] is None  # no exit: no share, not a zero
    # a grade alone (一般) stands for 67; (10·1 + 10·1 + 15·0 + 10·0.67) / 70 = 38.14
    assert card["superior_score"] == 67.0
    assert card["score"] == 38.1


def test_the_township_scorecard_adds_its_pairing_gaps_and_both_ways_scores(
    offices: Posts,
    township: Township,
) -> None:
    unit = Region.objects.get(code=TOWNSHIP)
    card = unit_scorecard(user=offices.county.user, unit=unit, year=YEAR)
    expected = {"households": 5, "paired": 4, "pairing_gaps": 1, "on_time": 2, "exited": 2,
                "stayed_out": 1, "returned": 1, "coverage_gaps": 3, "objections": 1,
                "ratings": 3, "superior_score": 85.0, "subordinate_count": 2,
                "subordinate_score": 70.0}  # fmt: skip
    assert {name: card[name] for name in expected} == expected
    assert card["rating_mean"] == pytest.approx(160 / 3)
    # 25·0.5 + 15·0.5 + 10·0.8 + 10·0.8 + 10·0.4 + 15·0.5333 + 10·0.85 + 5·0.7 = 60.0
    assert card["score"] == 60.0


def test_the_scorecard_list_of_a_township_ranks_by_score(
    offices: Posts,
    township: Township,
) -> None:
    cadres = scorecards(user=offices.township.user, prefix=TOWNSHIP, year=YEAR, level="cadre")
    assert [(row["cadre"].name, row["score"]) for row in cadres] == [("干部1", 64.7),
                                                                    ("干部2", 38.1)]  # fmt: skip
    villages = scorecards(user=offices.township.user, prefix=TOWNSHIP, year=YEAR, level="village")
    by_code = {row["subject"]: row for row in villages}
    assert set(by_code) == {VILLAGE, OTHER_VILLAGE}
    assert (by_code[VILLAGE]["households"], by_code[VILLAGE]["pairing_gaps"]) == (3, 1)
    assert (by_code[OTHER_VILLAGE]["households"], by_code[OTHER_VILLAGE]["returned"]) == (2, 1)
    assert [row["score"] for row in villages] == sorted((r["score"] for r in villages),
                                                        reverse=True)  # fmt: skip


def test_a_village_post_sees_only_its_village(offices: Posts, township: Township) -> None:
    villages = scorecards(user=offices.cadre.user, prefix="", year=YEAR, level="village")
    assert [row["subject"] for row in villages] == [VILLAGE]
    assert scorecards(user=offices.cadre.user, prefix="", year=YEAR, level="township") == []


# Access


def far_cadre() -> Cadre:
    return Cadre.objects.create(name="外县干部", id_number="110101198001010011",
                                phone="13800000009", unit="东城区", unit_level="county",
                                region_code="110101", created_at=timezone.now())  # fmt: skip


def test_another_countys_cadre_is_not_found(offices: Posts, township: Township) -> None:
    stranger = far_cadre()
    with pytest.raises(Http404):
        access_cadre(offices.county.user, stranger.pk)
    with pytest.raises(Http404):
        access_cadre(offices.county.user, 987654321)
    assert access_cadre(offices.county.user, township.li.pk) == township.li
    with pytest.raises(EvaluationError) as refused:
        evaluation_enter(year=YEAR, actor=offices.county, cadre=stranger, score=90)
    assert refused.value.code == "role_not_allowed"


def test_a_township_cannot_see_a_county_cadre_nor_score_it(
    offices: Posts,
    township: Township,
) -> None:
    county_cadre = cadre(offices, 3, level="county")
    with pytest.raises(Http404):
        access_cadre(offices.township.user, county_cadre.pk)
    with pytest.raises(EvaluationError) as refused:
        evaluation_enter(year=YEAR, actor=offices.township, cadre=county_cadre, score=90)
    assert refused.value.code == "role_not_allowed"
    evaluation_enter(year=YEAR, actor=offices.county, cadre=county_cadre, score=90)


def test_a_unit_is_reached_by_its_readers_and_the_posts_below(
    offices: Posts,
    township: Township,
) -> None:
    assert access_unit(offices.cadre.user, TOWNSHIP).code == TOWNSHIP  # scores it up
    assert access_unit(offices.township.user, VILLAGE).code == VILLAGE
    with pytest.raises(Http404):
        access_unit(offices.cadre.user, OTHER_VILLAGE)
    with pytest.raises(Http404):
        access_unit(offices.county.user, "110101001001")


# Scores


def test_a_score_is_entered_once_per_evaluator_subject_and_year(
    offices: Posts,
    township: Township,
) -> None:
    with pytest.raises(EvaluationError) as refused:
        evaluation_enter(year=YEAR, actor=offices.township, cadre=township.wang, score=60)
    assert refused.value.code == "scored_already"
    assert Evaluation.objects.filter(cadre=township.wang).count() == 1
    evaluation_enter(year=YEAR - 1, actor=offices.township, cadre=township.wang, score=60)
    event = AuditEvent.objects.filter(action="evaluation.score").last()
    assert event is not None and event.after["direction"] == "down"


@pytest.mark.parametrize(("fields", "code"), [
    ({"score": 101}, "score_invalid"),
    ({"score": 95, "grade": "fair"}, "grade_mismatch"),
    ({}, "score_missing"),
    ({"score": 80, "year": 2013}, "year_invalid"),
])  # fmt: skip
def test_a_bad_score_is_refused(
    offices: Posts,
    township: Township,
    fields: dict[str, Any],
    code: str,
) -> None:
    with pytest.raises(EvaluationError) as refused:
        evaluation_enter(**{"year": YEAR, "actor": offices.township, "region_code": VILLAGE,
                            **fields})  # fmt: skip
    assert refused.value.code == code
    assert not Evaluation.objects.filter(region_code=VILLAGE).exists()


def test_subordinates_score_units_up_and_cadres_only_through_their_cards(
    offices: Posts,
    township: Township,
) -> None:
    up = Evaluation.objects.get(evaluator=offices.cadre.user)
    assert (up.direction, up.evaluator_role, up.evaluator_region) == ("up", "village_cadre",
                                                                      VILLAGE)  # fmt: skip
    with pytest.raises(EvaluationError) as refused:  # a village post over a village cadre
        evaluation_enter(year=YEAR, actor=offices.other_cadre, cadre=township.li, score=70)
    assert refused.value.code == "role_not_allowed"
    # a cadre scores the unit they are registered in
    actor = user_of(township.li, offices)
    mine = evaluation_enter(year=YEAR, actor=actor, region_code=OTHER_VILLAGE, score=75)
    assert (mine.direction, mine.evaluator_role) == ("up", "paired_cadre")


# Recommendations, notice and appeal


def test_a_village_post_cannot_recommend_a_sanction(
    offices: Posts,
    township: Township,
) -> None:
    for subject in ({"cadre": township.li}, {"region_code": OTHER_VILLAGE}):
        with pytest.raises(EvaluationError) as refused:
            recommendation_record(year=YEAR, kind="sanction", reasons="走访严重不足",
                                  actor=offices.other_cadre, **subject)  # fmt: skip
        assert refused.value.code == "role_not_allowed"
    assert not Recommendation.objects.exists()


def test_the_township_recommends_with_reasons_and_the_figures(
    offices: Posts,
    township: Township,
) -> None:
    # given
    on = date(2019, 1, 15)
    # when
    made = recommendation_record(year=YEAR, kind="warning", reasons="一户全年未走访，群众不满意",
                                 actor=offices.township, cadre=township.li, on=on)  # fmt: skip
    # then
    assert (made.recorder_role, made.recorder_region, made.status) == ("township", TOWNSHIP,
                                                                       "notified")  # fmt: skip
    assert made.figures["score"] == 38.1 and made.figures["households"] == 1
    assert made.appeal_until == on + timedelta(days=APPEAL_DAYS)
    event = AuditEvent.objects.get(action="evaluation.recommend")
    assert event.reason == "一户全年未走访，群众不满意" and event.after["score"] == 38.1
    with pytest.raises(EvaluationError) as refused:
        recommendation_record(year=YEAR, kind="sanction", reasons="再次", actor=offices.township,
                              cadre=township.li, on=on)  # fmt: skip
    assert refused.value.code == "recommended_already"
    with pytest.raises(EvaluationError) as refused:
        recommendation_record(year=YEAR, kind="reward", reasons="  ", actor=offices.township,
                              cadre=township.wang)  # fmt: skip
    assert refused.value.code == "reasons_missing"


def test_the_appeal_is_decided_by_the_office_above_the_recorder(
    offices: Posts,
    township: Township,
) -> None:
    # given: a warning to Li, notified on 2019-01-15
    on = date(2019, 1, 15)
    made = recommendation_record(year=YEAR, kind="warning", reasons="一户全年未走访",
                                 actor=offices.township, cadre=township.li, on=on)  # fmt: skip
    li = user_of(township.li, offices)
    with pytest.raises(EvaluationError) as refused:  # not the subject
        appeal_lodge(recommendation=made, grounds="不服", actor=offices.cadre, on=on)
    assert refused.value.code == "role_not_allowed"
    # when: Li appeals in time
    appeal = appeal_lodge(recommendation=made, grounds="该户常年外出务工，已电话联系",
                          actor=li, on=on + timedelta(days=3))  # fmt: skip
    made.refresh_from_db()
    assert made.status == "appealed" and appeal.decide_by == date(2019, 2, 17)
    # then: the township that recorded it cannot decide; the county does
    with pytest.raises(EvaluationError) as refused:
        appeal_decide(appeal=appeal, outcome="overturned", reasons="x", actor=offices.township)
    assert refused.value.code == "role_not_allowed"
    decided = appeal_decide(appeal=appeal, outcome="overturned", actor=offices.county,
                            reasons="经核实该户全家外出，电话联系有记录", on=date(2019, 2, 1))  # fmt: skip
    made.refresh_from_db()
    assert (decided.outcome, made.status) == ("overturned", "overturned")
    assert not recommendation_final(made, on=date(2019, 6, 1))
    with pytest.raises(EvaluationError) as refused:
        appeal_decide(appeal=appeal, outcome="upheld", reasons="再议", actor=offices.county)
    assert refused.value.code == "decided_already"
    actions = list(AuditEvent.objects.filter(action__startswith="evaluation.").values_list(
        "action", flat=True).order_by("id"))  # fmt: skip
    assert actions[-3:] == ["evaluation.recommend", "evaluation.appeal", "evaluation.decide"]
    # an overturned recommendation makes room for a new one
    recommendation_record(year=YEAR, kind="reward", reasons="走访记录完整", actor=offices.township,
                          cadre=township.li, on=date(2019, 2, 2))  # fmt: skip


def test_an_appeal_after_the_period_is_refused_and_the_recommendation_stands(
    offices: Posts,
    township: Township,
) -> None:
    on = date(2019, 1, 15)
    made = recommendation_record(year=YEAR, kind="reward", reasons="三户中两户按时走访",
                                 actor=offices.county, region_code=TOWNSHIP, on=on)  # fmt: skip
    with pytest.raises(EvaluationError) as refused:
        appeal_lodge(recommendation=made, grounds="应评为更高", actor=offices.township,
                     on=on + timedelta(days=APPEAL_DAYS + 1))  # fmt: skip
    assert refused.value.code == "appeal_late"
    assert recommendation_final(made, on=on + timedelta(days=APPEAL_DAYS + 1))
    assert not recommendation_final(made, on=on + timedelta(days=APPEAL_DAYS))
    # the township's appeal is decided by the prefecture, the office above the county
    appeal = appeal_lodge(recommendation=made, grounds="应评为更高", actor=offices.township, on=on)
    with pytest.raises(EvaluationError):
        appeal_decide(appeal=appeal, outcome="upheld", reasons="维持", actor=offices.county)
    appeal_decide(appeal=appeal, outcome="upheld", reasons="评分依据充分", actor=offices.prefecture)
    made.refresh_from_db()
    assert made.status == "upheld" and recommendation_final(made, on=on)


def test_an_objection_the_township_finds_true_counts_against_the_cadre(
    offices: Posts,
    township: Township,
) -> None:
    from fupin.pairing.cards import objection_answer

    # given the objection open again, then answered by the township as found true
    CardObjection.objects.update(status="open", answer="")
    objection_answer(objection=CardObjection.objects.get(), answer="经核实，走访不到位",
                     upheld=True, actor=offices.township)  # fmt: skip
    card = cadre_scorecard(user=offices.county.user, cadre=township.wang, year=YEAR)
    assert (card["objections"], card["objections_upheld"]) == (1, 1)
    assert card["score"] == pytest.approx(64.7 - 5, abs=0.05)  # 5 points an upheld objection
