"""The audit log (审计日志) for the posts that check others' work: inspectors over their
region and the national office; every write of the system, newest first."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fupin.core.access import restrict, user_prefixes
from fupin.core.models import AuditEvent
from fupin.core.rules import AUDITORS
from fupin.regions.queries import code_prefix_q
from fupin.web.queries.households import page_of
from fupin.web.views import page_number


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Audit events in the user's scope, filtered by action, object, region and date."""
    if not user_prefixes(request.user if request.user.is_authenticated else None, AUDITORS):
        return render(request, "web/audit.html", {"section": "audit", "refused": True}, status=403)
    events = restrict(AuditEvent.objects.all(), request.user, "view")
    action = request.GET.get("action", "").strip()
    object_id = request.GET.get("object_id", "").strip()
    region = request.GET.get("region", "").strip()
    since = _date(request.GET.get("since", ""))
    if action:
        events = events.filter(action__startswith=action)
    if object_id:
        events = events.filter(object_id=object_id)
    if region.isdigit() and len(region) <= 12:
        events = events.filter(code_prefix_q(region, "region_code"))
    if since:
        events = events.filter(created_at__date__gte=since)
    page = page_of(events.order_by("-id"), page_number(request))
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {"section": "audit", "page": page, "query": kept.urlencode(), "action": action,
               "object_id": object_id, "region": region, "since": since}  # fmt: skip
    return render(request, "web/audit.html", context)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
