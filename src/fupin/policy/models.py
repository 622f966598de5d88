"""Policy as data (政策参数): parameter values and exclusion rules keyed by year and province,
never overwritten, and the snapshots that decisions record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.core.fields import CodeField
from fupin.registry.choices import Cause, ExclusionFactKind
from fupin.support.choices import MeasureType


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
    POSTING_TERM_YEARS_DEFAULT = "posting_term_years_default", _("驻村任期默认年数")
    POSTING_TERM_YEARS_MIN = "posting_term_years_min", _("驻村任期最少年数")
    POSTING_TERM_YEARS_MAX = "posting_term_years_max", _("驻村任期最多年数")
    WORK_TEAM_MEMBERS_MIN = "work_team_members_min", _("驻村工作队最少人数")
    ATTENDANCE_SHARE_MIN = "attendance_share_min", _("驻村天数占工作日的最低比例")
    VISIT_INTERVAL_DAYS = "visit_interval_days", _("帮扶责任人入户走访周期（天）")
    COMMITTEE_MEMBERS_MIN = "committee_members_min", _("村扶贫工作委员会最少人数")
    COMMITTEE_MEMBERS_MAX = "committee_members_max", _("村扶贫工作委员会最多人数")
    COMMITTEE_STEP_FROM = "committee_step_from", _("委员会增加一名委员的起始户数")
    COMMITTEE_STEP_HOUSEHOLDS = "committee_step_households", _("委员会每增加一名委员的户数")
    COMMITTEE_LOAD_MIN = "committee_load_min", _("每名委员最少联系户数")
    COMMITTEE_LOAD_MAX = "committee_load_max", _("每名委员最多联系户数")
    COMMITTEE_INTERNAL_EVERY_WEEKS = "committee_internal_every_weeks", _("委员会例会周期（周）")
    COMMITTEE_PUBLIC_EVERY_MONTHS = "committee_public_every_months", _("群众公开会周期（月）")
    COMMITTEE_MEETING_GRACE_DAYS = "committee_meeting_grace_days", _("会议逾期认定宽限天数")
    BLACKLIST_APPEAL_DAYS = "blacklist_appeal_days", _("黑榜申诉期限（天）")
    BLACKLIST_DECISION_DAYS = "blacklist_decision_days", _("乡镇申诉决定期限（天）")
    FUND_IDLE_MONTHS = "fund_idle_months", _("扶贫资金下达后未支出认定为闲置的月数")
    CREDIT_AMOUNT_MAX = "credit_amount_max", _("扶贫小额信贷每户贷款余额上限（元）")
    CREDIT_TERM_MAX_MONTHS = "credit_term_max_months", _("扶贫小额信贷最长期限（月）")
    CREDIT_DEFAULT_DAYS = "credit_default_days", _("扶贫小额信贷逾期多少天认定为违约")
    EVALUATION_APPEAL_DAYS = "evaluation_appeal_days", _("考核结果告知后申诉期限（天）")
    EVALUATION_DECISION_DAYS = "evaluation_decision_days", _("考核申诉决定期限（天）")


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


class SwitchableVersion(models.Model):
    """What every versioned rule table shares (exclusion rules, exit indicators, scoring
    criteria, cause-to-measure pairs): the year (blank: every year) and province (blank:
    national) it holds for, its version, whether it is switched on there, and its source."""

    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="blank: every year")
    province = CodeField(max_length=2, blank=True, default="", help_text="blank: national")
    version = models.PositiveIntegerField()
    active = models.BooleanField(help_text="false: switched off for this year and province")
    verified = models.BooleanField(help_text="false where no official source was found")
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class ExclusionRuleValue(SwitchableVersion):
    """One version of one exclusion rule (X不评 / 一票否决) for a year and a province.

    A rule excludes a household whose exclusion fact `fact` holds. Rules are local
    (DOMAIN.md 1.4), so a province or a year can add its own rules, or switch a
    national one off by adding an inactive version of it.
    """

    code = models.CharField(max_length=48, help_text="stable slug, what a decision reports")
    fact = models.CharField(max_length=32, choices=ExclusionFactKind.choices)

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


class ExitIndicatorValue(SwitchableVersion):
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


class ScoringCriterionValue(SwitchableVersion):
    """One version of one criterion a village committee scores households on (评分项目), with
    its weight, for a year and a province; the committee's score of a household is the
    weighted mean of its scores on the criteria in force.

    Criteria are local practice (积分制, 红黑榜), so a province or a year can add its own,
    reweigh one, or switch a national one off by adding an inactive version of it.
    """

    code = models.CharField(max_length=48, help_text="stable slug, the key of a score")
    label = models.CharField(max_length=100)
    weight = models.DecimalField(max_digits=6, decimal_places=4)

    class Meta:
        ordering = ["code", "province", "year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "year", "province", "version"], name="scoring_criterion_version"
            ),
            models.UniqueConstraint(
                fields=["code", "province", "version"],
                condition=Q(year__isnull=True),
                name="scoring_criterion_version_every_year",
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0) | Q(active=False), name="scoring_criterion_weighs"
            ),
        ]

    def __str__(self) -> str:
        scope = self.province or "national"
        state = "" if self.active else " (off)"
        years = self.year or "all years"
        return f"{self.code} x{self.weight} {years} {scope} v{self.version}{state}"


class CauseMeasureValue(SwitchableVersion):
    """One version of one answer to a cause of poverty (致贫原因 -> 帮扶措施) for a year and a
    province: a measure of type `measure_type` answers a household whose main cause is
    `cause`, which the ledger's coverage check reads.

    Which measure answers which cause is local practice, so a province or a year can add
    its own pairs, or switch a national one off by adding an inactive version of it.
    """

    cause = models.CharField(max_length=12, choices=Cause.choices)
    measure_type = models.CharField(max_length=16, choices=MeasureType.choices)

    class Meta:
        ordering = ["cause", "measure_type", "province", "year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "measure_type", "year", "province", "version"],
                name="cause_measure_version",
            ),
            models.UniqueConstraint(
                fields=["cause", "measure_type", "province", "version"],
                condition=Q(year__isnull=True),
                name="cause_measure_version_every_year",
            ),
        ]

    def __str__(self) -> str:
        scope = self.province or "national"
        state = "" if self.active else " (off)"
        years = self.year or "all years"
        return f"{self.cause} -> {self.measure_type} {years} {scope} v{self.version}{state}"
