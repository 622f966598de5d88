"""Back office for visits (read-only: they are logged through the service)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.monitoring.models import Visit


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "cadre", "visited_on"]
    raw_id_fields = ["household", "cadre"]
    list_select_related = ["household", "cadre"]
    date_hierarchy = "visited_on"
