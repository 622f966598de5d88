"""Paired cadres (帮扶责任人) and their assignments to households."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fupin.core.fields import CodeField
from fupin.core.rules import KEEPERS, READERS, AccessRule
from fupin.pairing.choices import UnitLevel
from fupin.registry.models import Household


class Cadre(models.Model):
    """A cadre who answers for households (帮扶责任人): who, where they work, how to reach them."""

    ACCESS = AccessRule("region_code", view=READERS, change=KEEPERS)

    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18, unique=True)
    phone = models.CharField(max_length=20)
    unit = models.CharField(max_length=100, help_text="the work unit (工作单位)")
    unit_level = models.CharField(max_length=10, choices=UnitLevel.choices)
    region_code = CodeField(max_length=12, help_text="the region the cadre serves (a county)")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="cadre", help_text="the cadre's own login, if they have one",
    )  # fmt: skip
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Assignment(models.Model):
    """A cadre answering for a household from a date until a date (结对关系); an open
    primary assignment per household at most, the past ones kept."""

    ACCESS = AccessRule("household__village_id", view=READERS, change=KEEPERS)

    household = models.ForeignKey(  # indexed by the open-primary constraint and below
        Household, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="assignments")
    primary = models.BooleanField(default=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["household", "started_on"], name="assignment_household")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(primary=True, ended_on__isnull=True),
                name="one_open_primary_assignment_per_household",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="assignment_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} -> {self.household_id} from {self.started_on}"
