"""One household's rule results for a year (识别/退出研判), for the cases opened by hand.

The same extraction, policy and kernels as the annual run, narrowed to one household, so
that a cadre's application meets the rules a county-wide run would apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from fupin.core import bulk
from fupin.policy.models import PolicySnapshot
from fupin.policy.services import policy_snapshot
from fupin.registry.models import Household
from fupin.targeting import annual, kernels


@dataclass(frozen=True)
class HouseholdDecision:
    """The kernel's results for one household and year, and the policy snapshot used."""

    assessed: bool
    eligible: bool
    exit_ready: bool
    stably_above: bool
    reasons: tuple[str, ...]
    excluded_by: str | None
    snapshot: PolicySnapshot


@dataclass(frozen=True)
class MonitoringCall:
    """What the 防返贫 rules make of one household's clues in a year: whether it is a case,
    its type and risks."""

    called: bool
    monitoring_type: str | None
    risks: tuple[str, ...]
    snapshot: PolicySnapshot


def household_monitoring(*, household: Household, year: int) -> MonitoringCall:
    """Run the year's monitoring rules over the household's assessment and reported hardship,
    as the annual run would. Without an assessment only a reported shock can call for a case
    (sudden hardship: the income may be anything)."""
    province = household.village_id[:2]
    snapshot = policy_snapshot(year=year, province=province)
    policy, scope, _ = annual.rule_policy(snapshot, year=year, province=province)
    if not scope.monitoring or scope.monitoring_line is None:
        return MonitoringCall(False, None, (), snapshot)
    code = household.village_id
    low, high = code, code + ":"
    facts = annual.household_facts(low, high, year=year, exclusions=policy.exclusions).filter(
        pl.col("household_id") == household.pk
    )
    clues = annual.hardship_clues(low, high, year=year, facts=facts)
    clues = clues.filter(pl.col("household_id") == household.pk)
    if facts.height == 0:
        shocks = bulk.read_frame(
            "SELECT risk FROM targeting_hardshipreport WHERE household_id = %s AND year = %s "
            "AND kind = 'shock' ORDER BY occurred_on, risk",
            [household.pk, year],
            schema={"risk": pl.String},
        )
        if shocks.height == 0 or household.status in ("registered", "returned"):
            return MonitoringCall(False, None, (), snapshot)
        return MonitoringCall(True, "sudden_hardship", (shocks["risk"][0],), snapshot)
    evaluated = kernels.household_eligibility(
        facts, kernels.NO_MEMBERS, year=year, policy=policy,
        carry=("household_id", "status", "net_income_per_capita"),
    ).with_columns(
        registered_this_year=pl.lit(False), stably_above=pl.lit(False), monitored=pl.lit(False)
    )  # fmt: skip
    if clues.height:
        evaluated = evaluated.join(clues, on="household_id", how="left")
    only = kernels.RunScope(
        identification=False, monitoring=True, monitoring_line=scope.monitoring_line
    )
    called = kernels.cases_called_for(evaluated, scope=only).filter(pl.col("kind") == "monitoring")
    if called.height == 0:
        return MonitoringCall(False, None, (), snapshot)
    row = called.row(0, named=True)
    return MonitoringCall(True, row["monitoring_type"], tuple(row["risks"]), snapshot)


def household_decision(*, household: Household, year: int) -> HouseholdDecision:
    """Run the rules of `year` in the household's province over its assessment and facts."""
    province = household.village_id[:2]
    snapshot = policy_snapshot(year=year, province=province)
    policy, _, stable = annual.rule_policy(snapshot, year=year, province=province)
    code = household.village_id
    facts = annual.household_facts(
        code, code + ":", year=year, exclusions=policy.exclusions
    ).filter(pl.col("household_id") == household.pk)
    if facts.height == 0:
        return HouseholdDecision(False, False, False, False, ("not_assessed",), None, snapshot)
    result = kernels.reason_codes(
        kernels.household_eligibility(
            facts, kernels.NO_MEMBERS, year=year, policy=policy, carry=("household_id",)
        )
    ).row(0, named=True)
    window = range(year - stable + 1, year + 1)
    history = bulk.read_frame(
        "SELECT household_id, year, net_income_per_capita FROM registry_assessment "
        "WHERE household_id = %s AND year >= %s AND year <= %s",
        [household.pk, window.start, window.stop - 1],
        schema={"household_id": pl.Int64, "year": pl.Int64, "net_income_per_capita": pl.Float64},
    )
    lines = {y: annual.policy_line("exit_line", y, province) for y in window}
    stable_rows = kernels.stably_above(history, lines=lines, years=window)
    stably = bool(stable_rows["stably_above"][0]) if stable_rows.height else False
    return HouseholdDecision(
        assessed=True, eligible=result["eligible"], exit_ready=result["exit_ready"],
        stably_above=stably, reasons=tuple(result["reasons"]), excluded_by=result["excluded_by"],
        snapshot=snapshot,
    )  # fmt: skip
