"""防返贫 clues beside income: rigid spending and reported shocks, in the kernel, the annual
run and the report that opens a monitoring case at once; and the transition after exit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.policy.services import policy_set
from fupin.regions.models import PoorAreaDesignation
from fupin.targeting.annual import annual_run
from fupin.targeting.hardship import hardship_report
from fupin.targeting.kernels import (
    NO_MEMBERS,
    RulePolicy,
    RunScope,
    cases_called_for,
    household_eligibility,
)
from fupin.targeting.models import Case, HardshipReport
from fupin.targeting.services import CaseError, case_open
from fupin.targeting.transition import area_standing, household_standing, households_supported
from tests.targeting.conftest import Posts, assess, household_make
from tests.targeting.test_cases import walk

LINE = 4000.0
SCOPE = RunScope(identification=False, monitoring=True, monitoring_line=LINE * 1.5)


def _evaluated(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Kernel results for households given as (status, per-capita income, clues)."""
    facts = pl.DataFrame(
        [
            {
                "household_id": index, "household_no": f"H{index}", "status": row["status"],
                "wage_income": row["income"] * 2, "business_income": 0, "business_cost": 0,
                "property_income": 0, "transfer_income": 0, "household_size": 2,
                "net_income_per_capita": float(row["income"]), "food_ok": True,
                "clothing_ok": True, "education_ok": True, "medical_ok": True,
                "housing_grade": "B", "relocated": False, "water_ok": row.get("water", True),
            }
            for index, row in enumerate(rows)
        ]
    )  # fmt: skip
    policy = RulePolicy(identification_line=LINE, exit_line=LINE, exclusions=())
    evaluated = household_eligibility(
        facts, NO_MEMBERS, year=2021, policy=policy,
        carry=("household_id", "status", "net_income_per_capita"),
    )  # fmt: skip
    return evaluated.with_columns(
        registered_this_year=pl.lit(False),
        stably_above=pl.lit(False),
        monitored=pl.Series([row.get("monitored", False) for row in rows]),
        rigid_spending_per_capita=pl.Series(
            [row.get("spending") for row in rows], dtype=pl.Float64
        ),
        shock_risk=pl.Series([row.get("shock") for row in rows], dtype=pl.String),
    )


def _called(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    called = cases_called_for(_evaluated(rows), scope=SCOPE)
    return {row["household_id"]: row for row in called.iter_rows(named=True)}


def test_spending_that_leaves_income_under_the_line_is_a_clue() -> None:
    called = _called(
        [
            {"status": "not_registered", "income": 8000, "spending": 3000},  # 5,000 left
            {"status": "not_registered", "income": 8000, "spending": 1000},  # 7,000 left
            {"status": "exited", "income": 9000, "spending": 4000},
            {"status": "not_registered", "income": 8000},
        ]
    )
    assert set(called) == {0, 2}
    assert called[0]["monitoring_type"] == "marginal"
    assert called[0]["risks"] == ["spending"]
    assert called[2]["monitoring_type"] == "unstable"


def test_a_shock_makes_a_case_whatever_the_income() -> None:
    called = _called(
        [
            {"status": "not_registered", "income": 20000, "shock": "disaster"},
            {"status": "exited", "income": 20000, "shock": "accident"},
            {"status": "removed", "income": 20000, "shock": "illness"},
            {"status": "registered", "income": 2000, "shock": "illness"},  # supported already
            {"status": "exited", "income": 20000, "shock": "illness", "monitored": True},
        ]
    )
    assert set(called) == {0, 1, 2}
    assert {row["monitoring_type"] for row in called.values()} == {"sudden_hardship"}
    assert called[0]["risks"] == ["disaster"]


def test_risks_are_named_once() -> None:
    row = {"status": "exited", "income": 5000, "spending": 900, "shock": "water", "water": False}
    called = _called([row])
    assert called[0]["monitoring_type"] == "unstable"
    assert called[0]["risks"] == ["income", "spending", "water"]


@settings(max_examples=60, deadline=None)
@given(
    income=st.integers(min_value=0, max_value=20000),
    status=st.sampled_from(["exited", "not_registered", "removed"]),
    spending=st.integers(min_value=1, max_value=20000),
    shock=st.sampled_from([None, "illness", "disaster"]),
)
def test_a_clue_never_takes_a_case_away(
    income: int, status: str, spending: int, shock: str | None
) -> None:
    plain = _called([{"status": status, "income": income}])
    clued = _called([{"status": status, "income": income, "spending": spending, "shock": shock}])
    assert set(plain) <= set(clued)


@pytest.fixture
def year_2021(actor: Actor) -> None:
    for name in ("identification_line", "exit_line"):
        policy_set(name=name, value=Decimal(4000), year=2021, province="", actor=actor,
                   verified=False, source="a test")  # fmt: skip


@pytest.mark.django_db
def test_the_annual_run_reads_the_reports(
    villages: list[str], year_2021: None, actor: Actor
) -> None:
    squeezed, struck, untouched = (household_make(n) for n in ("1", "2", "3"))
    for household in (squeezed, struck, untouched):
        assess(household, 2021, 8000, size=3)
    spent = {"kind": "rigid_spending", "risk": "illness", "amount": 9000}  # 3,000 a head
    shock = {"kind": "shock", "risk": "disaster"}
    for household, clue in ((squeezed, spent), (struck, shock)):
        HardshipReport.objects.create(household=household, year=2021, occurred_on=date(2021, 3, 1),
                                      reported_on=date(2021, 3, 2), trigger="cadre_visit",
                                      recorded_at=timezone.now(), **clue)  # fmt: skip
    annual_run(year=2021, prefix="522727", actor=actor)
    cases = {c.household_id: c.detail for c in Case.objects.filter(kind="monitoring")}
    assert set(cases) == {squeezed.pk, struck.pk}
    assert cases[squeezed.pk]["monitoring_type"] == "marginal"
    assert cases[squeezed.pk]["risks"] == ["spending"]
    assert cases[struck.pk] | {"reasons": []} == {
        "monitoring_type": "sudden_hardship", "risks": ["disaster"], "reasons": [],
        "excluded_by": None,
    }  # fmt: skip


@pytest.mark.django_db
def test_a_reported_shock_opens_its_case_at_once(
    villages: list[str], year_2021: None, posts: Posts, actor: Actor
) -> None:
    household = household_make("1", status="exited")
    assess(household, 2021, 12000)
    report = hardship_report(household=household, kind="shock", risk="accident",
                             occurred_on=date(2021, 5, 3), on=date(2021, 5, 4), actor=posts.cadre)  # fmt: skip
    case = report.case
    assert case is not None and case.kind == "monitoring" and case.clue_on == date(2021, 5, 4)
    assert case.detail["monitoring_type"] == "sudden_hardship"
    assert case.detail["risks"] == ["accident"]
    # A second clue adds to the record and opens nothing more; nor does the year's run.
    again = hardship_report(household=household, kind="rigid_spending", risk="illness",
                            amount=30000, occurred_on=date(2021, 6, 1), on=date(2021, 6, 1),
                            actor=posts.township)  # fmt: skip
    assert again.case is None
    annual_run(year=2021, prefix="522727", actor=actor)
    assert Case.objects.filter(household=household).count() == 1
    assert AuditEvent.objects.filter(action="hardship.report").count() == 2


@pytest.mark.django_db
def test_a_shock_without_an_assessment_is_still_sudden_hardship(
    villages: list[str], year_2021: None, posts: Posts
) -> None:
    household = household_make("1")
    report = hardship_report(household=household, kind="shock", risk="disaster",
                             occurred_on=date(2021, 7, 20), on=date(2021, 7, 22), actor=posts.team)  # fmt: skip
    assert report.case is not None and report.case.detail["monitoring_type"] == "sudden_hardship"


@pytest.mark.django_db
def test_before_the_monitoring_years_a_clue_is_recorded_only(
    villages: list[str], posts: Posts
) -> None:
    household = household_make("1", status="exited")
    assess(household, 2016, 3000)
    report = hardship_report(household=household, kind="shock", risk="illness",
                             occurred_on=date(2016, 5, 3), on=date(2016, 5, 4), actor=posts.cadre)  # fmt: skip
    assert report.pk and report.case is None
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"actor": "other_cadre"}, "role_not_allowed"),
        ({"actor": "inspector"}, "role_not_allowed"),
        ({"kind": "rigid_spending"}, "evidence_missing"),
        ({"kind": "flood"}, "detail_invalid"),
        ({"risk": "income"}, "detail_invalid"),
        ({"occurred_on": date(2021, 6, 1)}, "date_invalid"),
        ({"trigger": "annual_run"}, "detail_invalid"),
    ],
)
def test_a_bad_report_is_refused_and_writes_nothing(
    villages: list[str], year_2021: None, posts: Posts, change: dict[str, Any], code: str
) -> None:
    household = household_make("1", status="exited")
    arguments: dict[str, Any] = {
        "household": household, "kind": "shock", "risk": "illness",
        "occurred_on": date(2021, 5, 3), "on": date(2021, 5, 4), "actor": "cadre",
    }  # fmt: skip
    arguments.update(change)
    arguments["actor"] = getattr(posts, arguments["actor"])
    with pytest.raises(CaseError) as refused:
        hardship_report(**arguments)
    assert refused.value.code == code
    assert not HardshipReport.objects.exists() and not Case.objects.exists()


@pytest.mark.django_db
def test_a_sudden_hardship_case_is_not_for_a_poor_household(
    villages: list[str], year_2021: None, posts: Posts
) -> None:
    household = household_make("1", status="registered")
    with pytest.raises(CaseError) as refused:
        case_open(kind="monitoring", year=2021, on=date(2021, 5, 1), actor=posts.cadre,
                  trigger="cadre_visit", household=household,
                  detail={"monitoring_type": "sudden_hardship", "risks": ["illness"]})  # fmt: skip
    assert refused.value.code == "wrong_status"


# 四个不摘: support goes on after exit through the transition.


@pytest.mark.django_db
def test_an_exited_household_keeps_its_policies_through_the_transition(
    villages: list[str], posts: Posts, actor: Actor
) -> None:
    household = household_make("1", status="registered", registered_year=2015)
    assess(household, 2017, 6000)
    case = case_open(kind="exit", year=2017, on=date(2017, 9, 1), actor=posts.cadre,
                     trigger="annual_run", household=household)  # fmt: skip
    walk(case, posts, start=date(2017, 9, 1))
    household.refresh_from_db()
    assert household.status == "exited"
    event = AuditEvent.objects.get(action="household.status", object_id=str(household.pk))
    assert event.after["policies_kept_until"] == 2025
    assert household_standing(household, year=2025).kept
    assert household_standing(household, year=2025).until == 2025
    assert not household_standing(household, year=2026).kept
    # A province may set its own last year; the nation's list follows it.
    policy_set(name="transition_until", value=Decimal(2023), year=None, province="52",
               actor=actor, verified=False, source="a test")  # fmt: skip
    assert not household_standing(household, year=2024).kept
    assert household in households_supported(year=2023, prefix="")
    assert household not in households_supported(year=2024, prefix="5227")


@pytest.mark.django_db
def test_the_supported_are_the_poor_and_the_exited_in_transition(villages: list[str]) -> None:
    poor = household_make("1", status="registered")
    exited = household_make("2", status="exited")
    never = household_make("3")
    removed = household_make("4", status="removed")
    assert set(households_supported(year=2022, prefix="522727")) == {poor, exited}
    assert set(households_supported(year=2026, prefix="522727")) == {poor}
    assert not household_standing(never, year=2022).kept
    assert not household_standing(removed, year=2022).kept
    assert not households_supported(year=2022, prefix="11").exists()


@pytest.mark.django_db
def test_a_lifted_area_keeps_its_policies_through_the_transition(villages: list[str]) -> None:
    PoorAreaDesignation.objects.create(region_id="522727", kind="county", designated_year=2014,
                                       lifted_year=2020)  # fmt: skip
    assert area_standing("522727", kind="county", year=2019).until is None
    assert area_standing("522727", kind="county", year=2019).kept
    assert area_standing("522727", kind="county", year=2025).kept
    assert not area_standing("522727", kind="county", year=2026).kept
    assert not area_standing(villages[0], kind="village", year=2022).kept
