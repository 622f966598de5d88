"""The case pages (程序案件): the list, one case with its steps and the actions the user may
take next, and the notices (公示/公告) printed as PDF.

Every read starts from `restrict`/`access_get`; every write is a `targeting.services`
call, whose `CaseError` is shown in the page. The forms offered are the ones the user's
posts may take; the services check again, so a forged form is refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.access import (
    access_get,
    access_rule,
    personal_data_visible,
    restrict,
    roles_at,
)
from fupin.core.audit import Actor
from fupin.core.choices import Role
from fupin.core.masking import mask_id_number
from fupin.core.rules import CASE_ACTORS
from fupin.policy.queries import exit_indicators
from fupin.regions.models import Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Member
from fupin.targeting import procedures as p
from fupin.targeting.choices import CaseKind, Outcome, StepAction
from fupin.targeting.models import Case, CaseStep
from fupin.targeting.notices import notice_pdf
from fupin.targeting.queries import NOTICE_OF_STEP, case_next_steps, village_notice
from fupin.targeting.services import (
    CaseError,
    case_objection_record,
    case_reject,
    case_reverify,
    case_step_take,
    case_withdraw,
)

PAGE_SIZE = 50
# Who may withdraw a case (the service's own rule, to offer the form only to them).
WITHDRAWERS = p.VILLAGE | p.WORK_TEAM | p.TOWNSHIP | p.COUNTY
EVIDENCE = {
    item.key: item
    for item in vars(p).values()
    if isinstance(item, p.Evidence)  # the E_* pieces the procedures name
}
VOTE_PARTS = (("for", gettext_lazy("同意")), ("against", gettext_lazy("反对")),
              ("abstain", gettext_lazy("弃权")))  # fmt: skip
# CaseError codes -> what the page says in the user's language (the service's own English
# message follows it, for the details: which step, which date).
REFUSALS = {
    "case_closed": gettext_lazy("案件已办结，不能再办理。"),
    "reverification_pending": gettext_lazy("公示期间有异议，须先复核。"),
    "unknown_step": gettext_lazy("该程序没有这一步骤。"),
    "out_of_order": gettext_lazy("步骤不能跳过或重复，请按顺序办理。"),
    "role_not_allowed": gettext_lazy("您的岗位不能办理这一步骤。"),
    "notice_running": gettext_lazy("公示期未满，请公示期满后再办理。"),
    "evidence_missing": gettext_lazy("缺少必需的佐证材料。"),
    "evidence_invalid": gettext_lazy("佐证材料填写有误。"),
    "date_before_history": gettext_lazy("办理日期早于案件上一条记录。"),
    "no_notice": gettext_lazy("当前没有公示，不能登记异议。"),
    "notice_over": gettext_lazy("公示期已结束。"),
    "no_objection": gettext_lazy("没有待复核的异议。"),
    "reason_missing": gettext_lazy("请填写原因。"),
    "bad_date": gettext_lazy("日期格式应为YYYY-MM-DD。"),
    "unknown_action": gettext_lazy("未知的操作。"),
}


def signed_in(request: HttpRequest) -> AbstractBaseUser:
    """The user of a `login_required` view (typed for the access functions)."""
    user = request.user
    assert isinstance(user, AbstractBaseUser), "the view requires login"
    return user


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases in the user's scope, filtered by kind, outcome, year and region, paged."""
    cases = restrict(Case.objects.all(), request.user, "view")
    filters = _list_filters(request)
    for name in ("kind", "outcome", "year"):
        if filters[name]:
            cases = cases.filter(**{name: filters[name]})
    if filters["region"]:
        cases = cases.filter(code_prefix_q(filters["region"], "region_code"))
    cases = cases.select_related("household").order_by("-opened_on", "-id")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(
        Region.objects.filter(code__in={case.region_code for case in page}).values_list(
            "code", "name"
        )
    )
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        (case, names.get(case.region_code, case.region_code), _step_label(case.kind, case.step))
        for case in page
    ]
    return render(request, "web/cases/list.html", {
        "page": page, "rows": rows, "filters": filters, "query": query.urlencode(),
        "kinds": CaseKind.choices, "outcomes": Outcome.choices,
    })  # fmt: skip


def _list_filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string; values that cannot match are dropped."""
    kind = request.GET.get("kind", "")
    outcome = request.GET.get("outcome", "")
    year = request.GET.get("year", "").strip()
    region = request.GET.get("region", "").strip()
    return {
        "kind": kind if kind in CaseKind.values else "",
        "outcome": outcome if outcome in Outcome.values else "",
        "year": int(year) if year.isdigit() and len(year) == 4 else None,
        "region": region if region.isdigit() and len(region) <= 12 else "",
    }


@require_http_methods(["GET", "POST"])
@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case: its procedure, its history, and the forms for what the user may do next."""
    case = access_get(Case.objects.select_related("household"), request.user, "view", pk=case_id)
    if request.method != "POST":
        return _detail(request, case)
    try:
        done = _act(request, case)
    except CaseError as refused:
        return _detail(request, case, refused=refused, status=400)
    messages.success(request, done)
    return redirect("web:case_detail", case_id=case.pk)


def _act(request: HttpRequest, case: Case) -> str:
    """Carry out the posted action through its service; return what to tell the user."""
    post, actor = request.POST, Actor.of(request.user)
    on = _date(post.get("on", ""))
    action = post.get("action", "")
    if action == "take":
        step = post.get("step", "")
        evidence = _evidence(post, case, step)
        case_step_take(case=case, step=step, on=on, actor=actor, evidence=evidence,
                       note=post.get("note", ""))  # fmt: skip
        return _("已办理：%(step)s") % {"step": _step_label(case.kind, step)}
    if action == "reject":
        case_reject(case=case, on=on, actor=actor, reason=post.get("reason", ""))
        return _("已作不予通过处理。")
    if action == "withdraw":
        case_withdraw(case=case, on=on, actor=actor, reason=post.get("reason", ""))
        return _("案件已撤回。")
    if action == "objection":
        case_objection_record(case=case, on=on, actor=actor, objection=post.get("objection", ""))
        return _("异议已登记，待复核。")
    if action == "reverify":
        upheld = post.get("upheld") == "yes"
        case_reverify(case=case, on=on, actor=actor, upheld=upheld, note=post.get("note", ""),
                      evidence={"visit_record": post.get("visit_record", "")})  # fmt: skip
        return _("异议复核已登记。")
    raise CaseError("unknown_action", f"unknown action {action!r}")


def _date(text: str) -> date:
    if not text.strip():
        return timezone.localdate()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CaseError("bad_date", f"{text!r} is not a date (YYYY-MM-DD)") from None


def _step_label(kind: str, slug: str) -> str:
    try:
        return p.PROCEDURES[kind].step(slug).label
    except KeyError:
        return slug


def _evidence(post: Any, case: Case, slug: str) -> dict[str, Any]:
    """The posted evidence of step `slug` in the shapes the procedure checks; unknown
    steps give none (the service refuses them by name)."""
    try:
        step = p.PROCEDURES[case.kind].step(slug)
    except KeyError:
        return {}
    evidence: dict[str, Any] = {}
    for item in step.evidence:
        name = f"ev_{item.key}"
        if item.kind == "votes":
            parts = {part: post.get(f"{name}_{part}", "").strip() for part, _ in VOTE_PARTS}
            evidence[item.key] = (
                {k: v or "0" for k, v in parts.items()} if any(parts.values()) else None
            )
        elif item.kind == "list":
            checked = set(post.getlist(name))
            evidence[item.key] = {code: code in checked for code, _ in _indicators(case)}
        else:
            evidence[item.key] = post.get(name, "")
    return evidence


def _indicators(case: Case) -> list[tuple[str, str]]:
    """The exit indicators a verification reports on: (code, label) for the case's level."""
    level = p.PROCEDURES[case.kind].subject
    rows = exit_indicators(level=level, year=case.year, province=case.region_code[:2])
    return [(row.code, row.label) for row in rows]


@dataclass
class StepView:
    """One step of the procedure as the page shows it."""

    number: int
    step: p.Step
    state: str  # done | next | waiting
    entries: list[CaseStep]

    @property
    def roles(self) -> str:
        """The posts that take the step, in the user's language."""
        return "、".join(str(Role(role).label) for role in sorted(self.step.roles))


def _detail(
    request: HttpRequest, case: Case, *, refused: CaseError | None = None, status: int = 200
) -> HttpResponse:
    procedure = p.PROCEDURES[case.kind]
    history = list(case.steps.select_related("actor").order_by("seq"))
    done = {entry.step for entry in history if entry.action == StepAction.TAKEN and entry.standing}
    offered = case_next_steps(case, signed_in(request))
    steps: list[StepView] = []
    for number, step in enumerate(procedure.steps, start=1):
        state = "done" if step.slug in done else "waiting"
        if (
            case.outcome == Outcome.OPEN
            and state == "waiting"
            and not any(s.state == "next" for s in steps)
        ):
            state = "next"
        entries = [entry for entry in history if entry.step == step.slug]
        steps.append(StepView(number, step, state, entries))
    roles = roles_at(signed_in(request), case.region_code)
    context = {
        "case": case, "procedure": procedure, "steps": steps,
        "history": [_entry_view(entry) for entry in history],
        "household": _household_view(request, case),
        "forms": [_step_form(case, step, request.POST if refused else {}) for step in offered],
        "can_withdraw": case.outcome == Outcome.OPEN and bool(roles & WITHDRAWERS),
        "can_object": _can_object(case, roles),
        "can_reverify": _can_reverify(case, roles),
        "today": timezone.localdate().isoformat(),
        "refused": refused, "refusal": REFUSALS.get(refused.code, "") if refused else "",
        "posted": request.POST if refused else {},
        "states": {"done": _("已办理"), "next": _("待办理"), "waiting": _("未到")},
        "has_notice": _notice_entry(case) is not None,
    }  # fmt: skip
    return render(request, "web/cases/detail.html", context, status=status)


def _entry_view(entry: CaseStep) -> dict[str, Any]:
    role = entry.role
    return {
        "entry": entry,
        "step_label": _step_label(entry.case.kind, entry.step) if entry.step else "",
        "role_label": Role(role).label if role in Role.values else role,
        "evidence": [(_evidence_label(key), _evidence_text(value))
                     for key, value in entry.evidence.items()],
    }  # fmt: skip


def _evidence_label(key: str) -> str:
    item = EVIDENCE.get(key)
    return (
        item.label if item else {"objection": _("异议内容"), "upheld": _("异议成立")}.get(key, key)
    )


def _evidence_text(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"for", "against", "abstain"}:
        return " / ".join(f"{label} {value[part]}" for part, label in VOTE_PARTS)
    if isinstance(value, dict):
        return "；".join(f"{key}: {'✓' if ok else '✗'}" for key, ok in value.items())
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def _household_view(request: HttpRequest, case: Case) -> dict[str, str] | None:
    """The household's number and head, the ID masked unless the user needs it in full."""
    household = case.household
    if household is None:
        return None
    head = Member.objects.filter(household=household, relation="head", is_active=True).first()
    number = head.id_number if head else ""
    if not personal_data_visible(request.user, household.village_id):
        number = mask_id_number(number)
    return {
        "number": household.household_no, "status": household.get_status_display(),
        "head": head.name if head else "", "id_number": number,
        "category": household.get_category_display(),
    }  # fmt: skip


def _step_form(case: Case, step: p.Step, posted: Any) -> dict[str, Any]:
    """The fields of a step's form, refilled with what was posted when it was refused."""
    fields = []
    for item in step.evidence:
        name = f"ev_{item.key}"
        field: dict[str, Any] = {"item": item, "name": name, "value": posted.get(name, "")}
        if item.kind == "votes":
            field["parts"] = [(f"{name}_{part}", label, posted.get(f"{name}_{part}", ""))
                              for part, label in VOTE_PARTS]  # fmt: skip
        elif item.kind == "choice":
            field["choices"] = p.CHOICES[item.key]
        elif item.kind == "list":
            checked = set(posted.getlist(name)) if posted else set()
            field["indicators"] = [(code, label, code in checked)
                                   for code, label in _indicators(case)]  # fmt: skip
        fields.append(field)
    return {"step": step, "fields": fields, "note": posted.get("note", "")}


def _can_object(case: Case, roles: set[str]) -> bool:
    """While a notice runs, a post of the region may record an objection."""
    if case.outcome != Outcome.OPEN or case.awaiting_reverification or not case.step:
        return False
    step = p.PROCEDURES[case.kind].step(case.step)
    return step.notice and case.notice_ends is not None and bool(roles & CASE_ACTORS)


def _can_reverify(case: Case, roles: set[str]) -> bool:
    """An objection is re-verified by the posts of the step before the notice."""
    if case.outcome != Outcome.OPEN or not case.awaiting_reverification:
        return False
    procedure = p.PROCEDURES[case.kind]
    verifier = procedure.steps[procedure.index(case.step) - 1]
    return bool(roles & verifier.roles)


def _notice_entry(case: Case) -> CaseStep | None:
    """The case's latest step that posted a printable notice."""
    slugs = [step for kind, step in NOTICE_OF_STEP if kind == case.kind]
    return (
        case.steps.filter(action=StepAction.TAKEN, step__in=slugs).order_by("-seq").first()
        if slugs
        else None
    )


@require_GET
@login_required
def case_notice_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """The notice the case's village posted at its latest notice step, as a PDF."""
    case = access_get(Case.objects.all(), request.user, "view", pk=case_id)
    entry = _notice_entry(case)
    if entry is None:
        raise Http404("the case has posted no notice")
    return _notice_response(case.region_code, case.kind, entry.step, entry.on)


@require_GET
@login_required
def village_notices(request: HttpRequest, code: str) -> HttpResponse:
    """A village's notices: the list of those posted, or one as a PDF (?kind=&step=&on=)."""
    region = access_get(Region.objects.filter(level=5), request.user, "view", code=code)
    if not _may_read_cases(request, code):
        raise Http404("no village here")
    entries = restrict(
        CaseStep.objects.filter(case__region_code=code, action=StepAction.TAKEN),
        request.user,
        "view",
    )
    kind, step, on = (request.GET.get(name, "") for name in ("kind", "step", "on"))
    if kind or step or on:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            return _notices_page(request, region, entries, error=_("日期格式应为YYYY-MM-DD。"))
        if (kind, step) not in NOTICE_OF_STEP:
            return _notices_page(request, region, entries, error=_("没有这种公示。"))
        return _notice_response(code, kind, step, day)
    return _notices_page(request, region, entries)


def _may_read_cases(request: HttpRequest, code: str) -> bool:
    """Whether the user's posts read the village's cases (the notice lists them)."""
    return bool(roles_at(signed_in(request), code) & access_rule(Case).view)


def _notices_page(
    request: HttpRequest, region: Region, entries: QuerySet[CaseStep], *, error: str = ""
) -> HttpResponse:
    slugs = {step for _, step in NOTICE_OF_STEP}
    posted = (
        entries.filter(step__in=slugs)
        .values_list("case__kind", "step", "on")
        .distinct()
        .order_by("-on", "case__kind", "step")[:200]
    )
    notices = [
        {"kind": kind, "step": step, "on": on, "kind_label": CaseKind(kind).label,
         "step_label": _step_label(kind, step)}
        for kind, step, on in posted
        if (kind, step) in NOTICE_OF_STEP
    ]  # fmt: skip
    return render(request, "web/cases/notices.html", {
        "region": region, "notices": notices, "error": error,
    }, status=400 if error else 200)  # fmt: skip


def _notice_response(village: str, kind: str, step: str, on: date) -> HttpResponse:
    try:
        document = village_notice(village=village, case_kind=kind, step=step, on=on)
    except LookupError:
        raise Http404("no such notice") from None
    response = HttpResponse(notice_pdf(document=document), content_type="application/pdf")
    name = f"notice-{village}-{kind}-{step}-{on.isoformat()}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
