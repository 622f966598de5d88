"""Changing policy values and exclusion rules: a new version, audited; old versions stay
for past decisions, which name them through a policy snapshot."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.policy.models import (
    ExclusionRuleValue,
    ExitIndicatorValue,
    Parameter,
    PolicySnapshot,
    PolicyValue,
)
from fupin.policy.queries import (
    exclusion_history,
    exclusion_rules,
    next_version,
    policy_history,
    policy_table,
)
from fupin.regions.models import Region
from fupin.registry.choices import ExclusionFactKind

RULE_CODE = re.compile(r"[a-z][a-z0-9_]{1,47}")


class PolicyError(ValueError):
    """A policy change that cannot be made (unknown name, province or a bad value)."""


def _require_national(actor: Actor) -> None:
    """Policy is set by the national office: a user needs a national grant. A system
    process (a migration, the test suite) has no user and is trusted code."""
    if actor.user is not None and "national" not in roles_at(actor.user, ""):
        raise PolicyError(
            f"{actor.label} holds no national grant; only the national office sets policy"
        )


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
    _require_national(actor)
    if name not in Parameter.values:
        raise PolicyError(f"unknown parameter {name!r}; one of {', '.join(Parameter.values)}")
    if value < 0:
        raise PolicyError(f"{name} cannot be negative: {value}")
    _check_scope(year=year, province=province)
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


def _check_scope(*, year: int | None, province: str) -> None:
    if province and not Region.objects.filter(code=province, level=1).exists():
        raise PolicyError(f"{province!r} is not a province code")
    if year is not None and not 2000 <= year <= 2100:
        raise PolicyError(f"{year} is not a plausible year")


def exclusion_rule_set(
    *,
    code: str,
    fact: str,
    year: int | None,
    province: str,
    active: bool,
    actor: Actor,
    verified: bool,
    source: str,
    reason: str = "",
) -> ExclusionRuleValue:
    """Add a version of an exclusion rule (X不评) for a year (None: every year) and province
    ('' national); `active=False` switches the rule off there."""
    _require_national(actor)
    if not RULE_CODE.fullmatch(code):
        raise PolicyError(f"a rule code is a lowercase slug (a-z, 0-9, _), not {code!r}")
    if fact not in ExclusionFactKind.values:
        raise PolicyError(f"unknown fact {fact!r}; one of {', '.join(ExclusionFactKind.values)}")
    _check_scope(year=year, province=province)
    if not active and not ExclusionRuleValue.objects.filter(code=code).exists():
        raise PolicyError(f"no exclusion rule {code!r} to switch off")
    with transaction.atomic():
        history = exclusion_history(code, year=year, province=province)
        previous = history.select_for_update().first()
        latest = history.aggregate(v=Max("version"))["v"]
        row = ExclusionRuleValue.objects.create(
            code=code, fact=fact, year=year, province=province, version=(latest or 0) + 1,
            active=active, verified=verified, source=source, created_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="policy.exclusion_set",
                object_type="exclusion_rule",
                object_id=str(row.pk),
                region_code=province,
                before=_describe_rule(previous),
                after=_describe_rule(row),
                reason=reason,
            ),
        )
    return row


def exit_indicator_set(
    *,
    level: str,
    code: str,
    label: str,
    year: int | None,
    province: str,
    active: bool,
    actor: Actor,
    verified: bool,
    source: str,
    reason: str = "",
) -> ExitIndicatorValue:
    """Add a version of an extra village or county exit indicator for a year (None: every
    year) and province ('' national); `active=False` switches it off there."""
    _require_national(actor)
    if level not in ExitIndicatorValue.Level.values:
        raise PolicyError(f"level: village or county, not {level!r}")
    if not RULE_CODE.fullmatch(code):
        raise PolicyError(f"an indicator code is a lowercase slug (a-z, 0-9, _), not {code!r}")
    _check_scope(year=year, province=province)
    with transaction.atomic():
        history = ExitIndicatorValue.objects.filter(
            level=level, code=code, year=year, province=province
        ).select_for_update()
        previous = history.order_by("-version").first()
        row = ExitIndicatorValue.objects.create(
            level=level, code=code, label=label or (previous.label if previous else code),
            year=year, province=province, version=(previous.version if previous else 0) + 1,
            active=active, verified=verified, source=source, created_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="policy.exit_indicator_set", object_type="exit_indicator",
                object_id=str(row.pk), region_code=province,
                before=None if previous is None else {"version": previous.version,
                                                      "active": previous.active},
                after={"level": level, "code": code, "version": row.version, "active": active,
                       "year": year, "province": province},
                reason=reason,
            ),
        )  # fmt: skip
    return row


def _describe_rule(row: ExclusionRuleValue | None) -> dict[str, object] | None:
    if row is None:
        return None
    return {
        "code": row.code, "fact": row.fact, "year": row.year, "province": row.province,
        "version": row.version, "active": row.active, "verified": row.verified,
        "source": row.source,
    }  # fmt: skip


def policy_snapshot(*, year: int, province: str) -> PolicySnapshot:
    """The snapshot of the parameter and rule versions in force for `year` in `province`
    (政策参数快照), recorded once per distinct set and shared by every decision that uses it."""
    _check_scope(year=year, province=province)
    value_ids = {row.name: row.pk for row in policy_table(year=year, province=province)}
    rule_ids = [row.pk for row in exclusion_rules(year=year, province=province)]
    canonical = json.dumps(
        {"year": year, "province": province, "values": value_ids, "exclusions": rule_ids},
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(canonical.encode("ascii")).hexdigest()
    # get_or_create inserts inside a savepoint and, when a concurrent transaction recorded
    # the same digest first, catches the IntegrityError and reads that row instead.
    snapshot, _ = PolicySnapshot.objects.get_or_create(
        digest=digest,
        defaults={
            "year": year, "province": province, "value_ids": value_ids,
            "exclusion_rule_ids": rule_ids, "created_at": timezone.now(),
        },
    )  # fmt: skip
    return snapshot
