"""The posting pages (驻村): a village's first secretary and work team, their past postings
and this month's days in the village, with the forms of who may act; the villages left
without them; the members flagged under the attendance share for a month.

Every read goes through `core.access` (`access_get`, `restrict`): a village or a posting
out of scope answers the same 404 as a missing one. Every write goes through
`pairing.postings`, which checks the user's post; its refusal is shown on the village page,
with what was typed kept, and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fupin.core.access import (
    UserLike,
    access_get,
    access_rule,
    personal_data_visible,
    restrict,
    roles_at,
)
from fupin.core.audit import Actor
from fupin.core.masking import mask_id_number
from fupin.pairing.choices import PostingEndReason, PostingKind, PostingStatus, UnitLevel
from fupin.pairing.models import ATTENDANCE_CONFIRMERS, POSTERS, Posting, PostingMember
from fupin.pairing.postings import (
    PostedPerson,
    attendance_confirm,
    attendance_flags,
    attendance_log,
    coverage_gaps,
    days_required,
    member_add,
    member_remove,
    month_bounds,
    posting_end,
    posting_open,
    posting_replace,
    working_days,
)
from fupin.pairing.services import PairingError
from fupin.policy.models import Parameter
from fupin.policy.queries import PolicyMissing, policy_value
from fupin.regions.models import Level, Region

TEMPLATES = "pairing/postings/"
TEAM_ROWS = 5  # rows for a team's members on a form without JavaScript; a team has 3 or more
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
YEAR, MONTH, REGION = (
    re.compile("[0-9]{4}"),
    re.compile("0?[1-9]|1[0-2]"),
    re.compile("[0-9]{0,12}"),
)

# What each refusal of `pairing.postings` means, for the page; its own message (English,
# with the dates and numbers) is shown beneath.
REFUSALS: Mapping[str, Any] = {
    "role_not_allowed": gettext_lazy("您的岗位不能办理此事项。"),
    "use_replace": gettext_lazy("更换派驻请用“轮换接替”。"),
    "end_reason": gettext_lazy("请选择结束原因。"),
    "reason_missing": gettext_lazy("请写明原因。"),
    "term_not_over": gettext_lazy("任期尚未届满；提前结束请选择召回。"),
    "first_secretary_single": gettext_lazy(
        "第一书记派驻只有一人，不设队长；更换人选请用轮换接替。"
    ),
    "ended_already": gettext_lazy("该派驻已经结束。"),
    "date_invalid": gettext_lazy("日期不符合要求。"),
    "person_twice": gettext_lazy("同一人填写了两次，或已在队中。"),
    "team_leader": gettext_lazy("工作队须有且只有一名队长。"),
    "left_already": gettext_lazy("该成员已经离队。"),
    "team_too_small": gettext_lazy("工作队人数不能少于规定的最少人数。"),
    "days_missing": gettext_lazy("请填写在村日期。"),
    "day_twice": gettext_lazy("同一天填写了两次。"),
    "day_outside": gettext_lazy("日期不在该成员驻村期间内，或是将来的日期。"),
    "logged_already": gettext_lazy("这一天已经登记过。"),
    "confirm_own": gettext_lazy("本人的考勤须由他人确认。"),
    "day_not_logged": gettext_lazy("这些日期未登记，或已确认。"),
    "nothing_to_confirm": gettext_lazy("该月没有待确认的考勤。"),
    "kind": gettext_lazy("派驻类别无效。"),
    "unit_level": gettext_lazy("单位隶属无效。"),
    "value_missing": gettext_lazy("请填写派出单位、工作职责，以及每位人员的姓名和电话。"),
    "term_years": gettext_lazy("任期年数超出政策规定的范围。"),
    "policy_missing": gettext_lazy("缺少相关政策参数，请联系系统管理员。"),
    "id_number": gettext_lazy("身份证号有误。"),
    "not_a_village": gettext_lazy("不是行政村。"),
    "posted_already": gettext_lazy("该村已有在岗的同类派驻；请先结束或轮换。"),
    "posted_elsewhere": gettext_lazy("有人员正派驻在其他村。"),
}


# Refusals about the user's post (403); every other one is about what was typed or the state
# of things (400).
REFUSED_BY_POST = frozenset({"role_not_allowed", "confirm_own"})


class InputError(ValueError):
    """A form that cannot be read as typed (a date, a length, an unknown login)."""


# ---- shared with the API -------------------------------------------------------------------


def village_in_scope(user: UserLike, code: str) -> Region:
    """The village `code` if the user reads postings there; missing, not a village and out
    of scope alike raise Http404."""
    village = access_get(Region.objects.filter(level=Level.VILLAGE), user, "view", code=code)
    holder = user if user is not None and user.is_authenticated else None
    if not roles_at(holder, code) & access_rule(Posting).roles("view"):
        raise Http404("no village here")
    return village


def month_confirm(
    *, posting: Posting, year: int, month: int, actor: Actor, member: PostingMember | None = None
) -> list[tuple[PostingMember, int]]:
    """Confirm a month's logged days of one member, or of every member with days to confirm,
    all or none (`attendance_confirm` for each); how many per member."""
    if member is not None:
        targets = [member]
    else:
        first, last = month_bounds(year, month)
        open_days = Q(days__day__range=(first, last), days__confirmed_at__isnull=True)
        # With nothing to confirm, one member still goes to the service, which refuses with
        # the right reason: the actor's post first, then the empty month.
        targets = list(posting.members.filter(open_days).distinct().order_by("pk")) or list(
            posting.members.order_by("pk")[:1]
        )
    with transaction.atomic():
        return [
            (target, attendance_confirm(member=target, year=year, month=month, actor=actor))
            for target in targets
        ]


def person_shown(member: PostingMember, *, full: bool) -> str:
    """The member's ID number, in full or masked by the viewer's post."""
    return member.id_number if full else mask_id_number(member.id_number)


# ---- forms ---------------------------------------------------------------------------------


class DayField(forms.DateField):
    """A date within the years the system keeps."""

    default_validators = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


class PersonForm(forms.Form):
    """One person's row on a posting form; a blank row is skipped."""

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=30, required=False)
    phone = forms.CharField(label=gettext_lazy("电话"), max_length=20, required=False)
    login = forms.CharField(label=gettext_lazy("登录名"), max_length=150, required=False)


class PostingFieldsForm(forms.Form):
    """What a posting says of itself; the service judges what is missing."""

    sending_unit = forms.CharField(label=gettext_lazy("派出单位"), max_length=100, required=False)
    unit_level = forms.CharField(label=gettext_lazy("单位隶属"), max_length=10, required=False)
    duties = forms.CharField(label=gettext_lazy("工作职责"), max_length=2000, required=False)
    term_years = forms.IntegerField(label=gettext_lazy("任期（年）"), min_value=1,
                                    max_value=10, required=False)  # fmt: skip


class OpenForm(PostingFieldsForm):
    kind = forms.CharField(label=gettext_lazy("类别"), max_length=16)
    term_start = DayField(label=gettext_lazy("任期开始"))


class ReplaceForm(PostingFieldsForm):
    on = DayField(label=gettext_lazy("轮换日期"))
    note = forms.CharField(label=gettext_lazy("轮换原因"), max_length=500, required=False)


class EndForm(forms.Form):
    on = DayField(label=gettext_lazy("结束日期"))
    reason = forms.CharField(label=gettext_lazy("结束原因"), max_length=12, required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=500, required=False)


class MemberAddForm(forms.Form):
    on = DayField(label=gettext_lazy("入队日期"))


class MemberRemoveForm(forms.Form):
    member = forms.IntegerField(label=gettext_lazy("成员"), min_value=1, max_value=2**63 - 1)
    on = DayField(label=gettext_lazy("离队日期"))
    reason = forms.CharField(label=gettext_lazy("离队原因"), max_length=500, required=False)


class LogForm(forms.Form):
    member = forms.IntegerField(label=gettext_lazy("成员"), min_value=1, max_value=2**63 - 1)
    day = DayField(label=gettext_lazy("在村日期"))


class ConfirmForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    month = forms.IntegerField(min_value=1, max_value=12)
    member = forms.IntegerField(label=gettext_lazy("成员"), min_value=1, max_value=2**63 - 1,
                                required=False)  # fmt: skip


def _cleaned(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        problems = [
            f"{form[name].label}：{' '.join(str(e) for e in errors)}"
            if name in form.fields
            else " ".join(str(e) for e in errors)
            for name, errors in form.errors.items()
        ]
        raise InputError("；".join(problems))
    return form.cleaned_data


def _people(data: Mapping[str, Any], *, rows: int) -> list[PostedPerson]:
    """The persons typed in rows `p1-…` to `p<rows>-…`; `leader` names the leader's row."""
    people = []
    for number in range(1, rows + 1):
        row = _cleaned(PersonForm(data, prefix=f"p{number}"))
        if not any(row.values()):
            continue
        user = None
        if row["login"]:
            users = get_user_model().objects
            user = users.filter(username=row["login"], is_active=True).first()
            if user is None:
                raise InputError(_("登录名 %(login)s 不存在或已停用。") % {"login": row["login"]})
        leader = data.get("leader") == str(number)
        people.append(PostedPerson(row["name"], row["id_number"], row["phone"], user, leader))
    return people


def _member(user: UserLike, posting: Posting, pk: int) -> PostingMember:
    found = restrict(posting.members.all(), user, "view").filter(pk=pk).first()
    if found is None:
        raise InputError(_("请选择本派驻的成员。"))
    return found


# ---- the village page ----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberMonth:
    """A member's days in the village in a month: logged, confirmed, and the judgement
    (None: not in the village the whole month, so not judged, as in `attendance_flags`)."""

    member: PostingMember
    logged: int
    confirmed: int
    flagged: bool | None


@dataclass(frozen=True)
class PostingMonth:
    """A posting's attendance table for the month, and who the user may log days for."""

    posting: Posting
    rows: list[MemberMonth]
    loggable: list[PostingMember]


def _month(data: Mapping[str, Any], default: date | None = None) -> tuple[int, int]:
    """The month asked for (`year`, `month`), else the month of `default` (today)."""
    year, month = str(data.get("year", "")), str(data.get("month", ""))
    if YEAR.fullmatch(year) and MONTH.fullmatch(month) and 2000 <= int(year) <= 2100:
        return int(year), int(month)
    default = default or timezone.localdate()
    return default.year, default.month


def _shifted(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _required(code: str, year: int, month: int) -> int | None:
    try:
        share = policy_value(Parameter.ATTENDANCE_SHARE_MIN, year=year, province=code[:2]).value
    except PolicyMissing:
        return None
    return days_required(share, working_days(year, month))


def _attendance(
    request: HttpRequest, code: str, postings: list[Posting], year: int, month: int
) -> tuple[list[PostingMonth], str]:
    """Per posting in force during the month: its members' days, and who the user logs for."""
    user = request.user
    first, last = month_bounds(year, month)
    during = [p for p in postings if p.term_start <= last and (p.ended_on or last) >= first]
    in_month = Q(days__day__range=(first, last))
    members = (
        restrict(PostingMember.objects.filter(posting__in=during), user, "view")
        .filter(joined_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .annotate(logged=Count("days", filter=in_month),
                  confirmed=Count("days", filter=in_month & Q(days__confirmed_at__isnull=False)))
        .order_by("-is_leader", "joined_on", "pk")
    )  # fmt: skip
    problem = ""
    try:
        flagged = {f.member_id for f in attendance_flags(user=user, prefix=code, year=year,
                                                         month=month)}  # fmt: skip
    except PolicyMissing:
        flagged, problem = set(), str(REFUSALS["policy_missing"])
    confirming = bool(roles_at(user, code) & ATTENDANCE_CONFIRMERS)  # type: ignore[arg-type]
    by_posting: dict[int, list[MemberMonth]] = {p.pk: [] for p in during}
    loggable: dict[int, list[PostingMember]] = {p.pk: [] for p in during}
    for member in members:
        posting = next(p for p in during if p.pk == member.posting_id)
        judged = (member.joined_on <= first and posting.term_start <= first
                  and (member.left_on is None or member.left_on >= last))  # fmt: skip
        counts = (member.logged, member.confirmed)
        judgement = member.pk in flagged if judged else None
        by_posting[posting.pk].append(MemberMonth(member, *counts, judgement))
        if confirming or (member.user_id is not None and member.user_id == user.pk):
            loggable[posting.pk].append(member)
    months = [PostingMonth(p, by_posting[p.pk], loggable[p.pk]) for p in during]
    return months, problem


def _blank_rows(count: int) -> list[dict[str, Any]]:
    return [{"n": n, "name": "", "id_number": "", "phone": "", "login": "", "leader": False}
            for n in range(1, count + 1)]  # fmt: skip


def _typed_rows(data: Mapping[str, Any], count: int) -> list[dict[str, Any]]:
    rows = _blank_rows(count)
    for row in rows:
        for field in ("name", "id_number", "phone", "login"):
            row[field] = data.get(f"p{row['n']}-{field}", "")
        row["leader"] = data.get("leader") == str(row["n"])
    return rows


def _village_context(
    request: HttpRequest, village: Region, *, year: int, month: int, failed: str = "",
    error: str = "", detail: str = "",
) -> dict[str, Any]:  # fmt: skip
    user, code = request.user, village.code
    members = PostingMember.objects.order_by("-is_leader", "joined_on", "pk")
    postings = list(
        restrict(Posting.objects.filter(village_id=code), user, "view")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("kind", "-term_start", "-pk")
    )
    full = personal_data_visible(user, code)
    for posting in postings:
        for member in posting.members.all():
            member.id_shown = person_shown(member, full=full)  # type: ignore[attr-defined]
    predecessors = {p.successor_id: p for p in postings if p.successor_id}
    by_id = {p.pk: p for p in postings}
    active = [p for p in postings if p.status == PostingStatus.ACTIVE]
    past = sorted((p for p in postings if p.status != PostingStatus.ACTIVE),
                  key=lambda p: (p.ended_on or p.term_start, p.pk), reverse=True)  # fmt: skip
    roles = roles_at(user, code)  # type: ignore[arg-type]
    months, problem = _attendance(request, code, postings, year, month)
    typed = request.POST if failed else {}
    previous, following = _shifted(year, month, -1), _shifted(year, month, 1)
    return {
        "section": "postings", "village": village, "today": timezone.localdate(),
        "active": [(p, predecessors.get(p.pk)) for p in active],
        "past": [(p, by_id.get(p.successor_id or 0)) for p in past],
        "open_kinds": [k for k in PostingKind if k not in {p.kind for p in active}],
        "may_post": bool(roles & POSTERS), "may_confirm": bool(roles & ATTENDANCE_CONFIRMERS),
        "full": full, "months": months, "attendance_problem": problem,
        "year": year, "month": month, "working_days": working_days(year, month),
        "required": _required(code, year, month),
        "month_over": month_bounds(year, month)[1] < timezone.localdate(),
        "previous": previous, "following": following,
        "unit_levels": UnitLevel.choices, "end_reasons": [
            (r.value, r.label) for r in PostingEndReason if r != PostingEndReason.REPLACEMENT
        ],
        "blank_team": _blank_rows(TEAM_ROWS), "blank_one": _blank_rows(1),
        "typed_team": _typed_rows(typed, TEAM_ROWS), "typed_one": _typed_rows(typed, 1),
        "failed": failed, "error": error, "detail": detail, "posted": typed,
    }  # fmt: skip


@login_required
@require_GET
def village(request: HttpRequest, code: str) -> HttpResponse:
    """A village's first secretary and work team, the past postings, a month's days in the
    village per member, and the forms of who may act."""
    place = village_in_scope(request.user, code)
    year, month = _month(request.GET)
    return render(request, f"{TEMPLATES}village.html",
                  _village_context(request, place, year=year, month=month))  # fmt: skip


def _act(
    request: HttpRequest, village: Region, form_id: str, action: Callable[[], object],
    done: str, anchor: str = "",
) -> HttpResponse:  # fmt: skip
    """Run `action` (which parses the form and calls one service); on success back to the
    village page, on a refusal the page again with why, what was typed, and status 400/403."""
    year, month = _month(request.POST)
    try:
        action()
    except InputError as exc:
        error, detail, status = _("请检查填写的内容。"), str(exc), 400
    except PairingError as exc:
        error = str(REFUSALS.get(exc.code, _("无法办理。")))
        detail, status = str(exc), 403 if exc.code in REFUSED_BY_POST else 400
    else:
        messages.success(request, done)
        url = reverse("postings:village", kwargs={"code": village.code})
        return redirect(f"{url}?year={year}&month={month}{anchor}")
    context = _village_context(request, village, year=year, month=month, failed=form_id,
                               error=error, detail=detail)  # fmt: skip
    return render(request, f"{TEMPLATES}village.html", context, status=status)


def _posting(request: HttpRequest, posting_id: int) -> Posting:
    return access_get(Posting.objects.select_related("village"), request.user, "view",
                      pk=posting_id)  # fmt: skip


@login_required
@require_POST
def open_posting(request: HttpRequest, code: str) -> HttpResponse:
    """The county posts a first secretary or a work team to the village."""
    place = village_in_scope(request.user, code)
    kind = request.POST.get("kind", "")
    rows = 1 if kind == PostingKind.FIRST_SECRETARY else TEAM_ROWS

    def act() -> Posting:
        data = _cleaned(OpenForm(request.POST))
        return posting_open(
            village=code, kind=data["kind"], sending_unit=data["sending_unit"],
            unit_level=data["unit_level"], term_start=data["term_start"],
            term_years=data["term_years"], duties=data["duties"],
            members=_people(request.POST, rows=rows), actor=Actor.of(request.user),
        )  # fmt: skip

    form_id = f"open-{kind}" if kind in PostingKind.values else "open"
    return _act(request, place, form_id, act, _("已派驻。"))


@login_required
@require_POST
def end(request: HttpRequest, posting_id: int) -> HttpResponse:
    """The county ends a posting: a recall, or its term over."""
    posting = _posting(request, posting_id)

    def act() -> Posting:
        data = _cleaned(EndForm(request.POST))
        return posting_end(posting=posting, on=data["on"], reason=data["reason"],
                           note=data["note"], actor=Actor.of(request.user))  # fmt: skip

    return _act(request, posting.village, f"end-{posting.pk}", act, _("派驻已结束。"))


@login_required
@require_POST
def replace(request: HttpRequest, posting_id: int) -> HttpResponse:
    """The county replaces a posting by its successor (轮换)."""
    posting = _posting(request, posting_id)
    rows = 1 if posting.kind == PostingKind.FIRST_SECRETARY else TEAM_ROWS

    def act() -> Posting:
        data = _cleaned(ReplaceForm(request.POST))
        return posting_replace(
            posting=posting, on=data["on"], note=data["note"],
            sending_unit=data["sending_unit"], unit_level=data["unit_level"],
            duties=data["duties"], term_years=data["term_years"],
            members=_people(request.POST, rows=rows), actor=Actor.of(request.user),
        )  # fmt: skip

    return _act(request, posting.village, f"replace-{posting.pk}", act, _("已轮换接替。"))


@login_required
@require_POST
def add_member(request: HttpRequest, posting_id: int) -> HttpResponse:
    """The county adds a member to a work team."""
    posting = _posting(request, posting_id)

    def act() -> PostingMember:
        data = _cleaned(MemberAddForm(request.POST))
        # A blank row goes to the service as it is, which says what is missing.
        (person,) = _people(request.POST, rows=1) or [PostedPerson("", "", "")]
        return member_add(posting=posting, person=person, on=data["on"],
                          actor=Actor.of(request.user))  # fmt: skip

    return _act(request, posting.village, f"add-{posting.pk}", act, _("成员已加入。"),
                f"#posting-{posting.pk}")  # fmt: skip


@login_required
@require_POST
def remove_member(request: HttpRequest, posting_id: int) -> HttpResponse:
    """The county takes a member off a work team."""
    posting = _posting(request, posting_id)

    def act() -> PostingMember:
        data = _cleaned(MemberRemoveForm(request.POST))
        member = _member(request.user, posting, data["member"])
        return member_remove(member=member, on=data["on"], reason=data["reason"],
                             actor=Actor.of(request.user))  # fmt: skip

    return _act(request, posting.village, f"remove-{posting.pk}", act, _("成员已离队。"),
                f"#posting-{posting.pk}")  # fmt: skip


@login_required
@require_POST
def log_day(request: HttpRequest, posting_id: int) -> HttpResponse:
    """A member logs a day present for themself; the township logs one for any member."""
    posting = _posting(request, posting_id)

    def act() -> object:
        data = _cleaned(LogForm(request.POST))
        member = _member(request.user, posting, data["member"])
        return attendance_log(member=member, days=[data["day"]], actor=Actor.of(request.user))

    return _act(request, posting.village, f"log-{posting.pk}", act, _("已登记在村日期。"),
                "#attendance")  # fmt: skip


@login_required
@require_POST
def confirm_month(request: HttpRequest, posting_id: int) -> HttpResponse:
    """The township confirms a month's logged days of one member or of all."""
    posting = _posting(request, posting_id)

    def act() -> object:
        data = _cleaned(ConfirmForm(request.POST))
        member = _member(request.user, posting, data["member"]) if data["member"] else None
        return month_confirm(posting=posting, year=data["year"], month=data["month"],
                             member=member, actor=Actor.of(request.user))  # fmt: skip

    return _act(request, posting.village, f"confirm-{posting.pk}", act, _("考勤已确认。"),
                "#attendance")  # fmt: skip


# ---- lists ---------------------------------------------------------------------------------


def _region(data: Mapping[str, Any]) -> str:
    region = str(data.get("region", "")).strip()
    return region if REGION.fullmatch(region) else ""


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Villages that need a first secretary and a work team and lack one, per county."""
    region = _region(request.GET)
    counties = coverage_gaps(user=request.user, prefix=region)
    return render(request, f"{TEMPLATES}coverage.html", {
        "section": "postings", "counties": counties, "region": region,
        "today": timezone.localdate(), "villages": sum(len(c.villages) for c in counties),
    })  # fmt: skip


@login_required
@require_GET
def attendance(request: HttpRequest) -> HttpResponse:
    """Members present fewer confirmed days in a month than the policy's share (by default
    the last month that is over)."""
    region = _region(request.GET)
    year, month = _month(request.GET, default=_last_month())
    problem = ""
    try:
        flags = attendance_flags(user=request.user, prefix=region, year=year, month=month)
    except PolicyMissing:
        flags, problem = [], str(REFUSALS["policy_missing"])
    codes = {flag.village for flag in flags}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    rows = [(flag, names.get(flag.village, flag.village), PostingKind(flag.kind).label)
            for flag in flags]  # fmt: skip
    return render(request, f"{TEMPLATES}attendance.html", {
        "section": "postings", "rows": rows, "region": region,
        "year": year, "month": month, "working_days": working_days(year, month),
        "problem": problem,
        "previous": _shifted(year, month, -1), "following": _shifted(year, month, 1),
    })  # fmt: skip


def _last_month() -> date:
    first = timezone.localdate().replace(day=1)
    year, month = _shifted(first.year, first.month, -1)
    return date(year, month, 1)
