"""Enumerations of the registry: stable English slugs, Chinese labels of the registration form.

`FORM_VALUES` maps each import column to the accepted spellings (slug or the form's
Chinese) so that import, export and the template share one vocabulary.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdStatus(models.TextChoices):
    """Where a household stands in the register (贫困户状态); derived from transitions."""

    NOT_REGISTERED = "not_registered", _("非建档立卡户")
    REGISTERED = "registered", _("建档立卡贫困户")
    EXITED = "exited", _("已脱贫")
    RETURNED = "returned", _("返贫")
    REMOVED = "removed", _("已剔除")


class Category(models.TextChoices):
    """Household attribute (贫困户属性)."""

    GENERAL = "general", _("一般贫困户")
    DIBAO_POOR = "dibao_poor", _("低保贫困户")
    DIBAO = "dibao", _("低保户")
    TEKUN = "tekun", _("特困供养户")


class Cause(models.TextChoices):
    """Cause of poverty (致贫原因)."""

    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    LAND = "land", _("缺土地")
    WATER = "water", _("缺水")
    SKILLS = "skills", _("缺技术")
    LABOR = "labor", _("缺劳力")
    FUNDS = "funds", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    MOTIVATION = "motivation", _("自身发展动力不足")
    OTHER = "other", _("其他")


class Relation(models.TextChoices):
    """Relation to the head of household (与户主关系)."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("之子/之女")
    CHILD_IN_LAW = "child_in_law", _("之儿媳/之女婿")
    GRANDCHILD = "grandchild", _("之孙子/之孙女")
    PARENT = "parent", _("之父/之母")
    GRANDPARENT = "grandparent", _("之祖父/之祖母")
    SIBLING = "sibling", _("之兄弟姐妹")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    """Sex (性别)."""

    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    """Education level (文化程度)."""

    NONE = "none", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专")
    TERTIARY = "tertiary", _("大专及以上")


class Health(models.TextChoices):
    """Health status (健康状况)."""

    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class Labor(models.TextChoices):
    """Labour ability (劳动技能)."""

    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class HousingGrade(models.TextChoices):
    """Dwelling safety grade set by the county housing department (危房等级)."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class MemberEventKind(models.TextChoices):
    """A change in a household's composition (人口自然变更), dated."""

    REGISTERED = "registered", _("建档登记")
    BIRTH = "birth", _("出生")
    MARRIAGE_IN = "marriage_in", _("婚入")
    MOVE_IN = "move_in", _("迁入")
    DEATH = "death", _("死亡")
    MARRIAGE_OUT = "marriage_out", _("婚出")
    MOVE_OUT = "move_out", _("迁出")


JOIN_EVENTS = frozenset(
    {MemberEventKind.REGISTERED, MemberEventKind.BIRTH, MemberEventKind.MARRIAGE_IN,
     MemberEventKind.MOVE_IN}
)
LEAVE_EVENTS = frozenset(
    {MemberEventKind.DEATH, MemberEventKind.MARRIAGE_OUT, MemberEventKind.MOVE_OUT}
)

# Extra Chinese spellings seen on county forms, beyond each choice's label.
_ALIASES: dict[str, dict[str, str]] = {
    "relation": {
        "之子": "child", "之女": "child", "子": "child", "女": "child",
        "之儿媳": "child_in_law", "之女婿": "child_in_law",
        "之孙子": "grandchild", "之孙女": "grandchild",
        "之父": "parent", "之母": "parent", "之祖父": "grandparent", "之祖母": "grandparent",
        "之兄弟姐妹": "sibling", "其它": "other",
    },
    "cause": {"其它": "other", "交通条件落后": "transport"},
    "flag": {"是": "yes", "否": "no", "Y": "yes", "N": "no", "1": "yes", "0": "no"},
}

FLAG_VALUES = {"yes": "是", "no": "否"}


def _vocabulary(choices: type[models.TextChoices], aliases: str | None = None) -> dict[str, str]:
    spelled: dict[str, str] = {}
    for value, label in choices.choices:
        spelled[str(value)] = str(value)
        spelled[str(value).lower()] = str(value)
        spelled[str(label)] = str(value)
    if aliases:
        spelled.update(_ALIASES[aliases])
    return spelled


def _flag_vocabulary() -> dict[str, str]:
    spelled = {"yes": "yes", "no": "no", "是": "yes", "否": "no"}
    spelled.update(_ALIASES["flag"])
    return spelled


# column -> {accepted spelling -> stored slug}
FORM_VALUES: dict[str, dict[str, str]] = {
    "relation": _vocabulary(Relation, "relation"),
    "sex": _vocabulary(Sex),
    "education": _vocabulary(Education),
    "health": _vocabulary(Health),
    "labor": _vocabulary(Labor),
    "category": _vocabulary(Category),
    "main_cause": _vocabulary(Cause, "cause"),
    "other_causes": _vocabulary(Cause, "cause"),
    "housing_grade": _vocabulary(HousingGrade),
    "in_school": _flag_vocabulary(),
    "food_ok": _flag_vocabulary(),
    "clothing_ok": _flag_vocabulary(),
    "education_ok": _flag_vocabulary(),
    "medical_ok": _flag_vocabulary(),
    "water_ok": _flag_vocabulary(),
}
