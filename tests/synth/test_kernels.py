"""The synthetic-country kernel: layout, determinism, consistency and calibration."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from stdnum.cn import ric

from fupin.registry.idnumber import id_check_frame
from fupin.registry.kernels import (
    ASSESSMENT_FIELDS,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    TRANSITION_FIELDS,
)
from fupin.synth.calibration import REGISTRATION_UPLIFT, incidence_target
from fupin.synth.kernels import SynthFrames, synth_frames
from tests.synth.conftest import LINES, generate, villages_frame

REFERENCE = date(2014, 12, 31)  # ages as the registry's rules count them in the first year
PROFILE_OF_COUNTY = {"522727": "deep_west", "513221": "west", "433124": "non_west"}
CAUSES = {
    "illness", "disability", "schooling", "disaster", "land", "water", "skills", "labor",
    "funds", "transport", "motivation", "other",
}  # fmt: skip


def _stat(series: pl.Series, how: str) -> Any:
    """A Series aggregate (mean, min, max) as a plain Python value."""
    return series.to_frame().select(getattr(pl.first(), how)()).item()


def _age(birth: pl.Expr) -> pl.Expr:
    return REFERENCE.year - birth.dt.year().cast(pl.Int64)


def _net_per_capita() -> pl.Expr:
    total = (
        pl.col("wage_income") + pl.col("business_income") - pl.col("business_cost")
        + pl.col("property_income") + pl.col("transfer_income")
    )  # fmt: skip
    return total / pl.col("household_size")


def _with_line(assessments: pl.DataFrame) -> pl.DataFrame:
    return assessments.with_columns(
        line=pl.col("year").replace_strict(LINES, return_dtype=pl.Float64),
        per_capita=_net_per_capita(),
        county=pl.col("household_no").str.slice(0, 6),
    )


# ---- layout and determinism ------------------------------------------------------------


def test_frames_have_the_bulk_writers_layout(country: SynthFrames) -> None:
    for frame, layout in [
        (country.households, HOUSEHOLD_FIELDS),
        (country.members, MEMBER_FIELDS),
        (country.assessments, ASSESSMENT_FIELDS),
        (country.transitions, TRANSITION_FIELDS),
    ]:
        assert dict(frame.schema) == layout


def test_same_seed_gives_identical_frames() -> None:
    first, second, other = generate(400, seed=11), generate(400, seed=11), generate(400, seed=12)
    for name in ("households", "members", "assessments", "transitions"):
        assert_frame_equal(getattr(first, name), getattr(second, name))
    assert not first.members.equals(other.members)


# ---- members ---------------------------------------------------------------------------


def test_id_numbers_are_valid_and_agree_with_members(country: SynthFrames) -> None:
    members = country.members
    checked = id_check_frame(members, "id_number")
    assert checked["id_error"].null_count() == members.height
    assert (checked["id_normalized"] == members["id_number"]).all()
    assert (checked["id_sex"] == members["sex"]).all()
    assert (checked["id_birth_date"] == members["birth_date"]).all()
    assert members["id_number"].n_unique() == members.height
    for number in members["id_number"].sample(300, seed=1):
        ric.validate(number)  # these counties are listed for every year in stdnum


def test_id_address_is_the_village_county(country: SynthFrames) -> None:
    joined = country.members.join(country.households, on="household_no")
    assert (joined["id_number"].str.slice(0, 6) == joined["village_code"].str.slice(0, 6)).all()


def test_one_head_and_sizes(country: SynthFrames) -> None:
    per_household = country.members.group_by("household_no").agg(
        heads=(pl.col("relation") == "head").sum(), size=pl.len()
    )
    assert per_household.height == country.households.height
    assert (per_household["heads"] == 1).all()
    assert per_household["size"].is_between(1, 7).all()
    assert 3.1 < _stat(per_household["size"], "mean") < 3.5
    sizes = country.assessments.join(per_household, on="household_no")
    assert (sizes["household_size"] == sizes["size"]).all()


def _relative_to_head(country: SynthFrames) -> pl.DataFrame:
    head = country.members.filter(pl.col("relation") == "head").select(
        "household_no", head_sex="sex", head_birth="birth_date", head_surname=pl.col("name")
    )
    return country.members.join(head, on="household_no")


def test_relations_are_consistent(country: SynthFrames) -> None:
    people = _relative_to_head(country).with_columns(
        older_by=(pl.col("birth_date") - pl.col("head_birth")).dt.total_days() / 365.2425
    )
    spouses = people.filter(pl.col("relation") == "spouse")
    assert (spouses["sex"] != spouses["head_sex"]).all()
    assert _stat(people.filter(pl.col("relation") == "child")["older_by"], "min") >= 18
    assert _stat(people.filter(pl.col("relation") == "grandchild")["older_by"], "min") >= 36
    assert _stat(people.filter(pl.col("relation") == "parent")["older_by"], "max") <= -18
    spouse_birth = spouses.select("household_no", spouse_birth="birth_date")
    children = people.filter(pl.col("relation") == "child").join(spouse_birth, on="household_no")
    gap = (children["birth_date"] - children["spouse_birth"]).dt.total_days() / 365.2425
    assert _stat(gap, "min") >= 18
    adults = people.filter(pl.col("relation").is_in(["head", "spouse", "child_in_law"]))
    assert adults.select(_age(pl.col("birth_date")).min()).item() >= 18


def test_families_mostly_share_the_heads_surname(country: SynthFrames) -> None:
    people = _relative_to_head(country).filter(
        pl.col("relation").is_in(["child", "grandchild"]) & ~pl.col("name").str.contains("·")
    )
    same = people["name"].str.slice(0, 1) == people["head_surname"].str.slice(0, 1)
    assert _stat(same, "mean") > 0.85


def test_member_attributes_are_plausible(country: SynthFrames) -> None:
    members = country.members.with_columns(age=_age(pl.col("birth_date")))
    assert (members["education"].is_null() == (members["age"] < 6)).all()
    school_age = members.filter(pl.col("age").is_between(6, 15))
    assert _stat(school_age["in_school"], "mean") > 0.95
    assert members.filter(pl.col("age") < 16)["labor"].is_null().all()
    assert members.filter(pl.col("health") == "healthy")["labor"].ne("lost").all()
    assert members["migrant_months"].is_between(0, 12).all()
    guizhou = members.filter(pl.col("household_no").str.starts_with("52"))["ethnicity"]
    assert {"汉族", "苗族", "布依族"} <= set(guizhou.unique())
    hunan = members.filter(pl.col("household_no").str.starts_with("43"))["ethnicity"]
    assert _stat(hunan == "汉族", "mean") > _stat(guizhou == "汉族", "mean")


# ---- households ------------------------------------------------------------------------


def test_household_fields(country: SynthFrames) -> None:
    households = country.households
    assert households["household_no"].n_unique() == households.height
    assert (households["household_no"].str.slice(0, 12) == households["village_code"]).all()
    assert households["household_no"].str.contains(r"^\d{16}$").all()
    phones = households.filter(pl.col("phone") != "")["phone"]
    assert phones.str.contains(r"^1[358]\d{9}$").all()
    assert households["address"].str.contains(r"^\d+组$").all()
    registered = households.filter(pl.col("category") != "")
    assert set(registered["category"].unique()) <= {"general", "dibao_poor", "dibao", "tekun"}
    assert set(registered["main_cause"].unique()) <= CAUSES
    others = households.filter(pl.col("category") == "")
    assert (others.select("main_cause", "second_cause", "third_cause") == "").to_numpy().all()


def test_causes_differ_and_follow_members(country: SynthFrames) -> None:
    households = country.households.filter(pl.col("category") != "")
    second, third = households["second_cause"], households["third_cause"]
    assert ((second == "") | (second != households["main_cause"])).all()
    assert ((third == "") | ((third != households["main_cause"]) & (third != second))).all()
    assert ((third == "") | (second != "")).all()
    flags = country.members.group_by("household_no").agg(
        ill=pl.col("health").is_in(["chronic", "serious"]).any(),
        disabled=(pl.col("health") == "disabled").any(),
        student=pl.col("in_school").any(),
    )
    causes = households.join(flags, on="household_no").unpivot(
        on=["main_cause", "second_cause", "third_cause"],
        index=["household_no", "ill", "disabled", "student"],
    )
    for cause, flag in [("illness", "ill"), ("disability", "disabled"), ("schooling", "student")]:
        assert causes.filter(pl.col("value") == cause)[flag].all()
    assert _stat(households["main_cause"] == "illness", "mean") > 0.25


# ---- assessments and transitions -------------------------------------------------------


def test_assessments_one_per_household_and_year(country: SynthFrames) -> None:
    assessments = country.assessments
    assert assessments.height == country.households.height * 7
    assert assessments.select("household_no", "year").is_unique().all()
    assert set(assessments["year"].unique()) == set(range(2014, 2021))
    incomes = assessments.select(
        "wage_income", "business_income", "business_cost", "property_income", "transfer_income"
    )
    assert (incomes >= 0).to_numpy().all()
    assert set(assessments["housing_grade"].unique()) <= {"A", "B", "C", "D"}


def test_wages_need_a_worker(country: SynthFrames) -> None:
    workers = country.members.with_columns(age=_age(pl.col("birth_date"))).group_by(
        "household_no"
    ).agg(
        worker=(pl.col("age").is_between(16, 65) & pl.col("labor").is_in(["ordinary", "skilled"]))
        .any(),
        migrant=(pl.col("migrant_months") > 0).any(),
    )  # fmt: skip
    rows = country.assessments.join(workers, on="household_no")
    assert rows.filter(pl.col("wage_income") > 0)["worker"].all()
    assert (rows.filter(pl.col("migrant"))["wage_income"] > 0).all()


def test_transitions_register_then_exit(country: SynthFrames) -> None:
    transitions = country.transitions
    registered = country.households.filter(pl.col("category") != "")["household_no"]
    registrations = transitions.filter(pl.col("to_status") == "registered")
    assert set(registrations["household_no"]) == set(registered)
    assert (registrations["year"] == 2014).all()
    assert (registrations["date"].dt.year() == 2014).all()
    exits = transitions.filter(pl.col("to_status") == "exited")
    assert (exits["from_status"] == "registered").all()
    assert exits["year"].is_between(2015, 2020).all()
    assert (exits["date"].dt.year() == exits["year"]).all()
    assert exits.height / registrations.height > 0.95
    shares = exits["year"].value_counts(normalize=True)["proportion"]
    assert shares.len() >= 5 and _stat(shares, "max") < 0.4


def test_exit_year_income_is_above_the_line_and_indicators_hold(country: SynthFrames) -> None:
    exits = country.transitions.filter(pl.col("to_status") == "exited").select(
        "household_no", "year"
    )
    rows = _with_line(country.assessments).join(exits, on=["household_no", "year"])
    assert rows.height == exits.height
    assert (rows["per_capita"] >= rows["line"]).all()
    holds = rows.select(
        pl.all_horizontal("food_ok", "clothing_ok", "education_ok", "medical_ok", "water_ok")
        & pl.col("housing_grade").is_in(["A", "B"])
    )
    assert holds.to_series().all()


def test_indicators_fail_more_for_the_poor_early(country: SynthFrames) -> None:
    registered = country.households.select("household_no", registered=pl.col("category") != "")
    rows = country.assessments.join(registered, on="household_no").with_columns(
        housing_ok=pl.col("housing_grade").is_in(["A", "B"])
    )
    share = rows.group_by("registered", "year").agg(pl.col("housing_ok", "water_ok").mean())
    poor_2014 = share.filter(pl.col("registered") & (pl.col("year") == 2014))
    rich_2014 = share.filter(~pl.col("registered") & (pl.col("year") == 2014))
    assert poor_2014["housing_ok"].item() < rich_2014["housing_ok"].item() - 0.2
    assert share.filter(pl.col("registered") & (pl.col("year") == 2020))["water_ok"].item() > 0.99


# ---- calibration -----------------------------------------------------------------------


def test_under_line_share_follows_the_targets(large_country: SynthFrames) -> None:
    shares = (
        _with_line(large_country.assessments)
        .group_by("county", "year")
        .agg(under=(pl.col("per_capita") < pl.col("line")).mean(), households=pl.len())
    )
    for county, year, under, households in shares.iter_rows():
        target = incidence_target(PROFILE_OF_COUNTY[county], year)
        tolerance = 4 * math.sqrt(target * (1 - target) / households) + 0.002
        assert abs(under - target) < tolerance, (county, year, under, target)


def test_registration_exceeds_the_under_line_share(large_country: SynthFrames) -> None:
    registered = large_country.households.group_by(
        county=pl.col("village_code").str.slice(0, 6)
    ).agg(share=(pl.col("category") != "").mean(), households=pl.len())
    for county, share, households in registered.iter_rows():
        under = incidence_target(PROFILE_OF_COUNTY[county], 2014)
        expected = under * REGISTRATION_UPLIFT
        assert share > under
        assert abs(share - expected) < 4 * math.sqrt(expected / households) + 0.002
    guizhou = registered.filter(pl.col("county") == "522727")["share"].item()
    assert 0.2 < guizhou < 0.26  # roughly a quarter of rural Guizhou was registered in 2014


# ---- properties and errors -------------------------------------------------------------


@given(
    households=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
    first=st.integers(2012, 2020),
    span=st.integers(0, 8),
    villages=st.integers(1, 6),
)
@settings(max_examples=25, deadline=None)
def test_invariants_hold_for_any_small_country(
    households: int, seed: int, first: int, span: int, villages: int
) -> None:
    last = min(first + span, 2020)
    lines = {year: 2300 + 100 * (year - 2010) for year in range(first, last + 1)}
    frames = synth_frames(
        villages_frame(2).head(villages), households=households, years=(first, last),
        seed=seed, poverty_lines=lines,
    )  # fmt: skip
    assert frames.households.height == households
    assert frames.assessments.height == households * (last - first + 1)
    heads = frames.members.filter(pl.col("relation") == "head")
    assert heads["household_no"].sort().equals(frames.households["household_no"].sort())
    assert id_check_frame(frames.members, "id_number")["id_error"].null_count() == (
        frames.members.height
    )
    exits = frames.transitions.filter(pl.col("to_status") == "exited")
    assert (exits["year"] > first).all()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"households": 0}, "at least 1"),
        ({"years": (2016, 2014)}, "backwards"),
        ({"years": (2014, 2021)}, "no calibration"),
        ({"poverty_lines": {2014: 2800}}, "no poverty line"),
        ({"villages": villages_frame().head(0)}, "no villages"),
        ({"villages": villages_frame().head(1), "households": 20_000}, "more than 9999"),
    ],
)
def test_bad_requests_are_refused(arguments: dict[str, Any], message: str) -> None:
    request: dict[str, Any] = {
        "villages": villages_frame(), "households": 10, "years": (2014, 2020), "seed": 1,
        "poverty_lines": LINES,
    }  # fmt: skip
    request.update(arguments)
    with pytest.raises(ValueError, match=message):
        synth_frames(**request)


def test_synthetic_households_pass_every_rule_of_the_import(country: SynthFrames) -> None:
    # given the first year's rows as a county file would hold them
    from fupin.registry.export import to_file_layout
    from fupin.registry.issues import ISSUES
    from fupin.registry.validation import validate_rows

    first_year = int(country.assessments["year"].min())  # type: ignore[arg-type]
    rows = (
        country.members.join(country.households, on="household_no")
        .join(
            country.assessments.filter(pl.col("year") == first_year).drop("household_size"),
            on="household_no",
        )
        .sort("household_no", pl.col("relation") != "head")
    )
    cells = to_file_layout(rows).with_row_index("_row", offset=2).cast({"_row": pl.Int64})
    # when
    _, issues = validate_rows(cells, year=first_year)
    # then
    errors = issues.filter(pl.col("code").map_elements(lambda c: ISSUES[c].severity == "error",
                                                       return_dtype=pl.Boolean))  # fmt: skip
    assert errors.height == 0, errors.group_by("code").len()
