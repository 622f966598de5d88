"""A throwaway PostgreSQL cluster for tests and benchmarks.

initdb and postgres refuse to run as root, so when run as root the cluster is created
and started as the `postgres` OS user (`runuser -u postgres -- ...`). It listens only on
a Unix socket in a temporary directory (no TCP) and is removed when stopped.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries were found on this machine."""


def find_bindir() -> Path:
    """Return the directory holding initdb, pg_ctl and postgres."""
    explicit = os.environ.get("FUPIN_PG_BINDIR")
    candidates = [explicit] if explicit else []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "postgres").exists():
            return Path(candidate)
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (initdb/pg_ctl/postgres); "
        "install the postgresql package or set FUPIN_PG_BINDIR"
    )


@dataclass
class Cluster:
    """A running throwaway cluster."""

    root: Path
    socket_dir: Path
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{self.user}@/{database}?host={self.socket_dir}"


def _as_cluster_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def running_cluster(settings: dict[str, str] | None = None) -> Iterator[Cluster]:
    """Start a cluster in a temporary directory, yield it, then stop and remove it."""
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="fupin-pg-"))
    data = root / "data"
    socket_dir = root / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(socket_dir, "postgres")
    options = {
        "listen_addresses": "''",
        "unix_socket_directories": f"'{socket_dir}'",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "shared_buffers": "512MB",
        "maintenance_work_mem": "1GB",
        "work_mem": "64MB",
        "max_wal_size": "8GB",
        "max_connections": "50",
    }
    options.update(settings or {})
    try:
        subprocess.run(
            _as_cluster_owner(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        opts = " ".join(f"-c {key}={value}" for key, value in options.items())
        subprocess.run(
            _as_cluster_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "server.log"),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        _wait_ready(bindir, socket_dir)
        yield Cluster(root=root, socket_dir=socket_dir)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_cluster_owner(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(bindir: Path, socket_dir: Path) -> None:
    for _ in range(120):
        result = subprocess.run(
            [str(bindir / "pg_isready"), "-h", str(socket_dir), "-U", "postgres"],
            capture_output=True,
            check=False,
        )
        if result.returncode == 0:
            return
        time.sleep(0.25)
    raise RuntimeError("PostgreSQL did not become ready")
