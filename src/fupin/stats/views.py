"""The report page (年度报告): choose a region and a year, and the report is made as a
background job (PDF or Excel) whose page shows its progress and the download."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fupin.core.access import user_prefixes
from fupin.core.audit import Actor
from fupin.jobs.choices import JobKind
from fupin.jobs.kinds import KINDS, REPORT_FORMATS, JobError, JobRefused
from fupin.jobs.services import job_start
from fupin.regions.models import Region
from fupin.web.cases import signed_in

FIRST_YEAR = 2013


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """The form that starts a report job; the job's page follows it."""
    user = signed_in(request)
    prefixes = user_prefixes(user, KINDS[JobKind.REPORT].roles)
    names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
    regions = [(code, names.get(code, code or "全国")) for code in prefixes]
    this_year = timezone.localdate().year
    context: dict[str, Any] = {
        "section": "dashboard", "regions": regions, "years": range(this_year, FIRST_YEAR - 1, -1),
        "year": this_year - 1, "region": prefixes[0] if prefixes else "", "formats": REPORT_FORMATS,
    }  # fmt: skip
    if request.method == "GET":
        return render(request, "stats/reports.html", context)
    # A code typed below the chosen region wins (a township, a village of the county).
    region = request.POST.get("region_code", "").strip() or request.POST.get("region", "")
    year_text, form = request.POST.get("year", ""), request.POST.get("format", "pdf")
    context.update(region=region, year=int(year_text) if year_text.isdigit() else context["year"])
    try:
        job = job_start(
            kind=JobKind.REPORT, region_code=region, actor=Actor.of(user),
            params={"year": int(year_text) if year_text.isdigit() else 0, "format": form},
        )  # fmt: skip
    except JobRefused:
        refused = _("您的岗位不能为这个区域生成报告。")
        return render(request, "stats/reports.html", {**context, "error": refused}, status=403)
    except JobError as exc:
        return render(request, "stats/reports.html", {**context, "error": str(exc)}, status=400)
    return redirect("jobs:job_detail", job_id=job.pk)
