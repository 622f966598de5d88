"""API schemas of the evaluation of cadres and units; every name starts with `Scorecard`
or `Evaluation`, unique across the whole API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import RegionPrefix, Text

Reasons = Annotated[Text, StringConstraints(min_length=1, max_length=4000)]
YEAR_FIRST, YEAR_LAST = 2014, 2100


class ScorecardFilters(Schema):
    """Which scorecards: a region, a year, and cadres or units of one level."""

    region: RegionPrefix = Field("", description="region code prefix")
    year: int | None = Field(None, ge=YEAR_FIRST, le=YEAR_LAST, description="default this year")
    level: str = Field("cadre", pattern="^(cadre|village|township|county)$")


class ScorecardYear(Schema):
    """The year of a scorecard."""

    year: int | None = Field(None, ge=YEAR_FIRST, le=YEAR_LAST, description="default this year")


class ScorecardOut(Schema):
    """A cadre's or a unit's scorecard for a year: the figures and the score."""

    subject: str = Field(description="the cadre's id, or the unit's region code")
    name: str
    year: int
    score: float | None = Field(description="out of 100; null when nothing can be scored")
    households: int
    paired: int
    on_time: int
    on_time_share: float | None
    exited: int
    stayed_out: int
    stayed_out_share: float | None
    returned: int
    return_free_share: float | None
    pairing_gaps: int | None = Field(description="units only")
    paired_share: float | None
    coverage_gaps: int
    covered_share: float | None
    objections: int
    objections_upheld: int
    ratings: int
    rating_mean: float | None
    rating_share: float | None
    superior_count: int
    superior_score: float | None
    superior_share: float | None
    subordinate_count: int
    subordinate_score: float | None
    subordinate_share: float | None


class EvaluationIn(Schema):
    """A score of a cadre or a unit (one of them), out of 100 or as a grade."""

    year: int = Field(ge=YEAR_FIRST, le=YEAR_LAST)
    cadre_id: int | None = Field(None, ge=1, le=2**63 - 1)
    region_code: str = Field("", pattern=r"^([0-9]{6}|[0-9]{9}|[0-9]{12})?$")
    score: int | None = Field(None, ge=0, le=100)
    grade: str = Field("", pattern="^(excellent|good|fair|poor)?$")
    comments: Annotated[Text, StringConstraints(max_length=4000)] = ""


class EvaluationOut(Schema):
    """A score as entered."""

    id: int
    year: int
    direction: str
    cadre_id: int | None
    region_code: str
    score: int
    grade: str
    comments: str
    evaluator_role: str
    evaluator_region: str
    entered_at: datetime


class EvaluationRecommendationIn(Schema):
    """What a year's evaluation of a cadre or unit leads to, with written reasons."""

    year: int = Field(ge=YEAR_FIRST, le=YEAR_LAST)
    cadre_id: int | None = Field(None, ge=1, le=2**63 - 1)
    region_code: str = Field("", pattern=r"^([0-9]{6}|[0-9]{9}|[0-9]{12})?$")
    kind: str = Field(pattern="^(reward|warning|sanction)$")
    reasons: Reasons
    notice_method: str = Field("in_writing", pattern="^(in_writing|in_person|in_system)$")
    notified_on: date | None = Field(None, ge=date(2014, 1, 1), description="default today")


class EvaluationAppealOut(Schema):
    """An appeal and, once decided, the decision."""

    lodged_on: date
    grounds: str
    decide_by: date
    outcome: str = Field(description="upheld or overturned; '' while undecided")
    decision_reasons: str
    decided_on: date | None


class EvaluationRecommendationOut(Schema):
    """A recommendation, the figures it rests on, and its appeal if any."""

    id: int
    year: int
    kind: str
    cadre_id: int | None
    region_code: str
    reasons: str
    figures: dict[str, Any]
    status: str
    recorder_role: str
    recorder_region: str
    notified_on: date
    notice_method: str
    appeal_until: date
    appeal: EvaluationAppealOut | None


class EvaluationAppealIn(Schema):
    """The subject's appeal, with its grounds."""

    grounds: Reasons
    lodged_on: date | None = Field(None, ge=date(2014, 1, 1), description="default today")


class EvaluationDecisionIn(Schema):
    """The decision of the office above on an appeal, with its reasons."""

    outcome: str = Field(pattern="^(upheld|overturned)$")
    reasons: Reasons
    decided_on: date | None = Field(None, ge=date(2014, 1, 1), description="default today")
