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
            result.members_inserted, result.members_updated = _upsert_household_rows(
                MEMBERS, members, ids, events
            )
        with result.steps.step("assessments"):
            result.assessments_inserted, result.assessments_updated = _upsert_household_rows(
                ASSESSMENTS, assessments, ids, events
            )
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


@dataclass(frozen=True)
class _HouseholdRows:
    """A table whose rows belong to a household: how to find, diff and insert them."""

    table: str
    object_type: str  # of its audit events
    key: tuple[str, ...]  # identifies a row within the registry
    lookup: dict[str, str]  # columns (and SQL types) to fetch the existing rows by
    fields: list[str]  # compared and updated
    layout: dict[str, pl.DataType]  # of the fields as stored
    label: str  # the column that names a row in its audit event
    where: str = ""  # which existing rows count
    inserted: dict[str, object] = field(default_factory=dict)  # constant columns on insert


MEMBERS = _HouseholdRows(
    table=MEMBER_TABLE,
    object_type="member",
    key=("household_id", "id_number"),
    lookup={"household_id": "bigint"},
    fields=MEMBER_UPDATABLE,
    layout=dict(kernels.MEMBER_FIELDS),
    label="id_number",
    where="WHERE t.is_active",
    inserted={"is_active": True},
)
ASSESSMENTS = _HouseholdRows(
    table=ASSESSMENT_TABLE,
    object_type="assessment",
    key=("household_id", "year"),
    lookup={"household_id": "bigint", "year": "integer"},
    fields=ASSESSMENT_UPDATABLE,
    layout={**kernels.ASSESSMENT_FIELDS, "net_income_per_capita": pl.Decimal(12, 2)},
    label="household_no",
)


def _upsert_household_rows(
    spec: _HouseholdRows, rows: pl.DataFrame, ids: pl.DataFrame, events: list[EventSpec]
) -> tuple[int, int]:
    """Insert rows new to the registry and update changed ones; (inserted, updated)."""
    rows = rows.join(ids.rename({"id": "household_id"}), on="household_no")
    # Rows of a household inserted just now are new by definition: no lookup needed.
    fresh, known = _split_fresh(rows)
    key, updated = list(spec.key), 0
    if known.height:
        columns = ", ".join(f"t.{name}" for name in dict.fromkeys([*key, *spec.fields]))
        match = " AND ".join(f"k.{name} = t.{name}" for name in spec.lookup)
        existing = _existing(
            f"SELECT t.id, {columns} FROM {spec.table} t JOIN fupin_keys k ON {match} {spec.where}",
            known.select(list(spec.lookup)).unique(),
            spec.lookup,
        )
        layout = {"id": pl.Int64(), "household_id": pl.Int64(), **spec.layout}
        existing = kernels.conform(existing, layout).drop("household_no")
        fresh = pl.concat([fresh, known.join(existing.select(key), on=key, how="anti")])
        changed = kernels.changed_rows(known, existing, key, spec.fields)
        if changed.height:
            _apply_updates(spec.table, changed, spec.fields)
            events += _update_events(spec.object_type, changed, spec.fields, spec.label)
            updated = changed.height
    if fresh.height:
        constants = [pl.lit(value).alias(name) for name, value in spec.inserted.items()]
        with bulk.large_load(spec.table, fresh.height):
            bulk.copy_frame(spec.table, fresh.drop("household_no", "fresh").with_columns(constants))
    return fresh.height, updated


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
