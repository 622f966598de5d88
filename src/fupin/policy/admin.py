"""Back office for policy values, exclusion rules and snapshots (read-only: `fupin policy set`
and `set-exclusion` add audited versions, and snapshots are never changed)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.policy.models import ExclusionRuleValue, ExitIndicatorValue, PolicySnapshot, PolicyValue


@admin.register(PolicyValue)
class PolicyValueAdmin(ReadOnlyAdmin):
    list_display = ["name", "year", "province", "version", "value", "verified", "source"]
    list_filter = ["name", "verified", "province"]
    search_fields = ["name", "source"]


@admin.register(ExclusionRuleValue)
class ExclusionRuleValueAdmin(ReadOnlyAdmin):
    list_display = ["code", "fact", "year", "province", "version", "active", "verified", "source"]
    list_filter = ["fact", "active", "verified", "province"]
    search_fields = ["code", "source"]


@admin.register(ExitIndicatorValue)
class ExitIndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["level", "code", "label", "year", "province", "version", "active", "verified"]
    list_filter = ["level", "active", "verified", "province"]
    search_fields = ["code", "label", "source"]


@admin.register(PolicySnapshot)
class PolicySnapshotAdmin(ReadOnlyAdmin):
    list_display = ["year", "province", "digest", "created_at"]
    list_filter = ["year", "province"]
    search_fields = ["=digest"]
    readonly_fields = [
        "year",
        "province",
        "value_ids",
        "exclusion_rule_ids",
        "digest",
        "created_at",
    ]
