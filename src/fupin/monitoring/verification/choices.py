"""Choices of the exit check: stable English slugs with Chinese labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckStatus(models.TextChoices):
    """Where an exit check stands: sample drawn, survey in the field, results fixed."""

    DRAWN = "drawn", _("已抽样")
    IN_FIELD = "in_field", _("入户调查中")
    COMPLETED = "completed", _("已完成")


class Stratum(models.TextChoices):
    """The sampling stratum of a household (抽样类别), from its register status at the draw."""

    EXITED = "exited", _("已脱贫户")
    POOR = "poor", _("未脱贫户")
    NON_REGISTERED = "non_registered", _("非建档立卡户")


class VillageKind(models.TextChoices):
    """Whether a sampled village is a designated poor village (贫困村) or not."""

    POOR = "poor", _("贫困村")
    NON_POOR = "non_poor", _("非贫困村")
