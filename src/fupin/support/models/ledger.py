"""The assistance ledger (帮扶台账): every support measure a household received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fupin.core.choices import Role
from fupin.core.rules import KEEPERS, READERS, AccessRule, paired
from fupin.registry.models import Household
from fupin.support.choices import MeasureForm, MeasureType, ProviderKind

# A line department records the measures it provides itself (its bulk entry by file).
MEASURE_KEEPERS = KEEPERS | frozenset({Role.DEPARTMENT})


class Measure(models.Model):
    """One support measure (帮扶措施) a household received in a year, as money or in kind.

    `fund` and `project` name where the measure came from as plain text until the funds
    and projects slice gives them their own tables (issue 6 section 2); they will then be
    matched to those rows, not replaced by hand.
    """

    ACCESS = AccessRule(
        "household__village_id", view=READERS, change=MEASURE_KEEPERS, own=paired("household_id")
    )

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="measures")
    year = models.PositiveSmallIntegerField(help_text="the support year the measure counts for")
    given_on = models.DateField()
    measure_type = models.CharField(max_length=16, choices=MeasureType.choices)
    description = models.CharField(max_length=200)
    form = models.CharField(max_length=8, choices=MeasureForm.choices)
    value = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="in yuan; for in-kind measures, their worth"
    )
    provider_kind = models.CharField(max_length=12, choices=ProviderKind.choices)
    provider_name = models.CharField(max_length=100)
    fund = models.CharField(max_length=100, blank=True, help_text="the fund, as text for now")
    project = models.CharField(max_length=100, blank=True, help_text="the project, as text for now")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["household", "year", "measure_type"], name="measure_household_year"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="measure_value_not_negative"),
            models.CheckConstraint(
                condition=Q(form__in=MeasureForm.values), name="measure_form_known"
            ),
            models.CheckConstraint(
                condition=Q(measure_type__in=MeasureType.values), name="measure_type_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_type} for {self.household_id} in {self.year}"
