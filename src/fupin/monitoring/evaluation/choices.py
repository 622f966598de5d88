"""Choices of the evaluation of cadres and units: stable English slugs with Chinese labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Which way a score goes: from the office above (上级评价) or from below (下级评价)."""

    DOWN = "down", _("上级评价")
    UP = "up", _("下级评价")


class Grade(models.TextChoices):
    """A score's grade (考核等次); `GRADE_FLOORS` gives the scores each starts at."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


# The lowest score of each grade, best first; a grade entered without a score stands for
# the middle of its band (`GRADE_SCORES`).
GRADE_FLOORS = ((Grade.EXCELLENT, 90), (Grade.GOOD, 75), (Grade.FAIR, 60), (Grade.POOR, 0))
GRADE_SCORES = {Grade.EXCELLENT: 95, Grade.GOOD: 82, Grade.FAIR: 67, Grade.POOR: 45}


def grade_of(score: int) -> Grade:
    """The grade of a score out of 100."""
    return next(grade for grade, floor in GRADE_FLOORS if score >= floor)


class UnitLevel(models.TextChoices):
    """The level of a unit evaluated, by the length of its region code."""

    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")


UNIT_CODE_LENGTH = {UnitLevel.COUNTY: 6, UnitLevel.TOWNSHIP: 9, UnitLevel.VILLAGE: 12}


class RecommendationKind(models.TextChoices):
    """What an evaluation leads to (考核结果运用)."""

    REWARD = "reward", _("表彰")
    WARNING = "warning", _("约谈")
    SANCTION = "sanction", _("问责")


class RecommendationStatus(models.TextChoices):
    """Where a recommendation stands: notified to the subject, appealed, and the decision of
    the office above on the appeal."""

    NOTIFIED = "notified", _("已告知")
    APPEALED = "appealed", _("已申诉，待上级决定")
    UPHELD = "upheld", _("申诉驳回，维持")
    OVERTURNED = "overturned", _("申诉成立，撤销")


class AppealOutcome(models.TextChoices):
    """The decision on an appeal against a recommendation."""

    UPHELD = "upheld", _("维持")
    OVERTURNED = "overturned", _("撤销")


class NoticeMethod(models.TextChoices):
    """How the subject was told of a recommendation (告知方式)."""

    IN_WRITING = "in_writing", _("书面通知")
    IN_PERSON = "in_person", _("当面告知")
    IN_SYSTEM = "in_system", _("系统内告知")
