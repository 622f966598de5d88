"""Back office for the audit log (read-only: it is append-only by design)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fupin.core.access import restrict
from fupin.core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through audited services (or not at all): the admin shows them,
    to a staff user only those their grants reach (`restrict`), to the superuser (the
    operator) all."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or getattr(self.model, "ACCESS", None) is None:
            return queryset
        return restrict(queryset, request.user, "view")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["=object_id", "actor_label", "=region_code"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False
