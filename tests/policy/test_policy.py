"""Policy as data: seeded official figures, most specific value wins, versions never rewritten."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.policy.models import PolicyValue
from fupin.policy.queries import PolicyMissing, policy_value
from fupin.policy.services import PolicyError, policy_set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "year", "province", "expected", "verified"),
    [
        ("identification_line", 2015, "", "2855", True),
        ("identification_line", 2016, "52", "2952", True),
        ("identification_line", 2018, "", "2995", False),
        ("identification_line", 2020, "", "4000", True),
        ("exit_line", 2019, "", "3747", False),
        ("village_exit_incidence", 2018, "33", "0.02", True),
        ("village_exit_incidence", 2018, "52", "0.03", True),
        ("county_exit_incidence", 2016, "65", "0.03", True),
        ("monitoring_factor", 2021, "", "1.5", True),
        ("notice_days", 2017, "", "7", False),
    ],
)
def test_official_figures_are_seeded_and_flagged(
    name: str, year: int, province: str, expected: str, verified: bool
) -> None:
    row = policy_value(name, year=year, province=province)
    assert row.value == Decimal(expected)
    assert row.verified is verified
    assert row.source


def test_a_missing_value_is_an_error_not_a_guess() -> None:
    with pytest.raises(PolicyMissing):
        policy_value("identification_line", year=2009)


def test_a_province_value_overrides_the_national_one_for_that_province_only(
    villages: list[str], actor: Actor
) -> None:
    # when Guizhou sets its own line for 2016
    policy_set(name="identification_line", value=Decimal(3000), year=2016, province="52",
               actor=actor, verified=True, source="黔府发 test")  # fmt: skip
    # then
    assert policy_value("identification_line", year=2016, province="52").value == 3000
    assert policy_value("identification_line", year=2016, province="53").value == 2952
    assert policy_value("identification_line", year=2016).value == 2952


def test_setting_adds_a_version_and_keeps_the_old_one(actor: Actor) -> None:
    # given the version a past decision used
    used = policy_value("notice_days", year=2016)
    # when
    new = policy_set(name="notice_days", value=Decimal(5), year=None, province="",
                     actor=actor, verified=True, source="县扶贫办通知")  # fmt: skip
    # then
    assert new.version == used.version + 1
    assert policy_value("notice_days", year=2016).value == 5
    used.refresh_from_db()
    assert used.value == 7
    event = AuditEvent.objects.get(action="policy.set")
    assert event.before["value"] == "7.0000" and event.after["value"] == "5"


def test_bad_changes_are_refused(actor: Actor) -> None:
    with pytest.raises(PolicyError, match="unknown parameter"):
        policy_set(name="poverty", value=Decimal(1), year=2016, province="", actor=actor,
                   verified=True, source="x")  # fmt: skip
    with pytest.raises(PolicyError, match="negative"):
        policy_set(name="exit_line", value=Decimal(-1), year=2016, province="", actor=actor,
                   verified=True, source="x")  # fmt: skip
    with pytest.raises(PolicyError, match="not a province"):
        policy_set(name="exit_line", value=Decimal(1), year=2016, province="99", actor=actor,
                   verified=True, source="x")  # fmt: skip
    assert AuditEvent.objects.count() == 0


def test_policy_show_and_set_commands(national_office: str) -> None:
    # when
    call_command("policy", "set", "exit_line", "3400", "--year", "2017", "--source", "test",
                 "--as", national_office)  # fmt: skip
    out = StringIO()
    call_command("policy", "show", "--year", "2017", stdout=out)
    # then
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()}
    assert "3400" in lines["exit_line"] and "v2" in lines["exit_line"]
    assert "[unverified]" in lines["identification_line"]
    assert "0.02" in lines["village_exit_incidence"]
    with pytest.raises(CommandError) as bad:
        call_command("policy", "set", "exit_line", "lots", "--source", "x", "--as", national_office)
    assert bad.value.returncode == 2


@pytest.mark.parametrize("who", ["nobody", "county-office"])
def test_only_the_national_office_sets_policy(who: str, villages: list[str], actor: Actor) -> None:
    # given a county office's user, and no user at all
    from django.contrib.auth import get_user_model

    from fupin.core.access import grant_add

    county = get_user_model().objects.create_user(username="county-office")
    grant_add(user=county, role="county", region_prefix="522727", actor=actor)
    before = PolicyValue.objects.count(), AuditEvent.objects.count()
    # when either tries to set a line
    with pytest.raises(CommandError) as refused:
        call_command("policy", "set", "exit_line", "3400", "--year", "2017", "--source", "x",
                     "--as", who)  # fmt: skip
    # then it is refused with exit code 2 and nothing is written
    assert refused.value.returncode == 2
    assert (PolicyValue.objects.count(), AuditEvent.objects.count()) == before
    with pytest.raises(PolicyError, match="national"):
        policy_set(name="exit_line", value=Decimal(1), year=2017, province="",
                   actor=Actor.of(county), verified=True, source="x")  # fmt: skip
