"""Benchmark: importing 1,000,000 households into a registry that holds 1,000,000 others.

Measured in one run on one database (the configured one, or `--postgres` for a throwaway
cluster): the raw baseline (binary COPY through ADBC on PostgreSQL, one `executemany` on
SQLite) of exactly the rows the import writes, into the same tables with the same indexes
and constraints, rolled back; then `fupin import households` of the same households as a
CSV file in a child process, as an operator runs it, with its wall time and peak memory.

    .venv/bin/python -m bench.bench_import --postgres [--households 1000000]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from bench.common import main

YEAR = 2016
REGION = "52"  # Guizhou: enough rural villages for two million households


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()


def generate(households: int) -> tuple[Any, Any]:
    """Two halves of one synthetic province: the registry's present and the file to import."""
    from fupin.core import bulk
    from fupin.policy.seeds import seeded_lines
    from fupin.regions.queries import prefix_upper_bound
    from fupin.synth.kernels import synth_frames

    villages = bulk.read_frame(
        "SELECT code AS village_code, is_western FROM regions_region WHERE level = 5 "
        "AND kind = 'rural' AND retired_in IS NULL AND code >= %s AND code < %s",
        [REGION, prefix_upper_bound(REGION)],
        schema={"village_code": pl.String, "is_western": pl.Boolean},
    )
    frames = synth_frames(
        villages, households=2 * households, years=(YEAR, YEAR), seed=2016,
        poverty_lines=seeded_lines(),
    )  # fmt: skip
    present = frames.households["household_no"].gather_every(2)
    halves = []
    for keep in (True, False):

        def pick(frame: pl.DataFrame, keep: bool = keep) -> pl.DataFrame:
            return frame.filter(pl.col("household_no").is_in(present.implode()) == keep)

        halves.append(
            {
                "households": pick(frames.households),
                "members": pick(frames.members),
                "assessments": pick(frames.assessments),
            }
        )
    return halves[0], halves[1]


def write_import_file(frames: dict[str, pl.DataFrame], path: Path) -> int:
    """The households as a CSV in the import layout (one row per member)."""
    from fupin.registry.export import to_file_layout
    from fupin.registry.fileformats import write_household_file

    rows = (
        frames["members"]
        .join(frames["households"], on="household_no")
        .join(frames["assessments"].drop("year", "household_size"), on="household_no")
        .sort("household_no", pl.col("relation") != "head")
    )
    write_household_file(to_file_layout(rows), path)
    return rows.height


def final_rows(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The rows the import writes into each table, ids and derived columns included."""
    from fupin.core import bulk
    from fupin.registry import kernels

    first = int(bulk.read_frame("SELECT COALESCE(MAX(id), 0) + 1 FROM registry_household")[0, 0])
    now = datetime.now(UTC)
    households = (
        kernels.conform(frames["households"], kernels.HOUSEHOLD_FIELDS)
        .with_row_index("id", offset=first)
        .with_columns(
            pl.col("id").cast(pl.Int64),
            pl.lit("not_registered").alias("status"),
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        )
    )
    ids = households.select("household_no", pl.col("id").alias("household_id"))
    members = (
        kernels.conform(frames["members"], kernels.MEMBER_FIELDS)
        .join(ids, on="household_no")
        .drop("household_no")
        .with_columns(pl.lit(True).alias("is_active"))
    )
    assessments = kernels.conform(frames["assessments"], kernels.ASSESSMENT_FIELDS)
    assessments = (
        assessments.with_columns(
            kernels.net_income_per_capita(assessments).alias("net_income_per_capita")
        )
        .join(ids, on="household_no")
        .drop("household_no")
    )
    return {
        "registry_household": households,
        "registry_member": members,
        "registry_assessment": assessments,
    }


def baseline_postgresql(rows: dict[str, pl.DataFrame]) -> float:
    """Binary COPY (ADBC ingest) of the rows, FK checks inside the timing, rolled back."""
    import adbc_driver_postgresql.dbapi as adbc
    from django.db import connection

    connection.ensure_connection()
    info = connection.connection.info  # the socket directory, user and database in use
    uri = f"postgresql://{info.user}@/{info.dbname}?host={info.host}"
    with adbc.connect(uri) as conn, conn.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        started = time.perf_counter()
        for table, frame in rows.items():
            cursor.adbc_ingest(table, frame.to_arrow(), mode="append")
        seconds = time.perf_counter() - started
        conn.rollback()
    return seconds


def baseline_sqlite(rows: dict[str, pl.DataFrame]) -> float:
    """One executemany per table of the rows, in one transaction, rolled back."""
    from django.db import connection

    from fupin.core.bulk import _sqlite_rows

    prepared = {table: (list(frame.columns), _sqlite_rows(frame)) for table, frame in rows.items()}
    connection.ensure_connection()
    raw = connection.connection
    cursor = raw.cursor()
    started = time.perf_counter()
    cursor.execute("BEGIN IMMEDIATE")
    for table, (columns, values) in prepared.items():
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
    seconds = time.perf_counter() - started
    cursor.execute("ROLLBACK")
    return seconds


def _high_water_mib(pid: int) -> float:
    """VmHWM of a running process: its own peak, not the forking parent's (ru_maxrss)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def import_in_child(path: Path) -> tuple[float, float, str, list[str]]:
    """Run `fupin import households` as an operator would; wall seconds and peak MiB."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "fupin.cli", "import", "households", str(path),
               "--year", str(YEAR)]  # fmt: skip
    peak = 0.0
    with tempfile.TemporaryFile("w+") as out:
        # INFO logging makes the command print each step's time and the peak memory so far.
        env = {**os.environ, "FUPIN_LOG_LEVEL": "INFO"}
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        while child.poll() is None:
            peak = max(peak, _high_water_mib(child.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        out.seek(0)
        output = out.read()
    if child.returncode != 0:
        raise RuntimeError(f"import failed ({child.returncode}): {output[-2000:]}")
    peaks = [line.split(": ", 1)[-1] for line in output.splitlines() if "process peak" in line]
    return seconds, peak, output.strip().splitlines()[-1], peaks


def run(households: int, scratch: Path) -> dict[str, Any]:
    """Set up the registry, measure the baseline, then the import; return the figures."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from fupin.core.audit import Actor
    from fupin.regions.services import SHIPPED_EDITION, regions_load
    from fupin.registry.bulk import registry_bulk_write

    call_command("migrate", verbosity=0)
    actor = Actor(None, "bench")
    regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    started = time.perf_counter()
    present, incoming = generate(households)
    generate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    registry_bulk_write(**present, actor=actor, reason="bench setup", source="bench")
    setup_seconds = time.perf_counter() - started
    path = scratch / "households.csv"
    member_rows = write_import_file(incoming, path)
    rows = final_rows(incoming)
    total_rows = sum(frame.height for frame in rows.values())
    baseline = (
        baseline_postgresql(rows) if connection.vendor == "postgresql" else baseline_sqlite(rows)
    )
    connection.close()  # the child process writes; let go of any lock
    seconds, peak_mib, summary, peaks = import_in_child(path)
    return {
        "database": connection.vendor,
        "households_present": present["households"].height,
        "households_imported": incoming["households"].height,
        "member_rows": member_rows,
        "table_rows": total_rows,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "generate_seconds": round(generate_seconds, 1),
        "setup_write_seconds": round(setup_seconds, 1),
        "baseline_seconds": round(baseline, 2),
        "baseline_rows_per_second": round(total_rows / baseline),
        "import_seconds": round(seconds, 2),
        "import_rows_per_second": round(total_rows / seconds),
        "ratio": round(baseline / seconds, 3),
        "peak_mib": round(peak_mib),
        "import_summary": summary,
        "import_steps": peaks,
    }


if __name__ == "__main__":
    main(__doc__ or "", run, households=1_000_000)
