"""Back office for cadres and assignments (read-only: they change through the services)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.pairing.models import Assignment, Cadre


@admin.register(Cadre)
class CadreAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "unit_level", "region_code"]
    list_filter = ["unit_level"]
    search_fields = ["name", "=id_number", "=region_code"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["household", "cadre", "primary", "started_on", "ended_on"]
    list_filter = ["primary"]
    raw_id_fields = ["household", "cadre"]
    list_select_related = ["household", "cadre"]
