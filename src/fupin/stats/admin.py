"""Back office for the rollups: read-only, they change only through `fupin stats refresh`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fupin.core.admin import ReadOnlyAdmin
from fupin.regions.queries import code_prefix_q
from fupin.stats.models import RegionYearBreakdown, RegionYearStat


class RollupAdmin(ReadOnlyAdmin):
    """Read-only browsing of rollup rows, searched by region code prefix."""

    search_fields = ("=region_code",)
    search_help_text = _("a region code prefix (5227)")
    show_full_result_count = False  # hundreds of thousands of rows: a count per page is waste
    list_per_page = 100

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if term.isdigit() and term.isascii():
            # A code prefix is an index range on the unique (region_code, ...) index.
            return queryset.filter(code_prefix_q(term, "region_code")), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(RegionYearStat)
class RegionYearStatAdmin(RollupAdmin):
    """The totals of each region and year, the poor stock and the year's flows first."""

    list_display = (
        "region_code", "level", "year", "households", "persons", "registered_households",
        "registered_persons", "new_households", "exited_households", "returned_households",
        "removed_households", "monitored_households",
    )  # fmt: skip
    list_filter = ("level", "year")


@admin.register(RegionYearBreakdown)
class RegionYearBreakdownAdmin(RollupAdmin):
    """The poor stock of each region and year by category and by main cause."""

    list_display = ("region_code", "level", "year", "measure", "key", "value")
    list_filter = ("level", "year", "measure")
