"""Writes of the evaluation of cadres and units (考核评价): a score entered, the
recommendation it leads to, the subject's appeal and the decision on it.

Who may take each step is a matter of posts (`evaluation.posts`): the office above the
subject scores it down and records the recommendation (with written reasons, the
scorecard figures as they stood, and the notice to the subject, from which the appeal
period runs); the posts below a unit score it up; the subject appeals; the office above
the recorder's decides. Each write is one transaction with its audit event; every
refusal is an `EvaluationError` with a stable code.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fupin.core.audit import Actor, EventSpec, audit_record, to_jsonable
from fupin.monitoring.evaluation.choices import (
    GRADE_SCORES,
    AppealOutcome,
    Direction,
    Grade,
    NoticeMethod,
    RecommendationKind,
    RecommendationStatus,
    grade_of,
)
from fupin.monitoring.evaluation.posts import (
    Post,
    holds,
    office_above,
    post_below,
    subject_post,
    superior_of,
)
from fupin.monitoring.evaluation.queries import (
    FIRST_YEAR,
    UNIT_LEVEL_OF_LENGTH,
    cadre_scorecard,
    unit_scorecard,
)
from fupin.monitoring.models import Evaluation, Recommendation, RecommendationAppeal
from fupin.pairing.models import Cadre
from fupin.policy.models import Parameter
from fupin.policy.queries import policy_value
from fupin.regions.models import Region

TEXT_MAX = 4000


def _days(name: Parameter, region_code: str, on: date) -> timedelta:
    """A period of the appeal (policy data, by the subject's province and the day's year)."""
    return timedelta(days=int(policy_value(name, year=on.year, province=region_code[:2]).value))


class EvaluationError(ValueError):
    """A score, recommendation, appeal or decision refused; `code` is stable, the message
    says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def evaluation_enter(
    *,
    year: int,
    actor: Actor,
    cadre: Cadre | None = None,
    region_code: str = "",
    score: int | None = None,
    grade: str = "",
    comments: str = "",
) -> Evaluation:
    """Enter the actor's score of a cadre or a unit for `year`: down as the office above
    it, or up from a post below a unit (or as a cadre of it). A score or a grade; once."""
    user = _person(actor)
    region_code = _subject(cadre, region_code)
    _check_year(year)
    score, grade = _score_and_grade(score, grade)
    post, direction = _scoring_post(actor, cadre, region_code)
    comments = _text(comments, required=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    year=year, direction=direction, cadre=cadre, region_code=region_code,
                    score=score, grade=grade, comments=comments, evaluator=user,
                    evaluator_role=post.role, evaluator_region=post.region,
                    entered_at=timezone.now(),
                )  # fmt: skip
        except IntegrityError:
            raise EvaluationError(
                "scored_already", f"you have scored this subject for {year}"
            ) from None
        facts = {"year": year, "direction": direction, "cadre": cadre and cadre.pk,
                 "score": score, "grade": grade, "post": [post.role, post.region]}  # fmt: skip
        _audit(actor, "evaluation.score", evaluation, region_code, after=facts)
    return evaluation


def recommendation_record(
    *,
    year: int,
    kind: str,
    reasons: str,
    actor: Actor,
    cadre: Cadre | None = None,
    region_code: str = "",
    notice_method: str = NoticeMethod.IN_WRITING,
    on: date | None = None,
) -> Recommendation:
    """Record what the year's evaluation of a cadre or unit leads to (表彰, 约谈, 问责), by the
    office above it, with written reasons and the scorecard as it stands; the subject is
    notified on `on` (today) and may appeal within the policy's `evaluation_appeal_days`."""
    user = _person(actor)
    region_code = _subject(cadre, region_code)
    _check_year(year)
    if kind not in RecommendationKind.values:
        raise EvaluationError(
            "kind_invalid", f"kind: one of {', '.join(RecommendationKind.values)}"
        )
    if notice_method not in NoticeMethod.values:
        raise EvaluationError("notice_invalid", f"notice: one of {', '.join(NoticeMethod.values)}")
    reasons = _text(reasons, code="reasons_missing", message="a recommendation states its reasons")
    post = superior_of(cadre=cadre, region_code=region_code)
    if not holds(user, post):
        raise EvaluationError("role_not_allowed", f"only the office above the subject ({post.role} "
                              f"{post.region}) records what its evaluation leads to")  # fmt: skip
    on = _day(on)
    figures = _figures(actor, cadre, region_code, year)
    with transaction.atomic():
        live = (
            Recommendation.objects.select_for_update()
            .filter(year=year)
            .exclude(status=RecommendationStatus.OVERTURNED)
        )
        live = live.filter(_same_subject(cadre, region_code))
        if live.exists():
            raise EvaluationError(
                "recommended_already", f"the subject has a recommendation for {year} in force"
            )
        recommendation = Recommendation.objects.create(
            year=year, kind=kind, cadre=cadre, region_code=region_code, reasons=reasons,
            figures=figures, recorded_by=user, recorder_role=post.role,
            recorder_region=post.region, recorded_at=timezone.now(), notified_on=on,
            notice_method=notice_method,
            appeal_until=on + _days(Parameter.EVALUATION_APPEAL_DAYS, region_code, on),
        )  # fmt: skip
        _audit(actor, "evaluation.recommend", recommendation, region_code,
               after={"year": year, "kind": kind, "cadre": cadre and cadre.pk,
                      "score": figures.get("score"), "notified_on": on,
                      "appeal_until": recommendation.appeal_until}, reason=reasons)  # fmt: skip
    return recommendation


def appeal_lodge(
    *, recommendation: Recommendation, grounds: str, actor: Actor, on: date | None = None
) -> RecommendationAppeal:
    """The subject's appeal against a recommendation, within the period from its notice;
    the office above the recorder's decides within the policy's `evaluation_decision_days`."""
    user = _person(actor)
    if not subject_post(user, cadre=recommendation.cadre, region_code=recommendation.region_code):
        raise EvaluationError("role_not_allowed", "only the subject appeals: the cadre "
                              "themself, or the unit's own office")  # fmt: skip
    grounds = _text(grounds, code="grounds_missing", message="an appeal states its grounds")
    on = _day(on)
    with transaction.atomic():
        recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if recommendation.status != RecommendationStatus.NOTIFIED:
            raise EvaluationError("appealed_already", "the recommendation has been appealed")
        if on < recommendation.notified_on:
            raise EvaluationError("date_before_notice", "an appeal follows the notice")
        if on > recommendation.appeal_until:
            raise EvaluationError("appeal_late", f"the period to appeal ended on "
                                  f"{recommendation.appeal_until}")  # fmt: skip
        appeal = RecommendationAppeal.objects.create(
            recommendation=recommendation, lodged_on=on, grounds=grounds, lodged_by=user,
            decide_by=on + _days(Parameter.EVALUATION_DECISION_DAYS,
                                 recommendation.region_code, on),
            recorded_at=timezone.now(),
        )  # fmt: skip
        recommendation.status = RecommendationStatus.APPEALED
        recommendation.save(update_fields=["status"])
        _audit(actor, "evaluation.appeal", recommendation, recommendation.region_code,
               after={"appeal": appeal.pk, "lodged_on": on, "decide_by": appeal.decide_by},
               reason=grounds)  # fmt: skip
    return appeal


def appeal_decide(
    *, appeal: RecommendationAppeal, outcome: str, reasons: str, actor: Actor,
    on: date | None = None,
) -> RecommendationAppeal:  # fmt: skip
    """The decision of the office above the recorder's on an appeal, with its reasons: the
    recommendation upheld, or overturned (and a new one may then be recorded)."""
    user = _person(actor)
    if outcome not in AppealOutcome.values:
        raise EvaluationError(
            "outcome_invalid", f"outcome: one of {', '.join(AppealOutcome.values)}"
        )
    recommendation = appeal.recommendation
    deciding = office_above(Post(recommendation.recorder_role, recommendation.recorder_region))
    if deciding is None or not holds(user, deciding):
        raise EvaluationError("role_not_allowed", "the appeal is decided by the office above "
                              "the one that recorded the recommendation")  # fmt: skip
    reasons = _text(reasons, code="reasons_missing", message="a decision states its reasons")
    on = _day(on)
    with transaction.atomic():
        appeal = RecommendationAppeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decided_on is not None:
            raise EvaluationError("decided_already", f"decided on {appeal.decided_on}")
        if on < appeal.lodged_on:
            raise EvaluationError("date_before_appeal", "a decision follows the appeal")
        appeal.outcome, appeal.decision_reasons, appeal.decided_on = outcome, reasons, on
        appeal.decided_by = user
        appeal.save(update_fields=["outcome", "decision_reasons", "decided_on", "decided_by"])
        Recommendation.objects.filter(pk=recommendation.pk).update(status=outcome)
        _audit(actor, "evaluation.decide", recommendation, recommendation.region_code,
               after={"appeal": appeal.pk, "outcome": outcome, "on": on,
                      "late": on > appeal.decide_by}, reason=reasons)  # fmt: skip
    return appeal


def recommendation_final(recommendation: Recommendation, *, on: date) -> bool:
    """Whether the recommendation stands on `on`: the appeal period over with no appeal,
    or the appeal turned down."""
    if recommendation.status == RecommendationStatus.UPHELD:
        return True
    return (
        recommendation.status == RecommendationStatus.NOTIFIED and on > recommendation.appeal_until
    )


# ---- helpers -----------------------------------------------------------------------------


def _person(actor: Actor) -> Any:
    """The acting user: scores, recommendations and appeals are a person's, never a process's."""
    if actor.user is None:
        raise EvaluationError("user_required", "act as a user (--as USERNAME)")
    return actor.user


def _subject(cadre: Cadre | None, region_code: str) -> str:
    """The subject's region code: the cadre's, or a village, township or county's."""
    if (cadre is None) == (not region_code):
        raise EvaluationError("subject_invalid", "name a cadre or a unit, one of them")
    if cadre is not None:
        return cadre.region_code
    level = UNIT_LEVEL_OF_LENGTH.get(len(region_code)) if region_code.isdigit() else None
    if level is None or not Region.objects.filter(code=region_code, level=level).exists():
        raise EvaluationError("unit_unknown", f"{region_code} is not a village, township or county")
    return region_code


def _same_subject(cadre: Cadre | None, region_code: str) -> Q:
    return Q(cadre=cadre) if cadre is not None else Q(cadre__isnull=True, region_code=region_code)


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= this_year:
        raise EvaluationError("year_invalid", f"a year from {FIRST_YEAR} to {this_year}")


def _score_and_grade(score: int | None, grade: str) -> tuple[int, str]:
    if grade and grade not in Grade.values:
        raise EvaluationError("grade_invalid", f"grade: one of {', '.join(Grade.values)}")
    if score is None:
        if not grade:
            raise EvaluationError("score_missing", "give a score out of 100 or a grade")
        return GRADE_SCORES[Grade(grade)], grade
    if not 0 <= score <= 100:
        raise EvaluationError("score_invalid", "a score is out of 100")
    if grade and grade_of(score) != grade:
        raise EvaluationError("grade_mismatch", f"a score of {score} is graded "
                              f"{grade_of(score).value}, not {grade}")  # fmt: skip
    return score, grade_of(score).value


def _scoring_post(actor: Actor, cadre: Cadre | None, region_code: str) -> tuple[Post, str]:
    superior = superior_of(cadre=cadre, region_code=region_code)
    if holds(actor.user, superior):
        return superior, Direction.DOWN
    below = None if cadre is not None else post_below(actor.user, region_code)
    if below is not None:
        return below, Direction.UP
    raise EvaluationError("role_not_allowed", "a subject is scored by the office above it, or a "
                          "unit by the posts below it and its cadres")  # fmt: skip


def _text(value: str, *, required: bool = True, code: str = "", message: str = "") -> str:
    value = value.strip()
    if required and not value:
        raise EvaluationError(code, message)
    if len(value) > TEXT_MAX or "\x00" in value:
        raise EvaluationError("text_invalid", f"at most {TEXT_MAX} characters, no NUL")
    return value


def _day(on: date | None) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise EvaluationError("date_in_future", "a step is recorded on or after its day")
    return on


def _figures(actor: Actor, cadre: Cadre | None, region_code: str, year: int) -> dict[str, Any]:
    """The subject's scorecard now, as stored with the recommendation (plain JSON)."""
    if cadre is not None:
        row = cadre_scorecard(user=actor.user, cadre=cadre, year=year)
        row.pop("cadre")
    else:
        unit = Region.objects.get(code=region_code)
        row = unit_scorecard(user=actor.user, unit=unit, year=year)
        row.pop("unit")
    return dict(to_jsonable(row))


def _audit(actor: Actor, action: str, row: Any, region_code: str, *, after: dict[str, Any],
           reason: str = "") -> None:  # fmt: skip
    audit_record(actor=actor, spec=EventSpec(
        action=action, object_type=type(row).__name__.lower(), object_id=str(row.pk),
        region_code=region_code, after=after, reason=reason,
    ))  # fmt: skip
