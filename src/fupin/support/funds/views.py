"""The funds and projects pages (扶贫资金和项目), under /funds/: the reconciliation of a
region's funds for a year with its flags (money idle or overspent), an allocation recorded
by the office that gives it, the projects of a region and year, a project with its steps,
beneficiaries and payments, and a payment to a household.

Every page reads through `core.access` (`access_get`, `restrict`) and `funds.queries`;
out of scope and missing answer the same 404. Writes go through `funds.services`; a
refusal is shown on the page with its reason, and nothing is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.access import restrict, roles_at, user_prefixes
from fupin.core.audit import Actor
from fupin.regions.models import Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household
from fupin.support.choices import ProjectStatus
from fupin.support.funds.forms import (
    LAST_YEAR,
    AllocationForm,
    BeneficiariesForm,
    HouseholdPaymentForm,
    PaymentForm,
    ProjectForm,
    ProjectStepForm,
    refusal_status,
    refusal_text,
)
from fupin.support.funds.queries import FUND_LEVELS, funds_flags, funds_reconcile, project_list
from fupin.support.funds.services import (
    FIRST_YEAR,
    STEPS,
    FundsError,
    allocation_record,
    beneficiaries_add,
    disbursement_record,
    project_create,
    project_status_change,
)
from fupin.support.models import Allocation, Disbursement, Measure, Project
from fupin.support.models.funds import COUNTY_OFFICE, FUND_OFFICES, FUND_READERS
from fupin.support.pages import page_year
from fupin.web.cases import signed_in

PAGE_SIZE = 50
SHOWN = 200
# The reconciliation's columns: (row key, label); the money ones first.
COLUMNS = (
    ("received", gettext_lazy("上级下达")),
    ("own_funds", gettext_lazy("本级安排")),
    ("passed_out", gettext_lazy("下达下级")),
    ("available", gettext_lazy("可用资金")),
    ("to_projects", gettext_lazy("支出到项目")),
    ("to_households", gettext_lazy("支出到户")),
    ("undisbursed", gettext_lazy("结余")),
    ("idle", gettext_lazy("闲置")),
    ("overspent", gettext_lazy("超支")),
)


def _on(request: HttpRequest) -> date | None:
    """The day idle money is counted on (`?on=`), or None for today."""
    try:
        on = date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return None
    return on if FIRST_YEAR <= on.year <= LAST_YEAR else None


def _widest(prefixes: list[str], lengths: tuple[int, ...] | None = None) -> str | None:
    """The widest of the prefixes (of `lengths` if given): the region a page opens on."""
    kept = [prefix for prefix in prefixes if lengths is None or len(prefix) in lengths]
    return min(kept, key=lambda prefix: (len(prefix), prefix)) if kept else None


def _names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _region_label(code: str, names: dict[str, str]) -> str:
    return names.get(code, code) if code else _("全国")


def _money(amount: Decimal | int) -> str:
    return f"{Decimal(amount):,.2f}"


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """A reconciliation row as the page shows it: its figures in yuan, and its flags."""
    return {
        "cells": [(key, label, _money(row[key] or 0)) for key, label in COLUMNS],
        "households_paid": row["households_paid"] or 0,
        "idle": (row["idle"] or 0) > 0,
        "overspent": (row["overspent"] or 0) > 0,
    }


def _query(**values: Any) -> str:
    return "?" + urlencode({key: value for key, value in values.items() if value is not None})


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The reconciliation of a region (nation, province, prefecture or county) for a year:
    its own row, its parts with its own level (本级), the flags, and its allocations."""
    user = signed_in(request)
    if "region" in request.GET:
        region = request.GET["region"]
    else:
        home = _widest(user_prefixes(user, FUND_READERS), FUND_LEVELS)
        if home is None:
            raise Http404("no funds here")
        region = home
    year, on = page_year(request, ahead=1), _on(request)
    result = funds_reconcile(user=user, region=region, year=year, on=on)
    flags = funds_flags(user=user, region=region, year=year, on=on)
    allocations = list(_allocations_here(user, region, year)[:SHOWN])
    parent = region[:-2] if region else None
    names = _names([region, *([parent] if parent else []),
                    *[part["code"] for part in result.parts], *[flag["code"] for flag in flags],
                    *[a.from_region_code for a in allocations],
                    *[a.to_region_code for a in allocations]])  # fmt: skip
    up = parent is not None and bool(roles_at(user, parent) & FUND_READERS)
    return render(request, "support/funds/overview.html", {
        "section": "funds", "page": "overview", "region": region, "year": year, "on": on,
        "region_name": _region_label(region, names), "columns": [label for _k, label in COLUMNS],
        "total": _row(result.total),
        "parts": [{**_row(part), "code": part["code"], "own_level": part["own_level"],
                   "name": _("本级") if part["own_level"] else _region_label(part["code"], names)}
                  for part in result.parts],
        "flags": [{"code": flag["code"], "name": _region_label(flag["code"], names),
                   "idle": _money(flag["idle"]), "overspent": _money(flag["overspent"]),
                   "is_idle": flag["idle"] > 0, "is_overspent": flag["overspent"] > 0}
                  for flag in flags],
        "node": {key: _money(result.node[key]) for key in ("allocated", "passed_down",
                                                           "disbursed")},
        "allocations": [(a, _region_label(a.from_region_code, names),
                         _region_label(a.to_region_code, names), _money(a.amount))
                        for a in allocations],
        "shown": SHOWN, "parent": parent if up else None,
        "parent_name": _region_label(parent, names) if up and parent is not None else "",
        "may_allocate": bool(user_prefixes(user, FUND_OFFICES)),
    })  # fmt: skip


def _allocations_here(user: AbstractBaseUser, region: str, year: int) -> QuerySet[Allocation]:
    """The allocations of the year into `region` and out of it that the user may see."""
    here = Allocation.objects.filter(Q(to_region_code=region) | Q(from_region_code=region),
                                     year=year)  # fmt: skip
    return restrict(here, user, "view").order_by("-allocated_on", "-id")


def _givers(user: AbstractBaseUser) -> list[tuple[str, Any]]:
    """The regions the user's posts give funds from: (code, name), the centre as ''."""
    codes = sorted(
        (prefix for prefix in user_prefixes(user, FUND_OFFICES) if len(prefix) in FUND_LEVELS),
        key=lambda code: (len(code), code),
    )
    names = _names(codes)
    return [(code, f"{_region_label(code, names)} {code}".strip() if code else _("中央"))
            for code in codes]  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def allocation_new(request: HttpRequest) -> HttpResponse:
    """Record funds allocated (资金下达) from a region the user's posts give from, to a
    region below it or as its own budget line (本级安排)."""
    user = signed_in(request)
    givers = _givers(user)
    context: dict[str, Any] = {"section": "funds", "page": "allocation", "allowed": bool(givers)}
    if not givers:
        return render(request, "support/funds/allocation_new.html", context, status=403)
    today = timezone.localdate()
    form = AllocationForm(request.POST or None, givers=givers,
                          initial={"year": today.year, "allocated_on": today})  # fmt: skip
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                allocation = allocation_record(actor=Actor.of(user), **data)
            except FundsError as refused:
                error, status = refusal_text(refused), refusal_status(refused)
            else:
                messages.success(request, _("已登记资金下达：%(amount)s 元。")
                                 % {"amount": _money(allocation.amount)})  # fmt: skip
                return redirect(reverse("funds:overview") + _query(
                    region=allocation.from_region_code, year=allocation.year))  # fmt: skip
    # The regions an allocation may go to from the user's posts: their own budget lines,
    # and the fund-holding regions just below them.
    codes = [code for code, _name in givers]
    below = Region.objects.filter(Q(code__in=codes) | Q(parent_id__in=codes), level__lte=3)
    if "" in codes:
        below = below | Region.objects.filter(level=1)
    return render(request, "support/funds/allocation_new.html", {
        **context, "form": form, "error": error,
        "receivers": list(below.order_by("code").values_list("code", "name")[:SHOWN]),
    }, status=status)  # fmt: skip


@login_required
@require_GET
def projects(request: HttpRequest) -> HttpResponse:
    """The projects of a region and year the user may see, with status, budget and paid."""
    user = signed_in(request)
    home = _widest(user_prefixes(user, FUND_READERS))
    if home is None:
        raise Http404("no projects here")
    region = request.GET.get("region", home)
    if region and not (region.isdigit() and len(region) <= 12):
        region = home
    year = page_year(request, ahead=1)
    status = request.GET.get("status", "")
    found = project_list(user=user, region=region, year=year,
                         status=status if status in ProjectStatus.values else None)  # fmt: skip
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _names(sorted({project.region_code for project in page}))
    rows = [
        (project, names.get(project.region_code, project.region_code), _money(project.budget),
         _money(project.paid), project.paid > project.budget)  # type: ignore[attr-defined]
        for project in page
    ]  # fmt: skip
    return render(request, "support/funds/projects.html", {
        "section": "funds", "page": "projects", "region": region, "year": year,
        "status": status, "status_choices": ProjectStatus.choices, "rows": rows,
        "projects_page": page, "region_name": _region_label(region, _names([region])),
        "may_keep": bool(user_prefixes(user, COUNTY_OFFICE)),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    """Put a project into the county's project bank (项目库)."""
    user = signed_in(request)
    counties = user_prefixes(user, COUNTY_OFFICE)
    context: dict[str, Any] = {"section": "funds", "page": "projects", "allowed": bool(counties)}
    if not counties:
        return render(request, "support/funds/project_new.html", context, status=403)
    initial = {"region_code": counties[0], "year": timezone.localdate().year}
    form = ProjectForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = project_create(actor=Actor.of(user), **form.cleaned_data)
            except FundsError as refused:
                error, status = refusal_text(refused), refusal_status(refused)
            else:
                messages.success(request, _("项目已入库。"))
                return redirect("funds:project", project_id=project.pk)
    places = Region.objects.filter(code_prefix_q(counties[0]), level__in=(3, 5)).order_by("code")
    return render(request, "support/funds/project_new.html", {
        **context, "form": form, "error": error,
        "places": list(places.values_list("code", "name")[:1000]),
    }, status=status)  # fmt: skip


def project_get(user: AbstractBaseUser, project_id: int) -> Project:
    """The project with what was paid to it and how many households it benefits; missing
    and out of scope alike are 404."""
    project = project_list(user=user).filter(pk=project_id).first()
    if project is None:
        raise Http404("no project here")
    return project


def _next_steps(project: Project) -> list[tuple[str, Any]]:
    current = STEPS.index(project.status)
    return [(step, ProjectStatus(step).label) for step in STEPS[current + 1 : current + 2]]


@login_required
@require_http_methods(["GET", "POST"])
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project: its steps, beneficiaries and payments; a POST takes the action named by
    `action` (step, beneficiaries, payment)."""
    user = signed_in(request)
    project = project_get(user, project_id)
    if request.method != "POST":
        return _detail(request, project)
    handlers = {"step": _step, "beneficiaries": _beneficiaries, "payment": _payment}
    handler = handlers.get(request.POST.get("action", ""))
    if handler is None:
        return _detail(request, project, error=_("未知的操作。"), status=400)
    return handler(request, project)


def _step(request: HttpRequest, project: Project) -> HttpResponse:
    form = ProjectStepForm(request.POST, steps=_next_steps(project))
    if not form.is_valid():
        return _detail(request, project, forms={"step": form}, status=400)
    try:
        project_status_change(project=project, actor=Actor.of(request.user), **form.cleaned_data)
    except FundsError as refused:
        return _detail(request, project, forms={"step": form}, error=refusal_text(refused),
                       status=refusal_status(refused))  # fmt: skip
    messages.success(request, _("项目状态已更新。"))
    return redirect("funds:project", project_id=project.pk)


def _beneficiaries(request: HttpRequest, project: Project) -> HttpResponse:
    """Add beneficiaries by household number: the numbers are looked up among the households
    of the project's county the user may see, so that no other household is revealed."""
    form = BeneficiariesForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, forms={"beneficiaries": form}, status=400)
    numbers: list[str] = form.cleaned_data["household_nos"]
    found = dict(
        restrict(Household.objects.filter(code_prefix_q(project.county_code, "village_id"),
                                           household_no__in=numbers), request.user, "view")
        .values_list("household_no", "pk")
    )  # fmt: skip
    unknown = [number for number in numbers if number not in found]
    try:
        if unknown:
            listed = "、".join(unknown[:10]) + ("……" if len(unknown) > 10 else "")
            raise FundsError(
                "household_unknown", f"no household numbered {listed} in {project.county_code}"
            )
        added = beneficiaries_add(project=project, household_ids=found.values(),
                                  actor=Actor.of(request.user))  # fmt: skip
    except FundsError as refused:
        return _detail(request, project, forms={"beneficiaries": form},
                       error=refusal_text(refused), status=refusal_status(refused))  # fmt: skip
    messages.success(request, _("已添加 %(n)s 户受益户。") % {"n": added})
    return redirect("funds:project", project_id=project.pk)


def _payment(request: HttpRequest, project: Project) -> HttpResponse:
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, forms={"payment": form}, status=400)
    try:
        payment = disbursement_record(project=project, actor=Actor.of(request.user),
                                      **form.cleaned_data)  # fmt: skip
    except FundsError as refused:
        return _detail(request, project, forms={"payment": form}, error=refusal_text(refused),
                       status=refusal_status(refused))  # fmt: skip
    messages.success(request, _("已登记支出 %(amount)s 元。") % {"amount": _money(payment.amount)})
    return redirect("funds:project", project_id=project.pk)


def _detail(
    request: HttpRequest,
    project: Project,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    today = timezone.localdate()
    steps = _next_steps(project)
    shown = {
        "step": ProjectStepForm(steps=steps, initial={"on": today}),
        "beneficiaries": BeneficiariesForm(),
        "payment": PaymentForm(initial={"year": project.year, "paid_on": today}),
        **(forms or {}),
    }
    beneficiaries = restrict(project.beneficiaries.all(), user, "view").select_related(
        "household", "household__village"
    )
    payments = restrict(project.disbursements.all(), user, "view").order_by("-paid_on", "-id")
    names = _names([project.region_code, project.county_code])
    return render(request, "support/funds/project.html", {
        "section": "funds", "page": "projects", "project": project, "error": error,
        "place": names.get(project.region_code, project.region_code),
        "county": names.get(project.county_code, project.county_code),
        "paid": _money(project.paid), "budget": _money(project.budget),  # type: ignore[attr-defined]
        "transitions": restrict(project.transitions.all(), user, "view").order_by("on", "id"),
        "beneficiaries": list(beneficiaries.order_by("household__household_no")[:SHOWN]),
        "payments": list(payments[:SHOWN]), "shown": SHOWN,
        "keeps": bool(roles_at(user, project.county_code) & COUNTY_OFFICE),
        "has_next_step": bool(steps), "approved": project.status != ProjectStatus.PLANNED,
        "step_form": shown["step"], "beneficiaries_form": shown["beneficiaries"],
        "payment_form": shown["payment"],
    }, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def payment_new(request: HttpRequest) -> HttpResponse:
    """Record a county's payment to a household (资金到户), with the ledger measure it paid
    when there is one; the latest such payments the user may see are listed below."""
    user = signed_in(request)
    counties = user_prefixes(user, COUNTY_OFFICE)
    context: dict[str, Any] = {"section": "funds", "page": "payment", "allowed": bool(counties)}
    if not counties:
        return render(request, "support/funds/payment_new.html", context, status=403)
    today = timezone.localdate()
    initial = {"year": today.year, "paid_on": today,
               "household_no": request.GET.get("household_no", "")[:32]}  # fmt: skip
    form = HouseholdPaymentForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                payment = _household_payment(user, dict(form.cleaned_data))
            except FundsError as refused:
                error, status = refusal_text(refused), refusal_status(refused)
            else:
                done = {"no": payment.household.household_no,  # type: ignore[union-attr]
                        "amount": _money(payment.amount)}  # fmt: skip
                messages.success(request, _("已登记 %(no)s 户支出 %(amount)s 元。") % done)
                return redirect("funds:payment_new")
    latest = (
        restrict(Disbursement.objects.filter(household__isnull=False), user, "view")
        .select_related("household", "household__village")
        .order_by("-recorded_at", "-id")
    )
    return render(request, "support/funds/payment_new.html", {
        **context, "form": form, "error": error, "latest": list(latest[:20]),
    }, status=status)  # fmt: skip


def _household_payment(user: AbstractBaseUser, data: dict[str, Any]) -> Disbursement:
    """The payment of the form: its household and measure looked up among those the user
    may see (any other reads as unknown), then recorded by the service."""
    number = data.pop("household_no").strip()
    measure_id = data.pop("measure_id")
    household = restrict(Household.objects.filter(household_no=number), user, "view").first()
    if household is None:
        raise FundsError("household_unknown", f"no household numbered {number}")
    measure = None
    if measure_id is not None:
        measure = restrict(Measure.objects.filter(pk=measure_id), user, "view").first()
        if measure is None:
            raise FundsError("measure_unknown", f"no ledger measure numbered {measure_id}")
    return disbursement_record(household=household, measure=measure, actor=Actor.of(user), **data)
