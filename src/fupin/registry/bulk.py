"""The registry's bulk write path: frames in, set-based upserts out, one transaction.

Import and the synthetic country both end here. New rows go straight into the tables with
COPY (PostgreSQL) or one executemany (SQLite); changed rows are staged in a temporary
table and applied with one `UPDATE ... FROM`. Every changed row leaves an audit event with
its before and after; new rows are covered by one summary event naming the source.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import polars as pl
from django.db import connection, transaction

from fupin.core import bulk
from fupin.core.audit import Actor, EventSpec, audit_record_many
from fupin.core.timing import Steps
from fupin.registry import kernels
from fupin.registry.choices import HouseholdStatus

HOUSEHOLD_TABLE = "registry_household"
MEMBER_TABLE = "registry_member"
ASSESSMENT_TABLE = "registry_assessment"
TRANSITION_TABLE = "registry_statustransition"

HOUSEHOLD_UPDATABLE = [name for name in kernels.HOUSEHOLD_FIELDS if name != "household_no"]
MEMBER_UPDATABLE = [
    name for name in kernels.MEMBER_FIELDS if name not in {"household_no", "id_number"}
]
ASSESSMENT_UPDATABLE = [
    *[name for name in kernels.ASSESSMENT_FIELDS if name not in {"household_no", "year"}],
    "net_income_per_capita",
]


@dataclass
class BulkResult:
    """What one bulk write did."""

    households_inserted: int = 0
    households_updated: int = 0
    members_inserted: int = 0
    members_updated: int = 0
    assessments_inserted: int = 0
    assessments_updated: int = 0
    transitions_inserted: int = 0
    seconds: float = 0.0
    steps: Steps = field(default_factory=lambda: Steps("registry bulk write"), repr=False)

    def counts(self) -> dict[str, int]:
        """The row counts alone."""
        values = asdict(self)
        return {k: v for k, v in values.items() if k not in {"seconds", "steps"}}

    @property
    def changed(self) -> bool:
        return any(self.counts().values())


def registry_bulk_write(
    *,
    households: pl.DataFrame,
    members: pl.DataFrame,
    assessments: pl.DataFrame,
    transitions: pl.DataFrame | None = None,
    actor: Actor,
    reason: str,
    source: str,
) -> BulkResult:
    """Upsert households, members, assessments and transitions set-wise, with audit events.

    Keys: household_no; (household, id_number) for members; (household, year) for
    assessments. Input must already be valid (see `registry.importer`).
    """
    started = time.perf_counter()
    households = kernels.conform(households, kernels.HOUSEHOLD_FIELDS)
    members = kernels.conform(members, kernels.MEMBER_FIELDS)
    assessments = kernels.conform(assessments, kernels.ASSESSMENT_FIELDS).with_columns(
        kernels.net_income_per_capita(assessments).alias("net_income_per_capita")
    )
    transitions = kernels.conform(
        transitions if transitions is not None else pl.DataFrame(), kernels.TRANSITION_FIELDS
    )
    result = BulkResult()
    events: list[EventSpec] = []
    now = datetime.now(UTC)
    with transaction.atomic():
        _lock_registry()
        with result.steps.step("households"):
            ids = _household_ids(households, transitions, now, result, events)
        with result.steps.step("members"):
            _upsert_members(members, ids, result, events)
        with result.steps.step("assessments"):
            _upsert_assessments(assessments, ids, result, events)
        with result.steps.step("transitions"):
            _insert_transitions(transitions, ids, now, result)
        summary = result.counts()
        if result.changed:
            events.insert(
                0,
                EventSpec(
                    action="registry.bulk_write",
                    object_type="registry",
                    object_id=source[:64],
                    after={"source": source, **summary},
                    reason=reason,
                ),
            )
            with result.steps.step("audit"):
                audit_record_many(actor=actor, events=events)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _lock_registry() -> None:
    # Serialise bulk writers with each other and with single-row inserts while ids are
    # reserved; readers are not blocked.
    if bulk.is_postgresql():
        bulk.execute(f"LOCK TABLE {HOUSEHOLD_TABLE} IN SHARE ROW EXCLUSIVE MODE")


def _reserve_ids(table: str, count: int) -> int:
    """Reserve `count` consecutive primary keys of `table` and return the first."""
    if bulk.is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT setval(%s, GREATEST(nextval(%s), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table})) + %s - 1)",
                [sequence, sequence, count],
            )
            last = cursor.fetchone()[0]
            return int(last) - count + 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cursor.fetchone()[0]) + 1


def _existing(sql_select: str, keys: pl.DataFrame, key_types: dict[str, str]) -> pl.DataFrame:
    """Rows of a registry table matching `keys`, joined in the database via a temp table."""
    bulk.temp_table_from_frame("fupin_keys", keys, key_types)
    return bulk.read_frame(sql_select)


def _household_ids(
    households: pl.DataFrame,
    transitions: pl.DataFrame,
    now: datetime,
    result: BulkResult,
    events: list[EventSpec],
) -> pl.DataFrame:
    """Insert new households, update changed ones; return household_no → id for all."""
    fields = HOUSEHOLD_UPDATABLE
    existing = _existing(
        f"SELECT h.id, h.household_no, {', '.join('h.' + f for f in fields)} "
        f"FROM {HOUSEHOLD_TABLE} h JOIN fupin_keys k ON k.household_no = h.household_no",
        households.select("household_no"),
        {"household_no": "code"},
    )
    existing = kernels.conform(existing, {"id": pl.Int64(), **kernels.HOUSEHOLD_FIELDS})
    fresh = households.join(existing.select("household_no"), on="household_no", how="anti")
    status = kernels.latest_status(transitions)
    if fresh.height:
        first = _reserve_ids(HOUSEHOLD_TABLE, fresh.height)
        fresh = (
            fresh.with_row_index("id", offset=first)
            .with_columns(pl.col("id").cast(pl.Int64))
            .join(status, on="household_no", how="left")
            .with_columns(
                pl.col("status").fill_null(HouseholdStatus.NOT_REGISTERED.value),
                pl.lit(now).alias("created_at"),
                pl.lit(now).alias("updated_at"),
            )
        )
        with bulk.large_load(HOUSEHOLD_TABLE, fresh.height):
            bulk.copy_frame(HOUSEHOLD_TABLE, fresh)
        result.households_inserted = fresh.height
    changed = kernels.changed_rows(households, existing, ["household_no"], fields)
    if changed.height:
        _apply_updates(HOUSEHOLD_TABLE, changed, fields, extra={"updated_at": now})
        events += _update_events("household", changed, fields, "household_no")
        result.households_updated = changed.height
    parts = [existing.select("household_no", "id", pl.lit(False).alias("fresh"))]
    if fresh.height:
        parts.append(fresh.select("household_no", "id", pl.lit(True).alias("fresh")))
    ids = pl.concat(parts)
    _refresh_status(status.join(existing.select("household_no"), on="household_no"), ids)
    return ids


def _refresh_status(status: pl.DataFrame, ids: pl.DataFrame) -> None:
    """Cache the latest transition's status on existing households that got transitions."""
    if status.height == 0:
        return
    staged = status.join(ids, on="household_no")
    bulk.temp_table_from_frame("fupin_status", staged, {"id": "bigint", "status": "text"})
    bulk.execute(
        f"UPDATE {HOUSEHOLD_TABLE} SET status = s.status FROM fupin_status s "
        f"WHERE {HOUSEHOLD_TABLE}.id = s.id AND {HOUSEHOLD_TABLE}.status <> s.status"
    )


def _split_fresh(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows of households inserted by this write, and rows of households that existed.

    A first load is all fresh: return the frame itself rather than a filtered copy.
    """
    if rows["fresh"].all():
        return rows, rows.clear()
    return rows.filter(pl.col("fresh")), rows.filter(~pl.col("fresh"))


def _upsert_members(
    members: pl.DataFrame, ids: pl.DataFrame, result: BulkResult, events: list[EventSpec]
) -> None:
    """Insert members new to their household; update changed ones (matched by ID number)."""
    members = members.join(ids.rename({"id": "household_id"}), on="household_no")
    # Members of a household inserted just now are new by definition: no lookup needed.
    fresh, known = _split_fresh(members)
    fields = MEMBER_UPDATABLE
    key = ["household_id", "id_number"]
    if known.height:
        existing = _existing(
            f"SELECT m.id, m.household_id, m.id_number, {', '.join('m.' + f for f in fields)} "
            f"FROM {MEMBER_TABLE} m JOIN fupin_keys k ON k.household_id = m.household_id "
            "WHERE m.is_active",
            known.select("household_id").unique(),
            {"household_id": "bigint"},
        )
        existing = kernels.conform(
            existing, {"id": pl.Int64(), "household_id": pl.Int64(), **kernels.MEMBER_FIELDS}
        ).drop("household_no")
        fresh = pl.concat([fresh, known.join(existing.select(key), on=key, how="anti")])
        changed = kernels.changed_rows(known, existing, key, fields)
        if changed.height:
            _apply_updates(MEMBER_TABLE, changed, fields)
            events += _update_events("member", changed, fields, "id_number")
            result.members_updated = changed.height
    if fresh.height:
        with bulk.large_load(MEMBER_TABLE, fresh.height):
            bulk.copy_frame(
                MEMBER_TABLE,
                fresh.drop("household_no", "fresh").with_columns(pl.lit(True).alias("is_active")),
            )
        result.members_inserted = fresh.height


def _upsert_assessments(
    assessments: pl.DataFrame, ids: pl.DataFrame, result: BulkResult, events: list[EventSpec]
) -> None:
    """Insert each household-year's assessment or update it where a value changed."""
    assessments = assessments.join(ids.rename({"id": "household_id"}), on="household_no")
    fresh, known = _split_fresh(assessments)
    fields = ASSESSMENT_UPDATABLE
    key = ["household_id", "year"]
    if known.height:
        existing = _existing(
            f"SELECT a.id, a.household_id, a.year, {', '.join('a.' + f for f in fields)} "
            f"FROM {ASSESSMENT_TABLE} a JOIN fupin_keys k "
            "ON k.household_id = a.household_id AND k.year = a.year",
            known.select(key).unique(),
            {"household_id": "bigint", "year": "integer"},
        )
        layout = {
            "id": pl.Int64(),
            "household_id": pl.Int64(),
            **{k: v for k, v in kernels.ASSESSMENT_FIELDS.items() if k != "household_no"},
            "net_income_per_capita": pl.Decimal(12, 2),
        }
        existing = kernels.conform(existing, layout)
        fresh = pl.concat([fresh, known.join(existing.select(key), on=key, how="anti")])
        changed = kernels.changed_rows(known, existing, key, fields)
        if changed.height:
            _apply_updates(ASSESSMENT_TABLE, changed, fields)
            events += _update_events("assessment", changed, fields, "household_no")
            result.assessments_updated = changed.height
    if fresh.height:
        with bulk.large_load(ASSESSMENT_TABLE, fresh.height):
            bulk.copy_frame(ASSESSMENT_TABLE, fresh.drop("household_no", "fresh"))
        result.assessments_inserted = fresh.height


def _insert_transitions(
    transitions: pl.DataFrame, ids: pl.DataFrame, now: datetime, result: BulkResult
) -> None:
    if transitions.height == 0:
        return
    rows = transitions.join(ids.rename({"id": "household_id"}), on="household_no").with_columns(
        pl.lit("").alias("case_ref")
    )
    bulk.copy_frame(TRANSITION_TABLE, rows.drop("household_no", "fresh"))
    result.transitions_inserted = rows.height


_SQL_TYPES = {
    pl.String: "text",
    pl.Boolean: "boolean",
    pl.Int16: "integer",
    pl.Int64: "bigint",
    pl.Date: "date",
}


def _sql_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Decimal):
        return "numeric"
    for polars_type, sql_type in _SQL_TYPES.items():
        if dtype == polars_type:
            return sql_type
    raise TypeError(f"no SQL type for {dtype}")


def _apply_updates(
    table: str, changed: pl.DataFrame, fields: list[str], extra: dict[str, object] | None = None
) -> None:
    """Apply changed rows with one `UPDATE ... FROM` over a staged temporary table."""
    staged = changed.select(["id", *fields])
    types = {"id": "bigint", **{name: _sql_type(staged.schema[name]) for name in fields}}
    bulk.temp_table_from_frame("fupin_updates", staged, types)
    assignments = [f"{bulk.quote_name(name)} = u.{bulk.quote_name(name)}" for name in fields]
    params: list[object] = []
    for name, value in (extra or {}).items():
        assignments.append(f"{bulk.quote_name(name)} = %s")
        if isinstance(value, datetime):
            value = connection.ops.adapt_datetimefield_value(value)
        params.append(value)
    bulk.execute(
        f"UPDATE {table} SET {', '.join(assignments)} FROM fupin_updates u WHERE {table}.id = u.id",
        params,
    )


def _update_events(
    object_type: str, changed: pl.DataFrame, fields: list[str], label: str
) -> list[EventSpec]:
    """One audit event per changed row, holding only the fields that changed."""
    events = []
    for row in changed.iter_rows(named=True):
        before = {f: row[f"{f}__before"] for f in fields if row[f] != row[f"{f}__before"]}
        after = {f: row[f] for f in before}
        events.append(
            EventSpec(
                action=f"{object_type}.update",
                object_type=object_type,
                object_id=str(row["id"]),
                before={label: row[label], **before} if label in row else before,
                after=after,
            )
        )
    return events
