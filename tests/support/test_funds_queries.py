"""Funds and projects, the reads: the reconciliation of a region's funds at every level
(资金对账), the flags (money idle or overspent), the project list, and who may read them.

The figures are worked out by hand from the allocations and payments of `funds`:

  centre -> 52        1,000,000 central (Mar 1)     52 own line    200,000 provincial (Mar 10)
  52 -> 5227            600,000 central (Apr 1)     52 -> 520121   300,000 provincial (Apr 1)
  5227 -> 522727        450,000 central (May 1)     5227 -> 522728 200,000 central (May 1)
  522727 own line        50,000 county (May 1)      centre -> 522727 80,000 sector, integrated (Jun 1)
  522727 pays a project 300,000 and households 2,000 + 1,000 (H1) and 3,000 (H2).

5227 passes down 650,000 of the 600,000 it received: overspent by 50,000.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.utils import timezone

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.policy.models import PolicyValue
from fupin.regions.models import Region
from fupin.support.funds.queries import funds_flags, funds_reconcile, months_before, project_list
from fupin.support.funds.services import (
    allocation_record,
    beneficiaries_add,
    disbursement_record,
    project_create,
    project_status_change,
)
from fupin.support.management.commands.funds import Command
from fupin.support.models import Project
from fupin.support.readers import OPERATOR
from tests.targeting.conftest import VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2018
# Regions beside the villages fixture's chain: a second county of 黔南州, and 贵阳市 with one
# of its counties that the province funds directly.
MORE_REGIONS = [("522728", "罗甸县", 3, "5227"), ("5201", "贵阳市", 2, "52"),
                ("520121", "开阳县", 3, "5201")]  # fmt: skip
D = Decimal


@dataclass
class Funds:
    project: Project
    posts: Posts


@pytest.fixture
def funds(posts: Posts) -> Funds:  # noqa: F811
    for code, name, level, parent in MORE_REGIONS:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent,
                              is_western=True, edition=2023)  # fmt: skip
    national, province, prefecture, county = (
        posts.national, posts.province, posts.prefecture, posts.county)  # fmt: skip
    for actor, giver, receiver, amount, source, on, extra in [
        (national, "", "52", "1000000", "central", date(YEAR, 3, 1), {}),
        (province, "52", "52", "200000", "provincial", date(YEAR, 3, 10), {}),
        (province, "52", "5227", "600000", "central", date(YEAR, 4, 1), {}),
        (province, "52", "520121", "300000", "provincial", date(YEAR, 4, 1), {}),
        (prefecture, "5227", "522727", "450000", "central", date(YEAR, 5, 1), {}),
        (prefecture, "5227", "522728", "200000", "central", date(YEAR, 5, 1), {}),
        (county, "522727", "522727", "50000", "county", date(YEAR, 5, 1), {}),
        (national, "", "522727", "80000", "sector", date(YEAR, 6, 1),
         {"department": "农业农村部", "integrated": True}),
        (national, "", "52", "5000", "central", date(YEAR + 1, 3, 1), {"year": YEAR + 1}),
    ]:  # fmt: skip
        allocation_record(**{"year": YEAR, **extra}, source=source, from_region_code=giver,
                          to_region_code=receiver, amount=D(amount), document_no="文号",
                          allocated_on=on, actor=actor)  # fmt: skip
    project = project_create(region_code=VILLAGE, year=YEAR, kind="infrastructure",
                             name="京舟村通组硬化路", budget=D("500000"), actor=county)  # fmt: skip
    project_status_change(project=project, to_status="approved", on=date(YEAR, 5, 5), actor=county)
    one, two = household_make("H1", status="registered"), household_make("H2", status="exited")
    beneficiaries_add(project=project, household_ids=[one.pk, two.pk], actor=county)
    for amount, project_paid, household in [("300000", project, None), ("2000", None, one),
                                            ("1000", None, one), ("3000", None, two)]:  # fmt: skip
        disbursement_record(year=YEAR, source="central", amount=D(amount),
                            paid_on=date(YEAR, 7, 1), project=project_paid, household=household,
                            actor=county)  # fmt: skip
    return Funds(project, posts)


def money(row: dict[str, Any], *names: str) -> tuple[Decimal, ...]:
    return tuple(row[name] for name in names)


FLOWS = ("received", "own_funds", "passed_out", "available")
SPENT = ("to_projects", "to_households", "disbursed", "undisbursed")


def test_a_county_reconciles_its_funds(funds: Funds) -> None:
    # when
    result = funds_reconcile(user=funds.posts.county.user, region="522727", year=YEAR,
                             on=date(YEAR + 1, 6, 30))  # fmt: skip
    # then: 450,000 from 5227 and 80,000 from the centre, 50,000 of its own
    assert money(result.total, *FLOWS) == (D(530000), D(50000), D(0), D(580000))
    assert money(result.total, *SPENT) == (D(300000), D(6000), D(306000), D(274000))
    assert result.total["households_paid"] == 2 and result.total["integrated"] == D(80000)
    assert result.parts == []
    assert money(result.node, "allocated", "passed_down", "disbursed") == (
        D(580000), D(0), D(306000))  # fmt: skip


def test_a_prefecture_shows_its_own_level_and_its_counties(funds: Funds) -> None:
    result = funds_reconcile(user=funds.posts.prefecture.user, region="5227", year=YEAR)
    parts = {part["code"]: part for part in result.parts}
    assert sorted(parts) == ["522700", "522727", "522728"]
    # its own level passed down 650,000 of the 600,000 it received
    assert parts["522700"]["own_level"] and not parts["522727"]["own_level"]
    assert money(parts["522700"], *FLOWS, "overspent") == (
        D(600000), D(0), D(650000), D(-50000), D(50000))  # fmt: skip
    assert money(parts["522728"], *FLOWS) == (D(200000), D(0), D(0), D(200000))
    # the whole prefecture: 600,000 from the province, 80,000 from the centre, 50,000 own
    assert money(result.total, *FLOWS) == (D(680000), D(50000), D(0), D(730000))
    assert sum(part["available"] for part in result.parts) == result.total["available"]


def test_a_province_and_the_nation_add_up(funds: Funds) -> None:
    province = funds_reconcile(user=funds.posts.province.user, region="52", year=YEAR)
    parts = {part["code"]: part for part in province.parts}
    assert sorted(parts) == ["5200", "5201", "5227"]
    assert money(parts["5200"], *FLOWS) == (D(1000000), D(200000), D(900000), D(300000))
    assert money(parts["5201"], *FLOWS) == (D(300000), D(0), D(0), D(300000))
    assert money(province.total, *FLOWS) == (D(1080000), D(250000), D(0), D(1330000))
    nation = funds_reconcile(user=funds.posts.national.user, region="", year=YEAR)
    # the centre keeps nothing: all it allocated is its own funds, passed down
    centre = {part["code"]: part for part in nation.parts}["00"]
    assert money(centre, *FLOWS) == (D(0), D(1080000), D(1080000), D(0))
    assert money(nation.total, *FLOWS) == (D(0), D(1330000), D(0), D(1330000))
    assert money(nation.total, "disbursed", "undisbursed") == (D(306000), D(1024000))


def test_money_is_idle_after_the_months_of_the_policy(funds: Funds) -> None:
    # given the seeded 12 months: on 2019-04-15 only what came by 2018-04-15 can be idle
    early = funds_flags(user=OPERATOR, region="52", year=YEAR, on=date(YEAR + 1, 4, 15))
    assert [(row["code"], row["idle"], row["overspent"]) for row in early] == [
        ("52", D(300000), D(0)), ("520121", D(300000), D(0)), ("5227", D(0), D(50000))]  # fmt: skip
    # when a year has passed for every allocation
    late = funds_flags(user=OPERATOR, region="52", year=YEAR, on=date(YEAR + 1, 6, 30))
    # then
    assert [(row["code"], row["idle"]) for row in late] == [
        ("52", D(300000)), ("520121", D(300000)), ("522727", D(274000)), ("522728", D(200000)),
        ("5227", D(0))]  # fmt: skip


def test_a_province_sets_its_own_idle_months(funds: Funds) -> None:
    # given: on 2018-07-15 nothing is idle by the national 12 months
    on = date(YEAR, 7, 15)
    before = funds_flags(user=OPERATOR, region="5227", year=YEAR, on=on)
    assert [(row["code"], row["idle"], row["overspent"]) for row in before] == [
        ("5227", D(0), D(50000))]  # fmt: skip
    # when the province counts money idle after one month
    PolicyValue.objects.create(name="fund_idle_months", year=None, province="52", version=1,
                               value=D(1), verified=False, created_at=timezone.now())  # fmt: skip
    flags = funds_flags(user=OPERATOR, region="5227", year=YEAR, on=on)
    # then whatever came by 2018-06-15 and was not spent is idle
    assert [(row["code"], row["idle"]) for row in flags] == [
        ("522727", D(274000)), ("522728", D(200000)), ("5227", D(0))]  # fmt: skip


def test_months_before_keeps_to_the_month_end() -> None:
    assert months_before(date(2019, 3, 31), 1) == date(2019, 2, 28)
    assert months_before(date(2019, 1, 15), 12) == date(2018, 1, 15)
    assert months_before(date(2019, 1, 15), 13) == date(2017, 12, 15)


def test_a_region_outside_the_readers_posts_reads_as_missing(funds: Funds) -> None:
    offices = funds.posts
    with pytest.raises(Http404):
        funds_reconcile(user=offices.county.user, region="5227", year=YEAR)
    with pytest.raises(Http404):
        funds_reconcile(user=offices.cadre.user, region="522727", year=YEAR)
    with pytest.raises(Http404):
        funds_flags(user=offices.province.user, region="", year=YEAR)
    with pytest.raises(Http404):
        funds_reconcile(user=offices.national.user, region="522727100", year=YEAR)
    inspected = funds_reconcile(user=offices.inspector.user, region="522727", year=YEAR)
    assert inspected.total["available"] == D(580000)


def test_a_region_without_funds_reconciles_to_zero(funds: Funds, actor: Actor) -> None:
    user = get_user_model().objects.create_user(username="kaiyang")
    grant_add(user=user, role="county", region_prefix="520121", actor=actor)
    result = funds_reconcile(user=user, region="520121", year=YEAR + 1)
    assert result.total["available"] == 0 and result.total["code"] == "520121"
    assert result.node["allocated"] == 0


def test_the_project_list_shows_payments_and_beneficiaries(funds: Funds) -> None:
    projects = list(project_list(user=funds.posts.county.user, region="522727", year=YEAR))
    assert [(p.pk, p.paid, p.households) for p in projects] == [(funds.project.pk, D(300000), 2)]
    assert list(project_list(user=funds.posts.cadre.user, region="")) == []
    assert list(project_list(user=OPERATOR, status="planned")) == []


# The command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(Command(), *args, stdout=out)
    return out.getvalue()


def test_the_command_reconciles_a_region(funds: Funds) -> None:
    out = run("reconcile", "--region", "5227", "--year", str(YEAR))
    lines = out.splitlines()
    assert lines[0].startswith("5227 黔南布依族苗族自治州 2018")
    assert "730,000.00" in lines[2]  # the total available
    assert any(line.startswith("522700 本级") and "-50,000.00" in line for line in lines)
    assert any(line.startswith("522727 平塘县") and "300,000.00" in line and "274,000.00" in line
               for line in lines)  # fmt: skip
    assert "passed down 650,000.00" in lines[-1]


def test_the_command_lists_flags_and_projects_as_a_user(funds: Funds) -> None:
    out = run("flags", "--region", "522727", "--year", str(YEAR), "--on", "2019-06-30",
              "--as", "county")  # fmt: skip
    assert "522727" in out and "274,000.00" in out and "1 region(s) flagged" in out
    out = run("projects", "--region", "522727", "--as", "county")
    assert "京舟村通组硬化路" in out and "paid 300,000.00" in out and "1 project(s)" in out


def test_the_command_refuses_a_region_outside_the_users_posts(funds: Funds) -> None:
    with pytest.raises(CommandError, match="no funds for 52 here"):
        run("reconcile", "--region", "52", "--year", str(YEAR), "--as", "county")
    with pytest.raises(CommandError, match="a code prefix"):
        run("flags", "--region", "52x", "--year", str(YEAR))
