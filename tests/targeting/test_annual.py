"""The annual run: the rules over every household in scope, and the cases they call for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.policy.models import PolicySnapshot
from fupin.policy.services import policy_set
from fupin.registry.models import HouseholdFact
from fupin.targeting.annual import annual_run
from fupin.targeting.models import Case
from tests.targeting.conftest import OTHER_VILLAGE, assess, household_make

pytestmark = pytest.mark.django_db
LINE_2016 = 2952  # the identification and the exit line of 2016


@pytest.fixture
def registry(villages: list[str]) -> dict[str, int]:
    """One household per situation the 2016 run must tell apart; name -> household id."""
    made = {}

    def make(
        name: str,
        per_capita: int,
        status: str = "not_registered",
        *,
        since: int = 2014,
        village: str = villages[0],
        **assessment: object,
    ) -> None:
        household = household_make(f"5227271002{len(made):06d}", status=status,
                                   registered_year=since, village=village)  # fmt: skip
        assess(household, 2015, per_capita)
        assess(household, 2016, per_capita, **assessment)  # type: ignore[arg-type]
        made[name] = household.pk

    make("poor_unregistered", LINE_2016 - 1)
    make("poor_other_village", 1500, village=OTHER_VILLAGE)
    make("comfortable", 9000)
    make("poor_with_car", 2000)
    make("exit_ready", LINE_2016, "registered")
    make("registered_this_year", 5000, "registered", since=2016)
    make("unsafe_house", 5000, "registered", housing_grade="C")
    make("no_school", 5000, "registered", education_ok=False)
    make("fell_back", 2500, "exited")
    make("misidentified", 2000, "registered")
    for name, fact in (("poor_with_car", "owns_car"), ("misidentified", "payroll_member")):
        HouseholdFact.objects.create(household_id=made[name], year=2016, fact=fact,
                                     recorded_at=timezone.now())  # fmt: skip
    return made


def opened(registry: dict[str, int]) -> dict[str, str]:
    names = {pk: name for name, pk in registry.items()}
    return {names[c.household_id]: c.kind for c in Case.objects.all()}  # type: ignore[index]


def test_the_run_opens_what_the_rules_call_for(registry: dict[str, int], actor: Actor) -> None:
    # when
    result = annual_run(year=2016, prefix="522727", actor=actor, chunk_level="village")
    # then
    assert opened(registry) == {
        "poor_unregistered": "identification",
        "poor_other_village": "identification",
        "exit_ready": "exit",
        "fell_back": "return",
        "misidentified": "removal",
    }
    assert result.households == 10 and result.total_opened == 5 and result.chunks == 2
    case = Case.objects.get(household_id=registry["misidentified"])
    assert case.detail["excluded_by"] == "payroll_member"
    assert (case.outcome, case.trigger, case.opened_on, case.region_code) == (
        "open", "annual_run", date(2016, 10, 1), "522727100218",
    )  # fmt: skip
    identification = Case.objects.get(household_id=registry["poor_unregistered"])
    assert identification.detail["reasons"] == ["income_below_line"]
    # the decision keeps the policy it used: Guizhou's 2016 parameters
    snapshot = identification.policy_snapshot
    assert isinstance(snapshot, PolicySnapshot) and (snapshot.year, snapshot.province) == (
        2016,
        "52",
    )
    assert AuditEvent.objects.filter(action="annual_run.cases").count() == 2


def test_a_rerun_opens_nothing_twice(registry: dict[str, int], actor: Actor) -> None:
    annual_run(year=2016, prefix="522727", actor=actor)
    first = sorted(Case.objects.values_list("household_id", "kind"))
    again = annual_run(year=2016, prefix="522727", actor=actor)
    assert again.total_opened == 0 and again.already == 5
    assert sorted(Case.objects.values_list("household_id", "kind")) == first


def test_a_dry_run_writes_nothing(registry: dict[str, int], actor: Actor) -> None:
    result = annual_run(year=2016, prefix="522727", actor=actor, dry_run=True)
    assert result.opened == {"identification": 2, "exit": 1, "return": 1, "removal": 1}
    assert Case.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_a_changed_policy_leaves_past_decisions_alone(
    registry: dict[str, int], actor: Actor
) -> None:
    annual_run(year=2016, prefix="522727", actor=actor)
    before = Case.objects.get(household_id=registry["poor_unregistered"]).policy_snapshot_id
    policy_set(name="identification_line", value=Decimal(2900), year=2016, province="52",
               actor=actor, verified=False, source="a test")  # fmt: skip
    # under a lower 2016 line (2,900) the household at 2,951 is no longer called for
    Case.objects.filter(household_id=registry["poor_unregistered"]).delete()
    annual_run(year=2016, prefix="522727", actor=actor)
    assert not Case.objects.filter(household_id=registry["poor_unregistered"]).exists()
    assert (
        Case.objects.get(household_id=registry["poor_other_village"]).policy_snapshot_id == before
    )


def test_stability_over_two_years(registry: dict[str, int], actor: Actor) -> None:
    policy_set(name="exit_stable_years", value=Decimal(2), year=None, province="52",
               actor=actor, verified=False, source="a test")  # fmt: skip
    # exit_ready earned exactly the line in 2015 too, so it is stable; lower 2015 and it is not
    annual_run(year=2016, prefix="522727", actor=actor, dry_run=False)
    assert opened(registry)["exit_ready"] == "exit"
    Case.objects.all().delete()
    from fupin.registry.models import Assessment

    Assessment.objects.filter(household_id=registry["exit_ready"], year=2015).update(
        net_income_per_capita=Decimal(LINE_2016 - 100)
    )
    annual_run(year=2016, prefix="522727", actor=actor)
    assert "exit_ready" not in opened(registry)


def test_monitoring_years_open_monitoring_cases(villages: list[str], actor: Actor) -> None:
    for name, value in (("identification_line", 4000), ("exit_line", 4000)):
        policy_set(name=name, value=Decimal(value), year=2021, province="", actor=actor,
                   verified=False, source="a test")  # fmt: skip
    unstable = household_make("1", status="exited")
    marginal = household_make("2")
    secure = household_make("3", status="exited")
    assess(unstable, 2021, 5500)  # under 1.5 x 4,000
    assess(marginal, 2021, 5000, water_ok=False)
    assess(secure, 2021, 6500)
    annual_run(year=2021, prefix="522727", actor=actor)
    cases = {c.household_id: c for c in Case.objects.all()}
    assert set(cases) == {unstable.pk, marginal.pk}
    assert {c.kind for c in cases.values()} == {"monitoring"}
    assert cases[unstable.pk].detail["monitoring_type"] == "unstable"
    assert cases[marginal.pk].detail["monitoring_type"] == "marginal"
    assert cases[marginal.pk].detail["risks"] == ["income", "water"]


def test_the_command(registry: dict[str, int]) -> None:
    out = StringIO()
    call_command("annual-run", "--year", "2016", "--region", "5227", "--dry-run", stdout=out)
    assert "would open 5 cases" in out.getvalue() and "新识别 (identification): 2" in out.getvalue()
    assert Case.objects.count() == 0
    with pytest.raises(CommandError) as bad:
        call_command("annual-run", "--year", "2016", "--region", "99", stdout=out)
    assert bad.value.returncode == 2 and "--region" in str(bad.value)


def test_a_national_run_covers_every_province(registry: dict[str, int], actor: Actor) -> None:
    result = annual_run(year=2016, actor=actor, dry_run=True)
    assert result.households == 10 and result.total_opened == 5 and result.chunks == 1
