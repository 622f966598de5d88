"""Relocation's pages (易地扶贫搬迁): the progress of a region's moves against its targets by
sub-region (with a target set there), the sites, one site with its households (and a
household planned to move there), a household's moves as a panel for the household page,
a household's move planned, and one move with its next step (the home handed over, the
household moved in, a member's job).

Every page reads through `core.access` (`restrict`, `access_get`); out of scope and missing
answer the same 404. Writes go through `relocation.services`; a form is shown only to the
posts the service lets write, a refusal is shown with its reason and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.access import access_get, restrict, roles_at, user_prefixes
from fupin.core.audit import Actor
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.support.choices import MoveStatus
from fupin.support.models import RelocationMove, RelocationTarget, ResettlementSite
from fupin.support.models.relocation import RELOCATION_KEEPERS, TARGET_SETTERS
from fupin.support.pages import page_year
from fupin.support.relocation.forms import (
    HandOverForm,
    JobForm,
    MoveInForm,
    MovePlanForm,
    SitePlanForm,
    TargetForm,
    refusal_status,
    refusal_text,
)
from fupin.support.relocation.queries import (
    access_move,
    access_site,
    household_moves,
    move_members,
    relocation_progress,
    site_list,
    site_moves,
)
from fupin.support.relocation.services import (
    TARGET_LEVELS,
    RelocationError,
    job_record,
    move_hand_over,
    move_in,
    move_plan,
    target_set,
)
from fupin.web.cases import signed_in

SHOWN = 200


def keeps(user: AbstractBaseUser, code: str) -> bool:
    """Whether the user's posts keep the relocation of village `code` (the services' rule:
    the county or township office over it)."""
    return bool(roles_at(user, code) & RELOCATION_KEEPERS)


def _region(request: HttpRequest, roles: frozenset[str]) -> str | None:
    """The region asked for, or the widest the user's posts cover (None: no post)."""
    region = request.GET.get("region", "")
    if region.isdigit() and len(region) <= 12:
        return region
    prefixes = user_prefixes(request.user, roles)  # type: ignore[arg-type]
    return min(prefixes, key=len) if prefixes else None


def _names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _target_region(user: AbstractBaseUser, region: str | None) -> str | None:
    """The region a new target is set for by default: the page's, when the user's posts set
    targets there, else the widest region they set targets for (None: they set none)."""
    sets_here = region is not None and bool(roles_at(user, region) & TARGET_SETTERS)
    if region is not None and len(region) in TARGET_LEVELS and sets_here:
        return region
    kept = [code for code in user_prefixes(user, TARGET_SETTERS) if len(code) in TARGET_LEVELS]
    if kept:
        return min(kept, key=lambda code: (len(code), code))
    return "" if user_prefixes(user, TARGET_SETTERS) else None


@login_required
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """The moves of a plan year against the targets, for a region and its sub-regions; the
    offices that set targets set one here (a POST)."""
    user = signed_in(request)
    year = page_year(request, ahead=1)
    region = _region(request, RelocationTarget.ACCESS.view)
    default = _target_region(user, region)
    if request.method != "POST":
        form = TargetForm(initial={"region_code": default or "", "year": year})
        return _progress(request, year, region, form if default is not None else None)
    if default is None:
        return _progress(request, year, region, None, status=403)
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _progress(request, year, region, form, status=400)
    try:
        target = target_set(actor=Actor.of(user), **form.cleaned_data)
    except RelocationError as refused:
        return _progress(request, year, region, form, error=refusal_text(refused),
                         status=refusal_status(refused))  # fmt: skip
    messages.success(request, _("搬迁任务已设定。"))
    query = urlencode({"region": str(target.region_code), "year": str(target.year)})
    return redirect(f"{reverse('relocation:progress')}?{query}")


def _progress(
    request: HttpRequest,
    year: int,
    region: str | None,
    form: TargetForm | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"section": "support", "year": year, "region": region or "",
                               "target_form": form, "error": error,
                               "not_allowed": status == 403}  # fmt: skip
    if region is None:
        return render(request, "support/relocation/progress.html", {**context, "no_scope": True},
                      status=status)  # fmt: skip
    try:
        found = relocation_progress(user=request.user, region=region, year=year)
    except Http404:
        return render(request, "support/relocation/progress.html",
                      {**context, "out_of_scope": True}, status=404)  # fmt: skip
    names = _names([region, *[part["region_code"] for part in found.parts]])
    parts = [{**part, "name": names.get(part["region_code"], "")} for part in found.parts]
    return render(request, "support/relocation/progress.html", {
        **context, "total": found.total, "parts": parts, "region_name": names.get(region, ""),
    }, status=status)  # fmt: skip


@login_required
@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    """The resettlement sites the user may see under a region, with how full they are."""
    region = request.GET.get("region", "")
    region = region if region.isdigit() and len(region) <= 12 else ""
    found = list(site_list(user=request.user, region=region).select_related()[:SHOWN])
    return render(request, "support/relocation/sites.html", {
        "section": "support", "region": region, "sites": found, "shown": SHOWN,
        "names": _names(sorted({site.village_code for site in found})),
    })  # fmt: skip


def _plans_to(user: AbstractBaseUser, site: ResettlementSite) -> bool:
    """Whether the user's posts keep households that may move to `site`: the services let a
    keeper plan the moves of its villages to a site of their province."""
    province = site.village_code[:2]
    return any(code[:2] == province for code in user_prefixes(user, RELOCATION_KEEPERS))


@login_required
@require_http_methods(["GET", "POST"])
def site(request: HttpRequest, site_id: int) -> HttpResponse:
    """One site: where it lies, its capacity, and the households moving to it; a keeper
    plans a household's move here by its household number (a POST)."""
    user = signed_in(request)
    found = access_site(user, site_id)
    allowed = _plans_to(user, found)
    if request.method != "POST":
        form = SitePlanForm(initial={"plan_year": timezone.localdate().year})
        return _site(request, found, form if allowed else None)
    if not allowed:
        return _site(request, found, None, status=403)
    form = SitePlanForm(request.POST)
    if not form.is_valid():
        return _site(request, found, form, status=400)
    data = dict(form.cleaned_data)
    number = data.pop("household_no").strip()
    household = restrict(Household.objects.filter(household_no=number), user, "view").first()
    try:
        if household is None:
            raise RelocationError("household_unknown", f"no household numbered {number}")
        move_plan(household=household, site=found, actor=Actor.of(user), **data)
    except RelocationError as refused:
        return _site(request, found, form, error=refusal_text(refused),
                     status=refusal_status(refused))  # fmt: skip
    messages.success(request, _("已列入搬迁计划：%(no)s。") % {"no": number})
    return redirect("relocation:site", site_id=found.pk)


def _site(
    request: HttpRequest,
    found: ResettlementSite,
    form: SitePlanForm | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    found = access_site(request.user, found.pk)  # the counts as they stand now
    moves = list(site_moves(user=request.user, site=found)[:SHOWN])
    return render(request, "support/relocation/site.html", {
        "section": "support", "site": found, "moves": moves, "shown": SHOWN,
        "village_name": _names([found.village_code]).get(found.village_code, ""),
        "plan_form": form, "error": error, "not_allowed": status == 403,
    }, status=status)  # fmt: skip


@login_required
@require_GET
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """A household's moves, jobs and follow-up measures: the panel of the household page."""
    household = access_get(Household.objects.all(), request.user, "view", pk=household_id)
    moves = list(household_moves(user=request.user, household=household))
    open_move = any(move.status != MoveStatus.CANCELLED for move in moves)
    return render(request, "support/relocation/_panel.html", {
        "household": household, "moves": moves, "may_plan": not open_move,
        "keeps": keeps(signed_in(request), household.village_id),
    })  # fmt: skip


def _site_choices(user: AbstractBaseUser, household: Household) -> list[tuple[int, str]]:
    """The sites of the household's province the user may see: where it may move to."""
    found = site_list(user=user, region=household.village_id[:2])[:SHOWN]
    return [(site.pk, f"{site.name}（{site.households_planned}/{site.capacity}）")  # type: ignore[attr-defined]
            for site in found]  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def move_new(request: HttpRequest, household_id: int) -> HttpResponse:
    """Put a household into a year's relocation plan, bound for a site (搬迁计划)."""
    user = signed_in(request)
    household = access_get(
        Household.objects.select_related("village"), user, "view", pk=household_id
    )
    context: dict[str, Any] = {"section": "households", "household": household,
                               "allowed": keeps(user, household.village_id)}  # fmt: skip
    if not context["allowed"]:
        return render(request, "support/relocation/move_new.html", context, status=403)
    initial = {"plan_year": timezone.localdate().year, "site": request.GET.get("site", "")}
    form = MovePlanForm(request.POST or None, sites=_site_choices(user, household),
                        initial=initial)  # fmt: skip
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                move_plan(household=household, site=access_site(user, data.pop("site")),
                          actor=Actor.of(user), **data)  # fmt: skip
            except RelocationError as refused:
                error, status = refusal_text(refused), refusal_status(refused)
            else:
                messages.success(request, _("已列入搬迁计划。"))
                return redirect("web:household", household_id=household.pk)
    return render(request, "support/relocation/move_new.html",
                  {**context, "form": form, "error": error}, status=status)  # fmt: skip


# The step a move takes from where it stands: (action, form).
NEXT_STEP: dict[str, tuple[str, type[Any]]] = {
    MoveStatus.PLANNED: ("handover", HandOverForm),
    MoveStatus.HANDED_OVER: ("move_in", MoveInForm),
    MoveStatus.MOVED: ("job", JobForm),
}


def _step_form(move: RelocationMove, user: AbstractBaseUser, data: Any = None) -> Any:
    """The form of the move's next step (None when it has none), bound to `data` if given."""
    step = NEXT_STEP.get(move.status)
    if step is None:
        return None
    today = timezone.localdate()
    if step[1] is JobForm:
        members = list(move_members(user=user, move=move).values_list("pk", "name"))
        return JobForm(data, members=members, initial={"started_on": today})
    day = "handed_over_on" if step[1] is HandOverForm else "moved_on"
    return step[1](data, initial={day: today})


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, move_id: int) -> HttpResponse:
    """One move: its facts, jobs and follow-up, and the form of its next step for a keeper
    (a POST takes the step named by `action`: handover, move_in, job)."""
    user = signed_in(request)
    found = access_move(user, move_id)
    allowed = keeps(user, found.household.village_id)
    if request.method != "POST":
        return _move(request, found, _step_form(found, user) if allowed else None)
    if not allowed:
        return _move(request, found, None, status=403)
    step = NEXT_STEP.get(found.status)
    if step is None or request.POST.get("action") != step[0]:
        changed = _("搬迁进度已变化，请重新办理。")
        return _move(request, found, _step_form(found, user), error=changed, status=409)
    form = _step_form(found, user, request.POST)
    if not form.is_valid():
        return _move(request, found, form, status=400)
    try:
        _take_step(step[0], found, user, dict(form.cleaned_data))
    except RelocationError as refused:
        return _move(request, found, form, error=refusal_text(refused),
                     status=refusal_status(refused))  # fmt: skip
    messages.success(request, _("已办理。"))
    return redirect("relocation:move", move_id=found.pk)


def _take_step(
    action: str, found: RelocationMove, user: AbstractBaseUser, data: dict[str, Any]
) -> None:
    actor = Actor.of(user)
    if action == "handover":
        move_hand_over(move=found, actor=actor, **data)
    elif action == "move_in":
        move_in(move=found, actor=actor, **data)
    else:
        member = move_members(user=user, move=found).get(pk=data.pop("member"))
        job_record(move=found, member=member, actor=actor, **data)


def _move(
    request: HttpRequest,
    found: RelocationMove,
    form: Any,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    found = household_moves(user=request.user, household=found.household).get(pk=found.pk)
    step = NEXT_STEP.get(found.status)
    return render(request, "support/relocation/move.html", {
        "section": "support", "move": found, "household": found.household, "form": form,
        "action": step[0] if step else "", "error": error, "not_allowed": status == 403,
    }, status=status)  # fmt: skip
