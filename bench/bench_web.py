"""Web under load: the household page, its API route and a dashboard, served by gunicorn.

PostgreSQL with 1,000,000 synthetic households (the nation, years 2014-2016, rollups
refreshed), gunicorn on loopback (4 sync workers, persistent database connections), and
locust as the load generator in a process of its own: 50 concurrent clients, each a
person who opens a page, reads it for 0.5-1.5 s and opens the next, for a bounded time
(they join ten a second; the figures count from when all fifty are in).
Each client is logged in (a session cookie) as the county office of the busiest county
and opens that county's households (the page, then the API route with a token) and the
county's and its townships' dashboards. A second, closed-loop pass (no reading time) gives
the most the server answers per second, for the record.

Run: python -m bench.bench_web [--postgres] [--households N] [--seconds S]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.bench_annual import YEARS, _setup, synthesise
from bench.common import throwaway_database

WORKERS = 4
CLIENTS = 50
# Clients join at this rate and the figures start once all are in: fifty requests at the
# same instant would measure the queue of a start that no office sees.
SPAWN_RATE = 10
LOCUSTFILE = Path(__file__).with_name("locust_web.py")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(households: int, scratch: Path) -> dict[str, Any]:
    """The data, a county user with a session and a token, and the ids the clients open."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django.db.models.functions import Substr

    from fupin.core.access import grant_add
    from fupin.core.audit import Actor
    from fupin.core.tokens import token_create
    from fupin.regions.queries import code_prefix_q
    from fupin.registry.models import Household
    from fupin.stats.services import rollups_refresh_years

    figures = synthesise(households)
    started = time.perf_counter()
    rollups_refresh_years(years=range(YEARS[0], YEARS[1] + 1))
    figures["rollups_seconds"] = round(time.perf_counter() - started, 1)
    # Fresh statistics, and no autovacuum catching up with the load while the clients run.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    county = (
        Household.objects.annotate(county=Substr("village_id", 1, 6))
        .values("county")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert county is not None
    code = county["county"]
    actor = Actor(None, "bench")
    user = get_user_model().objects.create_user(username="bench-county")
    grant_add(user=user, role="county", region_prefix=code, actor=actor)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = token_create(user=user, name="bench", actor=actor).raw
    ids = list(
        Household.objects.filter(code_prefix_q(code, "village_id"))
        .order_by("?")
        .values_list("id", flat=True)[:5000]
    )
    villages = Household.objects.filter(code_prefix_q(code, "village_id")).values_list(
        "village_id", flat=True
    )
    townships = sorted({village[:9] for village in villages[:20000]})
    plan = {"session": session.session_key, "token": token, "county": code,
            "townships": townships[:20], "households": ids, "year": YEARS[1]}  # fmt: skip
    (scratch / "plan.json").write_text(json.dumps(plan))
    figures.update(county=code, county_households=county["n"])
    return figures


def serve(scratch: Path) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn on a free loopback port, over the benchmark's database."""
    port = _free_port()
    env = {**os.environ, "FUPIN_VAR_DIR": str(scratch), "FUPIN_CONN_MAX_AGE": "600"}
    with (scratch / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "fupin.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", str(WORKERS), "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)  # noqa: S310 - our loopback server
            return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def load(url: str, scratch: Path, *, seconds: int, think: bool) -> dict[str, Any]:
    """One locust run, headless and bounded; the percentiles of each kind of request."""
    prefix = scratch / ("think" if think else "closed")
    env = {**os.environ, "FUPIN_BENCH_PLAN": str(scratch / "plan.json"),
           "FUPIN_BENCH_THINK": "1" if think else "0"}  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
         "-u", str(CLIENTS), "-r", str(SPAWN_RATE), "--reset-stats", "-t", f"{seconds}s",
         "--host", url,
         "--csv", str(prefix), "--only-summary", "--stop-timeout", "5"],
        env=env, check=False, capture_output=True, timeout=seconds + 120,
    )  # fmt: skip
    results: dict[str, Any] = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            results[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_second": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "max_ms": round(float(row["Max Response Time"]), 1),
            }
    return results


def run(households: int, scratch: Path, seconds: int) -> dict[str, Any]:
    _setup()
    figures = prepare(households, scratch)
    from django.db import connections

    connections.close_all()
    server, url = serve(scratch)
    try:
        load(url, scratch, seconds=10, think=True)  # warm the workers and the caches
        figures["clients_reading"] = load(url, scratch, seconds=seconds, think=True)
        figures["closed_loop"] = load(url, scratch, seconds=seconds, think=False)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    figures.update(workers=WORKERS, clients=CLIENTS, seconds=seconds)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    with throwaway_database(args.postgres) as scratch:
        print(json.dumps(run(args.households, scratch, args.seconds), indent=2))


if __name__ == "__main__":
    main()
