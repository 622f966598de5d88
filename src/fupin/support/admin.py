"""Back office for the ledger (read-only: measures are recorded through the services)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.support.models import Measure


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "measure_type", "form", "value", "provider_name"]
    list_filter = ["year", "measure_type", "provider_kind"]
    raw_id_fields = ["household"]
    list_select_related = ["household"]
    date_hierarchy = "given_on"
