"""Rollups (统计汇总): the totals of a region and year in one row, the poor stock's
breakdowns in rows of their own; read by dashboards, derived from the registry."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from fupin.core.fields import CodeField
from fupin.core.rules import READERS, AccessRule
from fupin.stats.choices import Measure
from fupin.stats.fields import RowIdField
from fupin.stats.kernels import VILLAGE_LEVEL

LEVEL_HELP = "0 nation, 1 province ... 5 village"


class RegionYearStat(models.Model):
    """The totals of one region in one year (分地区年度统计), derived from the registry.

    Rows are written only by `stats.services.rollups_refresh`; the registry stays the
    source, and every row above a village is the sum of the rows of its villages. A
    region has a row exactly when it has households, however many of its figures are 0.
    """

    ACCESS = AccessRule("region_code", view=READERS | {"evaluator"})

    id = RowIdField(primary_key=True)
    # '' is the nation; otherwise a 2/4/6/9/12-digit division code.
    region_code = CodeField(max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(help_text=LEVEL_HELP)
    year = models.PositiveSmallIntegerField()
    households = models.BigIntegerField(Measure.HOUSEHOLDS.label)
    persons = models.BigIntegerField(Measure.PERSONS.label)
    registered_households = models.BigIntegerField(Measure.REGISTERED_HOUSEHOLDS.label)
    registered_persons = models.BigIntegerField(Measure.REGISTERED_PERSONS.label)
    ever_registered_households = models.BigIntegerField(Measure.EVER_REGISTERED_HOUSEHOLDS.label)
    ever_registered_persons = models.BigIntegerField(Measure.EVER_REGISTERED_PERSONS.label)
    new_households = models.BigIntegerField(Measure.NEW_HOUSEHOLDS.label)
    new_persons = models.BigIntegerField(Measure.NEW_PERSONS.label)
    exited_households = models.BigIntegerField(Measure.EXITED_HOUSEHOLDS.label)
    exited_persons = models.BigIntegerField(Measure.EXITED_PERSONS.label)
    returned_households = models.BigIntegerField(Measure.RETURNED_HOUSEHOLDS.label)
    returned_persons = models.BigIntegerField(Measure.RETURNED_PERSONS.label)
    removed_households = models.BigIntegerField(Measure.REMOVED_HOUSEHOLDS.label)
    removed_persons = models.BigIntegerField(Measure.REMOVED_PERSONS.label)
    monitored_households = models.BigIntegerField(Measure.MONITORED_HOUSEHOLDS.label)
    monitored_persons = models.BigIntegerField(Measure.MONITORED_PERSONS.label)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year"], name="one_stat_per_region_year"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0) & Q(level__lte=5), name="stat_level_0_to_5"
            ),
            models.CheckConstraint(condition=Q(households__gt=0), name="stat_has_households"),
        ]
        # A refresh sums one level of one year (under a code range) to get the level above.
        # Villages, nine rows in ten, are left out: the only sum of villages, a township's,
        # is a short range of the unique index, and every row indexed costs a bulk load.
        indexes = [
            models.Index(
                fields=["year", "level", "region_code"],
                condition=Q(level__lt=VILLAGE_LEVEL),
                name="stat_above_villages",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code or 'nation'} {self.year}: {self.households} households"


class RegionYearBreakdown(models.Model):
    """One figure of the poor stock of one region in one year by category or by main
    cause (在册贫困户按属性、按致贫原因), derived from the registry like `RegionYearStat`.

    A figure of 0 has no row: most villages have households of a few kinds only.
    """

    ACCESS = AccessRule("region_code", view=READERS | {"evaluator"})

    id = RowIdField(primary_key=True)
    region_code = CodeField(max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(help_text=LEVEL_HELP)
    year = models.PositiveSmallIntegerField()
    measure = models.SlugField(max_length=48, choices=Measure.choices, db_index=False)
    key = models.SlugField(
        max_length=24, db_index=False, help_text="a category or cause slug, or unspecified"
    )
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year", "measure", "key"],
                name="one_breakdown_per_region_year_key",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0) & Q(level__lte=5), name="breakdown_level_0_to_5"
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="breakdown_not_zero"),
        ]
        # As on RegionYearStat: the sums of one level of one year, villages left out.
        indexes = [
            models.Index(
                fields=["year", "level", "region_code"],
                condition=Q(level__lt=VILLAGE_LEVEL),
                name="breakdown_above_villages",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code or 'nation'} {self.year} {self.measure}[{self.key}]={self.value}"
