"""`kill -9` in the middle of an annual run, then a rerun: the state of one clean run."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

VENDOR = os.environ.get("FUPIN_TEST_VENDOR", "sqlite")
FUPIN = [sys.executable, "-m", "fupin.cli"]
STATE_QUERIES = {
    "cases": "SELECT c.kind, h.household_no, c.year, c.outcome, c.step, c.trigger, c.opened_on, "
    "c.detail, p.digest FROM targeting_case c JOIN registry_household h ON h.id = c.household_id "
    "JOIN policy_policysnapshot p ON p.id = c.policy_snapshot_id",
    "statuses": "SELECT household_no, status FROM registry_household",
    "transitions": "SELECT household_id, to_status, year FROM registry_statustransition",
}


def fupin(url: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([*FUPIN, *args], env=env, check=True, capture_output=True, text=True,
                          timeout=600, **kw)  # fmt: skip


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    if VENDOR == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            found = db.execute(sql).fetchall()
    else:
        import psycopg

        with psycopg.connect(url) as db:
            found = db.execute(sql).fetchall()
    return sorted(tuple(str(value) for value in row) for row in found)


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two databases holding the same synthetic county, facts only."""
    if VENDOR == "sqlite":
        first, second = (f"sqlite:///{tmp_path / name}.sqlite3" for name in ("clean", "killed"))
    else:
        import psycopg

        admin = os.environ["DATABASE_URL"]
        first, second = (admin.replace("/postgres?", f"/{name}?") for name in ("clean", "killed"))
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute("DROP DATABASE IF EXISTS clean")
            db.execute("CREATE DATABASE clean")
    fupin(first, "migrate", "-v", "0")
    fupin(first, "regions", "load", "--only", "522727")
    fupin(first, "synth", "--region", "522727", "--households", "6000", "--seed", "9",
          "--facts-only")  # fmt: skip
    if VENDOR == "sqlite":
        shutil.copy(first.removeprefix("sqlite:///"), second.removeprefix("sqlite:///"))
    else:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute("DROP DATABASE IF EXISTS killed")
            db.execute("CREATE DATABASE killed TEMPLATE clean")
    yield first, second
    if VENDOR != "sqlite":
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute("DROP DATABASE clean")
            db.execute("DROP DATABASE killed")


@pytest.mark.slow
def test_a_killed_run_reruns_to_the_state_of_a_clean_run(databases: tuple[str, str]) -> None:
    clean, killed = databases
    run = ["annual-run", "--year", "2014", "--region", "522727", "--chunk", "village", "-v", "2"]
    # given one clean run
    fupin(clean, *run)
    expected = {name: rows(clean, sql) for name, sql in STATE_QUERIES.items()}
    assert len(expected["cases"]) > 500
    # when another run is killed with SIGKILL after five villages committed
    env = {**os.environ, "DATABASE_URL": killed}
    process = subprocess.Popen([*FUPIN, *run], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    assert process.stdout is not None
    committed = 0
    for line in process.stdout:
        committed += line.startswith("committed ")
        if committed == 5:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    partial = rows(killed, STATE_QUERIES["cases"])
    assert 0 < len(partial) < len(expected["cases"])
    # and run again
    fupin(killed, *run)
    # then the end state is the clean run's
    for name, sql in STATE_QUERIES.items():
        assert rows(killed, sql) == expected[name], name
