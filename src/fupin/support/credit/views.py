"""Microcredit's pages (扶贫小额信贷): a region's portfolio at the end of a year with the
overdue and default rates by sub-region and the loans past due, one loan with its
repayments, and a household's loans as a panel for the household page.

Every page reads through `core.access` (`restrict`, `access_get`); out of scope and missing
answer the same 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fupin.core.access import access_get, user_prefixes
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.support.credit.queries import access_loan, credit_rates, household_loans, year_end
from fupin.support.credit.services import FIRST_YEAR
from fupin.support.models import Loan


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and FIRST_YEAR <= int(text) <= this_year else this_year


def _region(request: HttpRequest) -> str | None:
    """The region asked for, or the widest the user's posts cover (None: no post)."""
    region = request.GET.get("region", "")
    if region.isdigit() and len(region) <= 12:
        return region
    prefixes = user_prefixes(request.user, Loan.ACCESS.view)  # type: ignore[arg-type]
    return min(prefixes, key=len) if prefixes else None


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    """The loans of a region at the end of a year: the rates of the region and of each
    sub-region, by households and by amounts, and the loans past due."""
    year, region = _year(request), _region(request)
    context: dict[str, Any] = {"section": "support", "year": year, "region": region or ""}
    if region is None:
        return render(request, "support/credit/rates.html", {**context, "no_scope": True})
    try:
        found = credit_rates(user=request.user, region=region, on=year_end(year))
    except Http404:
        return render(request, "support/credit/rates.html", {**context, "out_of_scope": True},
                      status=404)  # fmt: skip
    codes = [region, *[part["region_code"] for part in found.parts]]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    loans = Loan.objects.select_related("household", "household__village").in_bulk(
        [row["loan_id"] for row in found.past_due]
    )
    past_due = [{**row, "loan": loans[row["loan_id"]]} for row in found.past_due]
    return render(request, "support/credit/rates.html", {
        **context, "on": found.on, "total": found.total, "region_name": names.get(region, ""),
        "parts": [{**part, "name": names.get(part["region_code"], "")} for part in found.parts],
        "past_due": past_due, "default_days": found.default_days,
    })  # fmt: skip


@login_required
@require_GET
def loan(request: HttpRequest, loan_id: int) -> HttpResponse:
    """One loan: its terms, repayments, and what is owed."""
    found = access_loan(request.user, loan_id)
    return render(request, "support/credit/loan.html", {
        "section": "support", "loan": found,
        "repayments": list(found.repayments.order_by("paid_on", "id")),
    })  # fmt: skip


@login_required
@require_GET
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """A household's loans: the panel of the household page."""
    household = access_get(Household.objects.all(), request.user, "view", pk=household_id)
    loans = list(household_loans(user=request.user, household=household))
    return render(request, "support/credit/_panel.html", {"household": household, "loans": loans})
