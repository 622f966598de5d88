"""The household pages (农户): the searched list and one household's record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from fupin.core.audit import Actor
from fupin.registry.services import household_full_read_record
from fupin.web.forms import HouseholdSearchForm
from fupin.web.queries.households import household_record, households_search, page_of
from fupin.web.views import htmx_target, page_number

RESULTS = "household-results"


@login_required
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    """Households in the user's scope, searched and filtered, 50 a page; htmx asks for the
    results alone, a plain form submission gets the whole page."""
    form = HouseholdSearchForm(request.GET)
    filters = form.filters()
    page = page_of(households_search(user=request.user, filters=filters), page_number(request))
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {
        "section": "households",
        "form": form,
        "filters": filters,
        "page": page,
        "query": kept.urlencode(),
        "results_id": RESULTS,
    }
    template = "web/households/list.html"
    if htmx_target(request, RESULTS):
        template = "web/households/_results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
@require_GET
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    """One household: members masked for the role, assessments, status timeline, cases;
    reading the members unmasked is audited."""
    record = household_record(user=request.user, household_id=household_id)
    if record.full:
        household_full_read_record(
            household=record.household, actor=Actor.of(request.user), health=record.health
        )
    return render(request, "web/household.html", {"section": "households", "record": record})
