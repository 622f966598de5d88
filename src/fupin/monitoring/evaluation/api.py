"""The evaluation API routes (考核评价): scorecards, scores, recommendations, appeals and
decisions.

Reads go through `evaluation.queries` (`restrict`; missing and out of scope, the same 404);
writes through `evaluation.services`, whose refusals (`EvaluationError`) answer as JSON
with their stable code.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Query, Router, Status

from fupin.core.api import ObjectId, api_actor, api_user, refusals_install, responses
from fupin.monitoring.evaluation import queries, services
from fupin.monitoring.evaluation.schemas import (
    EvaluationAppealIn,
    EvaluationDecisionIn,
    EvaluationIn,
    EvaluationOut,
    EvaluationRecommendationIn,
    EvaluationRecommendationOut,
    ScorecardFilters,
    ScorecardOut,
    ScorecardYear,
)
from fupin.monitoring.models import Evaluation, Recommendation

router = Router(tags=["evaluation"])
# Refusals about what the request says (400) and the user's post (403); the rest (scored
# already, appealed already, too late) are about the state of things (409).
BAD_REQUEST_CODES = frozenset({
    "subject_invalid", "unit_unknown", "year_invalid", "score_invalid", "score_missing",
    "grade_invalid", "grade_mismatch", "kind_invalid", "notice_invalid", "reasons_missing",
    "grounds_missing", "outcome_invalid", "text_invalid", "date_in_future",
})  # fmt: skip
FORBIDDEN_CODES = frozenset({"role_not_allowed", "user_required"})
SCORECARDS_MAX = 1000


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


def _card_out(row: dict[str, Any], year: int) -> dict[str, Any]:
    named = row.get("cadre") or row.get("unit")
    return {**row, "name": named.name if named is not None else "", "year": year}


@router.get(
    "/evaluation/scorecards", response=responses({200: list[ScorecardOut]}),
    summary="Scorecards of a region and year",
)  # fmt: skip
def scorecard_list(request: HttpRequest, filters: Query[ScorecardFilters]) -> list[dict[str, Any]]:
    """The scorecards of the cadres registered in a region, or of its villages, townships
    or counties, best score first (the first 1000)."""
    year = _year(filters.year)
    rows = queries.scorecards(user=api_user(request), prefix=filters.region, year=year,
                              level=filters.level)  # fmt: skip
    return [_card_out(row, year) for row in rows[:SCORECARDS_MAX]]


@router.get(
    "/evaluation/cadres/{cadre_id}/scorecard", response=responses({200: ScorecardOut}),
    summary="A cadre's scorecard",
)  # fmt: skip
def scorecard_cadre(
    request: HttpRequest, cadre_id: ObjectId, filters: Query[ScorecardYear]
) -> dict[str, Any]:
    """A cadre's scorecard for a year."""
    user, year = api_user(request), _year(filters.year)
    cadre = queries.access_cadre(user, cadre_id)
    return _card_out(queries.cadre_scorecard(user=user, cadre=cadre, year=year), year)


@router.get(
    "/evaluation/units/{code}/scorecard", response=responses({200: ScorecardOut}),
    summary="A unit's scorecard",
)  # fmt: skip
def scorecard_unit(
    request: HttpRequest, code: str, filters: Query[ScorecardYear]
) -> dict[str, Any]:
    """A village's, township's or county's scorecard for a year (for those who read it)."""
    user, year = api_user(request), _year(filters.year)
    unit = queries.access_unit(user, code)
    if not queries.reads_unit(user, code):
        raise Http404("no unit here")
    return _card_out(queries.unit_scorecard(user=user, unit=unit, year=year), year)


@router.post(
    "/evaluation/scores", response=responses({201: EvaluationOut}, 409), summary="Enter a score"
)
def evaluation_create(request: HttpRequest, payload: EvaluationIn) -> Status[Evaluation]:
    """Score a cadre or a unit for a year: as the office above it, or (a unit) from a post
    below it or as a cadre of it."""
    user = api_user(request)
    subject = _subject(user, payload.cadre_id, payload.region_code)
    evaluation = services.evaluation_enter(
        year=payload.year, actor=api_actor(request), score=payload.score, grade=payload.grade,
        comments=payload.comments, **subject,
    )  # fmt: skip
    return Status(201, evaluation)


def _subject(user: Any, cadre_id: int | None, region_code: str) -> dict[str, Any]:
    if cadre_id is not None and region_code:
        raise services.EvaluationError("subject_invalid", "name a cadre or a unit, one of them")
    if cadre_id is not None:
        return {"cadre": queries.access_cadre(user, cadre_id)}
    if region_code:
        queries.access_unit(user, region_code)
    return {"region_code": region_code}


def _recommendation_out(row: Recommendation) -> dict[str, Any]:
    appeal = queries.recommendation_appeal(row)
    fields = ("id", "year", "kind", "cadre_id", "region_code", "reasons", "figures", "status",
              "recorder_role", "recorder_region", "notified_on", "notice_method",
              "appeal_until")  # fmt: skip
    return {**{name: getattr(row, name) for name in fields}, "appeal": appeal}


@router.post(
    "/evaluation/recommendations", response=responses({201: EvaluationRecommendationOut}, 409),
    summary="Record a recommendation",
)  # fmt: skip
def recommendation_create(
    request: HttpRequest, payload: EvaluationRecommendationIn
) -> Status[dict[str, Any]]:
    """What a year's evaluation leads to (表彰, 约谈, 问责), by the office above the subject,
    with written reasons; the subject is notified and may appeal within the period."""
    user = api_user(request)
    subject = _subject(user, payload.cadre_id, payload.region_code)
    made = services.recommendation_record(
        year=payload.year, kind=payload.kind, reasons=payload.reasons, actor=api_actor(request),
        notice_method=payload.notice_method, on=payload.notified_on, **subject,
    )  # fmt: skip
    return Status(201, _recommendation_out(made))


@router.get(
    "/evaluation/recommendations/{recommendation_id}",
    response=responses({200: EvaluationRecommendationOut}), summary="A recommendation",
)  # fmt: skip
def recommendation_detail(request: HttpRequest, recommendation_id: ObjectId) -> dict[str, Any]:
    """A recommendation, the figures it rests on, and its appeal."""
    row = queries.access_recommendation(api_user(request), recommendation_id)
    return _recommendation_out(row)


@router.post(
    "/evaluation/recommendations/{recommendation_id}/appeal",
    response=responses({201: EvaluationRecommendationOut}, 409), summary="Appeal",
)  # fmt: skip
def recommendation_appeal(
    request: HttpRequest, recommendation_id: ObjectId, payload: EvaluationAppealIn
) -> Status[dict[str, Any]]:
    """The subject's appeal, within the period from the notice."""
    row = queries.access_recommendation(api_user(request), recommendation_id)
    services.appeal_lodge(recommendation=row, grounds=payload.grounds, on=payload.lodged_on,
                          actor=api_actor(request))  # fmt: skip
    return Status(201, _recommendation_out(queries.access_recommendation(api_user(request),
                                                                         row.pk)))  # fmt: skip


@router.post(
    "/evaluation/recommendations/{recommendation_id}/decision",
    response=responses({200: EvaluationRecommendationOut}, 409), summary="Decide an appeal",
)  # fmt: skip
def recommendation_decision(
    request: HttpRequest, recommendation_id: ObjectId, payload: EvaluationDecisionIn
) -> dict[str, Any]:
    """The decision of the office above the recorder's on the appeal, with its reasons."""
    user = api_user(request)
    row = queries.access_recommendation(user, recommendation_id)
    appeal = queries.recommendation_appeal(row)
    if appeal is None:
        raise services.EvaluationError("not_appealed", "the recommendation has no appeal")
    services.appeal_decide(appeal=appeal, outcome=payload.outcome, reasons=payload.reasons,
                           on=payload.decided_on, actor=api_actor(request))  # fmt: skip
    return _recommendation_out(queries.access_recommendation(user, row.pk))


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused evaluation step as JSON with the refusal's stable code."""
    refusals_install(api, services.EvaluationError, bad_request=BAD_REQUEST_CODES,
                     forbidden=FORBIDDEN_CODES)  # fmt: skip
