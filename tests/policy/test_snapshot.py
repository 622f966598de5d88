"""Policy snapshots: the parameter and rule versions a decision used, recorded once per set
and never changed, so a later policy change leaves past decisions as they were."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db.models.query import QuerySet

from fupin.core.audit import Actor
from fupin.policy.models import PolicySnapshot, PolicyValue
from fupin.policy.queries import (
    PolicyMissing,
    exclusion_rules,
    policy_value,
    snapshot_exclusions,
    snapshot_values,
)
from fupin.policy.services import PolicyError, exclusion_rule_set, policy_set, policy_snapshot

pytestmark = pytest.mark.django_db


def _set_line(actor: Actor, value: int) -> PolicyValue:
    return policy_set(name="identification_line", value=Decimal(value), year=2016, province="",
                      actor=actor, verified=True, source="test")  # fmt: skip


def test_a_snapshot_keeps_pointing_at_the_versions_it_used(actor: Actor) -> None:
    # given a line set and a snapshot taken under it
    first_line = _set_line(actor, 3000)
    first = policy_snapshot(year=2016, province="")
    # when the line gets a new version and a snapshot is taken again
    _set_line(actor, 3100)
    second = policy_snapshot(year=2016, province="")
    # then there are two snapshots, and the first still yields the old value
    assert first.pk != second.pk and first.digest != second.digest
    assert PolicySnapshot.objects.count() == 2
    first.refresh_from_db()
    assert first.value_ids["identification_line"] == first_line.pk
    assert snapshot_values(first)["identification_line"] == Decimal(3000)
    assert snapshot_values(second)["identification_line"] == Decimal(3100)
    assert snapshot_values(first)["exit_line"] == snapshot_values(second)["exit_line"] == 2952


def test_the_same_policy_set_gives_the_same_snapshot(villages: list[str]) -> None:
    first = policy_snapshot(year=2018, province="52")
    again = policy_snapshot(year=2018, province="52")
    assert again.pk == first.pk
    assert PolicySnapshot.objects.count() == 1
    # the digest is the sha256 of the canonical JSON of what the snapshot names
    canonical = json.dumps(
        {"year": 2018, "province": "52", "values": first.value_ids,
         "exclusions": first.exclusion_rule_ids},
        sort_keys=True, separators=(",", ":"),
    )  # fmt: skip
    assert first.digest == hashlib.sha256(canonical.encode()).hexdigest()


def test_a_province_snapshot_uses_the_province_values_and_rules(
    villages: list[str], actor: Actor
) -> None:
    # given Guizhou drops the car rule
    exclusion_rule_set(code="owns_car", fact="owns_car", year=None, province="52", active=False,
                       actor=actor, verified=True, source="黔 test")  # fmt: skip
    # when
    guizhou = policy_snapshot(year=2018, province="52")
    nation = policy_snapshot(year=2018, province="")
    # then the western 3% thresholds and the province's rules are the ones recorded
    values = snapshot_values(guizhou)
    assert values["village_exit_incidence"] == Decimal("0.03")
    assert values["county_exit_incidence"] == Decimal("0.03")
    assert snapshot_values(nation)["village_exit_incidence"] == Decimal("0.02")
    assert values["identification_line"] == Decimal(2995)
    assert list(values)[:2] == ["identification_line", "exit_line"]  # parameter order
    assert ("owns_car", "owns_car") not in snapshot_exclusions(guizhou)
    assert ("owns_car", "owns_car") in snapshot_exclusions(nation)
    assert snapshot_exclusions(nation) == [
        (rule.code, rule.fact) for rule in exclusion_rules(year=2018)
    ]
    assert guizhou.pk != nation.pk


def test_a_rule_change_makes_a_new_snapshot_and_the_old_one_keeps_its_rules(
    villages: list[str], actor: Actor
) -> None:
    # given
    before = policy_snapshot(year=2017, province="52")
    # when Guizhou switches off a rule for 2017
    exclusion_rule_set(code="misconduct", fact="misconduct", year=2017, province="52",
                       active=False, actor=actor, verified=True, source="test")  # fmt: skip
    after = policy_snapshot(year=2017, province="52")
    # then
    assert after.pk != before.pk
    assert ("misconduct", "misconduct") in snapshot_exclusions(before)
    assert ("misconduct", "misconduct") not in snapshot_exclusions(after)
    assert snapshot_values(after) == snapshot_values(before)


def test_a_snapshot_recorded_concurrently_is_read_back_not_duplicated(
    villages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given another transaction recorded the same set between our read and our insert:
    # our first look misses it, our insert then hits the unique digest
    existing = policy_snapshot(year=2016, province="52")
    real_get = QuerySet.get
    missed: list[bool] = []

    def get_missing_once(self: QuerySet[Any], *args: Any, **kwargs: Any) -> Any:
        if self.model is PolicySnapshot and not missed:
            missed.append(True)
            raise PolicySnapshot.DoesNotExist
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", get_missing_once)
    # when
    found = policy_snapshot(year=2016, province="52")
    # then the row is read back, and the transaction is still usable (PostgreSQL aborts a
    # transaction on a failed statement unless it ran in a savepoint)
    assert missed == [True]
    assert found.pk == existing.pk
    assert PolicySnapshot.objects.count() == 1


def test_a_snapshot_for_an_unknown_province_is_refused() -> None:
    with pytest.raises(PolicyError, match="not a province"):
        policy_snapshot(year=2016, province="99")
    assert not PolicySnapshot.objects.exists()


def test_reading_a_snapshot_whose_versions_are_gone_is_an_error(actor: Actor) -> None:
    # given a snapshot naming a version that someone deleted by hand
    line = _set_line(actor, 3000)
    snapshot = policy_snapshot(year=2016, province="")
    PolicyValue.objects.filter(pk=line.pk).delete()
    # then it is reported, not silently read as another version
    with pytest.raises(PolicyMissing, match="gone"):
        snapshot_values(snapshot)
    assert policy_value("identification_line", year=2016).value == 2952
