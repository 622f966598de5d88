"""Funds and projects (扶贫资金和项目): allocations down the levels, a county's payments to
projects and households, and the projects with the households they benefit.

An allocation moves money from one level to a region below it (the centre is the blank
code); one whose giver and receiver are the same region is that region's own budget line
(本级安排). Only a county pays out (`Disbursement`), to one of its projects or directly to a
household, so what reached households can be counted and reconciled with what was
allocated (`fupin.support.funds.kernels`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThan, In

from fupin.core.choices import Role
from fupin.core.fields import CodeField
from fupin.core.rules import OFFICES, AccessRule
from fupin.registry.models import Household
from fupin.support.choices import FundSource, ProjectKind, ProjectStatus
from fupin.support.models.ledger import Measure

# Offices and inspectors read the funds of their region; offices of the four levels that
# hold budgets allocate; the county, which pays, keeps projects and payments.
FUND_READERS = OFFICES | frozenset({Role.INSPECTOR})
FUND_OFFICES = frozenset({Role.NATIONAL, Role.PROVINCE, Role.PREFECTURE, Role.COUNTY})
COUNTY_OFFICE = frozenset({Role.COUNTY})


def _recorded_by() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip


class Allocation(models.Model):
    """Funds one level allocates (资金下达) to a region below it, or a region's own budget
    line (本级安排) when giver and receiver are the same region."""

    ACCESS = AccessRule("to_region_code", view=FUND_READERS, change=FUND_OFFICES)

    year = models.PositiveSmallIntegerField(help_text="the budget year the funds belong to")
    source = models.CharField(max_length=12, choices=FundSource.choices)
    from_region_code = CodeField(
        max_length=6, blank=True, help_text="who allocates: blank for the centre"
    )
    to_region_code = CodeField(max_length=6, help_text="the province, prefecture or county")
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="in yuan")
    document_no = models.CharField(max_length=100, help_text="the allocating document (文号)")
    allocated_on = models.DateField()
    department = models.CharField(
        max_length=50, blank=True, help_text="the line department of sector funds"
    )
    integrated = models.BooleanField(
        default=False, help_text="merged into the county's integrated funds (统筹整合)"
    )
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["to_region_code", "year"], name="allocation_to_year"),
            models.Index(fields=["from_region_code", "year"], name="allocation_from_year"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(source__in=FundSource.values), name="allocation_source_known"
            ),
            models.CheckConstraint(
                condition=In(Length("to_region_code"), [2, 4, 6]), name="allocation_to_level"
            ),
            models.CheckConstraint(
                condition=In(Length("from_region_code"), [0, 2, 4, 6]),
                name="allocation_from_level",
            ),
            # Money goes down the tree, or stays in a region as its own budget line.
            models.CheckConstraint(
                condition=Q(to_region_code__startswith=F("from_region_code"))
                & (
                    Q(to_region_code=F("from_region_code"))
                    | Q(GreaterThan(Length("to_region_code"), Length("from_region_code")))
                ),
                name="allocation_goes_down",
            ),
            models.CheckConstraint(
                condition=Q(source=FundSource.SECTOR, department__gt="")
                | (~Q(source=FundSource.SECTOR) & Q(department="")),
                name="allocation_sector_names_department",
            ),
            models.CheckConstraint(
                condition=Q(integrated=False) | Q(Exact(Length("to_region_code"), 6)),
                name="allocation_integrated_in_county",
            ),
        ]

    def __str__(self) -> str:
        giver = self.from_region_code or "centre"
        return f"{self.year} {self.source} {giver} -> {self.to_region_code}: {self.amount}"


class Project(models.Model):
    """A poverty-alleviation project (扶贫项目) of a county's project bank (项目库), in one
    village or county-wide."""

    ACCESS = AccessRule("region_code", view=FUND_READERS, change=COUNTY_OFFICE)

    region_code = CodeField(max_length=12, help_text="its village, or its county if county-wide")
    year = models.PositiveSmallIntegerField(help_text="the plan year of the project bank")
    kind = models.CharField(max_length=16, choices=ProjectKind.choices)
    name = models.CharField(max_length=200)
    budget = models.DecimalField(max_digits=14, decimal_places=2, help_text="in yuan")
    status = models.CharField(
        max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED,
        help_text="cached from the latest status change",
    )  # fmt: skip
    approved_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    created_by = _recorded_by()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["region_code", "year"], name="project_region_year")]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=In(Length("region_code"), [6, 12]), name="project_in_county_or_village"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProjectKind.values), name="project_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region_code}, {self.year})"

    @property
    def county_code(self) -> str:
        return self.region_code[:6]


class ProjectTransition(models.Model):
    """One step of a project's status (项目状态变更): from, to, on which day, why."""

    ACCESS = AccessRule("project__region_code", view=FUND_READERS, change=COUNTY_OFFICE)

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "to_status"], name="project_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_status} -> {self.to_status} on {self.on}"


class ProjectBeneficiary(models.Model):
    """A household a project benefits (项目受益户)."""

    ACCESS = AccessRule("household__village_id", view=FUND_READERS, change=COUNTY_OFFICE)

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="beneficiaries")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="project_benefits"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"], name="project_beneficiary_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} benefits from {self.project_id}"


class Disbursement(models.Model):
    """One payment (资金支出) out of a county's funds to one of its projects or directly to
    a household, with the ledger measure it paid when there is one."""

    ACCESS = AccessRule("region_code", view=FUND_READERS, change=COUNTY_OFFICE)

    year = models.PositiveSmallIntegerField(help_text="the budget year of the funds spent")
    source = models.CharField(max_length=12, choices=FundSource.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="in yuan")
    paid_on = models.DateField()
    region_code = CodeField(
        max_length=12,
        help_text="the household's village or the project's place; its county pays",
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="disbursements"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="disbursements"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="disbursements"
    )
    voucher_no = models.CharField(max_length=50, blank=True, help_text="the payment voucher")
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["region_code", "year"], name="disbursement_region_year")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            models.CheckConstraint(
                condition=Q(source__in=FundSource.values), name="disbursement_source_known"
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=False, household__isnull=True, measure__isnull=True)
                | Q(project__isnull=True, household__isnull=False),
                name="disbursement_project_or_household",
            ),
            models.CheckConstraint(
                condition=In(Length("region_code"), [6, 12]), name="disbursement_place_level"
            ),
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(measure__isnull=False),
                name="disbursement_pays_measure_once",
            ),
        ]

    def __str__(self) -> str:
        payee = (
            f"project {self.project_id}" if self.project_id else f"household {self.household_id}"
        )
        return f"{self.year} {self.amount} to {payee}"
