"""Microcredit's pages (扶贫小额信贷): a region's portfolio at the end of a year with the
overdue and default rates by sub-region and the loans past due, one loan with its
repayments (and a repayment or a write-off recorded there), a household's loans as a panel
for the household page, and a loan issued to a household.

Every page reads through `core.access` (`restrict`, `access_get`); out of scope and missing
answer the same 404. Writes go through `credit.services`; a form is shown only to the posts
the service lets write, a refusal is shown with its reason and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.access import access_get, roles_at, user_prefixes
from fupin.core.audit import Actor
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.support.choices import LoanStatus
from fupin.support.credit.forms import (
    LoanForm,
    RepaymentForm,
    WriteOffForm,
    refusal_status,
    refusal_text,
)
from fupin.support.credit.queries import access_loan, credit_rates, household_loans, year_end
from fupin.support.credit.services import (
    CreditError,
    loan_issue,
    loan_repay,
    loan_write_off,
    status_on,
)
from fupin.support.models import Loan
from fupin.support.models.credit import CLOSED, CREDIT_KEEPERS
from fupin.support.pages import page_year
from fupin.web.cases import signed_in


def keeps(user: AbstractBaseUser, village: str) -> bool:
    """Whether the user's posts record the loans of `village` (the services' rule: the
    county or township office over it)."""
    return bool(roles_at(user, village) & CREDIT_KEEPERS)


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
    year, region = page_year(request), _region(request)
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


def _defaulted(loan: Loan) -> bool:
    """Whether the loan stands defaulted today, as the write-off checks it (the cached status
    may lag the calendar)."""
    try:
        return status_on(loan, timezone.localdate()) == LoanStatus.DEFAULTED
    except CreditError:
        return False


@login_required
@require_http_methods(["GET", "POST"])
def loan(request: HttpRequest, loan_id: int) -> HttpResponse:
    """One loan: its terms, repayments, and what is owed; a keeper records a repayment or
    a write-off here (a POST names it by `action`: repay, write_off)."""
    user = signed_in(request)
    found = access_loan(user, loan_id)
    if request.method != "POST":
        return _loan(request, found)
    if not keeps(user, found.household.village_id):
        return _loan(request, found, status=403)
    forms = {"repay": RepaymentForm, "write_off": WriteOffForm}
    action = request.POST.get("action", "")
    if action not in forms:
        return _loan(request, found, error=_("未知的操作。"), status=400)
    form = forms[action](request.POST)
    if not form.is_valid():
        return _loan(request, found, forms={action: form}, status=400)
    try:
        if action == "repay":
            loan_repay(loan=found, actor=Actor.of(user), **form.cleaned_data)
        else:
            loan_write_off(loan=found, actor=Actor.of(user), **form.cleaned_data)
    except CreditError as refused:
        return _loan(request, found, forms={action: form}, error=refusal_text(refused),
                     status=refusal_status(refused))  # fmt: skip
    messages.success(request, _("已登记还款。") if action == "repay" else _("已由风险补偿金代偿。"))
    return redirect("credit:loan", loan_id=found.pk)


def _loan(
    request: HttpRequest,
    found: Loan,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    found = access_loan(request.user, found.pk)  # as it stands now
    today = timezone.localdate()
    shown = {"repay": RepaymentForm(initial={"paid_on": today}),
             "write_off": WriteOffForm(initial={"on": today}), **(forms or {})}  # fmt: skip
    writes = keeps(signed_in(request), found.household.village_id) and found.status not in CLOSED
    return render(request, "support/credit/loan.html", {
        "section": "support", "loan": found, "error": error, "not_allowed": status == 403,
        "repayments": list(found.repayments.order_by("paid_on", "id")),
        "repay_form": shown["repay"] if writes else None,
        "write_off_form": shown["write_off"] if writes and _defaulted(found) else None,
    }, status=status)  # fmt: skip


@login_required
@require_GET
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """A household's loans: the panel of the household page."""
    household = access_get(Household.objects.all(), request.user, "view", pk=household_id)
    loans = list(household_loans(user=request.user, household=household))
    return render(request, "support/credit/_panel.html", {
        "household": household, "loans": loans,
        "keeps": keeps(signed_in(request), household.village_id),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def loan_new(request: HttpRequest, household_id: int) -> HttpResponse:
    """Issue a microcredit loan to a household (扶贫小额信贷发放), within the policy's caps."""
    user = signed_in(request)
    household = access_get(
        Household.objects.select_related("village"), user, "view", pk=household_id
    )
    context: dict[str, Any] = {"section": "households", "household": household,
                               "allowed": keeps(user, household.village_id)}  # fmt: skip
    if not context["allowed"]:
        return render(request, "support/credit/loan_new.html", context, status=403)
    form = LoanForm(request.POST or None,
                    initial={"issued_on": timezone.localdate(), "subsidy_share": 1})  # fmt: skip
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                made = loan_issue(household=household, actor=Actor.of(user), **form.cleaned_data)
            except CreditError as refused:
                error, status = refusal_text(refused), refusal_status(refused)
            else:
                messages.success(request, _("贷款已登记。"))
                return redirect("credit:loan", loan_id=made.pk)
    return render(request, "support/credit/loan_new.html",
                  {**context, "form": form, "error": error}, status=status)  # fmt: skip
