"""The yearly report as an Excel workbook: one sheet per section with Chinese headers, the
numbers as numbers (so an office can sum and chart them again), and Excel's own charts of
the poor over the years and the support by measure type."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from fupin.stats.reports.data import FUND_FIGURES, RATES, ReportData, cause_label

PERCENT = "0.00%"
MONEY = "#,##0.00"


def report_workbook(data: ReportData) -> bytes:
    """The report as XLSX bytes."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "概况"
    sheet.append([data.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["生成日期", data.made_on.isoformat()])
    sheet.append(["区划代码", data.region or "全国"])
    sheet.append(["得到帮扶的农户（户）", data.support_households])
    sheet.append(["措施缺口（户）", data.coverage_gaps])
    _population(book, data)
    _support(book, data)
    _funds(book, data)
    _checks(book, data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, header: Sequence[str]) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index in range(len(header)):
        sheet.column_dimensions[chr(ord("A") + index)].width = 14
    sheet.freeze_panes = "A2"
    return sheet


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _population(book: Workbook, data: ReportData) -> None:
    sheet = _sheet(book, "人口与贫困", ["年度", "总户数", "总人口", "贫困户数", "贫困人口",
                                        "贫困发生率", "当年脱贫人口", "当年返贫人口",
                                        "当年新识别人口"])  # fmt: skip
    for row in data.series:
        sheet.append([row["year"], row["households"], row["persons"], row["poor_households"],
                      row["poor_persons"], _plain(row["incidence"]), row["exited_persons"],
                      row["returned_persons"], row["new_persons"]])  # fmt: skip
        sheet.cell(row=sheet.max_row, column=6).number_format = PERCENT
    if data.series:
        chart = BarChart()
        chart.title, chart.y_axis.title = "贫困人口与当年脱贫", "人"
        last = len(data.series) + 1
        chart.add_data(Reference(sheet, min_col=5, min_row=1, max_row=last), titles_from_data=True)
        chart.add_data(Reference(sheet, min_col=7, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        chart.width, chart.height = 18, 9
        sheet.add_chart(chart, "K2")
    causes = _sheet(book, "致贫原因", ["主要致贫原因", "贫困人口"])
    for cause, count in data.causes:
        causes.append([cause_label(cause), count])


def _support(book: Workbook, data: ReportData) -> None:
    sheet = _sheet(book, "帮扶措施", ["措施类型", "户数", "措施数", "金额（元）"])
    for row in data.support:
        sheet.append([row["label"], row["households"], row["measures"], _plain(row["value"])])
        sheet.cell(row=sheet.max_row, column=4).number_format = MONEY
    if data.support:
        chart = BarChart()
        chart.type, chart.title, chart.y_axis.title = "bar", "各类帮扶措施金额", "元"
        last = len(data.support) + 1
        chart.add_data(Reference(sheet, min_col=4, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        chart.width, chart.height = 18, 9
        sheet.add_chart(chart, "F2")


def _funds(book: Workbook, data: ReportData) -> None:
    sheet = _sheet(book, "扶贫资金", ["区域", *[label for _, label in FUND_FIGURES]])
    if data.funds is None:
        return
    for name, part in [(data.region_name, data.funds)] + [
        (part["name"], part) for part in data.funds_parts
    ]:
        sheet.append([name, *[_plain(part.get(figure)) for figure, _ in FUND_FIGURES]])
        for column in range(2, len(FUND_FIGURES) + 2):
            sheet.cell(row=sheet.max_row, column=column).number_format = MONEY


def _checks(book: Workbook, data: ReportData) -> None:
    header = ["县", "区划代码", "状态"]
    for _, label in RATES:
        header += [label, f"{label}下限", f"{label}上限"]
    sheet = _sheet(book, "评估检查", header)
    for check in data.checks:
        row: list[Any] = [check["name"], check["county"], check["status"]]
        for name, _ in RATES:
            estimate = check.get(name) or {}
            row += [estimate.get("value"), estimate.get("low"), estimate.get("high")]
        sheet.append(row)
        for column in range(4, len(header) + 1):
            sheet.cell(row=sheet.max_row, column=column).number_format = PERCENT
