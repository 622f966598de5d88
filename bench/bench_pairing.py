"""Automatic pairing (自动结对): 1,000,000 unpaired households to 150,000 cadres.

Synthesises the households of Guizhou (52) with `fupin.synth` (one year, facts only) and
puts every one on the register, unpaired; writes 150,000 cadres (15 per 100 households,
`synth.cadres`) placed like the households, at home in a village, a township or a county,
of every unit level (the caps are the seeded 8/7/6/5/4). None of that is timed. Then it
times:

- `proposal_make` for the busiest county (then discarded), as a county office would;
- `proposal_make` for the province end to end, with its steps (read, solve, write);
- the kernel alone on the same frames (best of three);
- `proposal_apply` of that proposal (one INSERT ... SELECT of every row that holds).

    .venv/bin/python -m bench.bench_pairing --postgres [--households 1000000]
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import main

REGION = "52"
YEAR = 2016
ON = date(2016, 11, 1)
CADRES_PER_HOUSEHOLD = 0.15


def setup(households: int) -> dict[str, Any]:
    """Divisions, the synthetic households (all registered, unpaired) and the cadres."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from fupin.core import bulk
    from fupin.core.audit import Actor
    from fupin.regions.services import SHIPPED_EDITION, regions_load
    from fupin.synth.cadres import synth_cadres
    from fupin.synth.services import synth_generate

    call_command("migrate", verbosity=0)
    actor = Actor(None, "bench")
    regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    started = time.perf_counter()
    synth_generate(region=REGION, households=households, years=(YEAR, YEAR), seed=1,
                   actor=actor, transitions=False)  # fmt: skip
    with transaction.atomic():
        bulk.execute("UPDATE registry_household SET status = 'registered'")
        synth_cadres(region=REGION, per_household=CADRES_PER_HOUSEHOLD, seed=2)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    by_home = bulk.read_frame(
        "SELECT length(region_code), COUNT(*) FROM pairing_cadre GROUP BY 1 ORDER BY 1"
    ).rows()
    return {
        "households": households,
        "cadres": sum(count for _, count in by_home),
        "cadres_by_home": {str(length): count for length, count in by_home},
        "setup_seconds": round(time.perf_counter() - started, 1),
    }


def kernel_alone() -> dict[str, Any]:
    """The kernel on the frames `proposal_make` reads, best of three."""
    from fupin.pairing import assign
    from fupin.pairing.proposals import cadres_with_room, unpaired_frame

    households = unpaired_frame(REGION)
    cadres = cadres_with_room(REGION, year=YEAR)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        rows = assign.assign(households, cadres)
        runs.append(time.perf_counter() - started)
    network = assign._network(households, cadres)  # its size, for the record
    arcs = sum(frame.height for frame in (network.direct, network.to_township,
               network.from_township, network.to_county, network.from_county))  # fmt: skip
    return {
        "kernel_seconds": round(min(runs), 2),
        "kernel_matched": rows.height,
        "network": {"villages": network.villages.height, "pools": network.pools.height,
                    "nodes": network.sink + 1, "arcs": arcs + network.pools.height},
    }  # fmt: skip


def county_proposal(actor: Any) -> dict[str, Any]:
    """A county office's proposal for the county with the most households, discarded."""
    from fupin.core import bulk
    from fupin.pairing.proposals import proposal_discard, proposal_make

    county = bulk.read_frame(
        "SELECT substr(village_code, 1, 6) AS county, COUNT(*) AS households "
        "FROM registry_household GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    ).row(0)
    started = time.perf_counter()
    proposal = proposal_make(region_code=county[0], starts_on=ON, actor=actor)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    proposal_discard(proposal=proposal, actor=actor)
    return {
        "county": {"code": county[0], "households": county[1],
                   "matched": proposal.households_matched, "propose_seconds": round(seconds, 2),
                   "discard_seconds": round(time.perf_counter() - started, 2)},
    }  # fmt: skip


def run(households: int, scratch: Path) -> dict[str, Any]:
    """Set up, then time the proposal, the kernel and the apply; return the figures."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()
    from django.db import connection

    from fupin.core.audit import Actor
    from fupin.core.timing import Steps, peak_mib
    from fupin.pairing.proposals import proposal_apply, proposal_make

    figures: dict[str, Any] = {"database": connection.vendor, **setup(households)}
    actor = Actor(None, "bench")
    figures.update(county_proposal(actor))
    steps = Steps("bench pairing propose")
    started = time.perf_counter()
    proposal = proposal_make(region_code=REGION, starts_on=ON, actor=actor, steps=steps)
    figures["propose_seconds"] = round(time.perf_counter() - started, 2)
    figures["propose_steps"] = dict(steps.seconds)
    summary = dict(proposal.summary)
    figures["summary"] = {**summary, "counties": len(summary["counties"])}
    figures.update(kernel_alone())
    steps = Steps("bench pairing apply")
    started = time.perf_counter()
    applied = proposal_apply(proposal=proposal, actor=actor, steps=steps)
    figures["apply_seconds"] = round(time.perf_counter() - started, 2)
    figures["apply_steps"] = dict(steps.seconds)
    figures["applied"] = {"opened": applied.opened, "skipped_paired": applied.skipped_paired,
                          "skipped_cap": applied.skipped_cap}  # fmt: skip
    figures["peak_mib"] = peak_mib()
    return figures


if __name__ == "__main__":
    main(__doc__ or "", run, households=1_000_000)
