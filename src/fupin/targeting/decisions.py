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
