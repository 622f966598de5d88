"""What the committee services share: the error, the role check, policy values, locks and
the audit event."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.pairing.models import COMMITTEE_KEEPERS, Committee
from fupin.pairing.services import PairingError
from fupin.policy.models import Parameter
from fupin.policy.queries import PolicyMissing, policy_value
from fupin.regions.models import Level, Region

KEEPERS_ONLY = "the committee is kept by the village cadres, the first secretary and the work team"


class CommitteeError(PairingError):
    """A committee write refused; `code` is stable, the message says why. A `PairingError`,
    so that whatever answers the pairing app's refusals answers these alike."""


def check_role(
    actor: Actor, village: str, roles: frozenset[str] = COMMITTEE_KEEPERS,
    message: str = KEEPERS_ONLY,
) -> None:  # fmt: skip
    """Refuse an actor who holds none of `roles` over the village (a system actor passes)."""
    if actor.user is not None and not roles_at(actor.user, village) & roles:
        raise CommitteeError("role_not_allowed", message)


def parameter(name: Parameter, *, village: str, year: int) -> Decimal:
    """The policy value in force for the village's province in `year`."""
    try:
        return policy_value(name, year=year, province=village[:2]).value
    except PolicyMissing as exc:
        raise CommitteeError("policy_missing", str(exc)) from None


def whole(name: Parameter, *, village: str, year: int) -> int:
    """A policy value that counts something (members, households, days)."""
    return int(parameter(name, village=village, year=year))


def lock_village(village: str) -> Region:
    """The village's row, locked so that two committees of it are formed one after the other."""
    region = Region.objects.select_for_update().filter(code=village).first()
    if region is None or region.level != Level.VILLAGE:
        raise CommitteeError("not_a_village", f"{village} is not a village")
    return region


def lock_active(committee: Committee) -> Committee:
    """The committee's row, locked, if it is still active (its writes queue behind it)."""
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if committee.ended_on is not None:
        raise CommitteeError("committee_ended", f"the committee ended on {committee.ended_on}")
    return committee


def check_day(day: date, *, after: date, what: str) -> None:
    """A day of record lies between `after` (a start) and today."""
    if not after <= day <= timezone.localdate():
        raise CommitteeError("date_invalid", f"{what} falls between {after} and today, "
                             f"not on {day}")  # fmt: skip


def check_month(year: int, month: int, *, committee: Committee) -> None:
    """A month of record is one in which the committee was active, not one to come."""
    if not 1 <= month <= 12:
        raise CommitteeError("date_invalid", f"a month is 1 to 12, not {month}")
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    if last < committee.formed_on or first > timezone.localdate():
        raise CommitteeError("date_invalid", f"{year}-{month:02d} is before the committee was "
                             "formed, or to come")  # fmt: skip


def text(value: str, *, code: str, message: str) -> str:
    """A required text, trimmed; blank is refused."""
    if not value.strip():
        raise CommitteeError(code, message)
    return value.strip()


def audit(
    actor: Actor, action: str, row: models.Model, *, village: str, after: dict[str, object],
    reason: str = "", object_type: str = "committee",
) -> None:  # fmt: skip
    """The write's audit event, in its transaction."""
    audit_record(
        actor=actor,
        spec=EventSpec(action=action, object_type=object_type, object_id=str(row.pk),
                       region_code=village, after=after, reason=reason),
    )  # fmt: skip
