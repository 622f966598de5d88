"""Back office for the division tree: browse regions, record poor-area designations.

Regions are read-only here because they change only through the loader
(`fupin regions load`), which keeps editions, retirements and audit events consistent.
Designations are added and lifted through the services, never by saving the model.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fupin.core.admin import ReadOnlyAdmin
from fupin.core.audit import Actor
from fupin.regions import services
from fupin.regions.models import PoorAreaDesignation, Region
from fupin.regions.queries import code_prefix_q


class UnderPrefixFilter(admin.SimpleListFilter):
    """Regions under a code prefix, offered as a drill-down from the province to the township."""

    title = _("under prefix")
    parameter_name = "under"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        chosen = Region.objects.filter(code=value).first() if value else None
        if chosen is None:
            options = Region.objects.filter(level=1)
        else:
            # The path down to the chosen region stays visible so that one click goes back up.
            path: list[str] = []
            node: Region | None = chosen
            while node is not None:
                path.append(node.code)
                node = node.parent
            options = Region.objects.filter(Q(code__in=path) | Q(parent=chosen))
        return [(region.code, str(region)) for region in options.order_by("code")[:200]]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Region]) -> QuerySet[Region]:
        value = self.value()
        if not value:
            return queryset
        try:
            return queryset.filter(code_prefix_q(value))
        except ValueError as exc:
            raise IncorrectLookupParameters(str(exc)) from exc


class RetiredFilter(admin.SimpleListFilter):
    """Whether the code has been retired by a later edition."""

    title = _("retired")
    parameter_name = "retired"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", str(_("current"))), ("yes", str(_("retired")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Region]) -> QuerySet[Region]:
        if self.value() in ("yes", "no"):
            return queryset.filter(retired_in__isnull=self.value() == "no")
        return queryset


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    """Read-only browsing of the division tree."""

    list_display = ("code", "name", "level", "kind", "is_western", "edition", "retired_in")
    list_filter = ("level", "kind", "is_western", RetiredFilter, UnderPrefixFilter)
    search_fields = ("name",)
    search_help_text = _("a code prefix (5227) or part of a name")
    show_full_result_count = False  # a count over 665,000 rows on every page is wasted work
    list_per_page = 50
    raw_id_fields = ("parent",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Region], search_term: str
    ) -> tuple[QuerySet[Region], bool]:
        term = search_term.strip()
        if term.isdigit() and term.isascii():
            # A code prefix is an index range; a LIKE over the name column is not.
            return queryset.filter(code_prefix_q(term)), False
        return super().get_search_results(request, queryset, search_term)


class DesignationForm(forms.ModelForm):
    """Checks through the services, so that the admin and the CLI apply the same rules."""

    class Meta:
        model = PoorAreaDesignation
        fields = ("region", "kind", "designated_year", "lifted_year", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if self.instance.pk is None:
            problems = services.poor_area_designate_problems(
                region_code=data["region"].code,
                kind=data["kind"],
                designated_year=data["designated_year"],
            )
        elif data.get("lifted_year") is None:
            problems = []
            if self.instance.lifted_year is not None:
                raise forms.ValidationError(_("A lifted designation cannot be un-lifted here."))
        else:
            problems = services.poor_area_lift_problems(
                designated_year=self.instance.designated_year, lifted_year=data["lifted_year"]
            )
        if problems:
            raise forms.ValidationError([problem.message for problem in problems])
        return data


@admin.register(PoorAreaDesignation)
class PoorAreaDesignationAdmin(admin.ModelAdmin):
    """Poor counties (贫困县) and poor villages (贫困村), added and lifted through the services."""

    form = DesignationForm
    list_display = ("region", "kind", "designated_year", "lifted_year", "note")
    list_filter = ("kind", "designated_year", "lifted_year")
    search_fields = ("region__name", "=region__code")
    raw_id_fields = ("region",)
    list_select_related = ("region",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["lifted_year"]
        return ["region", "kind", "designated_year", "note"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.of(request.user)
        if not change:
            obj.pk = services.poor_area_designate(
                region_code=obj.region_id,
                kind=obj.kind,
                designated_year=obj.designated_year,
                note=obj.note,
                actor=actor,
            ).pk
        elif obj.lifted_year is not None:
            services.poor_area_lift(
                region_code=obj.region_id, kind=obj.kind, lifted_year=obj.lifted_year, actor=actor
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
