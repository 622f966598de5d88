"""The audit log: events in the write's transaction, hash-chained, tampering detected."""

from __future__ import annotations

import pytest
from django.db import transaction

from fupin.core.audit import Actor, EventSpec, audit_chain_verify, audit_record, audit_record_many
from fupin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_events_chain_and_verify(actor: Actor) -> None:
    # given
    with transaction.atomic():
        audit_record(
            actor=actor, spec=EventSpec(action="x.create", object_type="x", after={"a": 1})
        )
        audit_record_many(
            actor=actor,
            events=[EventSpec(action="x.update", object_type="x", before={"a": 1}, after={"a": 2})]
            * 3,
        )
    # when
    events = list(AuditEvent.objects.order_by("id"))
    # then
    assert len(events) == 4
    assert events[1].prev_hash == events[0].hash
    assert len({event.hash for event in events}) == 4
    assert audit_chain_verify() is None
    assert events[0].actor_label == "test-operator"


def test_edited_event_breaks_the_chain(actor: Actor) -> None:
    # given
    with transaction.atomic():
        audit_record_many(
            actor=actor,
            events=[
                EventSpec(action="x.update", object_type="x", after={"n": n}) for n in range(3)
            ],
        )
    second = AuditEvent.objects.order_by("id")[1]
    # when
    AuditEvent.objects.filter(pk=second.pk).update(after={"n": 99})
    # then
    assert audit_chain_verify() == second.pk


def test_deleted_event_breaks_the_chain(actor: Actor) -> None:
    # given
    with transaction.atomic():
        audit_record_many(
            actor=actor, events=[EventSpec(action="x", object_type="x") for _ in range(3)]
        )
    _, second, third = AuditEvent.objects.order_by("id")
    # when
    second.delete()
    # then
    assert audit_chain_verify() == third.pk


@pytest.mark.django_db(transaction=True)
def test_event_outside_a_transaction_is_refused(actor: Actor) -> None:
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        audit_record(actor=actor, spec=EventSpec(action="x", object_type="x"))


def test_rolled_back_write_leaves_no_event(actor: Actor) -> None:
    # when
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor=actor, spec=EventSpec(action="x", object_type="x"))
        raise ValueError("the write failed")
    # then
    assert AuditEvent.objects.count() == 0
