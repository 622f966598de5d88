"""The demo county's support and its exit (for `fupin demo`): the assistance ledger, funds
and projects, and the national exit check of the county with its exit case.

Everything goes through the services a county office, a department and an evaluation
team use: the ledger through the departments' bulk import, the village's health file
written as an XLSX and read back like an upload, the exit check drawn, its survey
workbook filled by a synthetic team from the register's truth and imported, the check
completed, and its results taken into the county's exit case (贫困县退出) at the third-party
evaluation step, where any failed rate is a veto.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

from fupin.core.audit import Actor

SUPPORT_YEARS = (2016, 2020)
DEMO_LEDGER_FILE = "demo_ledger.xlsx"


@dataclass(frozen=True)
class ExitCheckDemo:
    """What the demo's exit check came to."""

    check_id: int
    results: dict[str, Any]
    case_id: int | None
    case_outcome: str


def demo_ledger(*, county: str, village: str, actor: Actor, department: Actor) -> int:
    """The county's synthetic ledger for the support years (one bulk import), and the demo
    village's health measures of the last year written as the health department's file in
    var/demo_ledger.xlsx and imported by the demo health department, as an upload would
    be. Returns the measures written."""
    from fupin.support.ledger_file import COLUMNS, measures_file_import
    from fupin.synth.measures import synth_measures

    years = list(range(SUPPORT_YEARS[0], SUPPORT_YEARS[1]))
    written = synth_measures(region=county, years=years, seed=int(county), actor=actor)
    path = Path(settings.VAR_DIR) / DEMO_LEDGER_FILE
    rows = _health_file_rows(village, SUPPORT_YEARS[1])
    if rows:
        _write_ledger_file(path, [column.chinese for column in COLUMNS], rows)
        written += measures_file_import(path=path, actor=department)
    return written


def _health_file_rows(village: str, year: int) -> list[list[Any]]:
    """The health department's rows for the village's households kept in support that are
    poor through illness or disability: family doctor contract and reimbursement."""
    from fupin.targeting.transition import households_supported

    households = (
        households_supported(year=year, prefix=village)
        .filter(main_cause__in=["illness", "disability"])
        .order_by("household_no")
        .values_list("household_no", flat=True)
    )
    return [
        [number, year, date(year, 3, 1) + timedelta(days=index % 200), "健康帮扶",
         "家庭医生签约服务，住院和慢病费用报销", "资金", 800 + (index * 37) % 2400,
         "行业部门", "平塘县卫生健康局", "医疗救助资金", ""]
        for index, number in enumerate(households)
    ]  # fmt: skip


def _write_ledger_file(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "帮扶措施"
    sheet.append(["平塘县卫生健康局 帮扶措施登记表"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)


def demo_funds(*, county: str, actor: Actor) -> list[str]:
    """The county's synthetic funds and projects, relocation and microcredit over the
    support years; what each wrote."""
    from fupin.synth.credit import synth_credit
    from fupin.synth.funds import synth_funds
    from fupin.synth.relocation import synth_relocation

    seed = int(county)
    return [
        str(synth_funds(region=county, years=SUPPORT_YEARS, seed=seed, actor=actor)),
        str(synth_relocation(region=county, years=SUPPORT_YEARS, seed=seed, actor=actor)),
        str(synth_credit(region=county, years=SUPPORT_YEARS, seed=seed, actor=actor)),
    ]


def exit_year(county: str, years: range = range(2016, 2021)) -> int:
    """The first of `years` whose poverty incidence in the county (from the rollups) is below
    the county exit bar of the policy tables; the last year if none is."""
    from fupin.policy.models import Parameter
    from fupin.policy.queries import policy_value
    from fupin.stats.queries import RollupMissing, region_stats

    for year in years:
        try:
            incidence = region_stats(region=county, year=year)["incidence"]
        except RollupMissing:
            continue
        bar = policy_value(Parameter.COUNTY_EXIT_INCIDENCE, year=year, province=county[:2]).value
        if incidence is not None and incidence < bar:
            return year
    return years[-1]


def demo_exit_check(*, county: str, posts: dict[str, Actor]) -> ExitCheckDemo:
    """The county's exit case walked to the national evaluation in its exit year, the exit
    check drawn, filled from the register, imported and completed, and its results taken
    into the case (`posts`: the demo users by role name)."""
    from fupin.monitoring.verification.queries import exit_check_evidence
    from fupin.monitoring.verification.services import (
        exit_check_complete,
        exit_check_draw,
        exit_check_send,
        findings_import,
    )
    from fupin.synth.survey import survey_fill
    from fupin.targeting.services import case_step_take

    _designated(county)
    year = exit_year(county)
    case = _county_case_to_evaluation(county=county, year=year, posts=posts)
    evaluator = posts["evaluator"]
    check = exit_check_draw(county_code=county, year=year, actor=evaluator, seed=int(county))
    check = exit_check_send(exit_check=check, actor=evaluator)
    path = Path(settings.VAR_DIR) / f"demo_exit_check_{county}_{year}.xlsx"
    survey_fill(exit_check=check, path=path, seed=int(county))
    findings_import(exit_check=check, path=path, actor=evaluator, file_name=path.name)
    check = exit_check_complete(exit_check=check, actor=evaluator)
    evidence = exit_check_evidence(exit_check=check).evidence
    on = date(year + 1, 2, 20)
    case = case_step_take(case=case, step="third_party_evaluation", on=on, actor=evaluator,
                          evidence=evidence, note="国家专项评估检查，抽样入户核查")  # fmt: skip
    if case.outcome == "open":
        approval = {"approval_document": f"黔府函〔{year + 1}〕12号"}
        case = case_step_take(case=case, step="province_approval", on=on + timedelta(days=30),
                              actor=posts["province"], evidence=approval)  # fmt: skip
    assert check.results is not None
    return ExitCheckDemo(check.pk, check.results, case.pk, case.outcome)


def _designated(county: str) -> None:
    """平塘县 was a national key county for poverty alleviation (国家扶贫开发工作重点县);
    a synthetic demo county is put on the poor county list if it is not on it yet."""
    from fupin.regions.models import PoorAreaDesignation
    from fupin.regions.services import poor_area_designate

    if not PoorAreaDesignation.objects.filter(region_id=county, kind="county").exists():
        poor_area_designate(region_code=county, kind="county", designated_year=2014,
                            actor=Actor(None, "demo"), note="国家扶贫开发工作重点县")  # fmt: skip


def _county_case_to_evaluation(*, county: str, year: int, posts: dict[str, Actor]) -> Any:
    """Open the county's exit case for `year` and take its steps up to the evaluation: the
    county applies with the register's incidence, the prefecture reviews, the province
    verifies every exit indicator it has set, publishes and reports."""
    from fupin.policy.queries import exit_indicators
    from fupin.stats.queries import region_stats
    from fupin.targeting.services import case_open, case_step_take

    incidence = region_stats(region=county, year=year)["incidence"]
    # The province's own county indicators where it set any; else what every county exit
    # verifies (incidence below the bar, two no-worries and three guarantees met).
    set_by_policy = exit_indicators(level="county", year=year, province=county[:2])
    indicators = {row.code: True for row in set_by_policy} or {
        "incidence": True, "guarantees": True,
    }  # fmt: skip
    on = date(year, 11, 1)
    case = case_open(kind="county_exit", year=year, on=on, actor=posts["county"],
                     trigger="application", region_code=county)  # fmt: skip
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("county_application", "county",
         {"application": f"平塘县关于{year}年贫困县退出的申请", "incidence": str(incidence)}),
        ("prefecture_review", "prefecture", {"review_opinion": "经初审，达到退出条件"}),
        ("province_verification", "province",
         {"report": f"{year}年贫困县退出省级核查报告", "indicators": indicators}),
        ("notice", "province", {"notice_place": "省人民政府网站、省主要媒体"}),
        ("province_report", "province",
         {"approval_document": f"黔扶领〔{year + 1}〕3号"}),
    ]  # fmt: skip
    for step, post, evidence in steps:
        case = case_step_take(case=case, step=step, on=on, actor=posts[post], evidence=evidence)
        on = (case.notice_ends or on) + timedelta(days=1)
    return case
