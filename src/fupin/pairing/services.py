"""Writes of the pairing app: cadres, assignments to households, and rotations.

Each service checks the actor's posts over the region (`core.access.roles_at`, the keepers
of the register), runs in one transaction and writes its audit event inside it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.rules import KEEPERS
from fupin.pairing.choices import UnitLevel
from fupin.pairing.models import Assignment, Cadre
from fupin.policy.queries import policy_value
from fupin.registry.idnumber import IdNumberError, id_normalize
from fupin.registry.models import Household, Member

# Households that need a paired cadre: the poor on the register and, through the
# transition (四个不摘), the exited.
PAIRED_STATUSES = ("registered", "returned", "exited")
POOR_STATUSES = ("registered", "returned")


class PairingError(ValueError):
    """A pairing write refused; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def cadre_register(
    *,
    name: str,
    id_number: str,
    phone: str,
    unit: str,
    unit_level: str,
    region_code: str,
    actor: Actor,
) -> Cadre:
    """Record a cadre who may answer for households in `region_code` (a county or below)."""
    _check_keeper(actor, region_code)
    if unit_level not in UnitLevel.values:
        raise PairingError("unit_level", f"unit level: one of {', '.join(UnitLevel.values)}")
    if not name.strip() or not unit.strip() or not phone.strip():
        raise PairingError("value_missing", "a cadre has a name, a unit and a phone")
    try:
        number = id_normalize(id_number)
    except IdNumberError as exc:
        raise PairingError("id_number", f"ID number: {exc}") from None
    if _poor_member(number):
        raise PairingError("cadre_is_poor", "a member of a poor household cannot be its helper")
    with transaction.atomic():
        cadre = Cadre.objects.create(
            name=name.strip(), id_number=number, phone=phone.strip(), unit=unit.strip(),
            unit_level=unit_level, region_code=region_code, created_at=timezone.now(),
        )  # fmt: skip
        _audit(actor, "cadre.register", "cadre", cadre.pk, region_code,
               {"name": cadre.name, "unit": cadre.unit, "unit_level": unit_level})  # fmt: skip
    return cadre


def assignment_open(*, cadre: Cadre, household: Household, on: date, actor: Actor) -> Assignment:
    """Make `cadre` the household's paired cadre from `on`, within the cadre's cap."""
    _check_keeper(actor, household.village_id)
    with transaction.atomic():
        cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
        household = Household.objects.select_for_update().get(pk=household.pk)
        _check_pairable(cadre, household)
        if Assignment.objects.filter(household=household, primary=True, ended_on__isnull=True):
            raise PairingError("paired_already", "the household has a paired cadre; end it first")
        _check_cap(cadre, adding=1, year=on.year)
        assignment = Assignment.objects.create(
            household=household, cadre=cadre, started_on=on, created_at=timezone.now()
        )
        _audit(actor, "assignment.open", "household", household.pk, household.village_id,
               {"cadre": cadre.pk, "on": on.isoformat()})  # fmt: skip
    return assignment


def assignment_end(*, assignment: Assignment, on: date, reason: str, actor: Actor) -> Assignment:
    """End an open assignment on `on`, with the reason; it stays on record."""
    household = assignment.household
    _check_keeper(actor, household.village_id)
    if not reason.strip():
        raise PairingError("reason_missing", "an assignment ends with its reason")
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.ended_on is not None:
            raise PairingError("ended_already", "the assignment has ended")
        if on < assignment.started_on:
            raise PairingError("date_invalid", "an assignment ends after it starts")
        assignment.ended_on, assignment.end_reason = on, reason.strip()
        assignment.save(update_fields=["ended_on", "end_reason"])
        _audit(actor, "assignment.end", "household", household.pk, household.village_id,
               {"cadre": assignment.cadre_id, "on": on.isoformat(), "reason": reason})  # fmt: skip
    return assignment


def cadre_rotate(
    *, cadre: Cadre, successor: Cadre, on: date, reason: str, actor: Actor
) -> list[Assignment]:
    """Hand every household of `cadre` to `successor` from `on` in one action (轮换): the old
    assignments end, new ones open, set-wise; the successor's cap holds."""
    if cadre.pk == successor.pk:
        raise PairingError("same_cadre", "a cadre is rotated to somebody else")
    if not reason.strip():
        raise PairingError("reason_missing", "a rotation states its reason")
    with transaction.atomic():
        cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
        successor = Cadre.objects.select_for_update().get(pk=successor.pk)
        current = Assignment.objects.select_for_update().filter(cadre=cadre, ended_on__isnull=True)
        handed = list(current.select_related("household"))
        for village in {assignment.household.village_id for assignment in handed}:
            _check_keeper(actor, village)
        if any(on < assignment.started_on for assignment in handed):
            raise PairingError("date_invalid", "a rotation falls after the assignments start")
        if _poor_member(successor.id_number):
            raise PairingError("cadre_is_poor", "the successor is a member of a poor household")
        _check_cap(successor, adding=len(handed), year=on.year)
        current.update(ended_on=on, end_reason=reason.strip())
        now = timezone.now()
        opened = Assignment.objects.bulk_create(
            Assignment(household_id=a.household_id, cadre=successor, primary=a.primary,
                       started_on=on, created_at=now)
            for a in handed
        )  # fmt: skip
        _audit(actor, "cadre.rotate", "cadre", cadre.pk, cadre.region_code,
               {"successor": successor.pk, "households": [a.household_id for a in handed],
                "on": on.isoformat(), "reason": reason})  # fmt: skip
    return opened


def caps_by_level(*, province: str, year: int) -> dict[str, int]:
    """The most households a cadre of each unit level may answer for in a province and
    year (policy `pairing_cap_<level>`)."""
    return {
        level: int(policy_value(f"pairing_cap_{level}", year=year, province=province).value)
        for level in UnitLevel.values
    }


def cadre_cap(cadre: Cadre, *, year: int) -> int:
    """The most households the cadre may answer for (policy, by the unit's level)."""
    return caps_by_level(province=cadre.region_code[:2], year=year)[cadre.unit_level]


def _check_cap(cadre: Cadre, *, adding: int, year: int) -> None:
    held = Assignment.objects.filter(cadre=cadre, ended_on__isnull=True).count()
    cap = cadre_cap(cadre, year=year)
    if held + adding > cap:
        level = cadre.get_unit_level_display()
        raise PairingError("cap_reached", f"a {level} cadre answers for {cap} households at most; "
                           f"{cadre.name} has {held}")  # fmt: skip


def _check_pairable(cadre: Cadre, household: Household) -> None:
    if household.status not in PAIRED_STATUSES:
        raise PairingError("not_on_register", "only households on the register are paired")
    if not household.village_id.startswith(cadre.region_code):
        raise PairingError("outside_region", "the cadre serves another region")
    if _poor_member(cadre.id_number):
        raise PairingError("cadre_is_poor", "a member of a poor household cannot be a helper")


def _poor_member(id_number: str) -> bool:
    return Member.objects.filter(
        id_number=id_number, is_active=True, household__status__in=POOR_STATUSES
    ).exists()


def _check_keeper(actor: Actor, code: str) -> None:
    if actor.user is not None and not roles_at(actor.user, code) & KEEPERS:
        raise PairingError("role_not_allowed", "pairing is kept by the county, township or village")


def _audit(actor: Actor, action: str, kind: str, pk: int, region: str, after: dict) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(action=action, object_type=kind, object_id=str(pk), region_code=region,
                       after=after),
    )  # fmt: skip
