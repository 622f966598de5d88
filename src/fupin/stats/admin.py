"""Back office for the rollups: read-only, they change only through `fupin stats refresh`."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fupin.core.admin import ReadOnlyAdmin
from fupin.regions.queries import code_prefix_q
from fupin.stats.models import RegionYearStat


@admin.register(RegionYearStat)
class RegionYearStatAdmin(ReadOnlyAdmin):
    """Read-only browsing of the rollup rows by region, year and measure."""

    list_display = ("region_code", "level", "year", "measure", "key", "value")
    list_filter = ("level", "year", "measure")
    search_fields = ("=region_code",)
    search_help_text = _("a region code prefix (5227)")
    show_full_result_count = False  # millions of rows: a count per page is wasted work
    list_per_page = 100

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[RegionYearStat], search_term: str
    ) -> tuple[QuerySet[RegionYearStat], bool]:
        term = search_term.strip()
        if term.isdigit() and term.isascii():
            # A code prefix is an index range on the unique (region_code, ...) index.
            return queryset.filter(code_prefix_q(term, "region_code")), False
        return super().get_search_results(request, queryset, search_term)
