"""Benchmark: `rollups_refresh` of one year over 1,000,000 synthetic households.

Synthesises the registry under Guizhou (52) first (not timed here; `bench_synth` times
it), then times a national refresh of 2016 into empty rollup tables and again over its
own rows, split into extract, kernel and write; a one-village refresh; the seven years
in one call; and the reads the dashboards make. Reports the rows each of the two tables
(totals, breakdowns) holds for one year.

    .venv/bin/python -m bench.bench_stats --postgres [--households 1000000]
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import main

REGION = "52"
YEAR = 2016
YEARS = (2014, 2020)
QUERY_RUNS = 200


def _split(seconds: dict[str, float]) -> dict[str, float]:
    """Seconds of the refresh's steps grouped as extract, kernel and write."""
    groups = {"extract": 0.0, "kernel": 0.0, "write": 0.0}
    for name, value in seconds.items():
        group = name.split()[0]
        groups["extract" if group == "extract" else group if group in groups else "write"] += value
    return {name: round(value, 2) for name, value in groups.items()}


def _timed_refresh(**kwargs: Any) -> dict[str, Any]:
    from fupin.core.timing import Steps
    from fupin.stats.services import rollups_refresh_years

    steps = Steps("bench stats")
    started = time.perf_counter()
    rows = rollups_refresh_years(steps=steps, **kwargs)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "rows": rows, **_split(steps.seconds),
            "steps": dict(steps.seconds)}  # fmt: skip


def _rows_per_table() -> dict[str, int]:
    """Rows of the year in each rollup table: the totals and the breakdowns."""
    from fupin.stats.models import RegionYearBreakdown, RegionYearStat

    return {
        "totals": RegionYearStat.objects.filter(year=YEAR).count(),
        "breakdowns": RegionYearBreakdown.objects.filter(year=YEAR).count(),
    }


def _query_ms(region: str) -> float:
    """Median milliseconds of `region_stats` for one region and year."""
    from fupin.stats.queries import region_stats

    timings = []
    for _ in range(QUERY_RUNS):
        started = time.perf_counter()
        region_stats(region=region, year=YEAR)
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 2)


def run(households: int, scratch: Path) -> dict[str, Any]:
    """Synthesise, then time the refreshes and the reads; return the figures."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fupin.core.audit import Actor
    from fupin.regions.services import SHIPPED_EDITION, regions_load
    from fupin.registry.models import Household
    from fupin.synth.services import synth_generate

    call_command("migrate", verbosity=0)
    actor = Actor(None, "bench")
    regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    started = time.perf_counter()
    synth_generate(region=REGION, households=households, years=YEARS, seed=1, actor=actor)
    synth_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE main")
    village = Household.objects.order_by("id").values_list("village_id", flat=True).first()
    first = _timed_refresh(years=[YEAR])
    again = _timed_refresh(years=[YEAR])
    rows_per_table = _rows_per_table()
    one_village = _timed_refresh(years=[YEAR], prefix=village or "")
    all_years = _timed_refresh(years=range(YEARS[0], YEARS[1] + 1))
    county = (village or "")[:6]
    return {
        "database": connection.vendor,
        "households": households,
        "synth_seconds": round(synth_seconds, 1),
        "national_refresh_first": first,
        "national_refresh_again": again,
        "rows_per_table": rows_per_table,
        "village_refresh": one_village,
        "seven_years_refresh": {k: v for k, v in all_years.items() if k != "steps"},
        "query_ms_nation": _query_ms(""),
        "query_ms_county": _query_ms(county),
        "query_ms_village": _query_ms(village or ""),
    }


if __name__ == "__main__":
    main(__doc__ or "", run, households=1_000_000)
