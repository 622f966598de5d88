"""Policy as data (政策参数): parameter values and exclusion rules keyed by year and province,
never overwritten, and the snapshots that decisions record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.core.fields import CodeField
from fupin.registry.choices import ExclusionFactKind


class Parameter(models.TextChoices):
    """The parameters the rules read."""

    IDENTIFICATION_LINE = "identification_line", _("识别标准（元/人·年）")
    EXIT_LINE = "exit_line", _("退出标准（元/人·年）")
    MONITORING_FACTOR = "monitoring_factor", _("监测线倍数（相对扶贫标准）")
    MONITORING_LINE = "monitoring_line", _("防返贫监测线（元/人·年）")
    VILLAGE_EXIT_INCIDENCE = "village_exit_incidence", _("贫困村退出贫困发生率上限")
    COUNTY_EXIT_INCIDENCE = "county_exit_incidence", _("贫困县退出贫困发生率上限")
    NOTICE_DAYS = "notice_days", _("公示天数")
    EXIT_STABLE_YEARS = "exit_stable_years", _("稳定超过退出标准的年数")
    IDENTIFICATION_UNTIL = "identification_until", _("新识别和返贫认定的最后年度")
    MONITORING_FROM = "monitoring_from", _("防返贫监测开始年度")
    WRONG_EXIT_RATE_MAX = "wrong_exit_rate_max", _("第三方评估错退率上限")
    OMISSION_RATE_MAX = "omission_rate_max", _("第三方评估漏评率上限")
    SATISFACTION_MIN = "satisfaction_min", _("第三方评估群众认可度下限")
    TRANSITION_UNTIL = "transition_until", _("过渡期最后年度（四个不摘）")
    PAIRING_CAP_PROVINCE = "pairing_cap_province", _("省直帮扶责任人最多结对户数")
    PAIRING_CAP_CITY = "pairing_cap_city", _("市直帮扶责任人最多结对户数")
    PAIRING_CAP_COUNTY = "pairing_cap_county", _("县直帮扶责任人最多结对户数")
    PAIRING_CAP_TOWNSHIP = "pairing_cap_township", _("乡镇帮扶责任人最多结对户数")
    PAIRING_CAP_VILLAGE = "pairing_cap_village", _("村级帮扶责任人最多结对户数")


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


class ExclusionRuleValue(models.Model):
    """One version of one exclusion rule (X不评 / 一票否决) for a year and a province.

    A rule excludes a household whose exclusion fact `fact` holds. Rules are local
    (DOMAIN.md 1.4), so a province or a year can add its own rules, or switch a
    national one off by adding an inactive version of it.
    """

    code = models.CharField(max_length=48, help_text="stable slug, what a decision reports")
    fact = models.CharField(max_length=32, choices=ExclusionFactKind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="blank: every year")
    province = CodeField(max_length=2, blank=True, default="", help_text="blank: national")
    version = models.PositiveIntegerField()
    active = models.BooleanField(help_text="false: switched off for this year and province")
    verified = models.BooleanField(help_text="false where no official source was found")
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code", "province", "year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "year", "province", "version"], name="exclusion_rule_version"
            ),
            models.UniqueConstraint(
                fields=["code", "province", "version"],
                condition=Q(year__isnull=True),
                name="exclusion_rule_version_every_year",
            ),
        ]

    def __str__(self) -> str:
        scope = self.province or "national"
        state = "" if self.active else " (off)"
        return (
            f"{self.code} [{self.fact}] {self.year or 'all years'} {scope} v{self.version}{state}"
        )


class ExitIndicatorValue(models.Model):
    """One version of one extra exit indicator (退出指标) a poor village or county must meet
    besides the incidence threshold, for a year and a province; any one failed is a veto.

    Provinces set their own lists (DOMAIN.md 4: Shaanxi used 7 village vetoes), so a
    province or a year can add indicators or switch a national one off.
    """

    class Level(models.TextChoices):
        VILLAGE = "village", _("贫困村退出")
        COUNTY = "county", _("贫困县退出")

    level = models.CharField(max_length=8, choices=Level.choices)
    code = models.CharField(max_length=48, help_text="stable slug, the key of the evidence")
    label = models.CharField(max_length=100)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="blank: every year")
    province = CodeField(max_length=2, blank=True, default="", help_text="blank: national")
    version = models.PositiveIntegerField()
    active = models.BooleanField(help_text="false: switched off for this year and province")
    verified = models.BooleanField(help_text="false where no official source was found")
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["level", "code", "province", "year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "year", "province", "version"],
                name="exit_indicator_version",
            ),
            models.UniqueConstraint(
                fields=["level", "code", "province", "version"],
                condition=Q(year__isnull=True),
                name="exit_indicator_version_every_year",
            ),
        ]

    def __str__(self) -> str:
        scope = self.province or "national"
        state = "" if self.active else " (off)"
        return f"{self.level} {self.code} {self.year or 'all years'} {scope} v{self.version}{state}"


class PolicySnapshot(models.Model):
    """The policy set one year's decisions in one province used (政策参数快照).

    It names the parameter and rule versions by id; versions are never rewritten, so a
    snapshot keeps meaning what it meant. Equal sets share one row, found by digest.
    """

    year = models.PositiveSmallIntegerField()
    province = CodeField(max_length=2, blank=True, default="", help_text="blank: national")
    value_ids = models.JSONField(help_text="parameter name -> PolicyValue id")
    exclusion_rule_ids = models.JSONField(help_text="ExclusionRuleValue ids, in rule order")
    digest = models.CharField(max_length=64, unique=True, help_text="sha256 of the above")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"policy {self.year} {self.province or 'national'} {self.digest[:12]}"
