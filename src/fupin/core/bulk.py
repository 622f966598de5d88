"""Set-based reads and writes between Polars frames and the system of record.

PostgreSQL gets `COPY ... FROM STDIN` fed by Polars' CSV writer; SQLite gets one
`executemany` per table. Both run on Django's own connection, so a bulk write shares the
caller's transaction with its audit events and is all-or-nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import connection

COPY_CHUNK_ROWS = 500_000
SQLITE_CHUNK_ROWS = 100_000


def is_postgresql() -> bool:
    """True when the system of record is PostgreSQL."""
    return connection.vendor == "postgresql"


def quote_name(name: str) -> str:
    """Quote a table or column name for the current backend."""
    return connection.ops.quote_name(name)


def _chunks(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size)


def _sqlite_value(name: str, dtype: pl.DataType) -> pl.Expr:
    # Django keeps SQLite datetimes as naive UTC text; booleans as 0/1; decimals as text.
    if isinstance(dtype, pl.Datetime):
        column = pl.col(name)
        if dtype.time_zone is not None:
            column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return column.dt.strftime("%Y-%m-%d %H:%M:%S%.6f")
    if dtype == pl.Boolean:
        return pl.col(name).cast(pl.Int8)
    if dtype == pl.Date or isinstance(dtype, pl.Decimal):
        return pl.col(name).cast(pl.String)
    return pl.col(name)


def _sqlite_rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    return frame.select(_sqlite_value(name, dtype) for name, dtype in frame.schema.items()).rows()


def copy_frame(table: str, frame: pl.DataFrame, columns: Sequence[str] | None = None) -> int:
    """Insert every row of `frame` into `table` (columns named as the frame's, or `columns`)."""
    if frame.height == 0:
        return 0
    names = list(columns or frame.columns)
    frame = frame.select(names)
    column_sql = ", ".join(quote_name(name) for name in names)
    with connection.cursor() as cursor:
        if is_postgresql():
            raw = cursor.cursor
            sql = f"COPY {quote_name(table)} ({column_sql}) FROM STDIN (FORMAT csv)"
            with raw.copy(sql) as copy:
                for chunk in _chunks(frame, COPY_CHUNK_ROWS):
                    buffer = io.BytesIO()
                    chunk.write_csv(
                        buffer,
                        include_header=False,
                        null_value="",
                        datetime_format="%Y-%m-%dT%H:%M:%S%.f%z",
                    )
                    copy.write(buffer.getvalue())
        else:
            placeholders = ", ".join("?" for _ in names)
            sql = f"INSERT INTO {quote_name(table)} ({column_sql}) VALUES ({placeholders})"
            raw = cursor.cursor
            for chunk in _chunks(frame, SQLITE_CHUNK_ROWS):
                raw.executemany(sql, _sqlite_rows(chunk))
    return frame.height


def temp_table(name: str, columns: dict[str, str]) -> None:
    """Create (or empty) a temporary table that lives until the connection closes.

    `columns` maps column names to portable SQL types (text, bigint, integer, date,
    boolean, numeric), or `code` for a text column that joins a `CodeField`.
    """
    column_sql = ", ".join(
        f"{quote_name(col)} {_portable_type(sql_type)}" for col, sql_type in columns.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote_name(name)}")
        cursor.execute(f"CREATE TEMPORARY TABLE {quote_name(name)} ({column_sql})")


def _portable_type(sql_type: str) -> str:
    if sql_type == "code":
        # The collation of CodeField columns, so that joins can probe their indexes.
        return 'text COLLATE "C"' if is_postgresql() else "text"
    return sql_type


def large_join_memory() -> None:
    """Let this transaction's hash joins over whole files stay in memory (PostgreSQL)."""
    if is_postgresql():
        execute("SET LOCAL work_mem = '256MB'")


def temp_table_from_frame(name: str, frame: pl.DataFrame, types: dict[str, str]) -> int:
    """Create temporary table `name` with `types` and load `frame` into it."""
    temp_table(name, types)
    count = copy_frame(name, frame.select(list(types)))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {quote_name(name)}")
    return count


# A load of this many rows refreshes the table's planner statistics at once (PostgreSQL):
# autovacuum would come later, and a query right after the load planned on stale counts
# (measured: a county's coverage gaps after a 50,000-row ledger file, 3.4 s against 0.02 s).
ANALYZE_MIN_ROWS = 10_000


def analyze_after_load(table: str, rows: int) -> bool:
    """Refresh `table`'s statistics after a load of `rows` rows, if it was large; whether
    it did. ANALYZE runs inside the caller's transaction; SQLite needs none."""
    if not is_postgresql() or rows < ANALYZE_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {quote_name(table)}")
    return True


def execute(sql: str, params: Sequence[Any] | None = None) -> int:
    """Run one statement and return the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return int(cursor.rowcount)


def read_frame(
    sql: str, params: Sequence[Any] | None = None, schema: dict[str, Any] | None = None
) -> pl.DataFrame:
    """Run a query on Django's connection and return its rows as a Polars frame."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        names = [col[0] for col in cursor.description]
        rows = cursor.fetchall()
    if schema is not None:
        return pl.DataFrame(rows, schema=schema, orient="row")
    return pl.DataFrame(rows, schema=names, orient="row")


def read_frame_bulk(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Like `read_frame` for extracts of millions of rows: PostgreSQL streams the result
    with `COPY (query) TO STDOUT` as CSV into Polars' parser instead of building tuples."""
    if not is_postgresql():
        return read_frame(sql, params, schema=schema)
    buffer = io.BytesIO()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
    ):
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pl.DataFrame(schema=schema)
    booleans = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    read_schema = {
        name: (pl.String if name in booleans else dtype) for name, dtype in schema.items()
    }
    frame = pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=read_schema)
    # PostgreSQL writes booleans as t/f.
    return frame.with_columns(pl.col(name) == "t" for name in booleans)


# A load at least this large, relative to the rows a table holds, rebuilds the table's
# secondary indexes and foreign keys after it instead of updating them row by row.
REBUILD_FRACTION = 0.2
REBUILD_MIN_ROWS = 100_000


def _estimated_rows(table: str) -> int:
    with connection.cursor() as cursor:
        if not is_postgresql():
            # Rows are never deleted from registry tables, so the largest id is close.
            cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {quote_name(table)}")
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        estimate = float(cursor.fetchone()[0])
        if estimate < 0:  # never analysed: count, it is the rare case of a young table
            cursor.execute(f"SELECT count(*) FROM {quote_name(table)}")
            estimate = float(cursor.fetchone()[0])
    return int(estimate)


def _sqlite_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's explicit indexes (unique ones included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [table],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _secondary_structures(table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(constraint name, definition) of the table's unique and foreign-key constraints, and
    (index name, definition) of its other indexes; the primary key is left alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            [table],
        )
        constraints = [(row[0], row[1]) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        indexes = [(row[0], row[1]) for row in cursor.fetchall()]
    return constraints, indexes


@contextmanager
def large_load(table: str, rows: int) -> Iterator[bool]:
    """Around a COPY of `rows` into `table`: when the load is large next to the table,
    drop its secondary indexes (and on PostgreSQL its unique and foreign-key constraints)
    first and build them again after, set-wise (one sort per index, one join per key).

    Yields whether it rebuilt. The rebuild runs in the caller's transaction, so a load
    that breaks a constraint fails whole; meanwhile the table is locked against readers.
    """
    present = _estimated_rows(table) if rows >= REBUILD_MIN_ROWS else None
    # SQLite gained nothing from it but on a first load into an empty table (measured).
    fraction = REBUILD_FRACTION if is_postgresql() else float("inf")
    if present is None or (present > 0 and rows < fraction * present):
        yield False
        return
    if is_postgresql():
        constraints, indexes = _secondary_structures(table)
    else:  # SQLite cannot drop a foreign key; its deferred checks run at commit anyway
        constraints, indexes = [], _sqlite_indexes(table)
    with connection.cursor() as cursor:
        if is_postgresql():
            # ALTER TABLE refuses a table with deferred key checks pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")  # one sort per index
        for name, _ in constraints:
            cursor.execute(f"ALTER TABLE {quote_name(table)} DROP CONSTRAINT {quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote_name(name)}")
    yield True
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in reversed(constraints):
            cursor.execute(
                f"ALTER TABLE {quote_name(table)} ADD CONSTRAINT {quote_name(name)} {definition}"
            )
        if is_postgresql():
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default
