"""The rule kernel (识别与退出规则): who meets the income test and each guarantee, who is
excluded by which rule, who is eligible and who is ready to exit.

Pure Polars, no Django and no I/O: household-year facts and a policy in, one row per
household out. The lines and exclusion rules come from the policy tables; the caller
records which versions it passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

# The members frame of a run whose households carry the recorded education and medical
# indicators: nothing to derive them from.
NO_MEMBERS = pl.DataFrame(
    schema={
        "household_no": pl.String,
        "birth_date": pl.Date,
        "in_school": pl.Boolean,
        "health": pl.String,
        "medical_insured": pl.Boolean,
    }
)
GUARANTEES = ("food", "clothing", "education", "medical", "housing", "water")
# The reason codes a result's `reason_bits` hold, bit 0 first.
REASONS = ("income_below_line", *(f"fails_{name}" for name in GUARANTEES), "excluded")
SAFE_GRADES = ("A", "B")


@dataclass(frozen=True)
class ExclusionRule:
    """One X不评 rule: a household whose boolean fact `column` is true is not identified."""

    code: str
    column: str


@dataclass(frozen=True)
class RulePolicy:
    """The parameters one year's decisions use."""

    identification_line: float
    exit_line: float
    exclusions: tuple[ExclusionRule, ...] = field(default_factory=tuple)
    school_ages: tuple[int, int] = (6, 15)


def _income_total() -> pl.Expr:
    return (
        pl.col("wage_income") + pl.col("business_income") - pl.col("business_cost")
        + pl.col("property_income") + pl.col("transfer_income")
    )  # fmt: skip


def _member_guarantees(members: pl.DataFrame, *, year: int, policy: RulePolicy) -> pl.DataFrame:
    """Compulsory education and basic medical care, per household, from its members."""
    age = pl.lit(year) - pl.col("birth_date").dt.year()
    # A child of school age out of school fails the guarantee, unless kept out by health.
    dropout = (
        age.is_between(*policy.school_ages)
        & ~pl.col("in_school").fill_null(False)
        & (pl.col("health") == "healthy").fill_null(True)
    )
    return members.group_by("household_no").agg(
        (~dropout).all().alias("education"),
        pl.col("medical_insured").fill_null(False).all().alias("medical"),
    )


def _excluded_by(policy: RulePolicy) -> pl.Expr:
    """The code of the first exclusion rule that applies, or null."""
    result = pl.lit(None, pl.String)
    for rule in reversed(policy.exclusions):
        result = (
            pl.when(pl.col(rule.column).fill_null(False)).then(pl.lit(rule.code)).otherwise(result)
        )
    return result


def _recorded_or_derived(households: pl.DataFrame, name: str, *, default: bool) -> pl.Expr:
    """The year's recorded indicator (`<name>_ok`, confirmed by its department) where the
    households carry one, else the check derived from the members."""
    derived = pl.col(name)
    if f"{name}_ok" in households.columns:
        derived = pl.coalesce(pl.col(f"{name}_ok"), derived)
    return derived.fill_null(default).alias(name)


def household_eligibility(
    households: pl.DataFrame,
    members: pl.DataFrame,
    *,
    year: int,
    policy: RulePolicy,
    carry: Sequence[str] = (),
) -> pl.DataFrame:
    """Every household's tests and outcome under `policy` for `year`.

    households: household_no, the five income components, household_size, food_ok,
    clothing_ok, housing_grade, relocated, water_ok and one boolean column per exclusion
    rule; optionally education_ok and medical_ok, the year's recorded indicators, which
    take precedence over what the members show. members: household_no, birth_date,
    in_school, health, medical_insured (may be empty when the indicators are recorded).
    `carry` names household columns passed through to the result unchanged. One row per
    household, in the order of `households` (sorting ten million household numbers costs
    more than the whole kernel when they come unordered).
    """
    total = _income_total()
    size = pl.col("household_size").cast(pl.Float64)
    frame = households.join(
        _member_guarantees(members, year=year, policy=policy),
        on="household_no",
        how="left",
        maintain_order="left",
    ).with_columns(
        (total < size * policy.identification_line).alias("income_below_line"),
        (total >= size * policy.exit_line).alias("income_above_exit_line"),
        pl.col("food_ok").fill_null(False).alias("food"),
        pl.col("clothing_ok").fill_null(False).alias("clothing"),
        _recorded_or_derived(households, "education", default=True),
        _recorded_or_derived(households, "medical", default=False),
        (
            pl.col("housing_grade").is_in(SAFE_GRADES).fill_null(False)
            | pl.col("relocated").fill_null(False)
        ).alias("housing"),
        pl.col("water_ok").fill_null(False).alias("water"),
        _excluded_by(policy).alias("excluded_by"),
    )
    guaranteed = pl.all_horizontal([pl.col(name) for name in GUARANTEES])
    eligible = pl.col("income_below_line") & pl.col("excluded_by").is_null()
    bits = [pl.col("income_below_line"), *[~pl.col(name) for name in GUARANTEES],
            pl.col("excluded_by").is_not_null()]  # fmt: skip
    # A bit per reason, in REASONS order: a list column per household costs more than
    # the rest of the kernel together; `reason_codes` spells out the few rows that need it.
    reason_bits = pl.sum_horizontal(
        [
            pl.when(bit).then(pl.lit(1 << index, pl.UInt16)).otherwise(pl.lit(0, pl.UInt16))
            for index, bit in enumerate(bits)
        ]
    ).cast(pl.UInt16)
    return frame.select(
        "household_no",
        *carry,
        "income_below_line",
        "income_above_exit_line",
        *GUARANTEES,
        guaranteed.alias("guarantees_met"),
        "excluded_by",
        eligible.alias("eligible"),
        (pl.col("income_above_exit_line") & guaranteed).alias("exit_ready"),
        reason_bits.alias("reason_bits"),
    )


def reason_codes(result: pl.DataFrame) -> pl.DataFrame:
    """`result` with its `reason_bits` spelled out as a list of codes (`reasons`), the
    exclusion as excluded:<rule>; for the rows that are shown or stored, not for millions."""
    codes = [
        pl.when((pl.col("reason_bits") & (1 << index)) > 0).then(
            pl.lit("excluded:") + pl.col("excluded_by") if code == "excluded" else pl.lit(code)
        )
        for index, code in enumerate(REASONS)
    ]
    joined = pl.concat_str(codes, separator=" ", ignore_nulls=True)
    return result.with_columns(
        reasons=pl.when(joined == "").then(pl.lit([], pl.List(pl.String)))
        .otherwise(joined.str.split(" "))
    )  # fmt: skip


def stably_above(history: pl.DataFrame, *, lines: dict[int, float], years: range) -> pl.DataFrame:
    """Which households' per-capita net income stayed at or above each year's exit line in
    every year of `years` (稳定超过): household_id, stably_above.

    history: household_id, year, net_income_per_capita. A year without an assessment is
    not evidence of stability.
    """
    line = pl.col("year").replace_strict(lines, default=None, return_dtype=pl.Float64)
    return (
        history.filter(pl.col("year").is_between(years.start, years.stop - 1))
        .group_by("household_id")
        .agg(
            (
                (pl.col("net_income_per_capita").cast(pl.Float64) >= line).all()
                & (pl.col("year").n_unique() == len(years))
            ).alias("stably_above")
        )
    )


@dataclass(frozen=True)
class RunScope:
    """Which kinds of case a year's run may open."""

    identification: bool = True  # the campaign years: new identification and return
    monitoring: bool = False  # 防返贫 years: unstable and marginal households
    monitoring_line: float | None = None


RISK_OF_GUARANTEE = {
    "education": "schooling",
    "medical": "illness",
    "housing": "housing",
    "water": "water",
}
MONITORED_STATUSES = ("exited", "not_registered")


def _optional(frame: pl.DataFrame, name: str, dtype: type[pl.DataType]) -> pl.Expr:
    """A column the caller may leave out, as nulls when it does."""
    return pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype)


def cases_called_for(evaluated: pl.DataFrame, *, scope: RunScope) -> pl.DataFrame:
    """The cases the rule results call for: household_id, kind, reasons, monitoring_type,
    risks. It opens cases; people decide them.

    evaluated: the columns of `household_eligibility` plus household_id, status,
    registered_this_year, stably_above, monitored and net_income_per_capita; optionally
    rigid_spending_per_capita (the year's compliant out-of-pocket spending per person) and
    shock_risk (the risk type of a reported shock), the 防返贫 clues beside income.
    """
    status = pl.col("status")
    poor = (status == "registered") | (status == "returned")
    income = pl.col("net_income_per_capita").cast(pl.Float64)
    kinds = [
        ("removal", poor & pl.col("excluded_by").is_not_null()),
        (
            "exit",
            poor & pl.col("exit_ready") & pl.col("stably_above").fill_null(False)
            & ~pl.col("registered_this_year").fill_null(False)
            & pl.col("excluded_by").is_null(),
        ),
    ]  # fmt: skip
    if scope.identification:
        kinds += [
            (
                "identification",
                ((status == "not_registered") | (status == "removed")) & pl.col("eligible"),
            ),
            ("return", (status == "exited") & pl.col("eligible")),
        ]
    line = scope.monitoring_line or 0.0
    spending = _optional(evaluated, "rigid_spending_per_capita", pl.Float64).fill_null(0.0)
    shock = _optional(evaluated, "shock_risk", pl.String)
    below = income < line
    # Income less the compliant out-of-pocket spending (合规自付支出) under the line.
    squeezed = (spending > 0) & ((income - spending) < line)
    if scope.monitoring and scope.monitoring_line is not None:
        unstable = (status == "exited") & (below | squeezed | ~pl.col("guarantees_met"))
        marginal = (
            (status == "not_registered") & (below | squeezed) & pl.col("excluded_by").is_null()
        )
        # A reported shock makes any household outside the register a case, whatever its income.
        sudden = shock.is_not_null() & status.is_in((*MONITORED_STATUSES, "removed"))
        kinds.append(
            ("monitoring", (unstable | marginal | sudden) & ~pl.col("monitored").fill_null(False))
        )
    # One case per household and run, the first kind that applies in the order above: one
    # pass over the households, then the few rows called for get their detail.
    kind = pl.lit(None, pl.String)
    for name, condition in reversed(kinds):
        kind = pl.when(condition).then(pl.lit(name)).otherwise(kind)
    called = evaluated.select(
        "household_id", "status", "reason_bits", "excluded_by",
        *GUARANTEES, "guarantees_met", "net_income_per_capita", spending.alias("spending"),
        shock.alias("shock"),
        below.alias("below"), squeezed.alias("squeezed"), kind.alias("kind"),
    ).filter(pl.col("kind").is_not_null())  # fmt: skip
    monitoring = pl.col("kind") == "monitoring"
    # A string split is several times cheaper than a list built from nullable pieces.
    risks = (
        pl.concat_str(
            pl.when(pl.col("below")).then(pl.lit("income")),
            pl.when(pl.col("squeezed")).then(pl.lit("spending")),
            *[
                pl.when(~pl.col(name)).then(pl.lit(risk))
                for name, risk in RISK_OF_GUARANTEE.items()
            ],
            pl.col("shock"),
            separator=" ",
            ignore_nulls=True,
        )
        .str.split(" ")
        .list.unique(maintain_order=True)
        .list.head(5)
    )  # 风险1-5
    at_risk = pl.col("below") | pl.col("squeezed")
    return called.select(
        "household_id",
        "kind",
        "reason_bits",
        pl.when(~monitoring)
        .then(pl.lit(None, pl.String))
        .when((status == "exited") & (at_risk | ~pl.col("guarantees_met")))
        .then(pl.lit("unstable"))
        .when((status == "not_registered") & at_risk & pl.col("excluded_by").is_null())
        .then(pl.lit("marginal"))
        .otherwise(pl.lit("sudden_hardship"))
        .alias("monitoring_type"),
        pl.when(monitoring).then(risks).alias("risks"),
        "excluded_by",
    ).sort("household_id")
