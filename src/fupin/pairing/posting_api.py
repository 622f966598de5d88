"""The posting API routes (驻村): a village's postings, a posting, opening, ending and
replacing one, its members, their days in the village and the month's confirmation, the
villages without cover and the members flagged for attendance.

Reads start from `core.access.restrict` (`access_get`: missing and out of scope, the same
404); writes go through `pairing.postings`, which checks the user's post and refuses with a
`PairingError`, answered as JSON with its stable code (`pairing.api.errors_install`).
Members' ID numbers are masked for posts that do not need them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from fupin.core.access import access_get, personal_data_visible, restrict
from fupin.core.api import ObjectId, api_actor, api_user, responses
from fupin.pairing.models import Posting, PostingMember
from fupin.pairing.posting_schemas import (
    AttendanceOut,
    ConfirmationIn,
    ConfirmationOut,
    CountyGapsOut,
    CoverageFilters,
    DaysIn,
    FlagFilters,
    FlagOut,
    PersonIn,
    PostingEndIn,
    PostingIn,
    PostingMemberIn,
    PostingMemberOut,
    PostingOut,
    RemovalIn,
    ReplacementIn,
)
from fupin.pairing.posting_views import month_confirm, person_shown, village_in_scope
from fupin.pairing.postings import (
    PostedPerson,
    attendance_flags,
    attendance_log,
    coverage_gaps,
    member_add,
    member_remove,
    posting_end,
    posting_open,
    posting_replace,
)
from fupin.pairing.services import PairingError
from fupin.policy.queries import PolicyMissing

router = Router(tags=["postings"])

VillageCode = Annotated[str, Path(pattern=r"^[0-9]{12}$", description="a village's code")]
# Refusals of postings about what the request says, and about the user's post: to be
# joined to `pairing.api.BAD_REQUEST_CODES` and `FORBIDDEN_CODES`, which answer them 400 and
# 403 (a code in neither answers 409, a refusal about the state of things).
BAD_REQUEST_CODES = frozenset({
    "kind", "end_reason", "use_replace", "term_years", "days_missing", "day_twice",
    "login_unknown",
})  # fmt: skip
FORBIDDEN_CODES = frozenset({"confirm_own"})


def _postings(user: AbstractBaseUser) -> Any:
    members = PostingMember.objects.order_by("-is_leader", "joined_on", "pk")
    return (
        restrict(Posting.objects.all(), user, "view")
        .annotate(predecessor_pk=F("predecessor__id"))
        .prefetch_related(Prefetch("members", queryset=members))
    )


def _member_item(member: PostingMember, *, full: bool) -> dict[str, Any]:
    return {
        "id": member.pk, "posting_id": member.posting_id, "name": member.name,
        "id_number": person_shown(member, full=full), "phone": member.phone,
        "is_leader": member.is_leader, "has_login": member.user_id is not None,
        "joined_on": member.joined_on, "left_on": member.left_on,
        "leave_reason": member.leave_reason,
    }  # fmt: skip


def _posting_item(posting: Posting, user: AbstractBaseUser) -> dict[str, Any]:
    full = personal_data_visible(user, posting.village_id)
    return {
        "id": posting.pk, "village": posting.village_id, "kind": posting.kind,
        "sending_unit": posting.sending_unit, "unit_level": posting.unit_level,
        "term_start": posting.term_start, "term_end": posting.term_end,
        "duties": posting.duties, "status": posting.status, "ended_on": posting.ended_on,
        "end_reason": posting.end_reason, "end_note": posting.end_note,
        "successor_id": posting.successor_id, "predecessor_id": posting.predecessor_pk,  # type: ignore[attr-defined]
        "members": [_member_item(m, full=full) for m in posting.members.all()],
    }  # fmt: skip


def _fresh(posting_id: int, user: AbstractBaseUser) -> dict[str, Any]:
    """A posting as the user reads it after a write."""
    return _posting_item(access_get(_postings(user), user, "view", pk=posting_id), user)


def _person(person: PersonIn) -> PostedPerson:
    user = None
    if person.username is not None:
        user = get_user_model().objects.filter(username=person.username, is_active=True).first()
        if user is None:
            raise PairingError("login_unknown", f"no active user {person.username!r}")
    return PostedPerson(person.name, person.id_number, person.phone, user, person.is_leader)


def _posting(request: HttpRequest, posting_id: int) -> Posting:
    return access_get(Posting.objects.all(), api_user(request), "view", pk=posting_id)


def _member(request: HttpRequest, posting_id: int, member_id: int) -> PostingMember:
    return access_get(PostingMember.objects.select_related("posting"), api_user(request), "view",
                      pk=member_id, posting_id=posting_id)  # fmt: skip


# ---- lists first: their paths would otherwise be read as a posting's id ----------------------


@router.get(
    "/postings/coverage", response=responses({200: list[CountyGapsOut]}), summary="Coverage gaps"
)
def coverage(request: HttpRequest, filters: Query[CoverageFilters]) -> list[dict[str, Any]]:
    """Per county, the villages in your scope that need a first secretary and a work team on
    a day (the poor, and the exited within the transition) and lack one or both."""
    counties = coverage_gaps(user=api_user(request), prefix=filters.region,
                             on=filters.on or timezone.localdate())  # fmt: skip
    return [
        {"code": county.code, "name": county.name,
         "villages": [{"code": v.code, "name": v.name, "standing": v.standing,
                       "missing": list(v.missing)} for v in county.villages]}
        for county in counties
    ]  # fmt: skip


@router.get(
    "/postings/attendance-flags",
    response=responses({200: list[FlagOut]}, 409),
    summary="Members under the attendance share",
)
def flags(request: HttpRequest, filters: Query[FlagFilters]) -> list[dict[str, Any]]:
    """Members in your scope who were in the village the whole month and whose confirmed
    days present are under the policy's share (two thirds) of its working days."""
    try:
        found = attendance_flags(user=api_user(request), prefix=filters.region,
                                 year=filters.year, month=filters.month)  # fmt: skip
    except PolicyMissing as exc:
        raise PairingError("policy_missing", str(exc)) from None
    return [asdict(flag) for flag in found]


@router.get(
    "/villages/{code}/postings",
    response=responses({200: list[PostingOut]}),
    summary="A village's postings",
)
def village_postings(request: HttpRequest, code: VillageCode) -> list[dict[str, Any]]:
    """The village's first secretary and work team: the active postings first, then the
    ended ones, latest first, each with its members, its end and its successor."""
    user = api_user(request)
    village_in_scope(user, code)
    postings = _postings(user).filter(village_id=code).order_by("status", "kind", "-term_start",
                                                                "-pk")  # fmt: skip
    return [_posting_item(posting, user) for posting in postings]


@router.get("/postings/{posting_id}", response=responses({200: PostingOut}), summary="A posting")
def posting_detail(request: HttpRequest, posting_id: ObjectId) -> dict[str, Any]:
    """A posting with its members (those who left too), its end and its successor."""
    user = api_user(request)
    return _posting_item(access_get(_postings(user), user, "view", pk=posting_id), user)


# ---- writes --------------------------------------------------------------------------------


@router.post("/postings", response=responses({201: PostingOut}, 409), summary="Open a posting")
def posting_create(request: HttpRequest, payload: PostingIn) -> Status[dict[str, Any]]:
    """Post a first secretary (one person) or a work team (the policy's minimum, one leader)
    to a village, as the county; the term is the policy's default unless given."""
    user = api_user(request)
    village_in_scope(user, payload.village)
    posting = posting_open(
        village=payload.village, kind=payload.kind, sending_unit=payload.sending_unit,
        unit_level=payload.unit_level, term_start=payload.term_start,
        term_years=payload.term_years, duties=payload.duties,
        members=[_person(p) for p in payload.members], actor=api_actor(request),
    )  # fmt: skip
    return Status(201, _fresh(posting.pk, user))


@router.post(
    "/postings/{posting_id}/end",
    response=responses({200: PostingOut}, 409),
    summary="End a posting",
)
def posting_finish(
    request: HttpRequest, posting_id: ObjectId, payload: PostingEndIn
) -> dict[str, Any]:
    """End an active posting: recalled (the note says why) or its term over; its members
    leave with it. A replacement goes through /replacement."""
    posting = _posting(request, posting_id)
    posting_end(posting=posting, on=payload.on, reason=payload.reason, note=payload.note,
                actor=api_actor(request))  # fmt: skip
    return _fresh(posting.pk, api_user(request))


@router.post(
    "/postings/{posting_id}/replacement",
    response=responses({201: PostingOut}, 409),
    summary="Replace a posting",
)
def posting_replacement(
    request: HttpRequest, posting_id: ObjectId, payload: ReplacementIn
) -> Status[dict[str, Any]]:
    """Replace an active posting (轮换): it ends on the day with the reason, and its
    successor of the same kind, answered here, opens the same day."""
    posting = _posting(request, posting_id)
    successor = posting_replace(
        posting=posting, on=payload.on, note=payload.note, sending_unit=payload.sending_unit,
        unit_level=payload.unit_level, duties=payload.duties, term_years=payload.term_years,
        members=[_person(p) for p in payload.members], actor=api_actor(request),
    )  # fmt: skip
    return Status(201, _fresh(successor.pk, api_user(request)))


@router.post(
    "/postings/{posting_id}/members",
    response=responses({201: PostingMemberOut}, 409),
    summary="Add a member",
)
def member_create(
    request: HttpRequest, posting_id: ObjectId, payload: PostingMemberIn
) -> Status[dict[str, Any]]:
    """Add a member to an active work team from a day."""
    posting = _posting(request, posting_id)
    member = member_add(posting=posting, person=_person(payload), on=payload.on,
                        actor=api_actor(request))  # fmt: skip
    full = personal_data_visible(api_user(request), posting.village_id)
    return Status(201, _member_item(member, full=full))


@router.post(
    "/postings/{posting_id}/members/{member_id}/removal",
    response=responses({200: PostingMemberOut}, 409),
    summary="Remove a member",
)
def member_removal(
    request: HttpRequest, posting_id: ObjectId, member_id: ObjectId, payload: RemovalIn
) -> dict[str, Any]:
    """Take a member off an active work team on a day, with the reason; the team never
    falls under the policy's minimum this way."""
    member = _member(request, posting_id, member_id)
    removed = member_remove(member=member, on=payload.on, reason=payload.reason,
                            actor=api_actor(request))  # fmt: skip
    full = personal_data_visible(api_user(request), member.posting.village_id)
    return _member_item(removed, full=full)


@router.post(
    "/postings/{posting_id}/members/{member_id}/attendance",
    response=responses({201: AttendanceOut}, 409),
    summary="Log days present",
)
def attendance_create(
    request: HttpRequest, posting_id: ObjectId, member_id: ObjectId, payload: DaysIn
) -> Status[dict[str, Any]]:
    """Log the days a member was present in the village: the member for themself, or the
    township, whose entries count as confirmed."""
    member = _member(request, posting_id, member_id)
    rows = attendance_log(member=member, days=payload.days, actor=api_actor(request))
    confirmed = all(row.confirmed_at is not None for row in rows)
    return Status(201, {"member_id": member.pk, "days": [row.day for row in rows],
                        "confirmed": confirmed})  # fmt: skip


@router.post(
    "/postings/{posting_id}/attendance/confirmation",
    response=responses({200: ConfirmationOut}, 409),
    summary="Confirm a month's days",
)
def attendance_confirmation(
    request: HttpRequest, posting_id: ObjectId, payload: ConfirmationIn
) -> dict[str, Any]:
    """Confirm, as the township, the days logged in a month: one member's (`member_id`) or
    every member's, all or none. A day left unconfirmed does not count."""
    posting = _posting(request, posting_id)
    member = None
    if payload.member_id is not None:
        member = _member(request, posting.pk, payload.member_id)
    confirmed = month_confirm(posting=posting, year=payload.year, month=payload.month,
                              member=member, actor=api_actor(request))  # fmt: skip
    return {
        "year": payload.year, "month": payload.month,
        "members": [{"member_id": m.pk, "name": m.name, "days": n} for m, n in confirmed],
        "total": sum(n for _, n in confirmed),
    }  # fmt: skip
