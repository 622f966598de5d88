"""The rule kernel (识别与退出规则): who meets the income test and each guarantee, who is
excluded by which rule, who is eligible and who is ready to exit.

Pure Polars, no Django and no I/O: household-year facts and a policy in, one row per
household out. The lines and exclusion rules come from the policy tables; the caller
records which versions it passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

GUARANTEES = ("food", "clothing", "education", "medical", "housing", "water")
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


def household_eligibility(
    households: pl.DataFrame, members: pl.DataFrame, *, year: int, policy: RulePolicy
) -> pl.DataFrame:
    """Every household's tests and outcome under `policy` for `year`.

    households: household_no, the five income components, household_size, food_ok,
    clothing_ok, housing_grade, relocated, water_ok and one boolean column per exclusion
    rule. members: household_no, birth_date, in_school, health, medical_insured.
    """
    total = _income_total()
    size = pl.col("household_size").cast(pl.Float64)
    frame = households.join(
        _member_guarantees(members, year=year, policy=policy), on="household_no", how="left"
    ).with_columns(
        (total < size * policy.identification_line).alias("income_below_line"),
        (total >= size * policy.exit_line).alias("income_above_exit_line"),
        pl.col("food_ok").fill_null(False).alias("food"),
        pl.col("clothing_ok").fill_null(False).alias("clothing"),
        pl.col("education").fill_null(True),
        pl.col("medical").fill_null(False),
        (
            pl.col("housing_grade").is_in(SAFE_GRADES).fill_null(False)
            | pl.col("relocated").fill_null(False)
        ).alias("housing"),
        pl.col("water_ok").fill_null(False).alias("water"),
        _excluded_by(policy).alias("excluded_by"),
    )
    guaranteed = pl.all_horizontal([pl.col(name) for name in GUARANTEES])
    eligible = pl.col("income_below_line") & pl.col("excluded_by").is_null()
    reasons = pl.concat_list(
        pl.when(pl.col("income_below_line")).then(pl.lit("income_below_line")),
        *[pl.when(~pl.col(name)).then(pl.lit(f"fails_{name}")) for name in GUARANTEES],
        pl.when(pl.col("excluded_by").is_not_null()).then(
            pl.lit("excluded:") + pl.col("excluded_by")
        ),
    ).list.drop_nulls()
    return frame.select(
        "household_no",
        "income_below_line",
        "income_above_exit_line",
        *GUARANTEES,
        guaranteed.alias("guarantees_met"),
        "excluded_by",
        eligible.alias("eligible"),
        (pl.col("income_above_exit_line") & guaranteed).alias("exit_ready"),
        reasons.alias("reasons"),
    ).sort("household_no")
