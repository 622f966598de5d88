"""Writing and verifying the hash-chained audit log.

Every service writes its events through `audit_record` / `audit_record_many` inside its
own transaction, so an event exists exactly when its write does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from fupin.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or a named system process (CLI operator, batch job)."""

    user: AbstractBaseUser | None = None
    label: str = "system"

    @property
    def user_id(self) -> int | None:
        """The acting user's id, for a row's `..._by` column; None for a system process."""
        return None if self.user is None else int(self.user.pk)

    @classmethod
    def of(cls, user: AbstractBaseUser | AnonymousUser | None, label: str | None = None) -> Actor:
        if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
            return cls(None, label or "system")
        return cls(user, label or user.get_username())


SYSTEM = Actor(None, "system")


@dataclass
class EventSpec:
    """The content of one audit event before it is chained."""

    action: str
    object_type: str
    object_id: str = ""
    region_code: str = ""
    before: Any = None
    after: Any = None
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_jsonable(value: Any) -> Any:
    """Return `value` as plain JSON types (dates as ISO strings, Decimals as strings)."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def _event_hash(prev_hash: str, created_at: datetime, actor_label: str, spec: EventSpec) -> str:
    payload = json.dumps(
        [
            prev_hash,
            created_at.isoformat(),
            actor_label,
            spec.action,
            spec.object_type,
            spec.object_id,
            spec.region_code,
            spec.before,
            spec.after,
            spec.reason,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=_json_default,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def audit_record_many(*, actor: Actor, events: Sequence[EventSpec]) -> list[AuditEvent]:
    """Append `events` to the audit chain in the caller's transaction (one lock, one insert)."""
    if not events:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events must be written inside the write's transaction")
    head = _lock_head()
    now = timezone.now()
    rows: list[AuditEvent] = []
    prev = head.last_hash
    for spec in events:
        spec.before = to_jsonable(spec.before)
        spec.after = to_jsonable(spec.after)
        digest = _event_hash(prev, now, actor.label, spec)
        rows.append(
            AuditEvent(
                created_at=now,
                actor=actor.user,  # type: ignore[misc]
                actor_label=actor.label,
                action=spec.action,
                object_type=spec.object_type,
                object_id=spec.object_id,
                region_code=spec.region_code,
                before=spec.before,
                after=spec.after,
                reason=spec.reason,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    head.last_hash = prev
    head.save(update_fields=["last_hash"])
    return rows


def audit_record(*, actor: Actor, spec: EventSpec) -> AuditEvent:
    """Append one event to the audit chain in the caller's transaction."""
    return audit_record_many(actor=actor, events=[spec])[0]


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(id=1, defaults={"last_hash": GENESIS_HASH})
        head = AuditChainHead.objects.select_for_update().get(id=1)
    return head


def audit_chain_verify(events: Iterable[AuditEvent] | None = None) -> int | None:
    """Return the id of the first event whose hash does not follow the chain, or None."""
    prev = GENESIS_HASH
    rows = events if events is not None else AuditEvent.objects.order_by("id").iterator()
    for event in rows:
        spec = EventSpec(
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            region_code=event.region_code,
            before=event.before,
            after=event.after,
            reason=event.reason,
        )
        if (
            event.prev_hash != prev
            or _event_hash(prev, event.created_at, event.actor_label, spec) != event.hash
        ):
            return event.id
        prev = event.hash
    return None
