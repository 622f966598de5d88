"""Writes of the pages: only the audit of reading a full record (查看完整信息留痕)."""

from __future__ import annotations

from django.db import transaction

from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.registry.models import Household


def household_full_read_record(*, household: Household, actor: Actor) -> None:
    """Record that `actor` opened `household` with its members' personal data unmasked."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="household.read_full",
                object_type="household",
                object_id=str(household.pk),
                region_code=household.village_id,
            ),
        )
