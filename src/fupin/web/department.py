"""The department work list (行业部门确认): the households in a department's area whose
indicator it must confirm for a year, confirmed one by one or by uploading a file.

The indicator of each department is `registry.confirmations.INDICATORS` (civil affairs
confirms the household attribute, 低保/特困, of households on the register). Writes go
through `indicator_confirm` and `indicator_confirm_many`; a file is validated whole and a
single bad row leaves everything unwritten.
"""

from __future__ import annotations

import tempfile
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fupin.core.access import access_get, active_grants, restrict
from fupin.core.audit import Actor
from fupin.core.choices import Department, Role
from fupin.regions.queries import code_prefix_q
from fupin.registry.confirmations import (
    INDICATORS,
    ON_REGISTER,
    ConfirmationError,
    Indicator,
    confirmation_file_read,
    indicator_confirm,
    indicator_confirm_many,
)
from fupin.registry.importer import file_sha256
from fupin.registry.models import Assessment, Household, IndicatorConfirmation, Member
from fupin.registry.vocabulary import FORM_LABELS
from fupin.web.cases import signed_in

PAGE_SIZE = 50
SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})


@require_http_methods(["GET", "POST"])
@login_required
def department_work_list(request: HttpRequest) -> HttpResponse:
    """The work list of the user's department for a year, and its two ways to confirm."""
    grants = list(
        active_grants(signed_in(request))
        .filter(role=Role.DEPARTMENT)
        .values_list("department", "region_prefix")
    )
    if not grants:
        return render(request, "web/department/list.html", {"granted": False}, status=403)
    params = request.POST if request.method == "POST" else request.GET
    departments = sorted({department for department, _ in grants})
    department = params.get("department", "")
    department = department if department in departments else departments[0]
    prefixes = [prefix for name, prefix in grants if name == department]
    households = restrict(Household.objects.all(), request.user, "view").filter(
        reduce(or_, (code_prefix_q(prefix, "village_id") for prefix in prefixes))
    )
    year = _year(params.get("year", ""), households)
    view = {"department": department, "year": year, "households": households,
            "departments": [(d, Department(d).label) for d in departments]}  # fmt: skip
    if request.method == "POST":
        if params.get("action") == "upload":
            return _upload(request, view)
        return _confirm_one(request, view)
    return _page(request, view)


def _year(text: str, households: QuerySet[Household]) -> int | None:
    """The year asked for, or the latest one assessed in the area."""
    if text.strip().isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    latest = Assessment.objects.filter(household__in=households).aggregate(year=Max("year"))
    return latest["year"]


def _work(view: dict[str, Any], pending_only: bool, village: str) -> QuerySet[Household]:
    """The households to confirm, with the value the register holds and the confirmation."""
    indicator: Indicator = INDICATORS[view["department"]]
    year, households = view["year"], view["households"]
    confirmations = IndicatorConfirmation.objects.filter(
        household=OuterRef("pk"), year=year, department=view["department"]
    )
    if indicator.on_assessment:
        households = households.filter(assessments__year=year).annotate(
            current=Subquery(
                Assessment.objects.filter(household=OuterRef("pk"), year=year).values(
                    indicator.field
                )[:1]
            )
        )
    else:
        households = households.filter(status__in=ON_REGISTER).annotate(
            current=Subquery(Household.objects.filter(pk=OuterRef("pk")).values(indicator.field))
        )
    if village:
        households = households.filter(code_prefix_q(village, "village_id"))
    households = households.annotate(
        confirmed=Subquery(confirmations.values("value")[:1]),
        confirmed_at=Subquery(confirmations.values("confirmed_at")[:1]),
        confirmed_by=Subquery(confirmations.values("confirmed_by_label")[:1]),
    )
    if pending_only:
        households = households.filter(confirmed__isnull=True)
    return households.select_related("village").order_by("household_no")


def _page(
    request: HttpRequest,
    view: dict[str, Any],
    *,
    issues: list[dict[str, Any]] | None = None,
    file: str = "",
    status: int = 200,
) -> HttpResponse:
    indicator = INDICATORS[view["department"]]
    pending = request.GET.get("pending") == "1"
    village = request.GET.get("village", "").strip()
    village = village if village.isdigit() and len(village) <= 12 else ""
    page = None
    if view["year"] is not None:
        page = Paginator(_work(view, pending, village), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/department/list.html", {
        "granted": True, **view, "indicator": indicator, "page": page,
        "rows": _rows(page, indicator) if page is not None else [],
        "choices": indicator.choices(), "pending": pending, "village": village,
        "query": query.urlencode(), "issues": issues or [], "file": file,
    }, status=status)  # fmt: skip


def _rows(households: Any, indicator: Indicator) -> list[dict[str, Any]]:
    heads = dict(
        Member.objects.filter(
            household__in=[h.pk for h in households], relation="head", is_active=True
        ).values_list("household_id", "name")
    )
    return [_row(household, indicator, heads.get(household.pk, "")) for household in households]


def _row(household: Household, indicator: Indicator, head: str) -> dict[str, Any]:
    labels = FORM_LABELS[indicator.field]
    current = getattr(household, "current", None)
    if isinstance(current, bool):
        current = "yes" if current else "no"
    confirmed = getattr(household, "confirmed", None)
    return {
        "household": household, "head": head,
        "current": current or "", "current_label": labels.get(current or "", current or "—"),
        "confirmed": confirmed, "confirmed_label": labels.get(confirmed or "", confirmed),
        "confirmed_at": getattr(household, "confirmed_at", None),
        "confirmed_by": getattr(household, "confirmed_by", None),
    }  # fmt: skip


def _confirm_one(request: HttpRequest, view: dict[str, Any]) -> HttpResponse:
    """Confirm one household's value: htmx gets the row back, a plain form a redirect."""
    household = access_get(view["households"], request.user, "view",
                           pk=request.POST.get("household", ""))  # fmt: skip
    error = ""
    try:
        indicator_confirm(
            household=household, year=view["year"], department=view["department"],
            value=request.POST.get("value", ""), actor=Actor.of(request.user),
        )  # fmt: skip
    except ConfirmationError as refused:
        error = "；".join(issue.message_zh for issue in refused.issues)
    if request.headers.get("HX-Request"):
        row = _work(view, False, "").filter(pk=household.pk).first()
        indicator = INDICATORS[view["department"]]
        return render(request, "web/department/_row.html", {
            **view, "row": _row(row, indicator, _head(household)) if row else None,
            "choices": indicator.choices(), "error": error,
        })  # fmt: skip
    if error:
        messages.error(request, f"{household.household_no}: {error}")
    else:
        messages.success(request, _("已确认：%(number)s") % {"number": household.household_no})
    return redirect(request.get_full_path())


def _head(household: Household) -> str:
    head = Member.objects.filter(household=household, relation="head", is_active=True).first()
    return head.name if head else ""


def _upload(request: HttpRequest, view: dict[str, Any]) -> HttpResponse:
    """Confirm from a file (household number + value): all rows or none."""
    file = request.FILES.get("file")
    name = Path(file.name or "").name if file else ""
    if file is None or Path(name).suffix.lower() not in SUFFIXES:
        messages.error(request, _("请选择 CSV 或 XLSX 文件。"))
        return redirect(request.get_full_path())
    if view["year"] is None:
        messages.error(request, _("请选择年度。"))
        return redirect(request.get_full_path())
    with tempfile.TemporaryDirectory(prefix="fupin-confirm-") as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            rows = confirmation_file_read(path, department=view["department"], file_name=name)
            result = indicator_confirm_many(
                rows=rows, year=view["year"], department=view["department"],
                actor=Actor.of(request.user), source=f"{name} sha256:{file_sha256(path)}",
            )  # fmt: skip
        except ConfirmationError as refused:
            issues = [{"file": name, "row": i.row, "column": i.column, "code": i.code,
                       "message_zh": i.message_zh, "message_en": i.message_en, "value": i.value}
                      for i in refused.issues]  # fmt: skip
            return _page(request, view, issues=issues, file=name, status=400)
    messages.success(request, _("已按文件确认 %(confirmed)s 户，其中 %(changed)s 户的数值有变化。")
                     % {"confirmed": result.confirmed, "changed": result.changed})  # fmt: skip
    return redirect(request.get_full_path())
