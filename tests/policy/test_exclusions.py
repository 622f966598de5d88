"""Exclusion rules (X不评) as policy data: seeded unverified, switched off or added per province
and year, the most specific version wins, and they drive the rule kernel."""

from __future__ import annotations

import random
from datetime import date
from io import StringIO

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.policy.models import ExclusionRuleValue
from fupin.policy.queries import exclusion_rules, policy_value
from fupin.policy.services import PolicyError, exclusion_rule_set
from fupin.registry.choices import ExclusionFactKind
from fupin.registry.queries import exclusion_fact_frame
from fupin.registry.services import household_fact_set
from fupin.targeting.kernels import ExclusionRule, RulePolicy, household_eligibility
from tests.registry.factories import saved_household

pytestmark = pytest.mark.django_db

SEEDED = sorted(ExclusionFactKind.values)


def _codes(year: int, province: str = "") -> list[str]:
    return [rule.code for rule in exclusion_rules(year=year, province=province)]


def _switch(actor: Actor, code: str, *, active: bool, year: int | None = None,
            province: str = "", fact: str | None = None) -> ExclusionRuleValue:  # fmt: skip
    return exclusion_rule_set(
        code=code, fact=fact or code, year=year, province=province, active=active,
        actor=actor, verified=True, source="test notice",
    )  # fmt: skip


def test_the_typical_rules_are_seeded_national_and_unverified() -> None:
    rules = exclusion_rules(year=2016)
    assert [rule.code for rule in rules] == SEEDED
    assert all(rule.fact == rule.code for rule in rules)
    assert all(rule.province == "" and rule.year is None and rule.version == 1 for rule in rules)
    assert not any(rule.verified for rule in rules)
    assert all(
        rule.source.startswith("DOMAIN.md 1.4: local rules, no national list [S") for rule in rules
    )


def test_a_province_switches_a_national_rule_off_for_itself_only(
    villages: list[str], actor: Actor
) -> None:
    # when Guizhou drops the car rule
    off = _switch(actor, "owns_car", active=False, province="52")
    # then
    assert "owns_car" not in _codes(2017, "52")
    assert "owns_car" in _codes(2017, "53")
    assert "owns_car" in _codes(2017)
    assert len(_codes(2017, "52")) == len(SEEDED) - 1
    event = AuditEvent.objects.get(action="policy.exclusion_set")
    assert event.object_id == str(off.pk) and event.region_code == "52"
    assert event.before is None  # the province had no row of its own
    assert event.after["active"] is False and event.after["version"] == 1


def test_year_specific_rules_apply_in_their_year_only(villages: list[str], actor: Actor) -> None:
    # given a national rule for 2018 only, and Guizhou pausing the machinery rule in 2019
    _switch(actor, "vehicle_over_30000", fact="owns_car", active=True, year=2018)
    _switch(actor, "large_machinery", active=False, year=2019, province="52")
    # then
    assert "vehicle_over_30000" in _codes(2018)
    assert "vehicle_over_30000" in _codes(2018, "52")
    assert "vehicle_over_30000" not in _codes(2017)
    assert "large_machinery" not in _codes(2019, "52")
    assert "large_machinery" in _codes(2018, "52")
    assert "large_machinery" in _codes(2019)


def test_a_province_and_year_row_beats_a_province_row(villages: list[str], actor: Actor) -> None:
    # given Guizhou drops the car rule for every year, then restores it for 2020
    _switch(actor, "owns_car", active=False, province="52")
    back = _switch(actor, "owns_car", active=True, province="52", year=2020)
    # then
    assert "owns_car" not in _codes(2019, "52")
    (rule,) = [
        rule for rule in exclusion_rules(year=2020, province="52") if rule.code == "owns_car"
    ]
    assert rule.pk == back.pk


def test_a_new_version_replaces_the_rule_and_keeps_the_old_one(actor: Actor) -> None:
    # given
    (old,) = [rule for rule in exclusion_rules(year=2016) if rule.code == "hires_labour"]
    # when the nation confirms the rule with a source
    new = exclusion_rule_set(code="hires_labour", fact="hires_labour", year=None, province="",
                             active=True, actor=actor, verified=True, source="国开办发 test",
                             reason="confirmed")  # fmt: skip
    # then
    assert new.version == 2
    (current,) = [rule for rule in exclusion_rules(year=2016) if rule.code == "hires_labour"]
    assert current.pk == new.pk and current.verified
    old.refresh_from_db()
    assert old.version == 1 and not old.verified
    event = AuditEvent.objects.get(action="policy.exclusion_set")
    assert event.before["version"] == 1 and event.after["version"] == 2
    assert event.reason == "confirmed"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fact": "owns_yacht"}, "unknown fact"),
        ({"code": "Owns Car"}, "lowercase slug"),
        ({"province": "99"}, "not a province"),
        ({"year": 1800}, "plausible year"),
        ({"code": "no_such_rule", "active": False}, "to switch off"),
    ],
)
def test_bad_rule_changes_are_refused_and_write_nothing(
    villages: list[str], actor: Actor, changes: dict[str, object], message: str
) -> None:
    before = ExclusionRuleValue.objects.count()
    arguments: dict[str, object] = {
        "code": "owns_car", "fact": "owns_car", "year": None, "province": "", "active": True,
        "actor": actor, "verified": True, "source": "x", **changes,
    }  # fmt: skip
    with pytest.raises(PolicyError, match=message):
        exclusion_rule_set(**arguments)
    assert ExclusionRuleValue.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_policy_show_lists_the_rules_in_force_and_set_exclusion_changes_them(
    villages: list[str], national_office: str
) -> None:
    # when
    call_command("policy", "set-exclusion", "owns_car", "owns_car", "--province", "52",
                 "--off", "--source", "黔扶办 test", "--as", national_office,
                 stdout=StringIO())  # fmt: skip
    national, guizhou = StringIO(), StringIO()
    call_command("policy", "show", "--year", "2017", stdout=national)
    call_command("policy", "show", "--year", "2017", "--province", "52", stdout=guizhou)
    # then
    listing = national.getvalue().split("village exit indicators")[0]
    rules = {line.split()[0]: line for line in listing.splitlines() if line.startswith("  ")}
    assert sorted(rules) == SEEDED
    assert "拥有小汽车/非生产性机动车" in rules["owns_car"]
    assert "[unverified]" in rules["owns_car"] and "v1" in rules["owns_car"]
    assert "exclusion rules (X不评) in force: 12" in national.getvalue()
    assert "exclusion rules (X不评) in force: 11" in guizhou.getvalue()
    assert "owns_car" not in guizhou.getvalue()
    assert "0.03" in guizhou.getvalue()  # the parameters are still listed


def test_set_exclusion_refuses_an_unknown_fact_with_exit_code_2_and_writes_nothing(
    villages: list[str], national_office: str
) -> None:
    before = ExclusionRuleValue.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match="unknown fact") as bad:
        call_command("policy", "set-exclusion", "owns_boat", "owns_boat", "--source", "x",
                     "--as", national_office)  # fmt: skip
    assert bad.value.returncode == 2
    assert (ExclusionRuleValue.objects.count(), AuditEvent.objects.count()) == before


ROW_FIELDS = ("code", "year", "province", "version", "active", "fact")
Row = tuple[str, int | None, str, int, bool, str]
# Rule rows over a few codes and scopes; unique on (code, year, province, version) as the
# database requires.
rule_rows = st.lists(
    st.tuples(
        st.sampled_from(["rule_a", "rule_b", "rule_c"]),
        st.sampled_from([None, 2016, 2017]),
        st.sampled_from(["", "52", "53"]),
        st.integers(1, 4),
        st.booleans(),
        st.sampled_from(["owns_car", "town_house", "misconduct"]),
    ),
    max_size=24,
    unique_by=lambda row: row[:4],
)


def _expected(rows: list[Row], *, year: int, province: str) -> list[Row]:
    """The rule in force per code, computed plainly: among rows that apply, prefer the own
    province, then the own year, then the highest version; keep it if active."""

    def rank(row: Row) -> tuple[bool, bool, int]:
        return (row[2] != "", row[1] is not None, row[3])

    chosen: dict[str, Row] = {}
    for row in rows:
        applies = row[1] in (None, year) and row[2] in ("", province)
        if applies and (row[0] not in chosen or rank(row) > rank(chosen[row[0]])):
            chosen[row[0]] = row
    return [chosen[code] for code in sorted(chosen) if chosen[code][4]]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=rule_rows, seed=st.integers(0, 2**32 - 1))
def test_the_rule_in_force_does_not_depend_on_insertion_order(rows: list[Row], seed: int) -> None:
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    results: list[list[Row]] = []
    for order in (rows, shuffled):
        # Each order is inserted and read inside a savepoint that is then rolled back.
        with transaction.atomic():
            ExclusionRuleValue.objects.bulk_create(
                ExclusionRuleValue(
                    **dict(zip(ROW_FIELDS, row, strict=True)),
                    verified=True,
                    source="",
                    created_at=timezone.now(),
                )
                for row in order
            )
            results.append(
                [
                    tuple(getattr(rule, name) for name in ROW_FIELDS)
                    for rule in exclusion_rules(year=2016, province="52")
                    if rule.code.startswith("rule_")
                ]
            )
            transaction.set_rollback(True)
    assert results[0] == results[1] == _expected(rows, year=2016, province="52")


def test_the_fact_frame_and_the_rules_in_force_drive_the_rule_kernel(
    villages: list[str], actor: Actor
) -> None:
    # given four poor households of one village, three with exclusion facts in 2016
    facts = {"K1": [], "K2": ["owns_car"], "K3": ["owns_car", "payroll_member"],
             "K4": ["study_abroad"]}  # fmt: skip
    for number, held in facts.items():
        household = saved_household(number, villages[0])
        for fact in held:
            household_fact_set(household=household, year=2016, fact=fact, holds=True, note="",
                               actor=actor)  # fmt: skip
    # K4's fact is of the year before: it does not count in 2016
    household_fact_set(household=household, year=2016, fact="study_abroad", holds=False,
                       note="", actor=actor)  # fmt: skip
    household_fact_set(household=household, year=2015, fact="study_abroad", holds=True,
                       note="", actor=actor)  # fmt: skip
    incomes = pl.DataFrame(
        {
            "household_no": list(facts), "wage_income": [2000] * 4, "business_income": [0] * 4,
            "business_cost": [0] * 4, "property_income": [0] * 4, "transfer_income": [0] * 4,
            "household_size": [2] * 4, "food_ok": [True] * 4, "clothing_ok": [True] * 4,
            "housing_grade": ["B"] * 4, "relocated": [False] * 4, "water_ok": [True] * 4,
        }
    )  # fmt: skip
    members = pl.DataFrame(
        {
            "household_no": [number for number in facts for _ in range(2)],
            "birth_date": [date(1975, 5, 1)] * 8, "in_school": [False] * 8,
            "health": ["healthy"] * 8, "medical_insured": [True] * 8,
        }
    )  # fmt: skip

    def decide() -> dict[str, tuple[bool, str | None]]:
        line = policy_value("identification_line", year=2016, province="52").value
        policy = RulePolicy(
            identification_line=float(line), exit_line=float(line),
            exclusions=tuple(ExclusionRule(code=r.code, column=r.fact)
                             for r in exclusion_rules(year=2016, province="52")),
        )  # fmt: skip
        households = incomes.join(
            exclusion_fact_frame(year=2016, village_prefix=villages[0]), on="household_no"
        )
        result = household_eligibility(households, members, year=2016, policy=policy)
        return {row["household_no"]: (row["eligible"], row["excluded_by"])
                for row in result.iter_rows(named=True)}  # fmt: skip

    # when / then: under the seeded rules
    assert decide() == {
        "K1": (True, None),
        "K2": (False, "owns_car"),
        "K3": (False, "owns_car"),  # rules are tried in code order
        "K4": (True, None),
    }
    # when Guizhou switches the car rule off
    _switch(actor, "owns_car", active=False, province="52")
    # then
    assert decide() == {
        "K1": (True, None),
        "K2": (True, None),
        "K3": (False, "payroll_member"),
        "K4": (True, None),
    }


def test_exit_indicators_are_policy_data(villages: list[str], national_office: str) -> None:
    # given the seeded national village list, when Guizhou switches one off for 2019
    call_command("policy", "set-indicator", "village", "clinic", "--off", "--province", "52",
                 "--year", "2019", "--source", "黔扶办 test", "--as", national_office,
                 stdout=StringIO())  # fmt: skip
    # then it is gone there and then only, and the show command lists what is in force
    from fupin.policy.queries import exit_indicators

    codes = {y: [r.code for r in exit_indicators(level="village", year=y, province="52")]
             for y in (2018, 2019)}  # fmt: skip
    assert "clinic" in codes[2018] and "clinic" not in codes[2019]
    assert len(codes[2018]) == len(codes[2019]) + 1
    assert exit_indicators(level="county", year=2019, province="52") == []
    out = StringIO()
    call_command("policy", "show", "--year", "2019", "--province", "52", stdout=out)
    assert "village exit indicators (退出指标) in force: 4" in out.getvalue()
    with pytest.raises(CommandError) as bad:
        call_command("policy", "set-indicator", "town", "x", "--source", "x",
                     "--as", national_office)  # fmt: skip
    assert bad.value.returncode == 2
