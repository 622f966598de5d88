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


# Relocation (易地扶贫搬迁) and microcredit (扶贫小额信贷).
from fupin.support.models import (  # noqa: E402
    Loan,
    LoanRepayment,
    RelocationFollowUp,
    RelocationJob,
    RelocationMove,
    RelocationTarget,
    ResettlementSite,
)


@admin.register(ResettlementSite)
class ResettlementSiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "county_code", "village_code", "kind", "capacity"]
    list_filter = ["kind"]
    search_fields = ["name", "=county_code", "=village_code"]


@admin.register(RelocationMove)
class RelocationMoveAdmin(ReadOnlyAdmin):
    list_display = ["household", "site", "plan_year", "persons", "status", "handed_over_on",
                    "moved_on"]  # fmt: skip
    list_filter = ["plan_year", "status"]
    raw_id_fields = ["household", "site"]
    list_select_related = ["household", "site"]


@admin.register(RelocationTarget)
class RelocationTargetAdmin(ReadOnlyAdmin):
    list_display = ["region_code", "year", "households", "persons"]
    list_filter = ["year"]
    search_fields = ["=region_code"]


@admin.register(RelocationJob)
class RelocationJobAdmin(ReadOnlyAdmin):
    list_display = ["move", "member", "kind", "employer", "started_on"]
    raw_id_fields = ["move", "member", "measure"]


@admin.register(RelocationFollowUp)
class RelocationFollowUpAdmin(ReadOnlyAdmin):
    list_display = ["move", "measure", "linked_at"]
    raw_id_fields = ["move", "measure"]


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["household", "amount", "term_months", "issued_on", "due_on", "status",
                    "principal_repaid"]  # fmt: skip
    list_filter = ["status", "purpose"]
    raw_id_fields = ["household"]
    list_select_related = ["household"]
    date_hierarchy = "issued_on"


@admin.register(LoanRepayment)
class LoanRepaymentAdmin(ReadOnlyAdmin):
    list_display = ["loan", "paid_on", "principal", "interest", "subsidy"]
    raw_id_fields = ["loan"]
