"""The bulk write path: set-based upserts, idempotence, audit events, cached status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from fupin.core.audit import Actor, audit_chain_verify
from fupin.core.models import AuditEvent
from fupin.registry.bulk import registry_bulk_write
from fupin.registry.idnumber import id_make
from fupin.registry.models import Assessment, Household, Member, StatusTransition

pytestmark = pytest.mark.django_db


def _frames(village: str, count: int = 3) -> dict[str, pl.DataFrame]:
    numbers = [f"{village}{n:04d}" for n in range(1, count + 1)]
    households = pl.DataFrame({"household_no": numbers, "village_code": [village] * count})
    members = pl.DataFrame(
        {
            "household_no": [n for n in numbers for _ in range(2)],
            "name": ["户主", "配偶"] * count,
            "id_number": [
                id_make(village[:6], date(1970, 1, 1 + i), i * 2 + 1 - (i % 2))
                for i in range(count * 2)
            ],
            "relation": ["head", "spouse"] * count,
            "sex": ["M", "F"] * count,
            "birth_date": [date(1970, 1, 1 + i) for i in range(count * 2)],
            "ethnicity": ["布依族"] * (count * 2),
            "health": ["healthy"] * (count * 2),
        }
    )
    assessments = pl.DataFrame(
        {
            "household_no": numbers,
            "year": [2016] * count,
            "wage_income": [3001] * count,
            "business_income": [0] * count,
            "business_cost": [0] * count,
            "property_income": [0] * count,
            "transfer_income": [0] * count,
            "household_size": [2] * count,
            "food_ok": [True] * count,
            "clothing_ok": [True] * count,
            "education_ok": [True] * count,
            "medical_ok": [True] * count,
            "housing_grade": ["B"] * count,
            "water_ok": [True] * count,
        }
    )
    return {"households": households, "members": members, "assessments": assessments}


def test_first_write_inserts_everything(villages: list[str], actor: Actor) -> None:
    # when
    result = registry_bulk_write(**_frames(villages[0]), actor=actor, reason="t", source="s")
    # then
    assert (result.households_inserted, result.members_inserted, result.assessments_inserted) == (
        3, 6, 3,
    )  # fmt: skip
    assert Household.objects.count() == 3
    assert Member.objects.filter(is_active=True).count() == 6
    assessment = Assessment.objects.first()
    assert assessment is not None
    assert assessment.net_income_per_capita == Decimal("1500.50")
    assert AuditEvent.objects.filter(action="registry.bulk_write").count() == 1


def test_rewrite_of_the_same_frames_changes_nothing(villages: list[str], actor: Actor) -> None:
    # given
    registry_bulk_write(**_frames(villages[0]), actor=actor, reason="t", source="s")
    events = AuditEvent.objects.count()
    # when
    result = registry_bulk_write(**_frames(villages[0]), actor=actor, reason="t", source="s")
    # then
    assert not result.changed
    assert AuditEvent.objects.count() == events


def test_changed_values_are_updates_with_before_and_after(
    villages: list[str], actor: Actor
) -> None:
    # given
    registry_bulk_write(**_frames(villages[0]), actor=actor, reason="t", source="s")
    frames = _frames(villages[0])
    frames["members"] = frames["members"].with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("chronic")).otherwise("health")
        .alias("health")
    )  # fmt: skip
    frames["assessments"] = frames["assessments"].with_columns(pl.lit(2001).alias("wage_income"))
    # when
    result = registry_bulk_write(**frames, actor=actor, reason="t", source="s")
    # then
    assert (result.members_updated, result.assessments_updated) == (1, 3)
    member_event = AuditEvent.objects.get(action="member.update")
    assert member_event.before["health"] == "healthy"
    assert member_event.after == {"health": "chronic"}
    assert Member.objects.filter(health="chronic").count() == 1
    assert set(Assessment.objects.values_list("net_income_per_capita", flat=True)) == {
        Decimal("1000.50")
    }
    assert audit_chain_verify() is None


def test_transitions_set_the_cached_status(villages: list[str], actor: Actor) -> None:
    # given
    frames = _frames(villages[0])
    transitions = pl.DataFrame(
        {
            "household_no": [f"{villages[0]}0001"] * 2,
            "from_status": ["not_registered", "registered"],
            "to_status": ["registered", "exited"],
            "year": [2014, 2017],
            "date": [date(2014, 10, 1), date(2017, 11, 30)],
            "reason": ["identified", "exit"],
        }
    )
    # when
    registry_bulk_write(**frames, transitions=transitions, actor=actor, reason="t", source="s")
    # then
    statuses = dict(Household.objects.values_list("household_no", "status"))
    assert statuses[f"{villages[0]}0001"] == "exited"
    assert statuses[f"{villages[0]}0002"] == "not_registered"
    assert StatusTransition.objects.count() == 2


def test_a_failure_leaves_nothing_behind(villages: list[str], actor: Actor) -> None:
    # given a second household whose members break the one-head constraint in the database
    frames = _frames(villages[0])
    frames["members"] = frames["members"].with_columns(pl.lit("head").alias("relation"))
    # when
    with pytest.raises(Exception):  # noqa: B017 - the database's IntegrityError, any backend
        registry_bulk_write(**frames, actor=actor, reason="t", source="s")
    # then
    assert Household.objects.count() == 0
    assert AuditEvent.objects.count() == 0
