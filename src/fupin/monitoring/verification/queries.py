"""Reads of the exit check: the sampling frame of a county, a check's households as the
survey prints them, its results (三率一度) and the evidence they give the county's exit
case (`targeting.procedures`, step `third_party_evaluation`).

A household's persons are its active members; a household whose members were never
entered counts the size of its latest assessment up to the year, and at least one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from fupin.core.access import UserLike, access_get, restrict
from fupin.monitoring.models import CheckFinding, CheckHousehold, ExitCheck
from fupin.monitoring.verification.choices import Stratum, VillageKind
from fupin.monitoring.verification.kernels import (
    FINDING_SCHEMA,
    HOUSEHOLD_SCHEMA,
    STRATUM_OF_STATUS,
    VILLAGE_SCHEMA,
    CheckResults,
    Populations,
    check_results,
)
from fupin.monitoring.verification.workbook import SurveyHeader, SurveyRow
from fupin.policy.models import Parameter
from fupin.policy.queries import policy_value
from fupin.regions.models import Level, PoorAreaDesignation, Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Assessment, Household, Member
from fupin.targeting.choices import CaseKind, Outcome
from fupin.targeting.models import Case
from fupin.targeting.procedures import EvaluationThresholds, evaluation_vetoes

RATE_PLACES = Decimal("0.000001")


def exit_checks(*, user: UserLike) -> QuerySet[ExitCheck]:
    """The exit checks the user may see, newest first."""
    return restrict(ExitCheck.objects.all(), user, "view").order_by("-year", "county_id")


def access_exit_check(user: UserLike, pk: int, action: str = "view") -> ExitCheck:
    """One exit check by id, or the same 404 for missing and forbidden."""
    return access_get(ExitCheck.objects.all(), user, action, pk=pk)


def county_villages(*, county_code: str, year: int) -> pl.DataFrame:
    """The county's villages in `year` (VILLAGE_SCHEMA): `poor` for a village designated a
    poor village by then, lifted or not, since the check covers the exited poor villages
    as much as the others."""
    designated = PoorAreaDesignation.objects.filter(
        region_id=OuterRef("code"), kind=PoorAreaDesignation.Kind.VILLAGE,
        designated_year__lte=year,
    )  # fmt: skip
    rows = (
        Region.objects.filter(code_prefix_q(county_code), level=Level.VILLAGE)
        .filter(Q(retired_in__isnull=True) | Q(retired_in__gt=year))
        .annotate(poor=Exists(designated))
        .values_list("code", "poor")
    )
    return pl.DataFrame(list(rows), schema=VILLAGE_SCHEMA, orient="row")


def county_households(*, county_code: str, year: int) -> pl.DataFrame:
    """Every household of the county's register (HOUSEHOLD_SCHEMA, plus its `status`)."""
    members = (
        Member.objects.filter(household=OuterRef("pk"), is_active=True)
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    size = (
        Assessment.objects.filter(household=OuterRef("pk"), year__lte=year)
        .order_by("-year")
        .values("household_size")[:1]
    )
    rows = (
        Household.objects.filter(code_prefix_q(county_code, "village_id"))
        .annotate(
            persons=Coalesce(
                Subquery(members, output_field=IntegerField()),
                Subquery(size, output_field=IntegerField()),
                Value(1),
            )
        )
        .values_list("pk", "village_id", "status", "persons")
    )
    frame = pl.DataFrame(
        list(rows),
        schema={"household_id": pl.Int64, "village_code": pl.String, "status": pl.String,
                "persons": pl.Int32},
        orient="row",
    )  # fmt: skip
    stratum = pl.col("status").replace_strict(STRATUM_OF_STATUS, return_dtype=pl.String)
    return frame.with_columns(
        stratum.alias("stratum"), pl.max_horizontal(pl.col("persons"), pl.lit(1)).cast(pl.Int32)
    ).select(*HOUSEHOLD_SCHEMA, "status")


def survey_header(exit_check: ExitCheck) -> SurveyHeader:
    """The title of the check's survey forms."""
    return SurveyHeader(
        check_id=exit_check.pk,
        county_code=exit_check.county_id,
        county_name=exit_check.county.name,
        year=exit_check.year,
        seed=exit_check.seed,
    )


def survey_rows(exit_check: ExitCheck) -> list[SurveyRow]:
    """The check's households as the survey prints them, by village, stratum and number."""
    heads = Member.objects.filter(household=OuterRef("household_id"), relation="head",
                                  is_active=True).values("name")[:1]  # fmt: skip
    rows = (
        CheckHousehold.objects.filter(exit_check=exit_check)
        .annotate(head_name=Subquery(heads))
        .select_related("village", "household")
        .order_by("village_id", "stratum", "household__household_no")
    )
    kinds, strata = dict(VillageKind.choices), dict(Stratum.choices)
    return [
        SurveyRow(
            check_household_id=row.pk,
            village_code=row.village_id,
            village=row.village.name,
            village_kind=str(kinds[row.village_kind]),
            stratum=row.stratum,
            stratum_label=str(strata[row.stratum]),
            household_no=row.household.household_no,
            head_name=row.head_name or "",
            persons_drawn=row.persons,
            address=row.household.address,
        )
        for row in rows
    ]


def check_findings(exit_check: ExitCheck) -> pl.DataFrame:
    """One row per sampled household (FINDING_SCHEMA): its finding if the team entered
    one (persons as found), else `surveyed` false and the persons at the draw."""
    findings = CheckFinding.objects.filter(check_household=OuterRef("pk"))
    rows = (
        CheckHousehold.objects.filter(exit_check=exit_check)
        .annotate(
            found_persons=Subquery(findings.values("persons")[:1]),
            wrongly_exited=Subquery(findings.values("wrongly_exited")[:1]),
            omitted=Subquery(findings.values("omitted")[:1]),
            approves=Subquery(findings.values("approves")[:1]),
        )
        .values_list(
            "village_id",
            "village_kind",
            "stratum",
            "persons",
            "found_persons",
            "wrongly_exited",
            "omitted",
            "approves",
        )
    )
    frame = pl.DataFrame(
        [(v, k, s, found or drawn, found is not None, w, o, a)
         for v, k, s, drawn, found, w, o, a in rows],
        schema=FINDING_SCHEMA, orient="row",
    )  # fmt: skip
    return frame.with_columns(pl.col(name).cast(pl.Boolean) for name in ("wrongly_exited",
                              "omitted", "approves"))  # fmt: skip


def check_populations(exit_check: ExitCheck) -> Populations:
    """The county's persons by stratum as the register stood at the draw."""
    counts = exit_check.parameters["populations"]
    return Populations(
        registered_poor=int(counts["registered_poor"]),
        exited=int(counts["exited"]),
        non_registered=int(counts["non_registered"]),
    )


def exit_check_results(*, exit_check: ExitCheck) -> CheckResults:
    """The three rates and one degree from the findings entered so far."""
    return check_results(check_findings(exit_check), check_populations(exit_check))


def evaluation_bars(*, year: int, province: str) -> EvaluationThresholds:
    """The bars a county's exit check is held to, from the policy tables."""

    def value(name: str) -> Decimal:
        return policy_value(name, year=year, province=province).value

    return EvaluationThresholds(
        incidence=value(Parameter.COUNTY_EXIT_INCIDENCE),
        wrong_exit=value(Parameter.WRONG_EXIT_RATE_MAX),
        omission=value(Parameter.OMISSION_RATE_MAX),
        satisfaction=value(Parameter.SATISFACTION_MIN),
    )


@dataclass(frozen=True)
class EvaluationEvidence:
    """What an exit check gives the county's exit case: the evidence of its third-party
    evaluation step, the vetoes the policy bars raise, and the bars themselves."""

    evidence: dict[str, Any]
    vetoes: list[str]
    bars: EvaluationThresholds


class ResultsIncomplete(ValueError):
    """A rate the survey cannot give yet: nobody of its denominator was surveyed."""


def exit_check_evidence(*, exit_check: ExitCheck) -> EvaluationEvidence:
    """The evidence of the county exit case's `third_party_evaluation` step from the check:
    the rates as decimal strings between 0 and 1 (the completed check's fixed results,
    else the findings so far) and the vetoes by `evaluation_vetoes`."""
    if exit_check.results is not None:
        results = exit_check.results
    else:
        results = exit_check_results(exit_check=exit_check).as_dict()
    keys = {"incidence": "incidence", "wrong_exit_rate": "wrong_exit_rate",
            "omission_rate": "omission_rate", "satisfaction": "recognition"}  # fmt: skip
    evidence: dict[str, Any] = {
        "report": f"第三方评估 核查编号{exit_check.pk}"
        f"（{exit_check.county_id} {exit_check.year}年）"
    }
    for key, measure in keys.items():
        value = results[measure]["value"]
        if value is None:
            raise ResultsIncomplete(f"{measure}: nobody it is measured over was surveyed")
        evidence[key] = str(Decimal(repr(value)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP))
    bars = evaluation_bars(year=exit_check.year, province=exit_check.county_id[:2])
    return EvaluationEvidence(evidence, evaluation_vetoes(evidence, bars), bars)


@dataclass(frozen=True)
class StratumCount:
    """One stratum of a check: households sampled, in the county's frame at the draw, and
    surveyed so far (counts only: which households were drawn is the evaluators' to read)."""

    stratum: str
    sampled: int
    frame: int
    surveyed: int


def stratum_counts(exit_check: ExitCheck) -> list[StratumCount]:
    """The check's strata in their fixed order, with their counts."""
    frame = exit_check.parameters.get("frame", {}).get("households", {})
    counted = {
        row["stratum"]: (row["sampled"], row["surveyed"])
        for row in CheckHousehold.objects.filter(exit_check=exit_check)
        .values("stratum")
        .annotate(sampled=Count("pk"), surveyed=Count("finding"))
        .order_by()
    }
    rows = []
    for stratum in Stratum.values:
        sampled, surveyed = counted.get(stratum, (0, 0))
        rows.append(StratumCount(stratum, sampled, int(frame.get(stratum, 0)), surveyed))
    return rows


def county_exit_case(exit_check: ExitCheck, user: UserLike) -> Case | None:
    """The open county exit case (贫困县退出) of the check's county and year, if the user
    may see it: the case the check's results are evidence for."""
    cases = Case.objects.filter(kind=CaseKind.COUNTY_EXIT, outcome=Outcome.OPEN,
                                region_code=exit_check.county_id, year=exit_check.year,
                                household__isnull=True)  # fmt: skip
    return restrict(cases, user, "view").order_by("-opened_on", "-pk").first()
