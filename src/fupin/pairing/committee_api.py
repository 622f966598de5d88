"""The API routes of the village committee for poverty alleviation (村扶贫工作委员会): the
committee, its members and the division of the households, its meetings, the village
labour posts with the villagers' applications and consent, the month's scores and red and
black lists with the notice, the appeal and the township's decision; and, in scope, the
meetings missed and the appeals awaiting a decision.

Reads start from `core.access.restrict` (`access_get`: missing and out of scope, the same
404); writes go through `pairing.committees`, which checks the user's post and refuses with
a `CommitteeError` (a `PairingError`), answered as JSON with its stable code
(`pairing.api.errors_install`). ID numbers and phones are masked for posts that do not
need them.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from fupin.core.access import access_get, personal_data_visible, restrict
from fupin.core.api import ObjectId, api_actor, api_user, page_of, responses
from fupin.pairing.choices import ApplicationStatus, MemberBackground
from fupin.pairing.committee_reads import (
    appeals_awaiting,
    committee_active,
    committee_required,
    committee_village,
    shown,
)
from fupin.pairing.committee_schemas import (
    CommitteeAppealFilters,
    CommitteeAppealOut,
    CommitteeDivisionIn,
    CommitteeDivisionOut,
    CommitteeEndIn,
    CommitteeFormIn,
    CommitteeMeetingFilters,
    CommitteeMeetingIn,
    CommitteeMeetingOut,
    CommitteeMeetingPageOut,
    CommitteeMemberOut,
    CommitteeMissedFilters,
    CommitteeMissedOut,
    CommitteeOut,
    CommitteeReplacementIn,
    CommitteeStateOut,
    LabourApplicationIn,
    LabourApplicationOut,
    LabourAssignmentIn,
    LabourPostIn,
    LabourPostOut,
    LabourWithdrawalIn,
    LabourWorkMonthIn,
    LabourWorkMonthOut,
    ListingAppealIn,
    ListingBlackIn,
    ListingBlackOut,
    ListingDecisionIn,
    ListingFilters,
    ListingMonthOut,
    ListingNoticeIn,
    ListingRedIn,
    ListingRedOut,
    ListingScoreIn,
    ListingScoreOut,
)
from fupin.pairing.committees.base import CommitteeError
from fupin.pairing.committees.committee import (
    CommitteePerson,
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
    post_create,
    post_withdraw,
    post_work_record,
)
from fupin.pairing.committees.lists import (
    Consequence,
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
from fupin.registry.models import Household, Member

router = Router(tags=["committees"])

VillageCode = Annotated[str, Path(pattern=r"^[0-9]{12}$", description="a village's code")]
# Refusals of the committee services about what the request says: to be joined to
# `pairing.api.BAD_REQUEST_CODES`, which answers them 400 (`role_not_allowed` is 403 there
# already; a code in neither answers 409, a refusal about the state of things).
BAD_REQUEST_CODES = frozenset({
    "seats", "role", "role_twice", "roles_incomplete", "background", "person_twice",
    "member_unknown", "member_twice", "household_twice", "household_elsewhere", "household_missing",
    "load_out_of_bounds", "load_uneven", "kind", "minutes_missing", "decision_blank",
    "villagers_missing", "villagers_present", "attendance_missing", "attendee_twice",
    "attendee_unknown", "pay_unit", "pay_invalid", "positions_invalid", "consent_missing",
    "not_a_villager", "value_invalid", "days_exceed", "criterion_unknown", "score_missing",
    "score_range", "reasons_missing", "reward_kind", "amount_invalid", "score_mismatch",
    "protected_benefit", "benefit", "consequence_kind", "benefit_twice", "notice_method",
    "grounds_missing", "outcome",
})  # fmt: skip
FORBIDDEN_CODES: frozenset[str] = frozenset()


# ---- items ---------------------------------------------------------------------------------


def _committee_item(committee: Committee, user: AbstractBaseUser, on: date) -> dict[str, Any]:
    full = personal_data_visible(user, committee.village_id)
    coverage = division_coverage(committee=committee, year=on.year)
    numbers = charges_by_member(committee=committee)
    members = restrict(CommitteeMember.objects.filter(committee=committee), user, "view")
    composition = committee_composition(committee=committee)
    missed = committee_meetings_missed(committee=committee, on=on)
    return {
        "id": committee.pk, "village": committee.village_id, "formed_on": committee.formed_on,
        "ended_on": committee.ended_on, "end_reason": committee.end_reason,
        "seats": committee.seats, "households_counted": committee.households_counted,
        "members": [_member_item(m, full=full, numbers=numbers.get(m.pk, []))
                    for m in members.order_by("pk")],
        "composition": {
            "members": composition.members, "party_members": composition.party_members,
            "party_share": composition.party_share,
            "backgrounds": [{"background": key, "members": composition.backgrounds[key],
                             "share": composition.background_shares[key]}
                            for key in MemberBackground.values],
        },
        "coverage": {
            "households": coverage.households, "uncovered": coverage.uncovered,
            "twice": coverage.twice, "complete": coverage.complete,
            "load_min": coverage.bounds[0], "load_max": coverage.bounds[1],
            "outside_bounds": coverage.outside_bounds,
        },
        "missed": [asdict(row) for row in missed],
    }  # fmt: skip


def _member_item(member: CommitteeMember, *, full: bool, numbers: list[str]) -> dict[str, Any]:
    return {
        "id": member.pk, "name": member.name, "id_number": shown(member.id_number, full=full),
        "phone": shown(member.phone, full=full, phone=True), "role": member.role,
        "is_party_member": member.is_party_member, "background": member.background,
        "joined_on": member.joined_on, "left_on": member.left_on,
        "leave_reason": member.leave_reason, "successor_id": member.successor_id,
        "households": len(numbers) if member.left_on is None else 0,
        "household_numbers": numbers if member.left_on is None else [],
    }  # fmt: skip


def _meeting_item(meeting: CommitteeMeeting) -> dict[str, Any]:
    return {
        "id": meeting.pk, "committee_id": meeting.committee_id, "kind": meeting.kind,
        "held_on": meeting.held_on, "minutes": meeting.minutes,
        "decisions": list(meeting.decisions), "villagers_present": meeting.villagers_present,
        "attendees": [{"member_id": row.member_id, "name": row.member.name}
                      for row in meeting.attendance.all()],
    }  # fmt: skip


def _meetings(user: AbstractBaseUser, code: str) -> Any:
    attendance = MeetingAttendance.objects.select_related("member").order_by("member_id")
    return (
        restrict(CommitteeMeeting.objects.filter(committee__village_id=code), user, "view")
        .prefetch_related(Prefetch("attendance", queryset=attendance))
        .order_by("-held_on", "-pk")
    )


def _month_item(row: PostWorkMonth) -> dict[str, Any]:
    return {"id": row.pk, "application_id": row.application_id, "year": row.year,
            "month": row.month, "days_worked": row.days_worked, "amount_paid": row.amount_paid,
            "paid_on": row.paid_on}  # fmt: skip


def _application_item(application: PostApplication, *, full: bool) -> dict[str, Any]:
    person = application.person
    return {
        "id": application.pk, "post_id": application.post_id, "person_id": person.pk,
        "person_name": person.name, "id_number": shown(person.id_number, full=full),
        "household_no": person.household.household_no, "applied_on": application.applied_on,
        "consent_given_on": application.consent_given_on,
        "consent_evidence": application.consent_evidence, "status": application.status,
        "assigned_on": application.assigned_on, "ended_on": application.ended_on,
        "end_reason": application.end_reason, "withdrawn_on": application.withdrawn_on,
        "work_months": [_month_item(row) for row in application.work_months.all()],
    }  # fmt: skip


def _posts(user: AbstractBaseUser) -> Any:
    months = restrict(PostWorkMonth.objects.all(), user, "view").order_by("year", "month", "pk")
    applications = (
        restrict(PostApplication.objects.all(), user, "view")
        .select_related("person__household")
        .prefetch_related(Prefetch("work_months", queryset=months))
        .order_by("applied_on", "pk")
    )
    return restrict(LabourPost.objects.all(), user, "view").prefetch_related(
        Prefetch("applications", queryset=applications)
    )


def _post_item(post: LabourPost, user: AbstractBaseUser) -> dict[str, Any]:
    full = personal_data_visible(user, post.village_id)
    applications = list(post.applications.all())
    return {
        "id": post.pk, "village": post.village_id, "committee_id": post.committee_id,
        "title": post.title, "duties": post.duties, "place": post.place,
        "pay_amount": post.pay_amount, "pay_unit": post.pay_unit, "positions": post.positions,
        "taken": sum(a.status == ApplicationStatus.ASSIGNED for a in applications),
        "opened_on": post.opened_on, "closed_on": post.closed_on,
        "applications": [_application_item(a, full=full) for a in applications],
    }  # fmt: skip


def _fresh_application(application_id: int, user: AbstractBaseUser) -> dict[str, Any]:
    """An application as the user reads it after a write."""
    months = restrict(PostWorkMonth.objects.all(), user, "view").order_by("year", "month", "pk")
    found = access_get(
        PostApplication.objects.select_related("post", "person__household").prefetch_related(
            Prefetch("work_months", queryset=months)
        ),
        user, "view", pk=application_id,
    )  # fmt: skip
    return _application_item(found, full=personal_data_visible(user, found.post.village_id))


def _score_item(row: HouseholdScore) -> dict[str, Any]:
    return {"id": row.pk, "household_id": row.household_id,
            "household_no": row.household.household_no, "year": row.year, "month": row.month,
            "scores": dict(row.scores), "total": row.total, "note": row.note}  # fmt: skip


def _red_item(row: RedListEntry) -> dict[str, Any]:
    return {"id": row.pk, "household_id": row.household_id,
            "household_no": row.household.household_no, "year": row.year, "month": row.month,
            "reasons": row.reasons, "reward_kind": row.reward_kind, "reward": row.reward,
            "amount": row.amount, "listed_on": row.listed_on, "score_id": row.score_id}  # fmt: skip


def _black_items(entries: list[BlackListEntry], user: AbstractBaseUser) -> list[dict[str, Any]]:
    ids = [entry.pk for entry in entries]
    appeals = {a.entry_id: a for a in restrict(BlackListAppeal.objects.filter(entry_id__in=ids),
                                               user, "view")}  # fmt: skip
    consequences: dict[int, list[dict[str, Any]]] = {entry.pk: [] for entry in entries}
    rows = restrict(BlackListConsequence.objects.filter(entry_id__in=ids), user, "view")
    for row in rows.order_by("pk"):
        consequences[row.entry_id].append({"kind": row.kind, "benefit": row.benefit,
                                           "note": row.note})  # fmt: skip
    today = timezone.localdate()
    return [
        {"id": e.pk, "household_id": e.household_id, "household_no": e.household.household_no,
         "year": e.year, "month": e.month, "reasons": e.reasons, "listed_on": e.listed_on,
         "status": e.status, "notified_on": e.notified_on, "notice_method": e.notice_method,
         "notice_receiver": e.notice_receiver, "appeal_until": e.appeal_until,
         "final": blacklist_final(e, on=today), "consequences": consequences[e.pk],
         "appeal": _appeal_item(appeals.get(e.pk))}
        for e in entries
    ]  # fmt: skip


def _appeal_item(appeal: BlackListAppeal | None) -> dict[str, Any] | None:
    if appeal is None:
        return None
    return {"id": appeal.pk, "lodged_on": appeal.lodged_on, "grounds": appeal.grounds,
            "decide_by": appeal.decide_by, "outcome": appeal.outcome,
            "decision_reasons": appeal.decision_reasons,
            "decided_on": appeal.decided_on}  # fmt: skip


def _fresh_entry(entry_id: int, user: AbstractBaseUser) -> dict[str, Any]:
    entries = BlackListEntry.objects.select_related("household")
    return _black_items([access_get(entries, user, "view", pk=entry_id)], user)[0]


def _entry(request: HttpRequest, entry_id: int) -> BlackListEntry:
    return access_get(BlackListEntry.objects.select_related("committee"), api_user(request),
                      "view", pk=entry_id)  # fmt: skip


def _household(request: HttpRequest, household_id: int) -> Household:
    return access_get(Household.objects.all(), api_user(request), "view", pk=household_id)


def _listing(request: HttpRequest, code: str, household_id: int) -> tuple[Committee, Household]:
    user = api_user(request)
    committee_village(user, code)
    return committee_required(user, code), _household(request, household_id)


# ---- lists in scope: their paths first ---------------------------------------------------------


@router.get(
    "/committees/missed",
    response=responses({200: list[CommitteeMissedOut]}, 409),
    summary="Meetings missed",
)
def missed(request: HttpRequest, filters: Query[CommitteeMissedFilters]) -> list[dict[str, Any]]:
    """The meetings the committees in your scope missed as of a day (today): each week with
    no internal meeting and each month with no public one, their grace over."""
    rows = meetings_missed(user=api_user(request), prefix=filters.region,
                           on=filters.on or timezone.localdate(), since=filters.since)  # fmt: skip
    return [asdict(row) for row in rows]


@router.get(
    "/committees/appeals",
    response=responses({200: list[CommitteeAppealOut]}),
    summary="Appeals awaiting a decision",
)
def appeals(request: HttpRequest, filters: Query[CommitteeAppealFilters]) -> list[dict[str, Any]]:
    """The appeals against the black list in your scope the township has not decided, the
    most urgent first; `overdue`: only those past the day to decide by."""
    rows = appeals_awaiting(user=api_user(request), prefix=filters.region,
                            on=timezone.localdate(), overdue=filters.overdue)  # fmt: skip
    return [asdict(row) for row in rows]


# ---- the committee ---------------------------------------------------------------------------


@router.get(
    "/villages/{code}/committee",
    response=responses({200: CommitteeStateOut}, 409),
    summary="A village's committee",
)
def committee_detail(request: HttpRequest, code: VillageCode) -> dict[str, Any]:
    """The village's active committee (null if none): members, composition, division of the
    households, meetings missed; and the seats the policy sets for today's households."""
    user = api_user(request)
    committee_village(user, code)
    today = timezone.localdate()
    households = restrict(Household.objects.filter(village_id=code), user, "view").count()
    try:
        seats: int | None = committee_seats(households, village=code, year=today.year)
    except CommitteeError:
        seats = None
    active = committee_active(user, code)
    return {"village": code, "households": households, "seats": seats,
            "committee": _committee_item(active, user, today) if active else None}  # fmt: skip


def _person(person: Any, role: str = "") -> CommitteePerson:
    return CommitteePerson(person.name, person.id_number, person.phone, person.is_party_member,
                           person.background, role)  # fmt: skip


@router.post(
    "/villages/{code}/committee",
    response=responses({201: CommitteeOut}, 409),
    summary="Form the committee",
)
def committee_create(
    request: HttpRequest, code: VillageCode, payload: CommitteeFormIn
) -> Status[dict[str, Any]]:
    """Form the village's committee, as a village post: as many members as the policy sets
    for its households, each officer role (production, life, security, propaganda) once."""
    user = api_user(request)
    committee_village(user, code)
    formed = committee_form(village=code, formed_on=payload.formed_on,
                            members=[_person(p, p.role) for p in payload.members],
                            actor=api_actor(request))  # fmt: skip
    return Status(201, _committee_item(formed, user, timezone.localdate()))


@router.post(
    "/villages/{code}/committee/replacement",
    response=responses({201: CommitteeMemberOut}, 409),
    summary="Replace a member",
)
def committee_replacement(
    request: HttpRequest, code: VillageCode, payload: CommitteeReplacementIn
) -> Status[dict[str, Any]]:
    """A member leaves on a day with the reason; the successor takes the seat's role and
    every household in its charge."""
    user = api_user(request)
    committee_village(user, code)
    committee = committee_required(user, code)
    member = access_get(CommitteeMember.objects.select_related("committee"), user, "view",
                        pk=payload.member_id, committee=committee)  # fmt: skip
    new = member_replace(member=member, successor=_person(payload.successor), on=payload.on,
                         reason=payload.reason, actor=api_actor(request))  # fmt: skip
    numbers = charges_by_member(committee=committee).get(new.pk, [])
    return Status(201, _member_item(new, full=personal_data_visible(user, code), numbers=numbers))


@router.post(
    "/villages/{code}/committee/end",
    response=responses({200: CommitteeOut}, 409),
    summary="End the committee's term",
)
def committee_finish(request: HttpRequest, code: VillageCode, payload: CommitteeEndIn) -> Any:
    """End the active committee's term on a day, with the reason: its members leave and the
    households' charges end, all kept on record."""
    user = api_user(request)
    committee_village(user, code)
    ended = committee_end(committee=committee_required(user, code), on=payload.on,
                          reason=payload.reason, actor=api_actor(request))  # fmt: skip
    return _committee_item(ended, user, timezone.localdate())


@router.post(
    "/villages/{code}/committee/division",
    response=responses({200: CommitteeDivisionOut}, 409),
    summary="Divide the households",
)
def committee_division(
    request: HttpRequest, code: VillageCode, payload: CommitteeDivisionIn
) -> dict[str, Any]:
    """Put every household of the village in one current member's charge from a day: by
    household number in even runs, or as `charges` give; the earlier division ends."""
    user = api_user(request)
    committee_village(user, code)
    charges = None
    if payload.charges is not None:
        charges = {charge.member_id: charge.household_ids for charge in payload.charges}
        if len(charges) != len(payload.charges):
            raise CommitteeError("member_twice", "a member is named twice")
    division = households_divide(committee=committee_required(user, code), on=payload.on,
                                 charges=charges, actor=api_actor(request))  # fmt: skip
    return {
        "committee_id": division.committee_id,
        "loads": [{"member_id": m, "households": n} for m, n in division.loads.items()],
        "load_min": division.bounds[0], "load_max": division.bounds[1],
        "within_bounds": division.within_bounds,
    }  # fmt: skip


@router.get(
    "/villages/{code}/meetings",
    response=responses({200: CommitteeMeetingPageOut}, 409),
    summary="A village's committee meetings",
)
def meeting_list(
    request: HttpRequest, code: VillageCode, filters: Query[CommitteeMeetingFilters]
) -> dict[str, Any]:
    """The village's committee meetings (every term), latest first, and the meetings its
    active committee missed as of a day (today)."""
    user = api_user(request)
    committee_village(user, code)
    items, count = page_of(_meetings(user, code), page=filters.page,
                           page_size=filters.page_size, request=request)  # fmt: skip
    active = committee_active(user, code)
    on = filters.on or timezone.localdate()
    missed = committee_meetings_missed(committee=active, on=on) if active else []
    return {"items": [_meeting_item(m) for m in items], "count": count, "page": filters.page,
            "page_size": filters.page_size, "missed": [asdict(row) for row in missed]}  # fmt: skip


@router.post(
    "/villages/{code}/meetings",
    response=responses({201: CommitteeMeetingOut}, 409),
    summary="Record a meeting",
)
def meeting_create(
    request: HttpRequest, code: VillageCode, payload: CommitteeMeetingIn
) -> Status[dict[str, Any]]:
    """Record a meeting held: the weekly internal one (members only) or the monthly public
    one (with the villagers present), the members present, the minutes and the decisions."""
    user = api_user(request)
    committee_village(user, code)
    meeting = meeting_record(
        committee=committee_required(user, code), kind=payload.kind, held_on=payload.held_on,
        attendees=payload.attendees, minutes=payload.minutes, decisions=payload.decisions,
        villagers_present=payload.villagers_present, actor=api_actor(request),
    )  # fmt: skip
    return Status(201, _meeting_item(_meetings(user, code).get(pk=meeting.pk)))


# ---- labour posts ----------------------------------------------------------------------------


@router.get(
    "/villages/{code}/labour-posts",
    response=responses({200: list[LabourPostOut]}),
    summary="A village's labour posts",
)
def post_list(request: HttpRequest, code: VillageCode) -> list[dict[str, Any]]:
    """The village's labour posts, open ones first, each with its applications (and the
    consent they record) and the months worked and paid."""
    user = api_user(request)
    committee_village(user, code)
    posts = (
        _posts(user)
        .filter(village_id=code)
        .order_by(F("closed_on").asc(nulls_first=True), "-opened_on", "-pk")
    )
    return [_post_item(post, user) for post in posts]


@router.post(
    "/villages/{code}/labour-posts",
    response=responses({201: LabourPostOut}, 409),
    summary="Set up a labour post",
)
def post_new(request: HttpRequest, code: VillageCode, payload: LabourPostIn) -> Status[Any]:
    """Set up a labour post of the village's committee: duties, place, pay (by the day or
    the month) and how many it takes."""
    user = api_user(request)
    committee_village(user, code)
    post = post_create(
        committee=committee_required(user, code), title=payload.title, duties=payload.duties,
        place=payload.place, pay_amount=payload.pay_amount, pay_unit=payload.pay_unit,
        positions=payload.positions, opened_on=payload.opened_on, actor=api_actor(request),
    )  # fmt: skip
    return Status(201, _post_item(access_get(_posts(user), user, "view", pk=post.pk), user))


@router.post(
    "/labour-posts/{post_id}/applications",
    response=responses({201: LabourApplicationOut}, 409),
    summary="Record an application",
)
def application_create(
    request: HttpRequest, post_id: ObjectId, payload: LabourApplicationIn
) -> Status[dict[str, Any]]:
    """Record a villager's application for the post, with their consent (`consent: true`)
    and what shows it; without both nobody is ever put on a post."""
    user = api_user(request)
    post = access_get(LabourPost.objects.all(), user, "view", pk=post_id)
    person = access_get(Member.objects.all(), user, "view", pk=payload.person_id)
    made = post_apply(
        post=post, person=person, applied_on=payload.applied_on, consent=payload.consent,
        consent_evidence=payload.consent_evidence, consent_given_on=payload.consent_given_on,
        actor=api_actor(request),
    )  # fmt: skip
    return Status(201, _fresh_application(made.pk, user))


def _application(request: HttpRequest, application_id: int) -> PostApplication:
    return access_get(PostApplication.objects.select_related("post"), api_user(request), "view",
                      pk=application_id)  # fmt: skip


@router.post(
    "/labour-applications/{application_id}/assignment",
    response=responses({200: LabourApplicationOut}, 409),
    summary="Put an applicant on the post",
)
def application_assignment(
    request: HttpRequest, application_id: ObjectId, payload: LabourAssignmentIn
) -> dict[str, Any]:
    """Put the applicant on the post from a day: only an application still standing (with
    its consent, not withdrawn), on a post with a free place."""
    application = _application(request, application_id)
    post_assign(application=application, on=payload.on, actor=api_actor(request))
    return _fresh_application(application.pk, api_user(request))


@router.post(
    "/labour-applications/{application_id}/withdrawal",
    response=responses({200: LabourApplicationOut}, 409),
    summary="Record a withdrawal",
)
def application_withdrawal(
    request: HttpRequest, application_id: ObjectId, payload: LabourWithdrawalIn
) -> dict[str, Any]:
    """Record that the villager withdraws the application and their consent on a day; if on
    the post, they leave it that day."""
    application = _application(request, application_id)
    post_withdraw(application=application, on=payload.on, note=payload.note,
                  actor=api_actor(request))  # fmt: skip
    return _fresh_application(application.pk, api_user(request))


@router.post(
    "/labour-applications/{application_id}/work-months",
    response=responses({201: LabourWorkMonthOut}, 409),
    summary="Record a month's work and pay",
)
def work_month_create(
    request: HttpRequest, application_id: ObjectId, payload: LabourWorkMonthIn
) -> Status[dict[str, Any]]:
    """Record a month's days worked on the post and the pay (`paid_on` blank: not paid yet),
    within the holder's days on the post."""
    application = _application(request, application_id)
    row = post_work_record(
        application=application, year=payload.year, month=payload.month,
        days_worked=payload.days_worked, amount_paid=payload.amount_paid,
        paid_on=payload.paid_on, actor=api_actor(request),
    )  # fmt: skip
    return Status(201, _month_item(row))


# ---- scores and the red and black lists --------------------------------------------------------


@router.get(
    "/villages/{code}/lists",
    response=responses({200: ListingMonthOut}),
    summary="A month's scores and lists",
)
def listing_month(
    request: HttpRequest, code: VillageCode, filters: Query[ListingFilters]
) -> dict[str, Any]:
    """A month's household scores (with the criteria in force), red list and black list
    (with the notice, the appeal and whether final) in the village; this month by default."""
    user = api_user(request)
    committee_village(user, code)
    today = timezone.localdate()
    year, month = filters.year or today.year, filters.month or today.month
    here = {"committee__village_id": code, "year": year, "month": month}
    scores = restrict(HouseholdScore.objects.filter(**here), user, "view")
    red = restrict(RedListEntry.objects.filter(**here), user, "view")
    black = restrict(BlackListEntry.objects.filter(**here), user, "view")
    by_number = ("household__household_no", "pk")
    return {
        "year": year, "month": month,
        "criteria": [{"code": c.code, "label": c.label, "weight": c.weight}
                     for c in scoring_criteria(year=year, province=code[:2])],
        "scores": [_score_item(r) for r in scores.select_related("household").order_by(*by_number)],
        "red_list": [_red_item(r) for r in red.select_related("household").order_by(*by_number)],
        "black_list": _black_items(list(black.select_related("household").order_by(*by_number)),
                                   user),
    }  # fmt: skip


@router.post(
    "/villages/{code}/scores",
    response=responses({201: ListingScoreOut}, 409),
    summary="Score a household",
)
def score_create(
    request: HttpRequest, code: VillageCode, payload: ListingScoreIn
) -> Status[dict[str, Any]]:
    """Score a household of the village for a month on every criterion in force (0 to 100);
    the total is their weighted mean."""
    committee, household = _listing(request, code, payload.household_id)
    row = household_score(committee=committee, household=household, year=payload.year,
                          month=payload.month, scores=payload.scores, note=payload.note,
                          actor=api_actor(request))  # fmt: skip
    return Status(201, _score_item(row))


def _score_behind(household: Household, year: int, month: int) -> HouseholdScore | None:
    return HouseholdScore.objects.filter(household=household, year=year, month=month).first()


@router.post(
    "/villages/{code}/red-list",
    response=responses({201: ListingRedOut}, 409),
    summary="Put a household on the red list",
)
def red_create(
    request: HttpRequest, code: VillageCode, payload: ListingRedIn
) -> Status[dict[str, Any]]:
    """Put a household on the month's red list with the reasons and its reward, recorded as
    support the household received; the month's score, if any, is kept with it."""
    committee, household = _listing(request, code, payload.household_id)
    entry = redlist_enter(
        committee=committee, household=household, year=payload.year, month=payload.month,
        reasons=payload.reasons, reward_kind=payload.reward_kind, reward=payload.reward,
        amount=payload.amount, listed_on=payload.listed_on, actor=api_actor(request),
        score=_score_behind(household, payload.year, payload.month),
    )  # fmt: skip
    return Status(201, _red_item(entry))


@router.post(
    "/villages/{code}/black-list",
    response=responses({201: ListingBlackOut}, 409),
    summary="Put a household on the black list",
)
def black_create(
    request: HttpRequest, code: VillageCode, payload: ListingBlackIn
) -> Status[dict[str, Any]]:
    """Put a household on the month's black list with written reasons and what it does to
    village benefits once final; a consequence on minimum living support (dibao),
    extreme-poverty support (tekun) or medical insurance is refused (`protected_benefit`)."""
    committee, household = _listing(request, code, payload.household_id)
    entry = blacklist_enter(
        committee=committee, household=household, year=payload.year, month=payload.month,
        reasons=payload.reasons, listed_on=payload.listed_on, actor=api_actor(request),
        consequences=[Consequence(c.kind, c.benefit, c.note) for c in payload.consequences],
        score=_score_behind(household, payload.year, payload.month),
    )  # fmt: skip
    return Status(201, _fresh_entry(entry.pk, api_user(request)))


@router.post(
    "/black-list/{entry_id}/notice",
    response=responses({200: ListingBlackOut}, 409),
    summary="Record the written notice",
)
def black_notice(request: HttpRequest, entry_id: ObjectId, payload: ListingNoticeIn) -> Any:
    """Record the written notice of the entry to the household and who received it; the
    period to appeal to the township (policy) runs from that day."""
    entry = _entry(request, entry_id)
    blacklist_notify(entry=entry, on=payload.on, method=payload.method,
                     receiver=payload.receiver, actor=api_actor(request))  # fmt: skip
    return _fresh_entry(entry.pk, api_user(request))


@router.post(
    "/black-list/{entry_id}/appeal",
    response=responses({201: ListingBlackOut}, 409),
    summary="Record an appeal",
)
def black_appeal(
    request: HttpRequest, entry_id: ObjectId, payload: ListingAppealIn
) -> Status[dict[str, Any]]:
    """Record the household's appeal to the township, lodged within the period after the
    written notice, as a village post or the township."""
    entry = _entry(request, entry_id)
    appeal_lodge(entry=entry, on=payload.on, grounds=payload.grounds, actor=api_actor(request))
    return Status(201, _fresh_entry(entry.pk, api_user(request)))


@router.post(
    "/black-list/{entry_id}/appeal/decision",
    response=responses({200: ListingBlackOut}, 409),
    summary="Decide an appeal",
)
def black_decision(request: HttpRequest, entry_id: ObjectId, payload: ListingDecisionIn) -> Any:
    """The township's decision on the appeal, with its reasons: the entry upheld (final) or
    overturned (it and its consequences lapse)."""
    user = api_user(request)
    entry = _entry(request, entry_id)
    appeal = restrict(BlackListAppeal.objects.filter(entry=entry), user, "view").first()
    if appeal is None:
        raise CommitteeError("not_appealed", "the entry has not been appealed")
    appeal_decide(appeal=appeal, outcome=payload.outcome, reasons=payload.reasons,
                  on=payload.on, actor=api_actor(request))  # fmt: skip
    return _fresh_entry(entry.pk, user)
