"""Large loads rebuild indexes and keys after the COPY, and still fail whole on a violation."""

from __future__ import annotations

import polars as pl
import pytest
from django.db import IntegrityError, connection

from fupin.core import bulk
from fupin.core.audit import Actor
from fupin.registry.bulk import registry_bulk_write
from fupin.registry.models import Household, Member
from tests.registry.test_bulk import _frames

pytestmark = pytest.mark.django_db


def _structures(table: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "UNION SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = %s AND type = 'index'",
                [table],
            )
        return {(row[0], row[1] or "") for row in cursor.fetchall()}


@pytest.fixture
def rebuild_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)


def test_a_large_first_load_restores_every_index_and_key(
    villages: list[str], actor: Actor, rebuild_always: None
) -> None:
    # given
    tables = ["registry_household", "registry_member", "registry_assessment"]
    before = {table: _structures(table) for table in tables}
    # when
    with bulk.large_load("registry_member", 6) as rebuilt:
        assert rebuilt
        assert _structures("registry_member") != before["registry_member"]
    registry_bulk_write(**_frames(villages[0]), actor=actor, reason="t", source="s")
    # then
    assert {table: _structures(table) for table in tables} == before
    assert Member.objects.count() == 6


def test_a_load_that_breaks_a_rebuilt_constraint_fails_whole(
    villages: list[str], actor: Actor, rebuild_always: None
) -> None:
    # given two heads in every household: the unique index is rebuilt after the COPY
    frames = _frames(villages[0])
    frames["members"] = frames["members"].with_columns(relation=pl.lit("head"))
    # when
    with pytest.raises(IntegrityError):
        registry_bulk_write(**frames, actor=actor, reason="t", source="s")
    # then
    assert Household.objects.count() == 0
    assert Member.objects.count() == 0


def test_a_small_load_into_a_full_table_keeps_its_indexes(villages: list[str]) -> None:
    with bulk.large_load("registry_member", 10) as rebuilt:
        assert not rebuilt


def test_a_large_load_refreshes_the_planners_counts_on_postgresql(villages: list[str]) -> None:
    # given a table the planner has never counted, then a load of 10,000 rows
    bulk.temp_table("fupin_test_load", {"n": "bigint"})
    count = bulk.copy_frame("fupin_test_load", pl.DataFrame({"n": range(10_000)}))
    # when
    analysed = bulk.analyze_after_load("fupin_test_load", count)
    # then PostgreSQL knows the table's rows at once; SQLite needs nothing
    if connection.vendor != "postgresql":
        assert analysed is False
        return
    assert analysed is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'fupin_test_load'::regclass")
        assert cursor.fetchone()[0] == 10_000
    assert bulk.analyze_after_load("fupin_test_load", 9_999) is False  # a small load waits
