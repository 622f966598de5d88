"""What a region's yearly report (年度报告) says, gathered once for the PDF and the workbook.

Each section reads through the same queries as the pages, for the user the report is made
for: the population and the poor from the rollups (aggregates, no person), the support
from the ledger through `restrict`, the funds from their reconciliation, the exit checks
the user may see. A section with nothing recorded says so instead of printing zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone, translation

from fupin.core.access import UserLike, restrict
from fupin.monitoring.models import ExitCheck
from fupin.monitoring.verification.choices import CheckStatus
from fupin.regions.models import Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.choices import Cause
from fupin.stats.queries import region_series, region_stats
from fupin.support.choices import MeasureType
from fupin.support.funds.queries import funds_reconcile
from fupin.support.models import Measure
from fupin.support.queries import coverage_gaps

# The campaign's years (2013 registration to 2020 completion) and the transition after.
FIRST_YEAR = 2013
CENT = Decimal("0.01")
# The funds' figures a report prints, in order, with their Chinese names.
FUND_FIGURES = (
    ("received", "上级下达"),
    ("integrated", "统筹整合"),
    ("available", "可用资金"),
    ("disbursed", "已支出"),
    ("to_projects", "其中：到项目"),
    ("to_households", "其中：到户"),
    ("households_paid", "直接受益户数"),
    ("undisbursed", "未支出"),
    ("idle", "逾期滞留"),
    ("overspent", "超支"),
)
RATES = (
    ("wrong_exit_rate", "错退率"),
    ("omission_rate", "漏评率"),
    ("recognition", "群众认可度"),
    ("incidence", "综合贫困发生率"),
)


@dataclass
class ReportData:
    """Everything one report prints, as plain values."""

    region: str
    region_name: str
    year: int
    made_on: date
    series: list[dict[str, Any]] = field(default_factory=list)
    causes: list[tuple[str, int]] = field(default_factory=list)
    support: list[dict[str, Any]] = field(default_factory=list)
    support_households: int = 0
    coverage_gaps: int = 0
    funds: dict[str, Any] | None = None
    funds_parts: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.region_name}{self.year}年脱贫攻坚工作报告"

    @property
    def this_year(self) -> dict[str, Any] | None:
        return next((row for row in self.series if row["year"] == self.year), None)


def report_data(*, user: UserLike, region: str, year: int, on: date | None = None) -> ReportData:
    """The report of `region` ('' the nation) for `year`, as `user` may read it."""
    data = ReportData(region=region, region_name=_name(region), year=year,
                      made_on=on or timezone.localdate())  # fmt: skip
    _population(data)
    _support(data, user)
    _funds(data, user)
    _checks(data, user)
    return data


def _name(region: str) -> str:
    if not region:
        return "全国"
    return Region.objects.filter(code=region).values_list("name", flat=True).first() or region


def _population(data: ReportData) -> None:
    """The yearly series up to the report's year, and this year's poor by main cause."""
    for item in region_series(region=data.region, years=range(FIRST_YEAR, data.year + 1)):
        measures = item["measures"]
        data.series.append({
            "year": item["year"], "households": measures["households"],
            "persons": measures["persons"], "poor_households": measures["registered_households"],
            "poor_persons": measures["registered_persons"],
            "exited_persons": measures["exited_persons"],
            "returned_persons": measures["returned_persons"],
            "new_persons": measures["new_persons"], "incidence": item["incidence"],
        })  # fmt: skip
    if data.this_year is None:
        return
    causes = region_stats(region=data.region, year=data.year)["breakdowns"].get(
        "registered_persons_by_cause", {}
    )
    data.causes = sorted(causes.items(), key=lambda pair: (-pair[1], pair[0]))


def _support(data: ReportData, user: UserLike) -> None:
    measures = restrict(Measure.objects.filter(year=data.year), user, "view").filter(
        code_prefix_q(data.region, "household__village_id")
    )
    rows = (
        measures.order_by()
        .values("measure_type")
        .annotate(households=Count("household_id", distinct=True), measures=Count("id"),
                  value=Sum("value"))
        .order_by("-value", "measure_type")
    )  # fmt: skip
    with translation.override("zh-hans"):
        labels = {value: str(label) for value, label in MeasureType.choices}
    data.support = [
        {**row, "label": labels.get(row["measure_type"], row["measure_type"]),
         "value": Decimal(row["value"] or 0).quantize(CENT)}
        for row in rows
    ]  # fmt: skip
    data.support_households = measures.values("household_id").distinct().count()
    data.coverage_gaps = coverage_gaps(user=user, prefix=data.region, year=data.year).total


def _funds(data: ReportData, user: UserLike) -> None:
    if len(data.region) > 6:
        return  # funds are reconciled down to the county
    try:
        reconciled = funds_reconcile(user=user, region=data.region, year=data.year, on=data.made_on)
    except Http404:
        return  # the reader's posts do not read the region's funds (village posts)
    if not any(reconciled.total.get(name) for name, _ in FUND_FIGURES):
        return
    data.funds = reconciled.total
    names = dict(
        Region.objects.filter(code__in=[p["code"] for p in reconciled.parts]).values_list(
            "code", "name"
        )
    )
    data.funds_parts = [
        {**part, "name": names.get(part["code"], part["code"] or "本级")}
        for part in reconciled.parts
    ]


def cause_label(cause: str) -> str:
    """The Chinese name of a cause of poverty (未填写 when the household has none)."""
    with translation.override("zh-hans"):
        return str(dict(Cause.choices).get(cause, "未填写"))


def _checks(data: ReportData, user: UserLike) -> None:
    checks = restrict(
        ExitCheck.objects.filter(year=data.year).filter(code_prefix_q(data.region, "county_id")),
        user, "view",
    ).select_related("county").order_by("county_id")  # fmt: skip
    for check in checks:
        row: dict[str, Any] = {
            "county": check.county_id, "name": check.county.name,
            "status": check.get_status_display(), "completed": False,
        }  # fmt: skip
        if check.status == CheckStatus.COMPLETED and check.results:
            row["completed"] = True
            for name, _label in RATES:
                row[name] = check.results[name]
            row["households"] = check.results.get("households_surveyed", 0)
        data.checks.append(row)
