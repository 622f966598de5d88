"""Reads over the registry."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from fupin.registry.choices import JOIN_EVENTS, LEAVE_EVENTS
from fupin.registry.models import Household, Member, MemberEvent


def household_members_on(household: Household, on: date) -> QuerySet[Member]:
    """The members of `household` on date `on`, from the dated composition events.

    A member counts from their joining event (or from registration when they have none)
    until their leaving event.
    """
    events = MemberEvent.objects.filter(member=OuterRef("pk"), household=household)
    joined_later = events.filter(kind__in=JOIN_EVENTS, date__gt=on)
    left_by_then = events.filter(kind__in=LEAVE_EVENTS, date__lte=on)
    return (
        Member.objects.filter(household=household)
        .exclude(Exists(joined_later))
        .exclude(Exists(left_by_then))
        .order_by("id")
    )
