"""The pages of the village committee for poverty alleviation (村扶贫工作委员会): the committee
with its members, the division of the households and its meetings; the village labour
posts with the villagers' applications and consent; the month's scores and the red and
black lists; and, for the township and the county, the meetings missed and the appeals
awaiting a decision.

Every read goes through `core.access` (`access_get`, `restrict`): a village or a row out
of scope answers the same 404 as a missing one. Every write goes through
`pairing.committees`, which checks the user's post; its refusal is shown on the page, with
what was typed kept, and nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fupin.core.access import (
    UserLike,
    access_get,
    personal_data_visible,
    restrict,
    roles_at,
)
from fupin.core.audit import Actor
from fupin.pairing import committee_forms as inputs
from fupin.pairing.choices import (
    PROTECTED_BENEFITS,
    AppealOutcome,
    ApplicationStatus,
    Benefit,
    BlackListStatus,
    CommitteeRole,
    ConsequenceKind,
    MeetingKind,
    MemberBackground,
    NoticeMethod,
    PayUnit,
    RewardKind,
)
from fupin.pairing.committee_reads import (
    appeals_awaiting,
    committee_active,
    committee_required,
    committee_village,
    percent,
    shown,
)
from fupin.pairing.committees.base import CommitteeError
from fupin.pairing.committees.committee import (
    committee_end,
    committee_form,
    committee_seats,
    households_divide,
    meeting_record,
    member_replace,
)
from fupin.pairing.committees.labour import (
    post_apply,
    post_assign,
    post_close,
    post_create,
    post_leave,
    post_withdraw,
    post_work_record,
)
from fupin.pairing.committees.lists import (
    appeal_decide,
    appeal_lodge,
    blacklist_enter,
    blacklist_final,
    blacklist_notify,
    household_score,
    redlist_enter,
    scoring_criteria,
)
from fupin.pairing.committees.queries import (
    charges_by_member,
    committee_composition,
    committee_meetings_missed,
    division_coverage,
    meetings_missed,
)
from fupin.pairing.models import (
    APPEAL_DECIDERS,
    COMMITTEE_KEEPERS,
    BlackListAppeal,
    BlackListConsequence,
    BlackListEntry,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    HouseholdScore,
    LabourPost,
    MeetingAttendance,
    PostApplication,
    PostWorkMonth,
    RedListEntry,
)
from fupin.pairing.posting_views import InputError
from fupin.pairing.services import PairingError
from fupin.regions.models import Region
from fupin.registry.models import Household

TEMPLATES = "pairing/committees/"
MEETINGS_SHOWN, MISSED_SHOWN = 20, 12
ROLE_ORDER = {role: index for index, role in enumerate(CommitteeRole.values)}
MISSED_DAYS = 92  # the missed-meetings list looks back about a quarter unless asked
FORM_ROWS = 30  # rows read from the form that seats a committee; the policy's seats are shown
PERSON = ("name", "id_number", "phone", "background", "party")  # a successor's row


# ---- reading the pages' state ----------------------------------------------------------------


def _month(data: Any, default: date | None = None) -> tuple[int, int]:
    """The month asked for (`year`, `month`), else the month of `default` (today)."""
    year, month = str(data.get("year", "")), str(data.get("month", ""))
    digits = year.isascii() and year.isdigit() and month.isascii() and month.isdigit()
    if digits and 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12:
        return int(year), int(month)
    default = default or timezone.localdate()
    return default.year, default.month


def _shifted(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _typed(data: Any, prefix: str, fields: tuple[str, ...]) -> dict[str, str]:
    """What was typed in a form row `<prefix>-<field>`, for the page to keep."""
    return {field: data.get(f"{prefix}-{field}", "") for field in fields}


def _base(request: HttpRequest, village: Region, state: dict[str, Any]) -> dict[str, Any]:
    """What every village page of the committee has: who may do what, and a refusal."""
    code = village.code
    roles = roles_at(request.user, code)  # type: ignore[arg-type]
    failed = state.get("failed", "")
    return {
        "section": "committees", "village": village, "today": timezone.localdate(),
        "full": personal_data_visible(request.user, code),
        "may_keep": bool(roles & COMMITTEE_KEEPERS), "may_decide": bool(roles & APPEAL_DECIDERS),
        "may_lodge": bool(roles & (COMMITTEE_KEEPERS | APPEAL_DECIDERS)),
        "failed": failed, "error": state.get("error", ""), "detail": state.get("detail", ""),
        "posted": request.POST if failed else {},
    }  # fmt: skip


def _committee_context(request: HttpRequest, village: Region, **state: Any) -> dict[str, Any]:
    """The committee page: the active committee if any, the past ones, the forms' rows."""
    user, code = request.user, village.code
    context = _base(request, village, state)
    today = context["today"]
    committees = list(restrict(Committee.objects.filter(village_id=code), user, "view")
                      .order_by("-formed_on", "-pk"))  # fmt: skip
    active = next((c for c in committees if c.ended_on is None), None)
    households = restrict(Household.objects.filter(village_id=code), user, "view").count()
    problems: list[str] = []
    try:
        seats: int | None = committee_seats(households, village=code, year=today.year)
    except CommitteeError:
        seats = None
        problems.append(str(inputs.REFUSALS["policy_missing"]))
    rows = inputs.role_rows(seats or len(CommitteeRole.values) + 2)
    if state.get("failed") == "form":
        rows = inputs.typed_rows(context["posted"], rows)
    context |= {
        "active": active, "past": [c for c in committees if c.ended_on is not None],
        "households": households, "seats": seats, "problems": problems,
        "rows": rows,
        "roles": CommitteeRole.choices, "backgrounds": MemberBackground.choices,
        "kinds": MeetingKind.choices, "successor": _typed(context["posted"], "s", PERSON),
        "ticked": context["posted"].getlist("attendees") if state.get("failed") else [],
    }  # fmt: skip
    if active is not None:
        context |= _active_committee(request, active, today, problems, full=context["full"])
    return context


def _active_committee(
    request: HttpRequest, committee: Committee, today: date, problems: list[str], *, full: bool
) -> dict[str, Any]:
    """The active committee's members, division, composition and meetings."""
    user, code = request.user, committee.village_id
    members = sorted(
        restrict(CommitteeMember.objects.filter(committee=committee), user, "view"),
        key=lambda m: (m.left_on is not None, ROLE_ORDER.get(m.role, 99), m.joined_on, m.pk),
    )
    charges = charges_by_member(committee=committee)
    for member in members:
        member.id_shown = shown(member.id_number, full=full)  # type: ignore[attr-defined]
        member.phone_shown = shown(member.phone, full=full, phone=True)  # type: ignore[attr-defined]
        member.numbers = charges.get(member.pk, [])  # type: ignore[attr-defined]
    coverage, missed = None, []
    try:
        coverage = division_coverage(committee=committee, year=today.year)
        missed = committee_meetings_missed(committee=committee, on=today)
    except CommitteeError:
        problems.append(str(inputs.REFUSALS["policy_missing"]))
    composition = committee_composition(committee=committee)
    labels = dict(MemberBackground.choices)
    backgrounds = [(labels[key], count, percent(composition.background_shares[key]))
                   for key, count in composition.backgrounds.items() if count]  # fmt: skip
    attendance = Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("member")
                          .order_by("member_id"))  # fmt: skip
    meetings = (restrict(CommitteeMeeting.objects.filter(committee__village_id=code), user, "view")
                .prefetch_related(attendance).order_by("-held_on", "-pk"))  # fmt: skip
    latest = {kind: committee.meetings.filter(kind=kind).order_by("-held_on").first()
              for kind in MeetingKind.values}  # fmt: skip
    return {
        "members": members, "current": [m for m in members if m.left_on is None],
        "coverage": coverage, "composition": composition, "backgrounds_shown": backgrounds,
        "party_percent": percent(composition.party_share),
        "meetings": list(meetings[:MEETINGS_SHOWN]), "meetings_count": meetings.count(),
        "latest_internal": latest[MeetingKind.INTERNAL],
        "latest_public": latest[MeetingKind.PUBLIC],
        "missed": sorted(missed, key=lambda row: (row.period_end, row.kind),
                         reverse=True)[:MISSED_SHOWN],
        "missed_count": len(missed),
    }  # fmt: skip


def _labour_context(request: HttpRequest, village: Region, **state: Any) -> dict[str, Any]:
    """The labour page: each post with its applications, its holders and their months."""
    user, code = request.user, village.code
    context = _base(request, village, state)
    posts = list(restrict(LabourPost.objects.filter(village_id=code), user, "view")
                 .order_by(F("closed_on").desc(nulls_first=True), "-opened_on", "-pk"))  # fmt: skip
    applications = (
        restrict(PostApplication.objects.filter(post__village_id=code), user, "view")
        .select_related("person", "person__household").order_by("applied_on", "pk")
    )  # fmt: skip
    months = restrict(PostWorkMonth.objects.filter(application__post__village_id=code), user,
                      "view").order_by("-year", "-month", "pk")  # fmt: skip
    by_application: dict[int, list[PostWorkMonth]] = defaultdict(list)
    for month in months:
        by_application[month.application_id].append(month)
    by_post: dict[int, list[PostApplication]] = defaultdict(list)
    for application in applications:
        application.id_shown = shown(application.person.id_number, full=context["full"])  # type: ignore[attr-defined]
        by_post[application.post_id].append(application)
    for post in posts:
        post.rows = by_post[post.pk]  # type: ignore[attr-defined]
        post.taken = sum(a.status == ApplicationStatus.ASSIGNED for a in by_post[post.pk])  # type: ignore[attr-defined]
        workers = [a for a in by_post[post.pk] if a.assigned_on is not None]
        post.workers = workers  # type: ignore[attr-defined]
        worked = [(a, m) for a in workers for m in by_application[a.pk]]
        worked.sort(key=lambda pair: (-pair[1].year, -pair[1].month, pair[1].pk))
        post.months = worked  # type: ignore[attr-defined]
    return context | {
        "posts": posts,
        "active": committee_active(user, code),
        "pay_units": PayUnit.choices,
    }


def _lists_context(request: HttpRequest, village: Region, **state: Any) -> dict[str, Any]:
    """The lists page for a month: scores, red list, black list, and entries still open."""
    user, code = request.user, village.code
    context = _base(request, village, state)
    today = context["today"]
    year, month = _month(request.POST if state.get("failed") else request.GET)
    here = {"committee__village_id": code}
    criteria = scoring_criteria(year=year, province=code[:2])
    scored = HouseholdScore.objects.filter(**here, year=year, month=month)
    scores = list(restrict(scored, user, "view").select_related("household")
                  .order_by("household__household_no"))  # fmt: skip
    for score in scores:
        score.cells = [score.scores.get(c.code, "") for c in criteria]  # type: ignore[attr-defined]
    red = restrict(RedListEntry.objects.filter(**here, year=year, month=month), user, "view")
    entries = restrict(BlackListEntry.objects.filter(**here), user, "view").select_related(
        "household"
    )
    black = list(entries.filter(year=year, month=month).order_by("household__household_no"))
    pending = list(entries.filter(status__in=[BlackListStatus.ENTERED, BlackListStatus.APPEALED])
                   .exclude(year=year, month=month).order_by("year", "month", "pk"))  # fmt: skip
    _black_details(user, black, today)
    previous, following = _shifted(year, month, -1), _shifted(year, month, 1)
    posted = context["posted"]
    return context | {
        "year": year, "month": month, "previous": previous, "following": following,
        "criteria": criteria, "scores": scores, "black": black, "pending": pending,
        "red": list(red.select_related("household").order_by("household__household_no")),
        "active": committee_active(user, code),
        "reward_kinds": RewardKind.choices, "notice_methods": NoticeMethod.choices,
        "outcomes": AppealOutcome.choices, "consequence_kinds": ConsequenceKind.choices,
        "criteria_rows": [(c, posted.get(f"score-{c.code}", "")) for c in criteria],
        "benefit_rows": [(b.value, b.label, posted.get(f"c-{b.value}", ""),
                          posted.get(f"n-{b.value}", ""))
                         for b in Benefit if b not in PROTECTED_BENEFITS],
        "protected": [b.label for b in Benefit if b in PROTECTED_BENEFITS],
    }  # fmt: skip


def _black_details(user: UserLike, entries: list[BlackListEntry], today: date) -> None:
    """Each entry's consequences, appeal (as the user reads them) and whether it is final."""
    ids = [entry.pk for entry in entries]
    appeals = {a.entry_id: a for a in restrict(BlackListAppeal.objects.filter(entry_id__in=ids),
                                               user, "view")}  # fmt: skip
    consequences: dict[int, list[BlackListConsequence]] = defaultdict(list)
    for row in restrict(BlackListConsequence.objects.filter(entry_id__in=ids), user, "view"):
        consequences[row.entry_id].append(row)
    for entry in entries:
        entry.appeal_shown = appeals.get(entry.pk)  # type: ignore[attr-defined]
        entry.consequences_shown = consequences[entry.pk]  # type: ignore[attr-defined]
        entry.final = blacklist_final(entry, on=today)  # type: ignore[attr-defined]


# ---- acting ----------------------------------------------------------------------------------

PAGES: dict[str, tuple[str, Callable[..., dict[str, Any]]]] = {
    "committee": ("committee.html", _committee_context),
    "labour": ("labour.html", _labour_context),
    "lists": ("lists.html", _lists_context),
}


def _act(
    request: HttpRequest, village: Region, page: str, form_id: str, action: Callable[[], object],
    done: str, anchor: str = "",
) -> HttpResponse:  # fmt: skip
    """Run `action` (which reads the form and calls one service); on success back to the
    page, on a refusal the page again with why, what was typed, and status 400 or 403."""
    try:
        action()
    except InputError as exc:
        error, detail, status = _("请检查填写的内容。"), str(exc), 400
    except PairingError as exc:
        error = str(inputs.REFUSALS.get(exc.code, _("无法办理。")))
        detail, status = str(exc), 403 if exc.code in inputs.REFUSED_BY_POST else 400
    else:
        messages.success(request, done)
        url = reverse(f"committees:{page}", kwargs={"code": village.code})
        if page == "lists":
            year, month = _month(request.POST)
            url += f"?year={year}&month={month}"
        return redirect(url + anchor)
    template, context = PAGES[page]
    state = {"failed": form_id, "error": error, "detail": detail}
    return render(request, TEMPLATES + template, context(request, village, **state),
                  status=status)  # fmt: skip


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(request.user)


# ---- the committee ---------------------------------------------------------------------------


@login_required
@require_GET
def committee(request: HttpRequest, code: str) -> HttpResponse:
    """The village's committee: members, division, composition, meetings, and the forms."""
    place = committee_village(request.user, code)
    return render(request, f"{TEMPLATES}committee.html", _committee_context(request, place))


@login_required
@require_POST
def form(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts form the committee."""
    place = committee_village(request.user, code)

    def act() -> Committee:
        data = inputs.cleaned(inputs.FormCommitteeForm(request.POST))
        people = inputs.people(request.POST, rows=FORM_ROWS)
        return committee_form(village=code, formed_on=data["formed_on"], members=people,
                              actor=_actor(request))  # fmt: skip

    return _act(request, place, "committee", "form", act, _("委员会已成立。"))


@login_required
@require_POST
def replace(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts replace a member; the successor takes the seat and its households."""
    place = committee_village(request.user, code)

    def act() -> CommitteeMember:
        data = inputs.cleaned(inputs.ReplaceForm(request.POST))
        committee = committee_required(request.user, code)
        member = (
            restrict(committee.members.all(), request.user, "view")
            .filter(pk=data["member"], left_on__isnull=True)
            .first()
        )
        if member is None:
            raise InputError(_("请选择本委员会的在任委员。"))
        successor = inputs.successor(request.POST)
        return member_replace(member=member, successor=successor, on=data["on"],
                              reason=data["reason"], actor=_actor(request))  # fmt: skip

    return _act(request, place, "committee", "replace", act, _("已更换委员。"), "#members")


@login_required
@require_POST
def end(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts end the committee's term."""
    place = committee_village(request.user, code)

    def act() -> Committee:
        data = inputs.cleaned(inputs.EndForm(request.POST))
        return committee_end(committee=committee_required(request.user, code), on=data["on"],
                             reason=data["reason"], actor=_actor(request))  # fmt: skip

    return _act(request, place, "committee", "end", act, _("委员会任期已结束。"))


@login_required
@require_POST
def divide(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts divide the households among the members, automatically."""
    place = committee_village(request.user, code)

    def act() -> object:
        data = inputs.cleaned(inputs.DivisionForm(request.POST))
        return households_divide(committee=committee_required(request.user, code),
                                 on=data["on"], actor=_actor(request))  # fmt: skip

    return _act(request, place, "committee", "divide", act, _("已分配联系户。"), "#division")


@login_required
@require_POST
def meeting(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts record a meeting held."""
    place = committee_village(request.user, code)

    def act() -> CommitteeMeeting:
        data = inputs.cleaned(inputs.MeetingForm(request.POST))
        return meeting_record(
            committee=committee_required(request.user, code), kind=data["kind"],
            held_on=data["held_on"], attendees=inputs.attendees(request.POST),
            minutes=data["minutes"], decisions=inputs.decisions(data["decisions"]),
            villagers_present=data["villagers_present"] or 0, actor=_actor(request),
        )  # fmt: skip

    return _act(request, place, "committee", "meeting", act, _("会议已登记。"), "#meetings")


# ---- labour posts ----------------------------------------------------------------------------


@login_required
@require_GET
def labour(request: HttpRequest, code: str) -> HttpResponse:
    """The village's labour posts, the applications with consent, and the work and pay."""
    place = committee_village(request.user, code)
    return render(request, f"{TEMPLATES}labour.html", _labour_context(request, place))


@login_required
@require_POST
def post_new(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts set up a labour post."""
    place = committee_village(request.user, code)

    def act() -> LabourPost:
        data = inputs.cleaned(inputs.PostForm(request.POST))
        return post_create(
            committee=committee_required(request.user, code), title=data["title"],
            duties=data["duties"], place=data["place"], pay_amount=data["pay_amount"],
            pay_unit=data["pay_unit"], positions=data["positions"], opened_on=data["opened_on"],
            actor=_actor(request),
        )  # fmt: skip

    return _act(request, place, "labour", "post", act, _("岗位已设立。"))


def _post(request: HttpRequest, post_id: int) -> LabourPost:
    return access_get(LabourPost.objects.select_related("village"), request.user, "view",
                      pk=post_id)  # fmt: skip


def _application(request: HttpRequest, application_id: int) -> PostApplication:
    return access_get(PostApplication.objects.select_related("post__village"), request.user,
                      "view", pk=application_id)  # fmt: skip


@login_required
@require_POST
def apply(request: HttpRequest, post_id: int) -> HttpResponse:
    """The village posts record a villager's application, with their consent."""
    post = _post(request, post_id)

    def act() -> PostApplication:
        data = inputs.cleaned(inputs.ApplicationForm(request.POST))
        person = inputs.villager_find(request.user, post.village_id, data["villager"])
        return post_apply(
            post=post, person=person, applied_on=data["applied_on"], consent=data["consent"],
            consent_evidence=data["consent_evidence"],
            consent_given_on=data["consent_given_on"], actor=_actor(request),
        )  # fmt: skip

    return _act(request, post.village, "labour", f"apply-{post.pk}", act, _("申请已登记。"),
                f"#post-{post.pk}")  # fmt: skip


@login_required
@require_POST
def close(request: HttpRequest, post_id: int) -> HttpResponse:
    """The village posts close a post; those on it leave that day."""
    post = _post(request, post_id)

    def act() -> LabourPost:
        data = inputs.cleaned(inputs.DayForm(request.POST))
        return post_close(post=post, on=data["on"], actor=_actor(request))

    return _act(request, post.village, "labour", f"close-{post.pk}", act, _("岗位已关闭。"),
                f"#post-{post.pk}")  # fmt: skip


@login_required
@require_POST
def work(request: HttpRequest, post_id: int) -> HttpResponse:
    """The village posts record a month's days worked and the pay."""
    post = _post(request, post_id)

    def act() -> PostWorkMonth:
        data = inputs.cleaned(inputs.WorkMonthForm(request.POST))
        holder = (
            restrict(post.applications.all(), request.user, "view")
            .filter(pk=data["application"])
            .first()
        )
        if holder is None:
            raise InputError(_("请选择本岗位的在岗人员。"))
        return post_work_record(
            application=holder, year=data["year"], month=data["month"],
            days_worked=data["days_worked"], amount_paid=data["amount_paid"],
            paid_on=data["paid_on"], actor=_actor(request),
        )  # fmt: skip

    return _act(request, post.village, "labour", f"work-{post.pk}", act, _("出工和报酬已登记。"),
                f"#post-{post.pk}")  # fmt: skip


def _application_act(
    request: HttpRequest, application_id: int, name: str, done: str,
    write: Callable[[PostApplication, dict[str, Any]], object], form: type,
) -> HttpResponse:  # fmt: skip
    application = _application(request, application_id)
    post = application.post

    def act() -> object:
        return write(application, inputs.cleaned(form(request.POST)))

    return _act(request, post.village, "labour", f"{name}-{application.pk}", act, done,
                f"#post-{post.pk}")  # fmt: skip


@login_required
@require_POST
def assign(request: HttpRequest, application_id: int) -> HttpResponse:
    """The village posts put an applicant who consented on the post."""
    return _application_act(
        request, application_id, "assign", _("已安排上岗。"),
        lambda a, data: post_assign(application=a, on=data["on"], actor=_actor(request)),
        inputs.DayForm,
    )  # fmt: skip


@login_required
@require_POST
def withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    """The village posts record the villager's withdrawal; a holder leaves the post."""
    return _application_act(
        request, application_id, "withdraw", _("已登记本人撤回。"),
        lambda a, data: post_withdraw(application=a, on=data["on"], note=data["note"],
                                      actor=_actor(request)),
        inputs.WithdrawForm,
    )  # fmt: skip


@login_required
@require_POST
def leave(request: HttpRequest, application_id: int) -> HttpResponse:
    """The village posts take a holder off the post, with the reason."""
    return _application_act(
        request, application_id, "leave", _("已登记离岗。"),
        lambda a, data: post_leave(application=a, on=data["on"], reason=data["reason"],
                                   actor=_actor(request)),
        inputs.LeaveForm,
    )  # fmt: skip


# ---- scores and lists ------------------------------------------------------------------------


@login_required
@require_GET
def lists(request: HttpRequest, code: str) -> HttpResponse:
    """A month's scores, red list and black list, with notice and appeal, and the forms."""
    place = committee_village(request.user, code)
    return render(request, f"{TEMPLATES}lists.html", _lists_context(request, place))


def _listing(
    request: HttpRequest, code: str, form: type
) -> tuple[Committee, Household, dict[str, Any]]:
    """The active committee, the household typed and the form's values."""
    data = inputs.cleaned(form(request.POST))
    household = inputs.household_find(request.user, code, data["household"])
    return committee_required(request.user, code), household, data


@login_required
@require_POST
def score(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts score a household for the month."""
    place = committee_village(request.user, code)

    def act() -> HouseholdScore:
        committee, household, data = _listing(request, code, inputs.ScoreForm)
        codes = [c.code for c in scoring_criteria(year=data["year"], province=code[:2])]
        return household_score(committee=committee, household=household, year=data["year"],
                               month=data["month"], scores=inputs.scores(request.POST, codes),
                               note=data["note"], actor=_actor(request))  # fmt: skip

    return _act(request, place, "lists", "score", act, _("评分已登记。"), "#scores")


@login_required
@require_POST
def red(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts put a household on the month's red list with its reward."""
    place = committee_village(request.user, code)

    def act() -> RedListEntry:
        committee, household, data = _listing(request, code, inputs.RedListForm)
        month = {"household": household, "year": data["year"], "month": data["month"]}
        behind = restrict(HouseholdScore.objects.filter(**month), request.user, "view").first()
        return redlist_enter(
            committee=committee, **month, reasons=data["reasons"],
            reward_kind=data["reward_kind"], reward=data["reward"],
            amount=data["amount"] or Decimal(0), listed_on=data["listed_on"], score=behind,
            actor=_actor(request),
        )  # fmt: skip

    return _act(request, place, "lists", "red", act, _("已列入红榜。"), "#red")


@login_required
@require_POST
def black(request: HttpRequest, code: str) -> HttpResponse:
    """The village posts put a household on the month's black list with written reasons."""
    place = committee_village(request.user, code)

    def act() -> BlackListEntry:
        committee, household, data = _listing(request, code, inputs.BlackListForm)
        month = {"household": household, "year": data["year"], "month": data["month"]}
        behind = restrict(HouseholdScore.objects.filter(**month), request.user, "view").first()
        return blacklist_enter(
            committee=committee, **month, reasons=data["reasons"],
            listed_on=data["listed_on"], consequences=inputs.consequences(request.POST),
            score=behind, actor=_actor(request),
        )  # fmt: skip

    return _act(request, place, "lists", "black", act, _("已列入黑榜。"), "#black")


def _entry_act(
    request: HttpRequest, entry_id: int, name: str, done: str,
    write: Callable[[BlackListEntry, dict[str, Any]], object], form: type,
) -> HttpResponse:  # fmt: skip
    entry = access_get(BlackListEntry.objects.select_related("committee__village"), request.user,
                       "view", pk=entry_id)  # fmt: skip

    def act() -> object:
        return write(entry, inputs.cleaned(form(request.POST)))

    return _act(request, entry.committee.village, "lists", f"{name}-{entry.pk}", act, done,
                f"#entry-{entry.pk}")  # fmt: skip


@login_required
@require_POST
def notice(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The village posts record the written notice to the household."""
    return _entry_act(
        request, entry_id, "notice", _("已登记书面告知。"),
        lambda e, data: blacklist_notify(entry=e, on=data["on"], method=data["method"],
                                         receiver=data["receiver"], actor=_actor(request)),
        inputs.NoticeForm,
    )  # fmt: skip


@login_required
@require_POST
def appeal(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The village posts or the township record the household's appeal."""
    return _entry_act(
        request, entry_id, "appeal", _("申诉已登记。"),
        lambda e, data: appeal_lodge(entry=e, on=data["on"], grounds=data["grounds"],
                                     actor=_actor(request)),
        inputs.AppealForm,
    )  # fmt: skip


@login_required
@require_POST
def decide(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The township decides the appeal, with its reasons."""

    def write(entry: BlackListEntry, data: dict[str, Any]) -> BlackListAppeal:
        found = restrict(BlackListAppeal.objects.filter(entry=entry), request.user, "view").first()
        if found is None:
            raise CommitteeError("not_appealed", "the entry has not been appealed")
        return appeal_decide(appeal=found, outcome=data["outcome"], reasons=data["reasons"],
                             on=data["on"], actor=_actor(request))  # fmt: skip

    return _entry_act(
        request, entry_id, "decide", _("申诉决定已登记。"), write, inputs.DecisionForm
    )


# ---- for the township and the county -----------------------------------------------------------


def _region(data: Any) -> str:
    region = str(data.get("region", "")).strip()
    return region if len(region) <= 12 and region.isascii() and region.isdigit() else ""


def _day(data: Any, name: str, default: date) -> date:
    try:
        day = date.fromisoformat(str(data.get(name, "")))
    except ValueError:
        return default
    return day if date(2000, 1, 1) <= day <= date(2100, 12, 31) else default


def _names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


@login_required
@require_GET
def missed(request: HttpRequest) -> HttpResponse:
    """The meetings the committees in scope missed as of a day, since a day."""
    region = _region(request.GET)
    on = _day(request.GET, "on", timezone.localdate())
    since = _day(request.GET, "since", on - timedelta(days=MISSED_DAYS))
    problem = ""
    try:
        rows = meetings_missed(user=request.user, prefix=region, on=on, since=since)
    except CommitteeError:
        rows, problem = [], str(inputs.REFUSALS["policy_missing"])
    names = _names({row.village for row in rows})
    kinds = dict(MeetingKind.choices)
    return render(request, f"{TEMPLATES}missed.html", {
        "section": "committees", "region": region, "on": on, "since": since, "problem": problem,
        "rows": [(row, names.get(row.village, row.village), kinds[row.kind]) for row in rows],
        "villages": len({row.village for row in rows}),
    })  # fmt: skip


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    """The appeals against the black list in scope awaiting the township's decision."""
    region = _region(request.GET)
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    rows = appeals_awaiting(user=request.user, prefix=region, on=today, overdue=overdue)
    names = _names({row.village for row in rows})
    return render(request, f"{TEMPLATES}appeals.html", {
        "section": "committees", "region": region, "overdue": overdue, "today": today,
        "rows": [(row, names.get(row.village, row.village)) for row in rows],
    })  # fmt: skip
