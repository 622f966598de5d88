"""Funds and projects (扶贫资金和项目), the writes: allocations down the levels, a county's
payments, projects and their steps, beneficiaries; each with its audit event, each refusal
with its stable code and nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.registry.models import Household
from fupin.support.funds.services import (
    FundsError,
    allocation_record,
    beneficiaries_add,
    disbursement_record,
    project_create,
    project_status_change,
)
from fupin.support.models import Allocation, Disbursement, Project, ProjectBeneficiary
from fupin.support.services import measure_record
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2018


def allocate(actor: Actor, giver: str, receiver: str, amount: str, **override: Any) -> Allocation:
    fields: dict[str, Any] = {
        "year": YEAR, "source": "central", "from_region_code": giver,
        "to_region_code": receiver, "amount": Decimal(amount), "document_no": "财农〔2018〕1号",
        "allocated_on": date(YEAR, 3, 1), "actor": actor, **override,
    }  # fmt: skip
    return allocation_record(**fields)


def approved_project(posts: Posts, budget: str = "500000", region: str = VILLAGE) -> Project:  # noqa: F811
    project = project_create(region_code=region, year=YEAR, kind="infrastructure",
                             name="京舟村通组硬化路", budget=Decimal(budget), actor=posts.county)  # fmt: skip
    return project_status_change(project=project, to_status="approved", on=date(YEAR, 4, 1),
                                 actor=posts.county)  # fmt: skip


# Allocations


def test_the_centre_allocates_to_a_province_with_its_audit_event(posts: Posts) -> None:  # noqa: F811
    # when
    allocation = allocate(posts.national, "", "52", "1200000.50")
    # then
    allocation.refresh_from_db()
    assert (allocation.from_region_code, allocation.to_region_code, allocation.amount) == (
        "", "52", Decimal("1200000.50"))  # fmt: skip
    assert allocation.recorded_by_id == posts.national.user.pk
    event = AuditEvent.objects.get(action="allocation.record")
    assert event.region_code == "52" and event.after["amount"] == "1200000.50"


def test_own_funds_and_integrated_sector_funds_of_a_county(posts: Posts) -> None:  # noqa: F811
    own = allocate(posts.county, "522727", "522727", "300000", source="county")
    sector = allocate(posts.province, "52", "522727", "800000", source="sector",
                      department="省交通运输厅", integrated=True)  # fmt: skip
    assert own.from_region_code == own.to_region_code == "522727"
    assert (sector.department, sector.integrated) == ("省交通运输厅", True)
    assert Allocation.objects.count() == 2


@pytest.mark.parametrize(
    ("giver", "receiver", "override", "code"),
    [
        ("522727", "52", {}, "direction_invalid"),
        ("5227", "5227", {}, "source_not_here"),  # central funds are never a budget line
        ("", "52", {"source": "provincial"}, "source_not_here"),
        ("52", "522727", {"source": "county"}, "source_not_here"),
        ("52", "522727", {"source": "sector"}, "department_invalid"),
        ("", "52", {"department": "财政部"}, "department_invalid"),
        ("", "52", {"integrated": True}, "integrated_outside_county"),
        ("", "53", {}, "region_unknown"),
        ("", "5227271", {}, "region_invalid"),
        ("", "52", {"amount": Decimal("1.005")}, "amount_invalid"),
        ("", "52", {"amount": Decimal("0")}, "amount_invalid"),
        ("", "52", {"amount": Decimal("1e13")}, "amount_invalid"),
        ("", "52", {"document_no": " "}, "document_missing"),
        ("", "52", {"allocated_on": date(2016, 12, 1)}, "date_invalid"),
        ("", "52", {"year": 2012, "allocated_on": date(2012, 3, 1)}, "year_out_of_range"),
    ],
)
def test_a_bad_allocation_is_refused_and_nothing_written(
    posts: Posts,  # noqa: F811
    giver: str,
    receiver: str,
    override: dict[str, Any],
    code: str,
) -> None:
    amount = str(override.pop("amount", Decimal("1000")))
    with pytest.raises(FundsError) as refused:
        allocate(posts.national, giver, receiver, amount, **override)
    assert refused.value.code == code
    assert not Allocation.objects.exists()
    assert not AuditEvent.objects.filter(action="allocation.record").exists()


def test_an_allocation_dated_tomorrow_is_refused(posts: Posts) -> None:  # noqa: F811
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(FundsError, match="not in the future"):
        allocate(posts.national, "", "52", "10", year=tomorrow.year, allocated_on=tomorrow)


def test_funds_are_allocated_by_the_office_that_gives_them(posts: Posts) -> None:  # noqa: F811
    with pytest.raises(FundsError) as refused:
        allocate(posts.county, "52", "522727", "1000")
    assert refused.value.code == "role_not_allowed"
    allocate(posts.province, "52", "522727", "1000")
    allocate(posts.prefecture, "5227", "522727", "1000")
    assert Allocation.objects.count() == 2


def test_the_database_keeps_money_going_down(posts: Posts) -> None:  # noqa: F811
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(year=YEAR, source="central", from_region_code="522727",
                                  to_region_code="52", amount=1, document_no="x",
                                  allocated_on=date(YEAR, 1, 1), recorded_at=now)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(year=YEAR, source="sector", from_region_code="",
                                  to_region_code="52", amount=1, document_no="x",
                                  allocated_on=date(YEAR, 1, 1), recorded_at=now)  # fmt: skip


# Projects


def test_a_project_moves_one_step_at_a_time(posts: Posts) -> None:  # noqa: F811
    # given
    project = project_create(region_code=VILLAGE, year=YEAR, kind="industry", name="食用菌大棚",
                             budget=Decimal("260000"), actor=posts.county)  # fmt: skip
    assert project.status == "planned"
    # when a step is skipped
    with pytest.raises(FundsError) as refused:
        project_status_change(project=project, to_status="under_construction",
                              on=date(YEAR, 4, 1), actor=posts.county)  # fmt: skip
    assert refused.value.code == "step_invalid"
    # when the steps are taken in order
    for status, on in (("approved", date(YEAR, 4, 1)), ("under_construction", date(YEAR, 5, 2)),
                       ("completed", date(YEAR, 10, 9)), ("accepted", date(YEAR, 11, 20))):  # fmt: skip
        project_status_change(project=project, to_status=status, on=on, actor=posts.county)
    # then
    project.refresh_from_db()
    assert (project.status, project.approved_on, project.started_on, project.completed_on,
            project.accepted_on) == ("accepted", date(YEAR, 4, 1), date(YEAR, 5, 2),
                                     date(YEAR, 10, 9), date(YEAR, 11, 20))  # fmt: skip
    assert list(project.transitions.order_by("on").values_list("to_status", flat=True)) == [
        "approved", "under_construction", "completed", "accepted"]  # fmt: skip
    assert AuditEvent.objects.filter(action="project.status_change").count() == 4


def test_a_step_before_the_last_one_is_refused(posts: Posts) -> None:  # noqa: F811
    project = approved_project(posts)
    with pytest.raises(FundsError) as refused:
        project_status_change(project=project, to_status="under_construction",
                              on=date(YEAR, 3, 1), actor=posts.county)  # fmt: skip
    assert refused.value.code == "date_invalid"
    assert Project.objects.get().status == "approved"


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"region_code": "522727100"}, "region_invalid"),  # a township
        ({"region_code": "522728"}, "region_invalid"),  # unknown
        ({"kind": "lottery"}, "kind_unknown"),
        ({"name": ""}, "name_invalid"),
        ({"budget": Decimal("-1")}, "amount_invalid"),
    ],
)
def test_a_bad_project_is_refused(posts: Posts, override: dict[str, Any], code: str) -> None:  # noqa: F811
    fields: dict[str, Any] = {"region_code": "522727", "year": YEAR, "kind": "public_services",
                              "name": "县医院扩建", "budget": Decimal("1"), **override}  # fmt: skip
    with pytest.raises(FundsError) as refused:
        project_create(**fields, actor=posts.county)
    assert refused.value.code == code
    assert not Project.objects.exists()


def test_projects_are_kept_by_the_county_office(posts: Posts) -> None:  # noqa: F811
    with pytest.raises(FundsError) as refused:
        project_create(region_code=VILLAGE, year=YEAR, kind="industry", name="茶园",
                       budget=Decimal("1"), actor=posts.township)  # fmt: skip
    assert refused.value.code == "role_not_allowed"


# Beneficiaries


def test_beneficiaries_are_added_set_wise_and_once(posts: Posts) -> None:  # noqa: F811
    # given
    project = approved_project(posts)
    one, two, three = (household_make(f"H{n}", status="registered") for n in (1, 2, 3))
    # when
    first = beneficiaries_add(project=project, household_ids=[one.pk, two.pk], actor=posts.county)
    second = beneficiaries_add(project=project, household_ids=[two.pk, three.pk, three.pk],
                               actor=posts.county)  # fmt: skip
    # then
    assert (first, second) == (2, 1)
    assert set(ProjectBeneficiary.objects.values_list("household_id", flat=True)) == {
        one.pk, two.pk, three.pk}  # fmt: skip
    events = AuditEvent.objects.filter(action="project.beneficiaries_add").order_by("id")
    assert [event.after["households"] for event in events] == [[one.pk, two.pk], [three.pk]]


def test_beneficiaries_outside_the_project_or_unknown_are_refused(posts: Posts) -> None:  # noqa: F811
    project = approved_project(posts)  # in VILLAGE
    here, there = household_make("H1"), household_make("H2", village=OTHER_VILLAGE)
    with pytest.raises(FundsError) as refused:
        beneficiaries_add(project=project, household_ids=[here.pk, there.pk], actor=posts.county)
    assert refused.value.code == "outside_project"
    with pytest.raises(FundsError) as refused:
        beneficiaries_add(project=project, household_ids=[here.pk, 999_999], actor=posts.county)
    assert refused.value.code == "household_unknown"
    assert not ProjectBeneficiary.objects.exists()


# Payments


def test_a_project_is_paid_once_approved(posts: Posts) -> None:  # noqa: F811
    planned = project_create(region_code="522727", year=YEAR, kind="infrastructure",
                             name="县城污水管网", budget=Decimal("1"), actor=posts.county)  # fmt: skip
    with pytest.raises(FundsError) as refused:
        disbursement_record(year=YEAR, source="central", amount=Decimal("100"),
                            paid_on=date(YEAR, 6, 1), project=planned, actor=posts.county)  # fmt: skip
    assert refused.value.code == "project_not_approved"
    project = approved_project(posts)
    payment = disbursement_record(year=YEAR, source="central", amount=Decimal("120000"),
                                  paid_on=date(YEAR, 6, 1), project=project, actor=posts.county,
                                  voucher_no="记-0612")  # fmt: skip
    assert (payment.region_code, payment.project_id, payment.household_id) == (
        VILLAGE, project.pk, None)  # fmt: skip
    assert AuditEvent.objects.get(action="disbursement.record").after["project"] == project.pk


def test_a_household_payment_names_the_measure_it_paid(posts: Posts) -> None:  # noqa: F811
    # given
    household = household_make("H1", status="registered")
    other = household_make("H2", status="registered")
    measure = measure_record(household=household, year=YEAR, given_on=date(YEAR, 5, 10),
                             measure_type="industry", description="种养殖奖补", form="money",
                             value=Decimal("2000"), provider_kind="department",
                             provider_name="平塘县农业农村局", actor=posts.cadre)  # fmt: skip

    def pay(to: Household, **extra: Any) -> Disbursement:
        return disbursement_record(year=YEAR, source="provincial", amount=Decimal("2000"),
                                   paid_on=date(YEAR, 5, 12), household=to, actor=posts.county,
                                   **extra)  # fmt: skip

    # when
    with pytest.raises(FundsError) as refused:
        pay(other, measure=measure)
    assert refused.value.code == "measure_other_household"
    payment = pay(household, measure=measure)
    # then
    assert (payment.region_code, payment.measure_id) == (VILLAGE, measure.pk)
    with pytest.raises(FundsError) as refused:
        pay(household, measure=measure)
    assert refused.value.code == "measure_paid_already"
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"status": "not_registered"}, "not_on_register"),
        ({"paid_on": date(2017, 12, 31)}, "date_invalid"),
        ({"source": "lottery"}, "source_unknown"),
        ({"amount": Decimal("-5")}, "amount_invalid"),
    ],
)
def test_a_bad_payment_is_refused(posts: Posts, override: dict[str, Any], code: str) -> None:  # noqa: F811
    household = household_make("H1", status=override.pop("status", "registered"))
    fields: dict[str, Any] = {"year": YEAR, "source": "central", "amount": Decimal("50"),
                              "paid_on": date(YEAR, 7, 1), **override}  # fmt: skip
    with pytest.raises(FundsError) as refused:
        disbursement_record(**fields, household=household, actor=posts.county)
    assert refused.value.code == code
    assert not Disbursement.objects.exists()


def test_payments_are_recorded_by_the_county_office(posts: Posts) -> None:  # noqa: F811
    household = household_make("H1", status="registered")
    with pytest.raises(FundsError) as refused:
        disbursement_record(year=YEAR, source="central", amount=Decimal("50"),
                            paid_on=date(YEAR, 7, 1), household=household, actor=posts.cadre)  # fmt: skip
    assert refused.value.code == "role_not_allowed"
