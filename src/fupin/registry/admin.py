"""Back office for the registry: search by ID number, name and household number."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fupin.core.admin import ReadOnlyAdmin
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import (
    Assessment,
    Household,
    HouseholdFact,
    Member,
    MemberEvent,
    StatusTransition,
)


class RegionPrefixFilter(admin.SimpleListFilter):
    """Filter by a region code prefix typed in the URL (?region=5227) or picked by province."""

    title = "行政区划"
    parameter_name = "region"
    field = "village_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from fupin.regions.models import Region

        return [(r.code, r.name) for r in Region.objects.filter(level=1).order_by("code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(code_prefix_q(value, self.field))
        return queryset


class MemberRegionFilter(RegionPrefixFilter):
    field = "household__village_id"


class AssessmentRegionFilter(RegionPrefixFilter):
    field = "household__village_id"


class FactRegionFilter(RegionPrefixFilter):
    field = "household__village_id"


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ("name", "id_number", "relation", "sex", "birth_date", "health", "labor", "is_active")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0
    fields = ("year", "net_income_per_capita", "household_size", "food_ok", "clothing_ok",
              "education_ok", "medical_ok", "housing_grade", "water_ok")  # fmt: skip
    readonly_fields = fields
    can_delete = False


class HouseholdFactInline(admin.TabularInline):
    model = HouseholdFact
    extra = 0
    fields = ("year", "fact", "note", "recorded_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["household_no", "village", "status", "category", "main_cause"]
    list_filter = [RegionPrefixFilter, "status", "category", "main_cause"]
    search_fields = ["=household_no", "=members__id_number", "members__name"]
    list_select_related = ["village"]
    inlines = [MemberInline, AssessmentInline, HouseholdFactInline]
    show_full_result_count = False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "id_number", "relation", "sex", "birth_date", "household", "is_active"]
    list_filter = [MemberRegionFilter, "relation", "health", "labor", "is_active"]
    search_fields = ["=id_number", "name", "=household__household_no"]
    list_select_related = ["household"]
    show_full_result_count = False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "net_income_per_capita", "household_size",
                    "housing_grade"]  # fmt: skip
    list_filter = [AssessmentRegionFilter, "year", "housing_grade", "food_ok", "medical_ok"]
    search_fields = ["=household__household_no", "=household__members__id_number"]
    list_select_related = ["household"]
    show_full_result_count = False


@admin.register(MemberEvent)
class MemberEventAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "member", "household"]
    list_filter = ["kind"]
    search_fields = ["=household__household_no", "=member__id_number"]


@admin.register(StatusTransition)
class StatusTransitionAdmin(ReadOnlyAdmin):
    list_display = ["household", "from_status", "to_status", "year", "date"]
    list_filter = ["to_status", "year"]
    search_fields = ["=household__household_no"]


@admin.register(HouseholdFact)
class HouseholdFactAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "fact", "note", "recorded_at"]
    list_filter = [FactRegionFilter, "year", "fact"]
    search_fields = ["=household__household_no"]
    list_select_related = ["household"]
    show_full_result_count = False
