"""Back office for visits and exit checks (read-only: they are written through services)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.monitoring.models import CheckFinding, CheckHousehold, ExitCheck, Visit


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "cadre", "visited_on"]
    raw_id_fields = ["household", "cadre"]
    list_select_related = ["household", "cadre"]
    date_hierarchy = "visited_on"


@admin.register(ExitCheck)
class ExitCheckAdmin(ReadOnlyAdmin):
    list_display = ["county", "year", "status", "seed", "drawn_by_label", "drawn_at"]
    list_filter = ["status", "year"]
    raw_id_fields = ["county"]
    list_select_related = ["county"]


@admin.register(CheckHousehold)
class CheckHouseholdAdmin(ReadOnlyAdmin):
    list_display = ["exit_check", "household", "village", "village_kind", "stratum", "persons"]
    list_filter = ["stratum", "village_kind"]
    raw_id_fields = ["exit_check", "household", "village"]


@admin.register(CheckFinding)
class CheckFindingAdmin(ReadOnlyAdmin):
    list_display = ["check_household", "persons", "income_per_capita", "wrongly_exited",
                    "omitted", "approves", "entered_by_label", "entered_at"]  # fmt: skip
    raw_id_fields = ["check_household"]
