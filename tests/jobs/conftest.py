"""Fixtures of the jobs tests: a job directory under tmp, no detached worker unless a test
asks for one, and a database a worker subprocess shares with the test.

On PostgreSQL the worker opens the test database itself (the test commits: it uses
`transactional_db`). pytest-django keeps the SQLite test database in memory, where no
other process reaches it, so on SQLite the test's database is copied to a file for the
worker (sqlite3's backup API) and copied back once the worker has ended.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from fupin.jobs import services
from fupin.jobs.models import Job
from tests.targeting.conftest import posts  # noqa: F401 - the posts of 平塘县, shared

FUPIN = [sys.executable, "-m", "fupin.cli"]
# The real launcher, kept before the autouse fixture below replaces it.
REAL_LAUNCH = services.job_launch


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """VAR_DIR (job files) under the test's tmp directory."""
    path = tmp_path / "var"
    path.mkdir()
    settings.VAR_DIR = path
    monkeypatch.setenv("FUPIN_VAR_DIR", str(path))
    return path


def _postgres_url() -> str:
    """The server's DATABASE_URL, naming the test database instead."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))


@dataclass
class SharedDatabase:
    """The test's database as a worker process reaches it."""

    url: str
    path: Path | None  # the SQLite copy, None on PostgreSQL
    var_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.url, "FUPIN_VAR_DIR": str(self.var_dir)}

    def push(self) -> None:
        """Make what the test wrote visible to a worker (SQLite: copy it to the file)."""
        if self.path is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)
            target.close()

    def pull(self) -> None:
        """Make what the worker wrote visible to the test (SQLite: copy the file back)."""
        if self.path is not None:
            connection.close()
            connection.ensure_connection()
            source = sqlite3.connect(self.path)
            source.backup(connection.connection)
            source.close()

    def run(self, job_id: int) -> subprocess.CompletedProcess[str]:
        """`fupin jobs run ID` in a subprocess, to its end."""
        self.push()
        done = subprocess.run([*FUPIN, "jobs", "run", str(job_id)], env=self.env,
                              capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
        self.pull()
        return done

    def status(self, job_id: int) -> str:
        """The job's status as the worker's database holds it now."""
        if self.path is None:
            return Job.objects.values_list("status", flat=True).get(pk=job_id)
        with sqlite3.connect(self.path, timeout=30) as db:
            row = db.execute("SELECT status FROM jobs_job WHERE id = ?", [job_id]).fetchone()
        db.close()
        return str(row[0])

    def wait(self, job_id: int, timeout: float = 120) -> str:
        """Wait for a detached worker to end the job; returns its status."""
        deadline = time.monotonic() + timeout
        while (status := self.status(job_id)) in {"queued", "running"}:
            assert time.monotonic() < deadline, f"job {job_id} still {status}"
            time.sleep(0.2)
        self.pull()
        return status


@pytest.fixture
def shared_db(policy_seeded: None, var_dir: Path, tmp_path: Path) -> Iterator[SharedDatabase]:
    """The test database (transactional, with the seeded policy), reachable from a worker
    subprocess."""
    if connection.vendor == "sqlite":
        yield SharedDatabase(f"sqlite:///{tmp_path / 'worker.sqlite3'}",
                             tmp_path / "worker.sqlite3", var_dir)  # fmt: skip
    else:
        yield SharedDatabase(_postgres_url(), None, var_dir)


@pytest.fixture
def real_launch(shared_db: SharedDatabase, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Launch detached workers for real, against the shared database."""
    for name, value in shared_db.env.items():
        if name in {"DATABASE_URL", "FUPIN_VAR_DIR"}:
            monkeypatch.setenv(name, value)

    def launch(*, job_id: int) -> None:
        shared_db.push()
        REAL_LAUNCH(job_id=job_id)

    monkeypatch.setattr(services, "job_launch", launch)
    return launch
