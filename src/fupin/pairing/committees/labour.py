"""Village labour service posts (村级劳务岗位): the committee sets a post up with its duties,
pay and place; villagers apply; the committee assigns applicants; the days worked and the
pay are recorded month by month.

Taking a post is the villager's own choice. An application records their consent and what
shows it (the signed form); the committee assigns only an application still standing, so
nobody is put on a post without having applied and consented (the database holds it too:
the assignment is a state of the application, which cannot exist without its consent). A
withdrawal by the villager ends their post the same day.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.pairing.choices import ApplicationStatus, PayUnit
from fupin.pairing.committees.base import (
    CommitteeError,
    audit,
    check_day,
    check_role,
    lock_active,
    text,
)
from fupin.pairing.models import Committee, LabourPost, PostApplication, PostWorkMonth
from fupin.registry.models import Member

APPLIED, ASSIGNED = ApplicationStatus.APPLIED, ApplicationStatus.ASSIGNED


def post_create(
    *,
    committee: Committee,
    title: str,
    duties: str,
    place: str,
    pay_amount: Decimal,
    pay_unit: str,
    positions: int,
    opened_on: date,
    actor: Actor,
) -> LabourPost:
    """Set up a labour post in the committee's village from `opened_on`: what the work is,
    where, what it pays (by the day or the month) and how many people it takes."""
    village = committee.village_id
    check_role(actor, village)
    missing = "a post has a title, duties and a place"
    title, duties, place = (text(value, code="value_missing", message=missing)
                            for value in (title, duties, place))  # fmt: skip
    if pay_unit not in PayUnit.values:
        raise CommitteeError("pay_unit", f"pay unit: one of {', '.join(PayUnit.values)}")
    if pay_amount <= 0:
        raise CommitteeError("pay_invalid", "a post pays more than nothing")
    if positions < 1:
        raise CommitteeError("positions_invalid", "a post takes one person at least")
    with transaction.atomic():
        committee = lock_active(committee)
        check_day(opened_on, after=committee.formed_on, what="a post's opening")
        post = LabourPost.objects.create(
            village_id=village, committee=committee, title=title, duties=duties, place=place,
            pay_amount=pay_amount, pay_unit=pay_unit, positions=positions, opened_on=opened_on,
            created_at=timezone.now(), created_by_id=actor.user_id,
        )  # fmt: skip
        audit(actor, "labour.post_create", post, village=village, object_type="labour_post",
              after={"title": title, "place": place, "pay": pay_amount, "pay_unit": pay_unit,
                     "positions": positions, "opened_on": opened_on})  # fmt: skip
    return post


def post_close(*, post: LabourPost, on: date, actor: Actor) -> LabourPost:
    """Close a post on `on`: it takes no more applicants, and those on it leave that day."""
    check_role(actor, post.village_id)
    with transaction.atomic():
        post = LabourPost.objects.select_for_update().get(pk=post.pk)
        if post.closed_on is not None:
            raise CommitteeError("post_closed", f"the post closed on {post.closed_on}")
        check_day(on, after=post.opened_on, what="a post's closing")
        holders = post.applications.filter(status=ASSIGNED)
        if holders.filter(assigned_on__gt=on).exists():
            raise CommitteeError("date_invalid", f"somebody took the post after {on}")
        ended = holders.update(
            status=ApplicationStatus.ENDED, ended_on=on, end_reason="post_closed"
        )
        post.closed_on = on
        post.save(update_fields=["closed_on"])
        audit(actor, "labour.post_close", post, village=post.village_id,
              object_type="labour_post", after={"on": on, "holders_ended": ended})  # fmt: skip
    return post


def post_apply(
    *,
    post: LabourPost,
    person: Member,
    applied_on: date,
    consent: bool,
    consent_evidence: str,
    actor: Actor,
    consent_given_on: date | None = None,
) -> PostApplication:
    """Record a villager's application for a post, with their consent given explicitly
    (`consent=True`) and what shows it (`consent_evidence`, e.g. the signed form)."""
    check_role(actor, post.village_id)
    if consent is not True:
        raise CommitteeError("consent_missing", "taking a post is the villager's own choice: "
                             "an application records their consent")  # fmt: skip
    unshown = "say what shows the villager's consent (the signed application)"
    evidence = text(consent_evidence, code="consent_missing", message=unshown)
    consent_given_on = consent_given_on or applied_on
    if consent_given_on > applied_on:
        raise CommitteeError("date_invalid", "the consent is given with the application")
    with transaction.atomic():
        post = LabourPost.objects.select_for_update().get(pk=post.pk)
        if post.closed_on is not None:
            raise CommitteeError("post_closed", f"the post closed on {post.closed_on}")
        person = Member.objects.select_related("household").get(pk=person.pk)
        if not person.is_active or person.household.village_id != post.village_id:
            raise CommitteeError("not_a_villager", f"{person.name} is not a villager of "
                                 f"{post.village_id}")  # fmt: skip
        check_day(applied_on, after=post.opened_on, what="an application")
        if post.applications.filter(person=person, status__in=[APPLIED, ASSIGNED]).exists():
            raise CommitteeError("applied_already", f"{person.name} has applied for the post")
        application = PostApplication.objects.create(
            post=post, person=person, applied_on=applied_on, consent_given_on=consent_given_on,
            consent_evidence=evidence, recorded_at=timezone.now(), recorded_by_id=actor.user_id,
        )  # fmt: skip
        _audit(actor, "labour.apply", application, post,
               {"person": person.pk, "applied_on": applied_on, "consent_given_on":
                consent_given_on, "consent_evidence": evidence})  # fmt: skip
    return application


def post_assign(*, application: PostApplication, on: date, actor: Actor) -> PostApplication:
    """Put an applicant on the post from `on`: only an application still standing, on a post
    with a free place."""
    check_role(actor, application.post.village_id)
    with transaction.atomic():
        post = LabourPost.objects.select_for_update().get(pk=application.post_id)
        application = PostApplication.objects.select_for_update().get(pk=application.pk)
        if application.status == ApplicationStatus.WITHDRAWN:
            raise CommitteeError("withdrawn", f"the villager withdrew on "
                                 f"{application.withdrawn_on}; nobody is put on a post "
                                 "without their consent")  # fmt: skip
        if application.status != APPLIED:
            raise CommitteeError("assigned_already", "the application has been assigned; "
                                 "taking the post again needs a new application")  # fmt: skip
        if post.closed_on is not None:
            raise CommitteeError("post_closed", f"the post closed on {post.closed_on}")
        check_day(on, after=application.applied_on, what="an assignment")
        taken = post.applications.filter(status=ASSIGNED).count()
        if taken >= post.positions:
            raise CommitteeError("post_full", f"the post's {post.positions} places are taken")
        application.status, application.assigned_on = ASSIGNED, on
        application.save(update_fields=["status", "assigned_on"])
        _audit(actor, "labour.assign", application, post, {"person": application.person_id,
                                                           "on": on})  # fmt: skip
    return application


def post_withdraw(
    *, application: PostApplication, on: date, actor: Actor, note: str = ""
) -> PostApplication:
    """Record that the villager withdraws their application (and consent) on `on`; if they
    are on the post, they leave it that day."""
    check_role(actor, application.post.village_id)
    with transaction.atomic():
        application = PostApplication.objects.select_for_update().get(pk=application.pk)
        if application.status not in (APPLIED, ASSIGNED):
            raise CommitteeError("not_standing", f"the application is {application.status}")
        check_day(on, after=application.assigned_on or application.applied_on,
                  what="a withdrawal")  # fmt: skip
        if application.status == ASSIGNED:
            application.ended_on, application.end_reason = on, "withdrawn"
        application.status, application.withdrawn_on = ApplicationStatus.WITHDRAWN, on
        application.save(update_fields=["status", "withdrawn_on", "ended_on", "end_reason"])
        _audit(actor, "labour.withdraw", application, application.post,
               {"person": application.person_id, "on": on}, reason=note.strip())  # fmt: skip
    return application


def post_leave(
    *, application: PostApplication, on: date, reason: str, actor: Actor
) -> PostApplication:  # fmt: skip
    """Take a holder off the post on `on`, with the reason (the work is done, the term over)."""
    check_role(actor, application.post.village_id)
    reason = text(reason, code="reason_missing", message="leaving a post states its reason")
    with transaction.atomic():
        application = PostApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != ASSIGNED or application.assigned_on is None:
            raise CommitteeError("not_on_post", "the applicant is not on the post")
        check_day(on, after=application.assigned_on, what="leaving a post")
        application.status = ApplicationStatus.ENDED
        application.ended_on, application.end_reason = on, reason
        application.save(update_fields=["status", "ended_on", "end_reason"])
        _audit(actor, "labour.leave", application, application.post,
               {"person": application.person_id, "on": on}, reason=reason)  # fmt: skip
    return application


def post_work_record(
    *,
    application: PostApplication,
    year: int,
    month: int,
    days_worked: int,
    amount_paid: Decimal,
    actor: Actor,
    paid_on: date | None = None,
) -> PostWorkMonth:
    """Record a month's days worked on the post and the pay for them (`paid_on` blank: not
    paid yet); the days lie within the holder's time on the post."""
    check_role(actor, application.post.village_id)
    if not 1 <= month <= 12:
        raise CommitteeError("date_invalid", f"a month is 1 to 12, not {month}")
    if days_worked < 0 or amount_paid < 0:
        raise CommitteeError("value_invalid", "days worked and pay are not negative")
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    with transaction.atomic():
        application = PostApplication.objects.select_for_update().get(pk=application.pk)
        on_post = _days_on_post(application, first, last)
        if on_post == 0:
            raise CommitteeError("not_on_post", f"not on the post in {year}-{month:02d}")
        if days_worked > on_post:
            raise CommitteeError("days_exceed", f"on the post {on_post} days of {year}-{month:02d}"
                                 f", not {days_worked}")  # fmt: skip
        if paid_on is not None:
            check_day(paid_on, after=first, what="a payment")
        if application.work_months.filter(year=year, month=month).exists():
            raise CommitteeError("recorded_already", f"{year}-{month:02d} is recorded")
        record = PostWorkMonth.objects.create(
            application=application, year=year, month=month, days_worked=days_worked,
            amount_paid=amount_paid, paid_on=paid_on, recorded_at=timezone.now(),
            recorded_by_id=actor.user_id,
        )  # fmt: skip
        _audit(actor, "labour.work_record", application, application.post,
               {"year": year, "month": month, "days_worked": days_worked,
                "amount_paid": amount_paid, "paid_on": paid_on})  # fmt: skip
    return record


def _days_on_post(application: PostApplication, first: date, last: date) -> int:
    """The days of [first, last] the holder was on the post, today the latest."""
    if application.assigned_on is None:
        return 0
    start = max(first, application.assigned_on)
    end = min(last, application.ended_on or last, timezone.localdate())
    return max((end - start).days + 1, 0)


def _audit(
    actor: Actor, action: str, application: PostApplication, post: LabourPost,
    after: dict[str, object], reason: str = "",
) -> None:  # fmt: skip
    audit(actor, action, application, village=post.village_id, object_type="post_application",
          after={"post": post.pk, **after}, reason=reason)  # fmt: skip
