"""The five-level statistical division tree (统计用区划代码, NBS)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.fields import CodeField
from fupin.core.rules import ANY_POST, AccessRule

WESTERN_PROVINCES = frozenset(
    {"15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
)
CODE_LENGTH_BY_LEVEL = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Level(models.IntegerChoices):
    """Level in the division tree."""

    PROVINCE = 1, _("省级")
    PREFECTURE = 2, _("地级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")
    VILLAGE = 5, _("村级")


class Kind(models.TextChoices):
    """Urban or rural, from the village or township number range (DOMAIN.md 8.2)."""

    URBAN = "urban", _("城镇")
    RURAL = "rural", _("乡村")
    UNKNOWN = "", _("未分类")


class Region(models.Model):
    """A division of any level, keyed by its NBS code; retired codes are kept, never deleted."""

    ACCESS = AccessRule("code", view=ANY_POST)

    code = CodeField(max_length=12, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_western = models.BooleanField(default=False)
    kind = models.CharField(max_length=5, choices=Kind.choices, blank=True, default="")
    edition = models.PositiveSmallIntegerField(help_text="year of the edition last seen in")
    retired_in = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="edition year from which the code no longer appears"
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_retired(self) -> bool:
        return self.retired_in is not None


class PoorAreaDesignation(models.Model):
    """A poor-county (贫困县) or poor-village (贫困村) designation, with the year set and lifted."""

    ACCESS = AccessRule("region_id", view=ANY_POST)

    class Kind(models.TextChoices):
        COUNTY = "county", _("贫困县")
        VILLAGE = "village", _("贫困村")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="poor_designations")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    designated_year = models.PositiveSmallIntegerField()
    lifted_year = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="one_designation_per_region"),
            models.CheckConstraint(
                condition=models.Q(lifted_year__isnull=True)
                | models.Q(lifted_year__gte=models.F("designated_year")),
                name="designation_lifted_after_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.get_kind_display()} {self.designated_year}"
