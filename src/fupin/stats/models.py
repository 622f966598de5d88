"""Rollups (统计汇总): one row per region, year, measure and key, read by dashboards."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from fupin.core.fields import CodeField
from fupin.stats.choices import Measure


class RegionYearStat(models.Model):
    """One figure of one region in one year (分地区年度统计), derived from the registry.

    Rows are written only by `stats.services.rollups_refresh`; the registry stays the
    source, and every row above a village is the sum of the rows of its villages. A
    figure of 0 has no row; a region with households always has its `households` row.
    """

    # '' is the nation; otherwise a 2/4/6/9/12-digit division code.
    region_code = CodeField(max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(help_text="0 nation, 1 province ... 5 village")
    year = models.PositiveSmallIntegerField()
    measure = models.SlugField(max_length=48, choices=Measure.choices, db_index=False)
    key = models.SlugField(
        max_length=24, blank=True, db_index=False, help_text="'' for the total, else a slug"
    )
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year", "measure", "key"], name="one_stat_per_region_year"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0) & Q(level__lte=5), name="stat_level_0_to_5"
            ),
        ]
        # A refresh sums one level of one year under a code range to get the level above.
        indexes = [models.Index(fields=["year", "level", "region_code"], name="stat_year_level")]

    def __str__(self) -> str:
        key = f"[{self.key}]" if self.key else ""
        return f"{self.region_code or 'nation'} {self.year} {self.measure}{key}={self.value}"
