"""Back office for policy values (read-only: `fupin policy set` adds audited versions)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.policy.models import PolicyValue


@admin.register(PolicyValue)
class PolicyValueAdmin(ReadOnlyAdmin):
    list_display = ["name", "year", "province", "version", "value", "verified", "source"]
    list_filter = ["name", "verified", "province"]
    search_fields = ["name", "source"]
