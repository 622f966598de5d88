"""Benchmark: a national load of the division codes into an empty database.

`run()` uses whatever database Django is configured with, but never its data: it creates
a throwaway test database beside it (a file for SQLite, `test_<name>` for PostgreSQL),
loads the shipped 2023 edition, reloads it (nothing to write), and drops it again.

    .venv/bin/python -m bench.bench_regions              # the configured database
    .venv/bin/python -m bench.bench_regions --postgres   # a throwaway PostgreSQL cluster
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

# The 2023 edition's rows in all five files (31 + 342 + 2,978 + 41,352 + 620,573).
NATIONAL_REGIONS = 665_276
BUDGET_SECONDS = 60.0


def run() -> dict[str, Any]:
    """Time a full national load into an empty database and an idempotent reload after it."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()
    from django.db import connection

    test_settings = connection.settings_dict.setdefault("TEST", {})
    configured_test_name = test_settings.get("NAME")
    with tempfile.TemporaryDirectory(prefix="fupin-bench-") as scratch:
        if connection.vendor == "sqlite":
            # The default test database is in memory; a file is what production writes to.
            test_settings["NAME"] = str(Path(scratch) / "bench.sqlite3")
        original = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            return _measure(connection.vendor)
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
            test_settings["NAME"] = configured_test_name


def _measure(vendor: str) -> dict[str, Any]:
    from fupin.core.audit import Actor
    from fupin.regions.models import Region
    from fupin.regions.services import SHIPPED_EDITION, regions_load

    actor = Actor(None, "bench")
    started = time.perf_counter()
    first = regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    load_seconds = time.perf_counter() - started
    stored = Region.objects.count()
    started = time.perf_counter()
    again = regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    reload_seconds = time.perf_counter() - started
    return {
        "database": vendor,
        "regions": stored,
        "inserted": first.inserted,
        "load_seconds": round(load_seconds, 2),
        "rows_per_second": round(stored / load_seconds),
        "load_steps": first.steps.seconds,
        "reload_seconds": round(reload_seconds, 2),
        "reload_unchanged": again.unchanged,
        "within_budget": load_seconds < BUDGET_SECONDS and stored == NATIONAL_REGIONS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use a throwaway cluster")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.postgres:
            from fupin.testing.pgcluster import running_cluster

            os.environ["DATABASE_URL"] = stack.enter_context(running_cluster()).url()
        print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
