"""Annual run: the rule kernel over a synthetic nation, cases opened, rollups; against its floor.

PostgreSQL: 10,000,000 households by default; SQLite: 1,000,000. The data is synthesised
province by province (years 2014-2016, with the synthetic registrations and exits), then
`fupin annual-run --year 2016` runs in a child process of its own (so that its peak
memory is its own). The floor is measured in the same run on the same database: the same
extraction queries read with a binary COPY (ADBC) on PostgreSQL or a raw fetchall on
SQLite, plus writing the same number of case rows with COPY (ADBC ingest) or one raw
executemany into a table shaped like the cases table. The kernel is then timed alone in
memory over every household, and `region_stats` read for regions at each level.

Run: python -m bench.bench_annual [--postgres] [--households N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.common import throwaway_database

YEAR = 2016
YEARS = (2014, YEAR)


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()


def synthesise(households: int) -> dict[str, Any]:
    """A synthetic nation: each province's share of households by its villages."""
    from django.core.management import call_command

    from fupin.core.audit import Actor
    from fupin.regions.models import Level, Region
    from fupin.regions.services import SHIPPED_EDITION, regions_load
    from fupin.synth.services import synth_generate

    call_command("migrate", verbosity=0)
    actor = Actor(None, "bench")
    regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    villages: dict[str, int] = {}
    for code in Region.objects.filter(level=Level.VILLAGE, kind="rural").values_list(
        "code", flat=True
    ):
        villages[code[:2]] = villages.get(code[:2], 0) + 1
    total = sum(villages.values())
    started = time.perf_counter()
    made = 0
    for index, (province, count) in enumerate(sorted(villages.items())):
        share = households - made if index == len(villages) - 1 else households * count // total
        synth_generate(region=province, households=share, years=YEARS, seed=index, actor=actor)
        made += share
    return {"households": made, "synth_seconds": round(time.perf_counter() - started, 1)}


def child() -> None:
    """The annual run as `fupin annual-run` does it; prints its figures and peak memory."""
    _setup()
    from fupin.core.audit import Actor
    from fupin.core.timing import peak_mib
    from fupin.targeting.annual import annual_run

    started = time.perf_counter()
    result = annual_run(year=YEAR, actor=Actor(None, "bench"))
    seconds = time.perf_counter() - started
    steps: dict[str, float] = {}
    for name, value in result.seconds.items():
        step = name.split(" ")[-1]
        steps[step] = round(steps.get(step, 0.0) + value, 2)
    print(json.dumps({
        "run_seconds": round(seconds, 2), "households": result.households,
        "opened": result.opened, "peak_mib": peak_mib(), "steps": steps,
    }))  # fmt: skip


def _floor_queries() -> list[tuple[str, list[Any]]]:
    """The statements the run reads with, over the whole nation."""
    from fupin.targeting import annual

    facts = ", ".join(f"a.{name}" for name in annual.FACTS_SCHEMA if name not in
                      annual.HOUSEHOLD_SIDE)  # fmt: skip
    scope = ["", ":"]
    return [
        ("SELECT h.id, h.household_no, h.village_code, h.status, " + facts + " FROM "
         "registry_household h JOIN registry_assessment a ON a.household_id = h.id AND "
         "a.year = %s WHERE h.village_code >= %s AND h.village_code < %s", [YEAR, *scope]),
        ("SELECT f.household_id, f.fact FROM registry_householdfact f JOIN registry_household h "
         "ON h.id = f.household_id WHERE f.year = %s AND h.village_code >= %s AND "
         "h.village_code < %s", [YEAR, *scope]),
        ("SELECT a.household_id, a.year, a.net_income_per_capita FROM registry_assessment a "
         "JOIN registry_household h ON h.id = a.household_id WHERE h.village_code >= %s AND "
         "h.village_code < %s AND a.year >= %s AND a.year <= %s", [*scope, YEAR, YEAR]),
        (annual.REGISTERED_THIS_YEAR_SQL, [*scope, YEAR]),
        (annual.MONITORED_SQL, scope),
    ]  # fmt: skip


def floor(cases: int) -> dict[str, float]:
    """Read what the run reads and write as many case rows, as fast as the driver can."""
    from django.db import connection

    queries = _floor_queries()
    if connection.vendor == "postgresql":
        import adbc_driver_postgresql.dbapi as adbc

        uri = os.environ["DATABASE_URL"]
        with adbc.connect(uri) as conn, conn.cursor() as cursor:
            cursor.execute(f"SELECT * FROM targeting_case ORDER BY id LIMIT {int(cases)}")
            rows = cursor.fetch_arrow_table()
            started = time.perf_counter()
            for sql, params in queries:
                cursor.execute(_inline(sql, params))
                cursor.fetch_arrow_table()
            read = time.perf_counter() - started
            cursor.execute("CREATE TABLE floor_case (LIKE targeting_case INCLUDING ALL)")
            conn.commit()
            started = time.perf_counter()
            cursor.adbc_ingest("floor_case", rows, mode="append")
            conn.commit()
            write = time.perf_counter() - started
            cursor.execute("DROP TABLE floor_case")
            conn.commit()
    else:
        raw = connection.cursor().cursor
        started = time.perf_counter()
        for sql, params in queries:
            raw.execute(sql.replace("%s", "?"), params)
            raw.fetchall()
        read = time.perf_counter() - started
        rows_sql = raw.execute(f"SELECT * FROM targeting_case ORDER BY id LIMIT {int(cases)}")
        data = rows_sql.fetchall()
        schema = raw.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'targeting_case'"
        ).fetchone()[0]
        raw.execute(schema.replace('"targeting_case"', '"floor_case"', 1))
        marks = ", ".join("?" for _ in data[0]) if data else ""
        started = time.perf_counter()
        if data:
            raw.execute("BEGIN")
            raw.executemany(f'INSERT INTO "floor_case" VALUES ({marks})', data)
            raw.execute("COMMIT")
        write = time.perf_counter() - started
        raw.execute('DROP TABLE "floor_case"')
    return {"floor_read": round(read, 2), "floor_write": round(write, 2),
            "floor_seconds": round(read + write, 2)}  # fmt: skip


def _inline(sql: str, params: list[Any]) -> str:
    """Parameters inlined as literals (ADBC's PostgreSQL driver binds $n, not %s)."""
    for value in params:
        literal = str(value) if isinstance(value, int) else "'" + str(value) + "'"
        sql = sql.replace("%s", literal, 1)
    return sql


def kernel_alone() -> dict[str, float]:
    """The rule kernels over every household at once, in memory: households per second."""
    import polars as pl

    from fupin.core import bulk
    from fupin.policy.services import policy_snapshot
    from fupin.targeting import annual, kernels

    sql, params = _floor_queries()[0]
    facts = bulk.read_frame_bulk(sql, params, annual.FACTS_SCHEMA)
    snapshot = policy_snapshot(year=YEAR, province="")
    policy, scope, _ = annual.rule_policy(snapshot, year=YEAR, province="")
    facts = facts.with_columns(
        relocated=pl.lit(None, pl.Boolean),
        **{rule.column: pl.lit(False) for rule in policy.exclusions},
    )
    started = time.perf_counter()
    evaluated = kernels.household_eligibility(
        facts, kernels.NO_MEMBERS, year=YEAR, policy=policy,
        carry=("household_id", "status", "net_income_per_capita"),
    ).with_columns(
        stably_above=pl.col("income_above_exit_line"), registered_this_year=pl.lit(False),
        monitored=pl.lit(False),
    )  # fmt: skip
    called = kernels.cases_called_for(evaluated, scope=scope)
    seconds = time.perf_counter() - started
    return {
        "kernel_households": facts.height,
        "kernel_seconds": round(seconds, 2),
        "kernel_households_per_second": round(facts.height / seconds),
        "kernel_called": called.height,
    }


def stats_reads() -> dict[str, float]:
    """Median milliseconds of `region_stats` at each level (nation to village)."""
    from fupin.registry.models import Household
    from fupin.stats.queries import region_stats

    village = Household.objects.values_list("village_id", flat=True).first() or ""
    timings: dict[str, float] = {}
    for name, code in (("nation", ""), ("province", village[:2]), ("county", village[:6]),
                       ("village", village)):  # fmt: skip
        runs = []
        for _ in range(50):
            started = time.perf_counter()
            region_stats(region=code, year=YEAR)
            runs.append(time.perf_counter() - started)
        timings[f"stats_ms_{name}"] = round(statistics.median(runs) * 1000, 2)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--households", type=int)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    households = args.households or (10_000_000 if args.postgres else 1_000_000)
    with throwaway_database(args.postgres):
        _setup()
        figures: dict[str, Any] = synthesise(households)
        from django.db import connection

        connection.close()
        done = subprocess.run([sys.executable, "-m", "bench.bench_annual", "--child"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        figures.update(json.loads(done.stdout.strip().splitlines()[-1]))
        figures.update(floor(sum(figures["opened"].values())))
        figures["ratio"] = round(figures["run_seconds"] / figures["floor_seconds"], 2)
        figures.update(kernel_alone())
        figures.update(stats_reads())
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
