"""A region's yearly report (年度报告) as PDF and as an Excel workbook, with charts: the
population and the poor, the support, the funds, the exits and the exit checks."""

from __future__ import annotations

from datetime import date

from fupin.core.access import UserLike
from fupin.stats.reports.data import ReportData, report_data
from fupin.stats.reports.pdf import report_pdf
from fupin.stats.reports.workbook import report_workbook

__all__ = ["ReportData", "report_data", "report_file", "report_pdf", "report_workbook"]


def report_file(
    *, user: UserLike, region: str, year: int, format: str, on: date | None = None
) -> tuple[str, bytes]:
    """The report's file name and bytes, as PDF (`format` pdf) or XLSX (xlsx)."""
    data = report_data(user=user, region=region, year=year, on=on)
    name = f"report-{region or 'nation'}-{year}.{format}"
    content = report_pdf(data) if format == "pdf" else report_workbook(data)
    return name, content
