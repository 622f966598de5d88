"""Visits (入户走访): a paired cadre's visit to a household, what was found and agreed."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from fupin.core.rules import KEEPERS, READERS, AccessRule, paired
from fupin.pairing.models import Cadre
from fupin.registry.models import Household


class PhotoStorage(FileSystemStorage):
    """Visit photos under VAR_DIR/visit_photos (read when used, so a changed VAR_DIR is
    followed): never served as static files, only through the page that checks who asks
    (`monitoring.views.visit_photo`)."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.VAR_DIR) / "visit_photos")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def deconstruct(self) -> tuple[str, tuple[object, ...], dict[str, object]]:
        return ("fupin.monitoring.models.PhotoStorage", (), {})


photo_storage = PhotoStorage()


class Visit(models.Model):
    """A cadre's visit to a household (入户走访记录)."""

    ACCESS = AccessRule(
        "household__village_id", view=READERS, change=KEEPERS, own=paired("household_id")
    )

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField()
    found = models.TextField(help_text="what the cadre found (家庭情况、困难和诉求)")
    agreed = models.TextField(blank=True, help_text="what was agreed (商定的帮扶措施、下一步)")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["household", "visited_on"], name="visit_household_day"),
            models.Index(fields=["cadre", "visited_on"], name="visit_cadre_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180,
                           longitude__lte=180),
                name="visit_location_on_earth",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"visit to {self.household_id} on {self.visited_on}"


class VisitPhoto(models.Model):
    """A photo taken on a visit (JPEG or PNG, checked as an image when it is stored)."""

    ACCESS = AccessRule(
        "visit__household__village_id", view=READERS, own=paired("visit__household_id")
    )

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(storage=photo_storage, upload_to="%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"photo {self.pk} of visit {self.visit_id}"
