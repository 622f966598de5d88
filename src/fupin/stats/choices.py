"""Choices of the rollups: the measures' stable English slugs with their Chinese labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    """A figure kept per region and year (统计指标); `stats.kernels` computes each."""

    HOUSEHOLDS = "households", _("农户数")
    PERSONS = "persons", _("农村人口数")
    REGISTERED_HOUSEHOLDS = "registered_households", _("在册贫困户数")
    REGISTERED_PERSONS = "registered_persons", _("在册贫困人口数")
    EVER_REGISTERED_HOUSEHOLDS = "ever_registered_households", _("累计建档立卡户数")
    EVER_REGISTERED_PERSONS = "ever_registered_persons", _("累计建档立卡人口数")
    NEW_HOUSEHOLDS = "new_households", _("新识别贫困户数")
    NEW_PERSONS = "new_persons", _("新识别贫困人口数")
    EXITED_HOUSEHOLDS = "exited_households", _("脱贫户数")
    EXITED_PERSONS = "exited_persons", _("脱贫人口数")
    RETURNED_HOUSEHOLDS = "returned_households", _("返贫户数")
    RETURNED_PERSONS = "returned_persons", _("返贫人口数")
    REMOVED_HOUSEHOLDS = "removed_households", _("剔除户数")
    REMOVED_PERSONS = "removed_persons", _("剔除人口数")
    MONITORED_HOUSEHOLDS = "monitored_households", _("防返贫监测对象户数")
    MONITORED_PERSONS = "monitored_persons", _("防返贫监测对象人口数")
    REGISTERED_HOUSEHOLDS_BY_CATEGORY = (
        "registered_households_by_category",
        _("在册贫困户数（按贫困户属性）"),
    )
    REGISTERED_PERSONS_BY_CATEGORY = (
        "registered_persons_by_category",
        _("在册贫困人口数（按贫困户属性）"),
    )
    REGISTERED_HOUSEHOLDS_BY_CAUSE = (
        "registered_households_by_cause",
        _("在册贫困户数（按主要致贫原因）"),
    )
    REGISTERED_PERSONS_BY_CAUSE = (
        "registered_persons_by_cause",
        _("在册贫困人口数（按主要致贫原因）"),
    )
