"""`make bench`: every benchmark on SQLite and on a throwaway PostgreSQL cluster.

Each case runs in its own process (Django reads its settings once) and prints JSON; this
collects them into bench/out/results.json and prints a Markdown table for
docs/benchmarks.md. Benchmarks are never part of `make test`.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CASES = [
    ("regions", "bench.bench_regions", []),
    ("import", "bench.bench_import", []),
    ("synth", "bench.bench_synth", []),
    ("stats", "bench.bench_stats", []),
    ("annual", "bench.bench_annual", []),
    ("web", "bench.bench_web", []),
    ("pairing", "bench.bench_pairing", []),
    ("cards", "bench.bench_cards", []),
    ("support", "bench.bench_support", []),
]
OUT = Path(__file__).resolve().parent / "out"


def machine() -> str:
    """CPU, cores and memory of this machine, for the record."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kb = 0
    import os

    return f"{cpu}, {os.cpu_count()} cores, {memory_kb / 2**20:.0f} GiB, {platform.platform()}"


def run_case(module: str, args: list[str], postgres: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", module, *args, *(["--postgres"] if postgres else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout[done.stdout.index("{") :])


def main() -> None:
    OUT.mkdir(exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "when": datetime.now(UTC).isoformat()}
    for name, module, args in CASES:
        for database, postgres in (("sqlite", False), ("postgresql", True)):
            print(f"running {name} on {database} ...", flush=True)
            results[f"{name}/{database}"] = run_case(module, args, postgres)
            print(json.dumps(results[f"{name}/{database}"], ensure_ascii=False), flush=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nmachine: {results['machine']}\nresults: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
