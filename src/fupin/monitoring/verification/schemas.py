"""API schemas of the exit check (第三方评估): a check, drawing one, its results (三率一度)
with their intervals, bars and vetoes, and the answer to an imported workbook."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from fupin.core.api import RegionPrefix
from fupin.monitoring.verification.kernels import (
    NON_POOR_VILLAGES,
    NON_REGISTERED_PER_VILLAGE,
    POOR_VILLAGES,
    REGISTERED_PER_VILLAGE,
)
from fupin.monitoring.verification.services import SEED_BITS

SIZE_MAX = 10_000


class ExitCheckFilters(Schema):
    """Which checks: a region prefix and a year."""

    region: RegionPrefix = Field("", description="county code prefix")
    year: int | None = Field(None, ge=2013, le=2100)


class ExitCheckIn(Schema):
    """A county and year to draw a check for; the seed and the sample sizes are optional."""

    county_code: str = Field(pattern=r"^[0-9]{6}$")
    year: int = Field(ge=2013, le=2100)
    seed: int | None = Field(None, ge=0, le=2**SEED_BITS - 1,
                             description="the same seed draws the same sample")  # fmt: skip
    poor_villages: int = Field(POOR_VILLAGES, ge=0, le=SIZE_MAX)
    non_poor_villages: int = Field(NON_POOR_VILLAGES, ge=0, le=SIZE_MAX)
    registered_per_village: int = Field(REGISTERED_PER_VILLAGE, ge=0, le=SIZE_MAX)
    non_registered_per_village: int = Field(NON_REGISTERED_PER_VILLAGE, ge=0, le=SIZE_MAX)


class ExitCheckOut(Schema):
    """An exit check: where it stands and what was drawn."""

    id: int
    county_code: str
    county_name: str
    year: int
    seed: str = Field(description="a 63-bit whole number, as text so that no client rounds it")
    status: str
    households_sampled: int
    drawn_by: str
    drawn_at: datetime
    completed_at: datetime | None


class ExitCheckStratumOut(Schema):
    """One sampling stratum: households sampled, in the county's frame, and surveyed."""

    stratum: str
    sampled: int
    frame: int
    surveyed: int


class ExitCheckEstimateOut(Schema):
    """A rate with its 95% interval and the totals it is a ratio of (null while nobody it
    is measured over was surveyed)."""

    value: float | None
    low: float | None
    high: float | None
    numerator: float
    denominator: float


class ExitCheckResultsOut(Schema):
    """The three rates and one degree (三率一度), fixed on completion, else so far."""

    fixed: bool
    wrong_exit_rate: ExitCheckEstimateOut
    omission_rate: ExitCheckEstimateOut
    recognition: ExitCheckEstimateOut
    incidence: ExitCheckEstimateOut
    villages: int
    households_sampled: int
    households_surveyed: int


class ExitCheckBarsOut(Schema):
    """The bars the county is held to: incidence, wrong exit and omission below, public
    recognition at least."""

    incidence: Decimal
    wrong_exit_rate: Decimal
    omission_rate: Decimal
    satisfaction: Decimal


class ExitCheckEvaluationOut(Schema):
    """What the check gives the county exit case's third-party evaluation step: the
    evidence (rates rounded to six places), the vetoes and the bars."""

    evidence: dict[str, str]
    vetoes: list[str]
    bars: ExitCheckBarsOut


class ExitCheckDetailOut(ExitCheckOut):
    """A check with its sample by stratum, its results and, once every rate is measured,
    the evaluation they give."""

    parameters: dict[str, object]
    strata: list[ExitCheckStratumOut]
    results: ExitCheckResultsOut
    evaluation: ExitCheckEvaluationOut | None


class ExitCheckStatusIn(Schema):
    """Move a check on: `in_field` (the survey went out) or `completed` (fix the results)."""

    status: str = Field(pattern="^(in_field|completed)$")


class ExitCheckFindingsOut(Schema):
    """What an imported survey workbook wrote."""

    file: str
    households: int
