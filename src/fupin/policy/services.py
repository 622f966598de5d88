"""Changing policy values: a new version, audited; old versions stay for past decisions."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.policy.models import Parameter, PolicyValue
from fupin.policy.queries import next_version, policy_history
from fupin.regions.models import Region


class PolicyError(ValueError):
    """A policy change that cannot be made (unknown name, province or a bad value)."""


def policy_set(
    *,
    name: str,
    value: Decimal,
    year: int | None,
    province: str,
    actor: Actor,
    verified: bool,
    source: str,
    reason: str = "",
) -> PolicyValue:
    """Add a version of a parameter for a year (None: every year) and province ('' national)."""
    if name not in Parameter.values:
        raise PolicyError(f"unknown parameter {name!r}; one of {', '.join(Parameter.values)}")
    if value < 0:
        raise PolicyError(f"{name} cannot be negative: {value}")
    if province and not Region.objects.filter(code=province, level=1).exists():
        raise PolicyError(f"{province!r} is not a province code")
    if year is not None and not 2000 <= year <= 2100:
        raise PolicyError(f"{year} is not a plausible year")
    with transaction.atomic():
        previous = policy_history(name, year=year, province=province).select_for_update().first()
        row = PolicyValue.objects.create(
            name=name, year=year, province=province,
            version=next_version(name, year=year, province=province), value=value,
            verified=verified, source=source, created_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="policy.set",
                object_type="policy_value",
                object_id=str(row.pk),
                region_code=province,
                before=_describe(previous),
                after=_describe(row),
                reason=reason,
            ),
        )
    return row


def _describe(row: PolicyValue | None) -> dict[str, object] | None:
    if row is None:
        return None
    return {
        "name": row.name, "year": row.year, "province": row.province, "version": row.version,
        "value": str(row.value), "verified": row.verified, "source": row.source,
    }  # fmt: skip
