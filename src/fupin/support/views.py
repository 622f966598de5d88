"""The assistance ledger's pages (帮扶台账): the ledger of a region and year by measure type,
a household's measure recorded by hand, a department's file upload (checked whole, every
bad cell named, nothing half-applied) with its template, and the coverage gaps by village.

Every page reads through `core.access` (`access_get`, `restrict`); out of scope and missing
answer the same 404. Writes go through `support.services`.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Sum
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.access import access_get, restrict, user_prefixes
from fupin.core.audit import Actor
from fupin.regions.models import Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household
from fupin.support import ledger_file
from fupin.support.choices import MeasureForm, MeasureType, ProviderKind
from fupin.support.models import MEASURE_KEEPERS, Measure
from fupin.support.queries import coverage_gaps
from fupin.support.services import FIRST_YEAR, MeasureError, measure_record

SHOWN = 100
ISSUES_SHOWN = 500
UPLOAD_MAX_BYTES = 20 << 20
SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})


def _year(request: HttpRequest) -> int:
    """The year asked for; by default the latest with measures the user sees (this year
    when there are none)."""
    this_year = timezone.localdate().year
    text = request.GET.get("year", "")
    if text.isdigit() and FIRST_YEAR <= int(text) <= this_year:
        return int(text)
    latest = restrict(Measure.objects.all(), request.user, "view").aggregate(Max("year"))
    return int(latest["year__max"] or this_year)


def _region(request: HttpRequest) -> str:
    region = request.GET.get("region", "")
    return region if region.isdigit() and len(region) <= 12 else ""


def _may_record(request: HttpRequest) -> bool:
    return bool(user_prefixes(request.user, MEASURE_KEEPERS))  # type: ignore[arg-type]


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """The measures of a region and year, by type (households, measures, value), and the
    latest ones."""
    year, region = _year(request), _region(request)
    measure_type = request.GET.get("type", "")
    measures = restrict(Measure.objects.filter(year=year), request.user, "view").filter(
        code_prefix_q(region, "household__village_id")
    )
    by_type = (
        measures.order_by()
        .values("measure_type")
        .annotate(households=Count("household_id", distinct=True), measures=Count("id"),
                  value=Sum("value"))
        .order_by("measure_type")
    )  # fmt: skip
    labels = dict(MeasureType.choices)
    rows = [{**row, "label": labels.get(row["measure_type"], row["measure_type"])}
            for row in by_type]  # fmt: skip
    if measure_type in MeasureType.values:
        measures = measures.filter(measure_type=measure_type)
    latest = list(
        measures.select_related("household", "household__village").order_by("-given_on", "-id")[
            :SHOWN
        ]
    )
    return render(request, "support/ledger.html", {
        "section": "support", "year": year, "region": region, "types": rows,
        "totals": {"households": measures.values("household_id").distinct().count()
                   if rows else 0,
                   "measures": sum(r["measures"] for r in rows),
                   "value": sum((r["value"] or 0) for r in rows)},
        "latest": latest, "shown": SHOWN, "measure_type": measure_type,
        "type_choices": MeasureType.choices, "region_name": _region_name(region),
        "may_record": _may_record(request),
    })  # fmt: skip


def _region_name(code: str) -> str:
    if not code:
        return ""
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


@login_required
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    """Households keeping their support this year with no measure answering their main
    cause, counted by village, and the first of them listed."""
    year, region = _year(request), _region(request)
    found = coverage_gaps(user=request.user, prefix=region, year=year)
    names = dict(
        Region.objects.filter(code__in=[code for code, _ in found.by_village[:SHOWN]]).values_list(
            "code", "name"
        )
    )
    households = list(found.households.select_related("village")[:SHOWN])
    return render(request, "support/gaps.html", {
        "section": "support", "year": year, "region": region, "total": found.total,
        "villages": [(code, names.get(code, ""), n) for code, n in found.by_village[:SHOWN]],
        "households": households, "shown": SHOWN, "region_name": _region_name(region),
    })  # fmt: skip


class MeasureEntryForm(forms.Form):
    """One measure a household received, as a keeper or a department enters it."""

    given_on = forms.DateField(
        label=_("帮扶日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    measure_type = forms.ChoiceField(label=_("帮扶措施类型"), choices=MeasureType.choices)
    description = forms.CharField(label=_("措施内容"), max_length=200)
    form = forms.ChoiceField(label=_("帮扶形式"), choices=MeasureForm.choices)
    value = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=12,
                               decimal_places=2, help_text=_("实物按折价填写"))  # fmt: skip
    provider_kind = forms.ChoiceField(label=_("帮扶主体类型"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("帮扶单位"), max_length=100)
    fund = forms.CharField(label=_("资金来源"), max_length=100, required=False)
    project = forms.CharField(label=_("项目名称"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, household_id: int) -> HttpResponse:
    """Record one measure a household received."""
    household = access_get(
        Household.objects.select_related("village"), request.user, "view", pk=household_id
    )
    today = timezone.localdate()
    form = MeasureEntryForm(request.POST or None, initial={"given_on": today})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        given_on: date = data["given_on"]
        try:
            measure_record(household=household, year=given_on.year, actor=Actor.of(request.user),
                           **data)  # fmt: skip
        except MeasureError as exc:
            error = "；".join(issue.message_zh or issue.message for issue in exc.issues) or str(exc)
        else:
            messages.success(request, _("帮扶措施已登记。"))
            return redirect("web:household", household_id=household.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "support/measure_new.html", {
        "section": "households", "household": household, "form": form, "error": error,
    }, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """A department's (or a keeper's) file of measures: checked whole, then recorded whole or
    refused with every problem named."""
    if not _may_record(request):
        return render(request, "support/upload.html", {"section": "support", "allowed": False},
                      status=403)  # fmt: skip
    context: dict[str, Any] = {"section": "support", "allowed": True}
    if request.method != "POST":
        return render(request, "support/upload.html", context)
    file = request.FILES.get("file")
    check_only = request.POST.get("check_only") == "yes"
    error = ""
    if file is None:
        error = str(_("请选择要导入的文件。"))
    elif Path(file.name or "").suffix.lower() not in SUFFIXES:
        error = str(_("只能导入 CSV 或 XLSX 文件。"))
    elif (file.size or 0) > UPLOAD_MAX_BYTES:
        error = str(_("文件超过 %(mb)s MB。") % {"mb": UPLOAD_MAX_BYTES >> 20})
    if error or file is None:
        return render(request, "support/upload.html", {**context, "error": error}, status=400)
    name = Path(file.name or "upload").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            count = ledger_file.measures_file_import(
                path=path, actor=Actor.of(request.user), file_name=name, dry_run=check_only
            )
        except MeasureError as exc:
            issues = ledger_file.issue_rows(exc.issues)
            return render(request, "support/upload.html", {
                **context, "file_name": name, "issues": issues[:ISSUES_SHOWN],
                "issue_count": len(issues), "issues_more": len(issues) > ISSUES_SHOWN,
                "refusal": "" if exc.issues else str(exc),
            }, status=400)  # fmt: skip
    return render(request, "support/upload.html", {
        **context, "file_name": name, "count": count, "check_only": check_only,
    })  # fmt: skip


@login_required
@require_GET
def template(request: HttpRequest) -> FileResponse:
    """The department's ledger template (.xlsx, Chinese headers, drop-down lists)."""
    handle = io.BytesIO()
    ledger_file.write_template(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename="帮扶措施导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
