"""Support, funds and the exit check at the scale of a province (issue 6).

Synthesises the households of Guizhou (52) over 2014-2016 with their register transitions
(`fupin.synth`, not timed), then times:

- the synthetic ledger of 2016 through the ledger's bulk import (`measures_import`:
  checked whole with Polars, one COPY, one audit event);
- a department's XLSX file of 50,000 rows read and recorded (`measures_file_import`);
- the coverage gaps of the province and of its busiest county (`coverage_gaps`);
- the funds of 2016 written (`synth_funds`, not timed) and reconciled for the nation and
  the province (`funds_reconcile`);
- the exit check of the busiest county: the draw, the survey workbook filled and
  imported, the results with their intervals;
- the yearly report of the province as PDF and XLSX (`report_file`).

    .venv/bin/python -m bench.bench_support --postgres [--households 300000]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.common import main

REGION = "52"
YEAR = 2016
FILE_ROWS = 50_000


def _timed(call: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = call()
    return value, round(time.perf_counter() - started, 2)


def setup(households: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from fupin.core.audit import Actor
    from fupin.regions.services import SHIPPED_EDITION, regions_load
    from fupin.stats.services import rollups_refresh
    from fupin.synth.services import synth_generate

    call_command("migrate", verbosity=0)
    actor = Actor(None, "bench")
    regions_load(source=None, only=None, edition=SHIPPED_EDITION, actor=actor)
    started = time.perf_counter()
    synth_generate(region=REGION, households=households, years=(2014, YEAR), seed=1,
                   actor=actor, transitions=True)  # fmt: skip
    for year in (2014, 2015, YEAR):
        rollups_refresh(year=year, prefix="")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"households": households, "setup_seconds": round(time.perf_counter() - started, 1)}


def _busiest_county() -> str:
    from fupin.core import bulk

    rows = bulk.read_frame(
        "SELECT substr(village_code, 1, 6) AS county, COUNT(*) AS n FROM registry_household "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    ).rows()
    return str(rows[0][0])


def _user(prefix: str, role: str) -> Any:
    from django.contrib.auth import get_user_model

    from fupin.core.access import grant_add
    from fupin.core.audit import Actor

    user = get_user_model().objects.create_user(username=f"bench-{role}-{prefix or 'nation'}")
    grant_add(user=user, role=role, region_prefix=prefix, actor=Actor(None, "bench"))
    return user


def ledger(scratch: Path) -> dict[str, Any]:
    import polars as pl
    from openpyxl import Workbook

    from fupin.core.audit import Actor
    from fupin.support.ledger_file import COLUMNS, measures_file_import
    from fupin.support.models import Measure
    from fupin.support.queries import coverage_gaps
    from fupin.synth.measures import synth_measures

    actor = Actor(None, "bench")
    written, seconds = _timed(lambda: synth_measures(region=REGION, years=[YEAR], seed=3,
                                                     actor=actor))  # fmt: skip
    figures: dict[str, Any] = {"synthetic_ledger": {"measures": written, "seconds": seconds}}
    # A department's file: 50,000 rows of the ledger's households, Chinese headers.
    first = Measure.objects.order_by("pk").values_list("household__household_no", "value")
    sample = pl.DataFrame(
        list(first[:FILE_ROWS]),
        schema={"household_no": pl.String, "value": pl.Decimal(12, 2)}, orient="row",
    )  # fmt: skip
    book = Workbook(write_only=True)
    sheet = book.create_sheet("帮扶措施")
    sheet.append([column.chinese for column in COLUMNS])
    for number, value in sample.iter_rows():
        sheet.append([number, YEAR, f"{YEAR}-06-01", "健康帮扶", "慢病签约服务", "资金",
                      float(value), "行业部门", "贵州省卫生健康委员会", "", ""])  # fmt: skip
    path = scratch / "department.xlsx"
    book.save(path)
    count, seconds = _timed(lambda: measures_file_import(path=path, actor=actor))
    figures["department_file"] = {"rows": count, "bytes": path.stat().st_size, "seconds": seconds}
    province = _user(REGION, "province")
    county_code = _busiest_county()
    county = _user(county_code, "county")
    for name, user, prefix in (("province", province, REGION), ("county", county, county_code)):
        found, seconds = _timed(lambda u=user, p=prefix: coverage_gaps(user=u, prefix=p, year=YEAR))
        figures[f"gaps_{name}"] = {"gaps": found.total, "villages": len(found.by_village),
                                   "seconds": seconds}  # fmt: skip
    return figures


def funds() -> dict[str, Any]:
    from fupin.core.audit import Actor
    from fupin.support.funds.queries import funds_reconcile
    from fupin.support.readers import OPERATOR
    from fupin.synth.funds import synth_funds

    written, seconds = _timed(lambda: synth_funds(region=REGION, years=(YEAR, YEAR), seed=4,
                                                  actor=Actor(None, "bench")))  # fmt: skip
    figures: dict[str, Any] = {"synth_funds": {"written": str(written), "seconds": seconds}}
    for name, region in (("nation", ""), ("province", REGION)):
        reconciled, seconds = _timed(lambda r=region: funds_reconcile(user=OPERATOR, region=r,
                                                                       year=YEAR))  # fmt: skip
        figures[f"reconcile_{name}"] = {"parts": len(reconciled.parts), "seconds": seconds}
    return figures


def exit_check(scratch: Path) -> dict[str, Any]:
    from fupin.core.audit import Actor
    from fupin.monitoring.verification.queries import exit_check_results
    from fupin.monitoring.verification.services import exit_check_draw, findings_import
    from fupin.synth.survey import survey_fill

    actor = Actor(None, "bench")
    county = _busiest_county()
    check, draw = _timed(lambda: exit_check_draw(county_code=county, year=YEAR, actor=actor,
                                                 seed=5))  # fmt: skip
    path = scratch / "survey.xlsx"
    _, fill = _timed(lambda: survey_fill(exit_check=check, path=path, seed=6))
    imported, seconds = _timed(lambda: findings_import(exit_check=check, path=path, actor=actor))
    results, rates = _timed(lambda: exit_check_results(exit_check=check))
    return {
        "county": county, "households_sampled": results.households_sampled,
        "draw_seconds": draw, "fill_seconds": fill,
        "import": {"households": imported, "seconds": seconds}, "results_seconds": rates,
    }  # fmt: skip


def report() -> dict[str, Any]:
    from fupin.stats.reports import report_file

    user = _user(REGION, "inspector")
    figures = {}
    for form in ("pdf", "xlsx"):
        (_, content), seconds = _timed(
            lambda f=form: report_file(user=user, region=REGION, year=YEAR, format=f)
        )
        figures[form] = {"bytes": len(content), "seconds": seconds}
    return figures


def run(households: int, scratch: Path) -> dict[str, Any]:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()
    figures = {"setup": setup(households)}
    figures["ledger"] = ledger(scratch)
    figures["funds"] = funds()
    figures["exit_check"] = exit_check(scratch)
    figures["report"] = report()
    return figures


if __name__ == "__main__":
    main(__doc__ or "", run, households=300_000)
