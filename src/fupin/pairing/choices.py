"""Choices of the pairing app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    """The level of a cadre's work unit (单位隶属), senior to junior."""

    PROVINCE = "province", _("省直")
    CITY = "city", _("市直")
    COUNTY = "county", _("县直")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村级")
