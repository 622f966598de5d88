"""The annual run (年度动态调整): the rule kernel over every household in scope, and the
cases its results call for, opened in bulk.

Per chunk of regions (a province by default): extract the year's facts set-wise, build
the rule policy from the policy snapshot of the chunk's province, run the kernels, drop
what is already open or was already opened this year, and insert the new cases with
COPY in one transaction with a summary audit event. A chunk commits whole or not at all
and a rerun skips what committed, so a killed run reruns to the state of a clean one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.db import transaction

from fupin.core import bulk
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.timing import Steps
from fupin.policy.models import PolicySnapshot
from fupin.policy.queries import policy_value, snapshot_exclusions, snapshot_values
from fupin.policy.services import policy_snapshot
from fupin.regions.models import Region
from fupin.regions.queries import prefix_upper_bound
from fupin.registry.vocabulary import EXCLUSION_FACT
from fupin.targeting import kernels

log = logging.getLogger(__name__)

CHUNK_LEVELS = {"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12}
INCOME_COLUMNS = (
    "wage_income", "business_income", "business_cost", "property_income", "transfer_income",
)  # fmt: skip
FACTS_SCHEMA = {
    "household_id": pl.Int64,
    "household_no": pl.String,
    "village_code": pl.String,
    "status": pl.String,
    **dict.fromkeys(INCOME_COLUMNS, pl.Int64),
    "household_size": pl.Int64,
    "net_income_per_capita": pl.Float64,
    "food_ok": pl.Boolean,
    "clothing_ok": pl.Boolean,
    "education_ok": pl.Boolean,
    "medical_ok": pl.Boolean,
    "housing_grade": pl.String,
    "water_ok": pl.Boolean,
}


class AnnualRunError(ValueError):
    """A run that cannot start (unknown region, a year without policy)."""


@dataclass
class AnnualRunResult:
    """What a run saw and opened."""

    year: int
    prefix: str
    dry_run: bool
    households: int = 0
    not_assessed: int = 0
    opened: dict[str, int] = field(default_factory=dict)
    already: int = 0
    chunks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_opened(self) -> int:
        """Cases opened (or, on a dry run, that would be)."""
        return sum(self.opened.values())


def annual_run(
    *,
    year: int,
    prefix: str = "",
    on: date | None = None,
    actor: Actor,
    dry_run: bool = False,
    chunk_level: str = "province",
    progress: Callable[[str, int], None] | None = None,
) -> AnnualRunResult:
    """Run the rules over every household under `prefix` for `year` and open the cases
    they call for (identification, exit, return, removal, monitoring)."""
    chunks = annual_run_chunks(prefix, chunk_level)
    later = annual_run_later_year(prefix, year)
    if later is not None:
        raise AnnualRunError(
            f"the register under {prefix or 'the nation'} already holds decisions of {later}; "
            f"a run for {year} would judge {year}'s facts by today's statuses"
        )
    on = on or date(year, 10, 1)
    result = AnnualRunResult(year=year, prefix=prefix, dry_run=dry_run)
    for code in chunks:
        steps = Steps(f"annual run {year} {code}")
        started = time.perf_counter()
        with transaction.atomic():
            opened = _chunk_run(code, year=year, on=on, actor=actor, dry_run=dry_run,
                                result=result, steps=steps)  # fmt: skip
        steps.record("chunk", time.perf_counter() - started)
        result.chunks += 1
        result.seconds = {**result.seconds, **{f"{code} {k}": v for k, v in steps.seconds.items()}}
        if progress is not None:
            progress(code, opened)
    if not dry_run:
        from fupin.stats.services import rollups_refresh

        started = time.perf_counter()
        rollups_refresh(year=year, prefix=prefix)
        result.seconds["rollups"] = round(time.perf_counter() - started, 3)
    return result


def annual_run_chunks(prefix: str, level: str) -> list[str]:
    """The region codes a run over `prefix` works through, one transaction each."""
    if level not in CHUNK_LEVELS:
        raise AnnualRunError(f"chunk level: one of {', '.join(CHUNK_LEVELS)}, not {level!r}")
    if prefix and not Region.objects.filter(code=prefix).exists():
        raise AnnualRunError(f"no region {prefix!r}")
    length = CHUNK_LEVELS[level]
    if len(prefix) >= length:
        return [prefix]
    codes = Region.objects.filter(
        code__gte=prefix, code__lt=prefix_upper_bound(prefix), level=_level_of(length)
    ).values_list("code", flat=True)
    return sorted(codes)


def annual_run_later_year(prefix: str, year: int) -> int | None:
    """A year after `year` in which households under `prefix` changed status, if any."""
    later = bulk.read_frame(
        "SELECT t.year FROM registry_statustransition t "
        "JOIN registry_household h ON h.id = t.household_id "
        "WHERE t.year > %s AND h.village_code >= %s AND h.village_code < %s LIMIT 1",
        [year, prefix, prefix_upper_bound(prefix)],
        schema={"year": pl.Int64},
    )
    return int(later["year"][0]) if later.height else None


def _level_of(length: int) -> int:
    return {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}[length]


def _chunk_run(
    code: str,
    *,
    year: int,
    on: date,
    actor: Actor,
    dry_run: bool,
    result: AnnualRunResult,
    steps: Steps,
) -> int:
    snapshot = policy_snapshot(year=year, province=code[:2])
    policy, scope, stable = rule_policy(snapshot, year=year, province=code[:2])
    low, high = code, prefix_upper_bound(code)
    window = range(year - stable + 1, year + 1)
    with steps.step("extract"):
        facts = household_facts(low, high, year=year, exclusions=policy.exclusions)
        if facts.height == 0:
            return 0
        # One year of stability is the year's own test: no history to read.
        history = _history(low, high, years=window) if stable > 1 else None
        registered = _ids(REGISTERED_THIS_YEAR_SQL, low, high, year, name="registered_this_year")
        monitored = _ids(MONITORED_SQL, low, high, name="monitored")
        hardships = hardship_clues(low, high, year=year, facts=facts) if scope.monitoring else None
        existing = _existing_cases(low, high, year)
    result.households += facts.height
    lines = {y: policy_line("exit_line", y, code[:2]) for y in window} if stable > 1 else {}
    with steps.step("kernel"):
        evaluated = kernels.household_eligibility(
            facts, kernels.NO_MEMBERS, year=year, policy=policy,
            carry=("household_id", "status", "village_code", "net_income_per_capita"),
        )  # fmt: skip
        if history is None:
            evaluated = evaluated.with_columns(stably_above=pl.col("income_above_exit_line"))
        else:
            stable_rows = kernels.stably_above(history, lines=lines, years=window)
            evaluated = evaluated.join(stable_rows, on="household_id", how="left")
        evaluated = evaluated.join(registered, on="household_id", how="left").join(
            monitored, on="household_id", how="left"
        )
        if hardships is not None and hardships.height:
            evaluated = evaluated.join(hardships, on="household_id", how="left")
        called = kernels.cases_called_for(evaluated, scope=scope)
        fresh = called.join(existing, on=["household_id", "kind"], how="anti")
    result.already += called.height - fresh.height
    for kind, count in fresh.group_by("kind").len().iter_rows():
        result.opened[kind] = result.opened.get(kind, 0) + count
    if dry_run or fresh.height == 0:
        return fresh.height
    with steps.step("write"):
        cases = _case_rows(fresh, evaluated, year=year, on=on, snapshot=snapshot)
        bulk.copy_frame("targeting_case", cases)
    audit_record(
        actor=actor,
        spec=EventSpec(
            action="annual_run.cases", object_type="region", object_id=code, region_code=code,
            after={"year": year, "opened": dict(fresh.group_by("kind").len().iter_rows()),
                   "policy_snapshot": snapshot.pk, "households": facts.height},
        ),
    )  # fmt: skip
    return fresh.height


def rule_policy(
    snapshot: PolicySnapshot, *, year: int, province: str
) -> tuple[kernels.RulePolicy, kernels.RunScope, int]:
    """The kernel policy, the run scope and the years of stability a snapshot gives."""
    values = snapshot_values(snapshot)
    for needed in ("identification_line", "exit_line"):
        if needed not in values:
            raise AnnualRunError(f"no {needed} for {year} in {province or 'the nation'}")
    known = set(EXCLUSION_FACT)
    exclusions = tuple(
        kernels.ExclusionRule(code=code, column=fact)
        for code, fact in snapshot_exclusions(snapshot)
        if fact in known
    )
    line = float(values["identification_line"])
    monitoring_line = values.get("monitoring_line")
    factor = values.get("monitoring_factor")
    scope = kernels.RunScope(
        identification=year <= int(values.get("identification_until", 2020)),
        monitoring=year >= int(values.get("monitoring_from", 2021)),
        monitoring_line=float(monitoring_line)
        if monitoring_line is not None
        else (line * float(factor) if factor is not None else None),
    )
    policy = kernels.RulePolicy(
        identification_line=line, exit_line=float(values["exit_line"]), exclusions=exclusions
    )
    return policy, scope, max(int(values.get("exit_stable_years", 1)), 1)


def policy_line(name: str, year: int, province: str) -> float:
    """A line in force for `year` in `province`, as a float for the kernels."""
    return float(policy_value(name, year=year, province=province).value)


def household_facts(
    low: str, high: str, *, year: int, exclusions: tuple[kernels.ExclusionRule, ...]
) -> pl.DataFrame:
    """The households under the range with the year's assessment and exclusion facts."""
    columns = ", ".join(f"a.{name}" for name in FACTS_SCHEMA if name not in HOUSEHOLD_SIDE)
    sql = (
        "SELECT h.id, h.household_no, h.village_code, h.status, " + columns + " "
        "FROM registry_household h JOIN registry_assessment a "
        "ON a.household_id = h.id AND a.year = %s "
        "WHERE h.village_code >= %s AND h.village_code < %s"
    )
    facts = bulk.read_frame_bulk(sql, [year, low, high], FACTS_SCHEMA)
    flags = bulk.read_frame_bulk(
        "SELECT f.household_id, f.fact FROM registry_householdfact f "
        "JOIN registry_household h ON h.id = f.household_id "
        "WHERE f.year = %s AND h.village_code >= %s AND h.village_code < %s",
        [year, low, high],
        {"household_id": pl.Int64, "fact": pl.String},
    )
    wanted = sorted({rule.column for rule in exclusions})
    if wanted:
        wide = (
            flags.filter(pl.col("fact").is_in(wanted))
            .with_columns(holds=pl.lit(True))
            .pivot(on="fact", index="household_id", values="holds", aggregate_function="first")
        )
        wide = wide.with_columns(
            pl.lit(None, pl.Boolean).alias(fact) for fact in wanted if fact not in wide.columns
        )
        facts = facts.join(wide.select("household_id", *wanted), on="household_id", how="left")
    return facts.with_columns(
        relocated=pl.lit(None, pl.Boolean),
        **{fact: pl.col(fact).fill_null(False) for fact in wanted},
    )


def hardship_clues(low: str, high: str, *, year: int, facts: pl.DataFrame) -> pl.DataFrame:
    """The year's reported hardship under the range, one row per household that has any:
    rigid_spending_per_capita (the year's compliant out-of-pocket spending over the
    household's size) and shock_risk (the risk of its first reported shock)."""
    reports = bulk.read_frame_bulk(
        "SELECT r.household_id, r.kind, r.risk, r.amount, r.occurred_on "
        "FROM targeting_hardshipreport r JOIN registry_household h ON h.id = r.household_id "
        "WHERE r.year = %s AND h.village_code >= %s AND h.village_code < %s",
        [year, low, high],
        {
            "household_id": pl.Int64, "kind": pl.String, "risk": pl.String,
            "amount": pl.Float64, "occurred_on": pl.Date,
        },
    )  # fmt: skip
    if reports.height == 0:
        return reports.select("household_id")
    spending = pl.col("kind") == "rigid_spending"
    clues = (
        reports.sort("household_id", "occurred_on", "risk")
        .group_by("household_id", maintain_order=True)
        .agg(
            pl.col("amount").filter(spending).sum().alias("rigid_spending"),
            pl.col("risk").filter(~spending).first().alias("shock_risk"),
        )
    )
    return clues.join(facts.select("household_id", "household_size"), on="household_id").select(
        "household_id",
        (pl.col("rigid_spending") / pl.col("household_size")).alias("rigid_spending_per_capita"),
        "shock_risk",
    )


HOUSEHOLD_SIDE = {"household_id", "household_no", "village_code", "status"}
REGISTERED_THIS_YEAR_SQL = (
    "SELECT DISTINCT t.household_id FROM registry_statustransition t "
    "JOIN registry_household h ON h.id = t.household_id "
    "WHERE h.village_code >= %s AND h.village_code < %s AND t.to_status = 'registered' "
    "AND t.year = %s"
)
MONITORED_SQL = (
    "SELECT m.household_id FROM targeting_monitoring m "
    "JOIN registry_household h ON h.id = m.household_id "
    "WHERE h.village_code >= %s AND h.village_code < %s AND m.eliminated_on IS NULL"
)


def _ids(sql: str, low: str, high: str, *extra: object, name: str) -> pl.DataFrame:
    frame = bulk.read_frame_bulk(sql, [low, high, *extra], {"household_id": pl.Int64})
    return frame.with_columns(pl.lit(True).alias(name))


def _history(low: str, high: str, *, years: range) -> pl.DataFrame:
    return bulk.read_frame_bulk(
        "SELECT a.household_id, a.year, a.net_income_per_capita FROM registry_assessment a "
        "JOIN registry_household h ON h.id = a.household_id "
        "WHERE h.village_code >= %s AND h.village_code < %s AND a.year >= %s AND a.year <= %s",
        [low, high, years.start, years.stop - 1],
        {"household_id": pl.Int64, "year": pl.Int64, "net_income_per_capita": pl.Float64},
    )


def _existing_cases(low: str, high: str, year: int) -> pl.DataFrame:
    """Cases a rerun must not open again: this year's of any outcome, and every open one."""
    return bulk.read_frame_bulk(
        "SELECT DISTINCT household_id, kind FROM targeting_case "
        "WHERE region_code >= %s AND region_code < %s AND household_id IS NOT NULL "
        "AND (year = %s OR outcome = 'open')",
        [low, high, year],
        {"household_id": pl.Int64, "kind": pl.String},
    )


def _case_rows(
    fresh: pl.DataFrame, evaluated: pl.DataFrame, *, year: int, on: date, snapshot: PolicySnapshot
) -> pl.DataFrame:
    fresh = kernels.reason_codes(fresh)
    detail = pl.struct(
        pl.col("reasons"),
        pl.col("excluded_by"),
        pl.col("monitoring_type"),
        pl.col("risks"),
    ).struct.json_encode()
    return (
        fresh.join(evaluated.select("household_id", "village_code"), on="household_id")
        .select(
            pl.col("kind"),
            pl.col("household_id"),
            pl.col("village_code").alias("region_code"),
            pl.lit(year).alias("year"),
            pl.lit("open").alias("outcome"),
            pl.lit("").alias("step"),
            pl.lit(False).alias("awaiting_reverification"),
            pl.lit("annual_run").alias("trigger"),
            pl.lit(on).alias("clue_on"),
            pl.lit(on).alias("opened_on"),
            pl.lit("").alias("reason"),
            detail.alias("detail"),
            pl.lit(snapshot.pk).alias("policy_snapshot_id"),
        )
        .sort("household_id", "kind")
    )
