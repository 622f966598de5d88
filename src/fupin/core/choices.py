"""Choices shared by every app: the roles a grant gives."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A post in the campaign (岗位角色); a grant pairs one with a region prefix."""

    NATIONAL = "national", _("国家扶贫办")
    PROVINCE = "province", _("省级扶贫办")
    PREFECTURE = "prefecture", _("市级扶贫办")
    COUNTY = "county", _("县级扶贫办")
    TOWNSHIP = "township", _("乡镇人民政府")
    VILLAGE_CADRE = "village_cadre", _("村两委干部")
    FIRST_SECRETARY = "first_secretary", _("驻村第一书记")
    WORK_TEAM = "work_team", _("驻村工作队员")
    PAIRED_CADRE = "paired_cadre", _("帮扶责任人")
    DEPARTMENT = "department", _("行业部门")
    INSPECTOR = "inspector", _("督查人员")
    EVALUATOR = "evaluator", _("第三方评估人员")
    HOUSEHOLD = "household", _("农户")
    ADMINISTRATOR = "administrator", _("系统管理员")


class Department(models.TextChoices):
    """A line department that confirms its own indicator (行业部门)."""

    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生健康")
    HOUSING = "housing", _("住房城乡建设")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    WATER = "water", _("水利")


# The prefix length an office's grant must have; other roles may hold any prefix.
OFFICE_PREFIX_LENGTH = {
    Role.NATIONAL: 0,
    Role.PROVINCE: 2,
    Role.PREFECTURE: 4,
    Role.COUNTY: 6,
    Role.TOWNSHIP: 9,
    Role.VILLAGE_CADRE: 12,
    Role.FIRST_SECRETARY: 12,
    Role.WORK_TEAM: 12,
}
