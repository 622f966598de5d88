"""Households, members, composition events, yearly assessments, status transitions and
the yearly exclusion facts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fupin.core.choices import Department
from fupin.core.fields import CodeField
from fupin.core.rules import KEEPERS, READERS, AccessRule, paired
from fupin.regions.models import Region
from fupin.registry.choices import (
    Category,
    Cause,
    Education,
    ExclusionFactKind,
    Health,
    HouseholdStatus,
    HousingGrade,
    Labor,
    MemberEventKind,
    Relation,
    Sex,
)


class Household(models.Model):
    """A rural household (农户) in the registry, poor or not; its status says which."""

    ACCESS = AccessRule("village_id", view=READERS, change=KEEPERS, own=paired("pk"))

    # Uniqueness is a Meta constraint, not unique=True, so PostgreSQL gets no second
    # (varchar_pattern_ops) index on it; the village is indexed by (village, status).
    household_no = CodeField(max_length=32)
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        db_column="village_code",
        related_name="households",
        db_index=False,
    )
    status = models.CharField(
        max_length=16,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.NOT_REGISTERED,
        help_text="cached from the latest status transition",
    )
    category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    main_cause = models.CharField(max_length=12, choices=Cause.choices, blank=True)
    second_cause = models.CharField(max_length=12, choices=Cause.choices, blank=True)
    third_cause = models.CharField(max_length=12, choices=Cause.choices, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    bank_account = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["village", "status"], name="household_village_status")]
        constraints = [
            models.UniqueConstraint(fields=["household_no"], name="household_no_unique"),
            models.CheckConstraint(
                condition=Q(second_cause="") | ~Q(second_cause=models.F("main_cause")),
                name="second_cause_differs_from_main",
            ),
            models.CheckConstraint(
                condition=Q(third_cause="")
                | (
                    ~Q(third_cause=models.F("main_cause"))
                    & ~Q(third_cause=models.F("second_cause"))
                ),
                name="third_cause_differs",
            ),
        ]

    def __str__(self) -> str:
        return self.household_no


class Member(models.Model):
    """A person in a household (家庭成员); inactive once they die or leave."""

    ACCESS = AccessRule("household__village_id", view=READERS, change=KEEPERS, own=paired())

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(max_length=50)
    id_number = CodeField(max_length=18)
    relation = models.CharField(max_length=12, choices=Relation.choices)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField()
    ethnicity = models.CharField(max_length=20)
    education = models.CharField(max_length=12, choices=Education.choices, blank=True)
    in_school = models.BooleanField(default=False)
    health = models.CharField(max_length=10, choices=Health.choices)
    labor = models.CharField(max_length=10, choices=Labor.choices, blank=True)
    migrant_months = models.PositiveSmallIntegerField(default=0)
    medical_insured = models.BooleanField(null=True)
    critical_illness_insured = models.BooleanField(null=True)
    pension_insured = models.BooleanField(null=True)
    is_active = models.BooleanField(default=True, help_text="cached: no leaving event recorded")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=Q(is_active=True), name="active_id_number_unique"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head", is_active=True),
                name="one_head_per_household",
            ),
            models.CheckConstraint(
                condition=Q(migrant_months__lte=12), name="migrant_months_at_most_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class MemberEvent(models.Model):
    """A dated change in a household's composition (人口自然增减): birth, death, marriage, move."""

    ACCESS = AccessRule("member__household__village_id", view=READERS, change=KEEPERS)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    household = models.ForeignKey(  # indexed by (household, date)
        Household, on_delete=models.PROTECT, related_name="member_events", db_index=False
    )
    kind = models.CharField(max_length=12, choices=MemberEventKind.choices)
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["household", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.member_id}"


class Assessment(models.Model):
    """One household's facts for one year (年度信息采集): previous-year income and indicators."""

    ACCESS = AccessRule("household__village_id", view=READERS, change=KEEPERS, own=paired())

    # Indexed by the (household, year) unique constraint.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="assessments", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    wage_income = models.BigIntegerField(help_text="yuan")
    business_income = models.BigIntegerField(help_text="yuan")
    business_cost = models.BigIntegerField(help_text="yuan")
    property_income = models.BigIntegerField(help_text="yuan")
    transfer_income = models.BigIntegerField(help_text="yuan")
    household_size = models.PositiveSmallIntegerField()
    net_income_per_capita = models.DecimalField(max_digits=12, decimal_places=2)
    food_ok = models.BooleanField()
    clothing_ok = models.BooleanField()
    education_ok = models.BooleanField()
    medical_ok = models.BooleanField()
    housing_grade = models.CharField(max_length=1, choices=HousingGrade.choices)
    water_ok = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="one_assessment_per_year"),
            models.CheckConstraint(
                condition=Q(wage_income__gte=0)
                & Q(business_income__gte=0)
                & Q(business_cost__gte=0)
                & Q(property_income__gte=0)
                & Q(transfer_income__gte=0),
                name="income_components_not_negative",
            ),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="household_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"


class StatusTransition(models.Model):
    """A change of a household's register status (from, to, reason, year); the status's source."""

    ACCESS = AccessRule("household__village_id", view=READERS, own=paired())

    household = models.ForeignKey(  # indexed by (household, date)
        Household, on_delete=models.PROTECT, related_name="transitions", db_index=False
    )
    from_status = models.CharField(max_length=16, choices=HouseholdStatus.choices)
    to_status = models.CharField(max_length=16, choices=HouseholdStatus.choices)
    year = models.PositiveSmallIntegerField()
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    case_ref = models.CharField(max_length=64, blank=True, help_text="the procedure case, if any")

    class Meta:
        indexes = [models.Index(fields=["household", "date"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.from_status}->{self.to_status} {self.year}"


class HouseholdFact(models.Model):
    """An exclusion fact (不评情形) that holds for a household in a year.

    Sparse: the row's presence means the fact holds that year, its absence that it does
    not; the exclusion rules that read the facts are policy data.
    """

    ACCESS = AccessRule("household__village_id", view=READERS, change=KEEPERS, own=paired())

    # Indexed by the (household, year, fact) unique constraint.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="facts", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    fact = models.CharField(max_length=32, choices=ExclusionFactKind.choices)
    note = models.CharField(max_length=200, blank=True, help_text="what shows the fact")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "fact"], name="one_fact_per_household_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.fact}"


class IndicatorConfirmation(models.Model):
    """A line department's confirmation (部门确认) of its own indicator for a household in a
    year: who confirmed which value, when, from what (a page, a file), and what it replaced."""

    ACCESS = AccessRule("household__village_id", view=READERS, change=frozenset({"department"}))

    # Indexed by the (household, year, department) unique constraint.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="confirmations", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    department = models.CharField(max_length=16, choices=Department.choices)
    indicator = models.CharField(max_length=32, help_text="the register field it confirms")
    value = models.CharField(max_length=16, help_text="the stored slug: yes/no, A-D, a category")
    previous = models.CharField(max_length=16, blank=True, help_text="the value it replaced")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    confirmed_by_label = models.CharField(max_length=150)
    confirmed_at = models.DateTimeField()
    source = models.CharField(max_length=200, blank=True, help_text="page, or file and hash")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "department"],
                name="one_confirmation_per_department_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.department}={self.value}"
