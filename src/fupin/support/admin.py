"""Back office for the ledger, funds and projects (read-only: every row is written through
the services, with its audit event)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.support.models import (
    Allocation,
    Disbursement,
    Measure,
    Project,
    ProjectBeneficiary,
    ProjectTransition,
)


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "measure_type", "form", "value", "provider_name"]
    list_filter = ["year", "measure_type", "provider_kind"]
    raw_id_fields = ["household"]
    list_select_related = ["household"]
    date_hierarchy = "given_on"


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["year", "source", "from_region_code", "to_region_code", "amount",
                    "document_no", "allocated_on", "integrated"]  # fmt: skip
    list_filter = ["year", "source", "integrated"]
    search_fields = ["=to_region_code", "=from_region_code", "document_no"]
    date_hierarchy = "allocated_on"


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["year", "source", "amount", "paid_on", "region_code", "project", "household"]
    list_filter = ["year", "source"]
    search_fields = ["=region_code", "voucher_no"]
    raw_id_fields = ["project", "household", "measure"]
    list_select_related = ["project", "household"]
    date_hierarchy = "paid_on"


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "region_code", "year", "kind", "status", "budget"]
    list_filter = ["year", "kind", "status"]
    search_fields = ["name", "=region_code"]


@admin.register(ProjectTransition)
class ProjectTransitionAdmin(ReadOnlyAdmin):
    list_display = ["project", "from_status", "to_status", "on"]
    raw_id_fields = ["project"]


@admin.register(ProjectBeneficiary)
class ProjectBeneficiaryAdmin(ReadOnlyAdmin):
    list_display = ["project", "household", "added_at"]
    raw_id_fields = ["project", "household"]
