"""Choices of the procedures: kinds of case, outcomes, step actions, monitoring types."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    """A kind of procedure (工作程序)."""

    IDENTIFICATION = "identification", _("新识别")
    EXIT = "exit", _("脱贫退出")
    RETURN = "return", _("返贫")
    REMOVAL = "removal", _("剔除")
    MONITORING = "monitoring", _("防返贫监测对象识别")
    RISK_ELIMINATION = "risk_elimination", _("风险消除")
    VILLAGE_EXIT = "village_exit", _("贫困村退出")
    COUNTY_EXIT = "county_exit", _("贫困县退出")


class Outcome(models.TextChoices):
    """Where a case ended, or that it is still open."""

    OPEN = "open", _("办理中")
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("撤回")


class Trigger(models.TextChoices):
    """What opened a case (线索来源)."""

    ANNUAL_RUN = "annual_run", _("年度动态调整比对")
    APPLICATION = "application", _("农户申请")
    CADRE_VISIT = "cadre_visit", _("基层干部排查")
    DEPARTMENT_ALERT = "department_alert", _("部门筛查预警")
    INSPECTION = "inspection", _("督查核查")
    OFFICE = "office", _("主管部门提出")


class StepAction(models.TextChoices):
    """What a row of a case's history records."""

    TAKEN = "taken", _("办理")
    OBJECTION = "objection", _("公示异议")
    REVERIFIED = "reverified", _("异议复核")
    REJECTED = "rejected", _("不予通过")
    WITHDRAWN = "withdrawn", _("撤回")


class MonitoringType(models.TextChoices):
    """A monitored household's type (监测对象类别, 2021+)."""

    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN_HARDSHIP = "sudden_hardship", _("突发严重困难户")


class HardshipKind(models.TextChoices):
    """A reported clue of hardship (防返贫线索) beside low income."""

    RIGID_SPENDING = "rigid_spending", _("刚性支出（合规自付支出）")
    SHOCK = "shock", _("突发事件")


class RiskType(models.TextChoices):
    """A risk of (returning to) poverty (致贫/返贫风险)."""

    ILLNESS = "illness", _("因病")
    SCHOOLING = "schooling", _("因学")
    DISABILITY = "disability", _("因残")
    DISASTER = "disaster", _("因自然灾害")
    ACCIDENT = "accident", _("因意外事故")
    LABOR = "labor", _("缺劳动力")
    UNSTABLE_WORK = "unstable_work", _("务工就业不稳")
    HOUSING = "housing", _("因安全住房")
    WATER = "water", _("因安全饮水")
    INCOME = "income", _("收入低于监测线")
    SPENDING = "spending", _("刚性支出较大")
    OTHER = "other", _("其他")
