"""The rule kernel against a hand-computed table, under the 2015 and the 2020 policy."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.targeting.kernels import (
    GUARANTEES,
    ExclusionRule,
    RulePolicy,
    household_eligibility,
    reason_codes,
)

EXCLUSIONS = tuple(
    ExclusionRule(code, code) for code in ("payroll_member", "car", "town_house", "business")
)
POLICIES = {
    2015: RulePolicy(identification_line=2855, exit_line=2855, exclusions=EXCLUSIONS),
    2020: RulePolicy(identification_line=4000, exit_line=4000, exclusions=EXCLUSIONS),
}
ADULT = {"birth_date": date(1975, 5, 1), "in_school": False, "health": "healthy",
         "medical_insured": True}  # fmt: skip


def child(born: int, **extra: Any) -> dict[str, Any]:
    return {**ADULT, "birth_date": date(born, 3, 1), **extra}


# (per-capita income, household facts, extra members, exclusions,
#  2015: (eligible, exit ready), 2020: (eligible, exit ready), failing guarantees in 2015, 2020)
CASES: list[tuple[int, dict[str, Any], list[dict[str, Any]], tuple[str, ...],
                  tuple[bool, bool], tuple[bool, bool], set[str], set[str]]] = [
    (2000, {}, [], (), (True, False), (True, False), set(), set()),
    (2855, {}, [], (), (False, True), (True, False), set(), set()),
    (2854, {}, [], (), (True, False), (True, False), set(), set()),
    (3500, {}, [], (), (False, True), (True, False), set(), set()),
    (4000, {}, [], (), (False, True), (False, True), set(), set()),
    (3999, {}, [], (), (False, True), (True, False), set(), set()),
    (10000, {}, [], (), (False, True), (False, True), set(), set()),
    (10000, {"food_ok": False}, [], (), (False, False), (False, False), {"food"}, {"food"}),
    (10000, {"clothing_ok": False}, [], (), (False, False), (False, False),
     {"clothing"}, {"clothing"}),
    (10000, {"housing_grade": "C"}, [], (), (False, False), (False, False),
     {"housing"}, {"housing"}),
    (10000, {"housing_grade": "D", "relocated": True}, [], (), (False, True), (False, True),
     set(), set()),
    (10000, {"water_ok": False}, [], (), (False, False), (False, False), {"water"}, {"water"}),
    (10000, {}, [{**ADULT, "medical_insured": False}], (), (False, False), (False, False),
     {"medical"}, {"medical"}),
    (10000, {}, [child(2005)], (), (False, False), (False, False),
     {"education"}, {"education"}),
    (10000, {}, [child(2005, health="disabled")], (), (False, True), (False, True),
     set(), set()),
    (10000, {}, [child(2004)], (), (False, False), (False, True), {"education"}, set()),
    (10000, {}, [child(2012)], (), (False, True), (False, False), set(), {"education"}),
    (2000, {}, [], ("car",), (False, False), (False, False), set(), set()),
    (2000, {}, [], ("payroll_member", "car"), (False, False), (False, False), set(), set()),
    (10000, {}, [], ("business",), (False, True), (False, True), set(), set()),
    (2000, {"housing_grade": "C"}, [], (), (True, False), (True, False),
     {"housing"}, {"housing"}),
    (0, {}, [], (), (True, False), (True, False), set(), set()),
    (-2000, {}, [], (), (True, False), (True, False), set(), set()),
    (3000, {}, [child(2003, in_school=True), child(2006, in_school=True),
                child(2009, in_school=True)], (), (False, True), (True, False), set(), set()),
    (2855, {"size": 1}, [], (), (False, True), (True, False), set(), set()),
    (4500, {}, [{**ADULT, "medical_insured": None}], (), (False, False), (False, False),
     {"medical"}, {"medical"}),
    (3000, {}, [child(2007)], (), (False, False), (True, False), {"education"}, {"education"}),
    (2500, {}, [], ("town_house",), (False, False), (False, False), set(), set()),
    (5000, {}, [], (), (False, True), (False, True), set(), set()),
    (3800, {}, [], (), (False, True), (True, False), set(), set()),
]  # fmt: skip


def _frames(cases: list[Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    households, members = [], []
    for index, (per_capita, facts, extra, excluded, *_) in enumerate(cases):
        number = f"H{index:02d}"
        people = [dict(ADULT)] if facts.get("size") == 1 else [dict(ADULT), dict(ADULT)]
        people += extra
        members += [{"household_no": number, **person} for person in people]
        total = per_capita * len(people)
        households.append(
            {
                "household_no": number, "wage_income": max(total, 0), "business_income": 0,
                "business_cost": max(-total, 0), "property_income": 0, "transfer_income": 0,
                "household_size": len(people), "food_ok": facts.get("food_ok", True),
                "clothing_ok": facts.get("clothing_ok", True),
                "housing_grade": facts.get("housing_grade", "B"),
                "relocated": facts.get("relocated", False),
                "water_ok": facts.get("water_ok", True),
                **{rule.column: rule.code in excluded for rule in EXCLUSIONS},
            }
        )  # fmt: skip
    return pl.DataFrame(households), pl.DataFrame(members)


@pytest.mark.parametrize("year", [2015, 2020])
def test_the_hand_computed_table(year: int) -> None:
    # given
    households, members = _frames(CASES)
    # when
    result = reason_codes(
        household_eligibility(households, members, year=year, policy=POLICIES[year])
    )
    # then
    for row, case in zip(result.iter_rows(named=True), CASES, strict=True):
        per_capita, _, _, excluded, in_2015, in_2020, failing_2015, failing_2020 = case
        eligible, exit_ready = in_2015 if year == 2015 else in_2020
        failing = failing_2015 if year == 2015 else failing_2020
        label = f"{row['household_no']} ({per_capita}/person, {year})"
        assert (row["eligible"], row["exit_ready"]) == (eligible, exit_ready), label
        assert {name for name in GUARANTEES if not row[name]} == failing, label
        assert row["excluded_by"] == (excluded[0] if excluded else None), label
        expected = (
            (["income_below_line"] if row["income_below_line"] else [])
            + [f"fails_{name}" for name in GUARANTEES if name in failing]
            + ([f"excluded:{excluded[0]}"] if excluded else [])
        )
        assert row["reasons"] == expected, label


household_facts = st.fixed_dictionaries(
    {
        "income": st.integers(-5000, 60000),
        "size": st.integers(1, 6),
        "food_ok": st.booleans(),
        "housing_grade": st.sampled_from(["A", "B", "C", "D"]),
        "insured": st.booleans(),
        "car": st.booleans(),
    }
)


def _random_frames(facts: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    households = pl.DataFrame(
        {
            "household_no": [f"R{i:03d}" for i in range(len(facts))],
            "wage_income": [max(f["income"], 0) for f in facts],
            "business_income": [0] * len(facts),
            "business_cost": [max(-f["income"], 0) for f in facts],
            "property_income": [0] * len(facts),
            "transfer_income": [0] * len(facts),
            "household_size": [f["size"] for f in facts],
            "food_ok": [f["food_ok"] for f in facts],
            "clothing_ok": [True] * len(facts),
            "housing_grade": [f["housing_grade"] for f in facts],
            "relocated": [False] * len(facts),
            "water_ok": [True] * len(facts),
            **{
                rule.column: [rule.code == "car" and f["car"] for f in facts] for rule in EXCLUSIONS
            },
        }
    )
    members = pl.DataFrame(
        [{"household_no": f"R{i:03d}", **ADULT, "medical_insured": f["insured"]}
         for i, f in enumerate(facts) for _ in range(f["size"])]
    )  # fmt: skip
    return households, members


@settings(max_examples=60, deadline=None)
@given(st.lists(household_facts, min_size=1, max_size=25), st.randoms(use_true_random=False))
def test_row_order_does_not_change_results(facts: list[dict[str, Any]], rnd: Any) -> None:
    households, members = _random_frames(facts)
    expected = household_eligibility(households, members, year=2016, policy=POLICIES[2015])
    order = list(range(households.height))
    rnd.shuffle(order)
    shuffled = household_eligibility(
        households[order], members.sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 99)),
        year=2016, policy=POLICIES[2015],
    )  # fmt: skip
    assert shuffled.sort("household_no").equals(expected.sort("household_no"))
    # and the rows come out in the order they went in
    assert shuffled["household_no"].to_list() == households[order]["household_no"].to_list()


@settings(max_examples=60, deadline=None)
@given(st.lists(household_facts, min_size=1, max_size=25), st.integers(1, 50_000))
def test_raising_income_alone_never_makes_a_household_poor(
    facts: list[dict[str, Any]], raise_by: int
) -> None:
    households, members = _random_frames(facts)
    richer = households.with_columns(pl.col("wage_income") + raise_by)
    for year, policy in POLICIES.items():
        before = household_eligibility(households, members, year=year, policy=policy)
        after = household_eligibility(richer, members, year=year, policy=policy)
        assert not (after["eligible"] & ~before["eligible"]).any()


@settings(max_examples=60, deadline=None)
@given(st.lists(household_facts, min_size=1, max_size=25))
def test_a_household_failing_a_guarantee_is_never_exit_ready(
    facts: list[dict[str, Any]],
) -> None:
    households, members = _random_frames(facts)
    for year, policy in POLICIES.items():
        result = household_eligibility(households, members, year=year, policy=policy)
        assert not (result["exit_ready"] & ~result["guarantees_met"]).any()
        failing = result.select(~pl.all_horizontal(list(GUARANTEES))).to_series()
        assert (failing == ~result["guarantees_met"]).all()


def test_recorded_indicators_take_precedence_over_the_members() -> None:
    # given three households with a 10-year-old out of school and no medical cover, whose
    # recorded education and medical indicators say pass, fail, and nothing
    households, members = _frames([CASES[0]] * 3)
    members = pl.concat(
        [members, pl.DataFrame([{"household_no": f"H{i:02d}", **child(2006)} for i in range(3)])],
        how="diagonal_relaxed",
    ).with_columns(medical_insured=pl.lit(False))
    households = households.with_columns(
        education_ok=pl.Series([True, False, None], dtype=pl.Boolean),
        medical_ok=pl.Series([True, False, None], dtype=pl.Boolean),
    )
    # when
    result = household_eligibility(households, members, year=2016, policy=POLICIES[2015])
    # then the recorded value wins where there is one, the members decide where there is not
    assert result["education"].to_list() == [True, False, False]
    assert result["medical"].to_list() == [True, False, False]


def test_recorded_indicators_need_no_members() -> None:
    households, members = _frames(CASES[:3])
    households = households.with_columns(education_ok=pl.lit(True), medical_ok=pl.lit(False))
    result = household_eligibility(households, members.clear(), year=2016, policy=POLICIES[2015])
    assert result["education"].all() and not result["medical"].any()
    assert result["household_no"].to_list() == ["H00", "H01", "H02"]
