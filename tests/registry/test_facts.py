"""Exclusion facts (不评情形): a sparse yearly table, set through an audited service, read as
one boolean column per fact."""

from __future__ import annotations

import polars as pl
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.registry.choices import ExclusionFactKind
from fupin.registry.models import HouseholdFact
from fupin.registry.queries import exclusion_fact_frame
from fupin.registry.services import household_fact_set
from fupin.registry.vocabulary import EXCLUSION_FACT
from tests.registry.factories import saved_household

pytestmark = pytest.mark.django_db

FACTS = list(ExclusionFactKind.values)


def test_the_vocabulary_covers_the_typical_predicates_of_domain_1_4() -> None:
    assert list(ExclusionFactKind.values) == list(EXCLUSION_FACT)
    assert dict(ExclusionFactKind.choices) == EXCLUSION_FACT
    assert len(FACTS) == 12
    assert EXCLUSION_FACT["payroll_member"] == "家庭成员为公职人员或财政供养人员"


def test_setting_a_fact_adds_changes_and_removes_its_row_with_audit_events(
    villages: list[str], actor: Actor
) -> None:
    # given
    household = saved_household("F1", villages[0])

    def events() -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action="household.fact_set").order_by("id"))

    # when the fact is recorded
    row = household_fact_set(household=household, year=2016, fact="owns_car", holds=True,
                             note="村委会核实：2015年购车", actor=actor)  # fmt: skip
    # then
    assert row is not None and row.note == "村委会核实：2015年购车"
    assert HouseholdFact.objects.filter(household=household, year=2016, fact="owns_car").exists()
    (added,) = events()
    assert added.before["holds"] is False and added.after["holds"] is True
    assert added.after["fact"] == "owns_car" and added.region_code == villages[0]

    # when the same fact is recorded again: nothing changes, nothing is logged
    household_fact_set(household=household, year=2016, fact="owns_car", holds=True,
                       note="村委会核实：2015年购车", actor=actor)  # fmt: skip
    assert len(events()) == 1

    # when only the note changes
    household_fact_set(household=household, year=2016, fact="owns_car", holds=True,
                       note="车管所记录", actor=actor)  # fmt: skip
    assert HouseholdFact.objects.get(household=household).note == "车管所记录"
    assert events()[-1].before["note"] == "村委会核实：2015年购车"

    # when the fact no longer holds
    gone = household_fact_set(household=household, year=2016, fact="owns_car", holds=False,
                              note="车辆已过户", actor=actor)  # fmt: skip
    assert gone is None
    assert not HouseholdFact.objects.exists()
    removed = events()[-1]
    assert removed.before["holds"] is True and removed.after["holds"] is False
    assert removed.reason == "车辆已过户"

    # when a fact that does not hold is cleared again
    household_fact_set(household=household, year=2016, fact="owns_car", holds=False,
                       note="", actor=actor)  # fmt: skip
    assert len(events()) == 3


def test_an_unknown_fact_or_year_is_refused_and_nothing_is_written(
    villages: list[str], actor: Actor
) -> None:
    household = saved_household("F1", villages[0])
    with pytest.raises(ValueError, match="unknown fact"):
        household_fact_set(household=household, year=2016, fact="owns_yacht", holds=True,
                           note="", actor=actor)  # fmt: skip
    with pytest.raises(ValueError, match="plausible year"):
        household_fact_set(household=household, year=16, fact="owns_car", holds=True,
                           note="", actor=actor)  # fmt: skip
    assert not HouseholdFact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_database_keeps_one_row_per_household_year_and_fact(villages: list[str]) -> None:
    household = saved_household("F1", villages[0])
    now = timezone.now()
    HouseholdFact.objects.create(household=household, year=2016, fact="owns_car", recorded_at=now)
    HouseholdFact.objects.create(household=household, year=2017, fact="owns_car", recorded_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFact.objects.create(
            household=household, year=2016, fact="owns_car", recorded_at=now
        )


def test_the_fact_frame_has_every_fact_as_a_boolean_for_every_household_under_the_prefix(
    villages: list[str], actor: Actor, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # given two households in the first village and one in the second
    first, second = villages
    car_owner, plain, elsewhere = (
        saved_household("F-A", first), saved_household("F-B", first),
        saved_household("F-C", second),
    )  # fmt: skip
    for household, year, fact in [
        (car_owner, 2016, "owns_car"),
        (car_owner, 2016, "misconduct"),
        (car_owner, 2017, "payroll_member"),
        (plain, 2015, "town_house"),
        (elsewhere, 2016, "owns_car"),
    ]:
        household_fact_set(household=household, year=year, fact=fact, holds=True, note="",
                           actor=actor)  # fmt: skip
    # when
    with django_assert_num_queries(1):
        frame = exclusion_fact_frame(year=2016, village_prefix=first)
    # then
    assert frame.columns == ["household_no", *FACTS]
    assert all(frame.schema[fact] == pl.Boolean for fact in FACTS)
    assert frame["household_no"].to_list() == ["F-A", "F-B"]
    rows = {row["household_no"]: row for row in frame.iter_rows(named=True)}
    assert {fact for fact in FACTS if rows["F-A"][fact]} == {"owns_car", "misconduct"}
    assert not any(rows["F-B"][fact] for fact in FACTS)  # its fact is of another year
    # a wider prefix takes in the other village; another year reads that year's facts
    county = exclusion_fact_frame(year=2016, village_prefix=first[:6])
    assert county["household_no"].to_list() == ["F-A", "F-B", "F-C"]
    later = exclusion_fact_frame(year=2017, village_prefix=first)
    assert later.filter(pl.col("payroll_member"))["household_no"].to_list() == ["F-A"]
    assert not later["owns_car"].any()


def test_the_fact_frame_of_an_empty_scope_has_the_columns_and_no_rows(villages: list[str]) -> None:
    frame = exclusion_fact_frame(year=2016, village_prefix="53")
    assert frame.height == 0
    assert frame.columns == ["household_no", *FACTS]
