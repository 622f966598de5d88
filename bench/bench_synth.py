"""Benchmark: `fupin synth` of 1,000,000 households with seven years of assessments.

Generates and loads through the registry's bulk path into an empty registry (the national
divisions loaded first, not timed), on the configured database or a throwaway PostgreSQL
cluster (`--postgres`).

    .venv/bin/python -m bench.bench_synth --postgres [--households 1000000]
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench.common import main

REGION = "52"
YEARS = (2014, 2020)
BUDGET_SECONDS = 180.0


def run(households: int, scratch: Path) -> dict[str, Any]:
    """Time generation and loading; return the figures."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fupin.core.audit import Actor
    from fupin.regions.services import SHIPPED_EDITION, regions_load
    from fupin.synth.services import synth_generate

    call_command("migrate", verbosity=0)
    actor = Actor(None, "bench")
    regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    started = time.perf_counter()
    result = synth_generate(region=REGION, households=households, years=YEARS, seed=1, actor=actor)
    seconds = time.perf_counter() - started
    written = result.written
    rows = result.households + result.members + result.assessments + result.transitions
    return {
        "database": connection.vendor,
        "households": result.households,
        "members": result.members,
        "assessments": result.assessments,
        "transitions": result.transitions,
        "generate_seconds": round(result.seconds_generating, 1),
        "write_seconds": written.seconds if written is not None else None,
        "write_steps": dict(written.steps.seconds) if written is not None else None,
        "total_seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "within_budget": seconds < BUDGET_SECONDS,
    }


if __name__ == "__main__":
    main(__doc__ or "", run, households=1_000_000)
