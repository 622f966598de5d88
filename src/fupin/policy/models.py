"""Policy parameters (政策参数): values keyed by name, year and province, never overwritten."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.core.fields import CodeField


class Parameter(models.TextChoices):
    """The parameters the rules read."""

    IDENTIFICATION_LINE = "identification_line", _("识别标准（元/人·年）")
    EXIT_LINE = "exit_line", _("退出标准（元/人·年）")
    MONITORING_FACTOR = "monitoring_factor", _("监测线倍数（相对扶贫标准）")
    MONITORING_LINE = "monitoring_line", _("防返贫监测线（元/人·年）")
    VILLAGE_EXIT_INCIDENCE = "village_exit_incidence", _("贫困村退出贫困发生率上限")
    COUNTY_EXIT_INCIDENCE = "county_exit_incidence", _("贫困县退出贫困发生率上限")
    NOTICE_DAYS = "notice_days", _("公示天数")


class PolicyValue(models.Model):
    """One version of one parameter for a year (or every year) and a province (or all).

    Setting a parameter adds a version; decisions keep the id of the version they used,
    so a later change never rewrites them.
    """

    name = models.CharField(max_length=32, choices=Parameter.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="blank: every year")
    province = CodeField(max_length=2, blank=True, default="", help_text="blank: national")
    version = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    verified = models.BooleanField(help_text="false where no official source was found")
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "province", "year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "year", "province", "version"], name="policy_value_version"
            ),
            models.UniqueConstraint(
                fields=["name", "province", "version"],
                condition=Q(year__isnull=True),
                name="policy_value_version_every_year",
            ),
        ]

    def __str__(self) -> str:
        scope = self.province or "national"
        return f"{self.name} {self.year or 'all years'} {scope} v{self.version} = {self.value}"
