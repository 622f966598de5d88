"""The yearly report as PDF (A4, Chinese in STSong-Light so no font file ships): the
population and the poor over the years with a chart, the causes, the support by measure
type with a chart, the funds' reconciliation, and the exit checks' three rates and one
degree with their intervals."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from fupin.stats.reports.data import FUND_FIGURES, RATES, ReportData, cause_label

FONT = "STSong-Light"
WIDTH = A4[0] - 36 * mm
POOR = colors.HexColor("#c0392b")
EXITED = colors.HexColor("#2e86c1")
BAR = colors.HexColor("#5d6d7e")

_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, spaceAfter=6)
_HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=13, leading=18, spaceBefore=10,
                          spaceAfter=4)  # fmt: skip
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14)
_NOTE = ParagraphStyle("note", parent=_BODY, fontSize=8, textColor=colors.HexColor("#555555"))


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def report_pdf(data: ReportData) -> bytes:
    """The report as PDF bytes."""
    _font()
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                 topMargin=16 * mm, bottomMargin=16 * mm, title=data.title,
                                 author="fupin")  # fmt: skip
    story: list[Flowable] = [
        Paragraph(data.title, _TITLE),
        Paragraph(f"生成日期 {data.made_on.isoformat()}；数据来自建档立卡信息系统。", _NOTE),
    ]
    story += _population(data) + _support(data) + _funds(data) + _checks(data)
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _footer(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {document.page} 页")
    canvas.restoreState()


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None) -> Table:
    table = Table([[str(cell) for cell in row] for row in rows], colWidths=widths,
                  repeatRows=1, hAlign="LEFT")  # fmt: skip
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eaeded")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#aab7b8")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))  # fmt: skip
    return table


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (Decimal, float)):
        return f"{value:,.2f}"
    return f"{value:,}"


def _percent(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.2f}%"


def _population(data: ReportData) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("一、人口与贫困人口", _HEADING)]
    if not data.series:
        return [*story, Paragraph("本年度尚无统计汇总（请先运行统计汇总）。", _BODY)]
    rows: list[list[Any]] = [["年度", "总户数", "总人口", "贫困人口", "贫困发生率", "当年脱贫",
                              "当年返贫", "当年新识别"]]  # fmt: skip
    for row in data.series:
        rows.append([row["year"], _number(row["households"]), _number(row["persons"]),
                     _number(row["poor_persons"]), _percent(row["incidence"]),
                     _number(row["exited_persons"]), _number(row["returned_persons"]),
                     _number(row["new_persons"])])  # fmt: skip
    story += [_table(rows), Spacer(1, 4 * mm), _series_chart(data.series)]
    if data.causes:
        total = sum(count for _, count in data.causes) or 1
        causes = [["主要致贫原因", "贫困人口", "占比"]] + [
            [cause_label(cause), _number(count), _percent(count / total)]
            for cause, count in data.causes
        ]
        story += [Paragraph(f"{data.year}年在册贫困人口的主要致贫原因", _BODY), _table(causes)]
    return story


def _series_chart(series: Sequence[dict[str, Any]]) -> Drawing:
    """Poor persons and persons who exited, by year."""
    drawing = Drawing(WIDTH, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 12 * mm, WIDTH - 50 * mm, 44 * mm
    chart.data = [[row["poor_persons"] for row in series],
                  [row["exited_persons"] for row in series]]  # fmt: skip
    chart.categoryAxis.categoryNames = [str(row["year"]) for row in series]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor, chart.bars[1].fillColor = POOR, EXITED
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 32 * mm, 50 * mm
    legend.fontName = FONT
    legend.colorNamePairs = [(POOR, "贫困人口"), (EXITED, "当年脱贫")]
    drawing.add(legend)
    return drawing


def _support(data: ReportData) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("二、帮扶措施", _HEADING)]
    if not data.support:
        story.append(Paragraph(f"{data.year}年尚未登记帮扶措施。", _BODY))
    else:
        rows: list[list[Any]] = [["措施类型", "户数", "措施数", "金额（元）"]]
        rows += [[row["label"], _number(row["households"]), _number(row["measures"]),
                  _number(row["value"])] for row in data.support]  # fmt: skip
        story += [_table(rows), Spacer(1, 3 * mm), _support_chart(data.support)]
        story.append(Paragraph(f"得到帮扶的农户 {data.support_households:,} 户。", _BODY))
    story.append(
        Paragraph(
            f"措施缺口：{data.coverage_gaps:,} 户在册贫困户（含过渡期内的脱贫户）本年度没有"
            "一项针对其主要致贫原因的帮扶措施。",
            _BODY,
        )
    )
    return story


def _support_chart(rows: Sequence[dict[str, Any]]) -> Drawing:
    """Yuan of support by measure type."""
    height = max(30, 8 * len(rows) + 14) * mm / 1.6
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 30 * mm, 6 * mm
    chart.width, chart.height = WIDTH - 45 * mm, height - 12 * mm
    chart.data = [[float(row["value"]) for row in reversed(rows)]]
    chart.categoryAxis.categoryNames = [row["label"] for row in reversed(rows)]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BAR
    drawing.add(chart)
    drawing.add(String(WIDTH - 12 * mm, 1 * mm, "元", fontName=FONT, fontSize=8))
    return drawing


def _funds(data: ReportData) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("三、扶贫资金", _HEADING)]
    if data.funds is None:
        return [*story, Paragraph(f"{data.year}年没有资金记录（或报告区域低于县级）。", _BODY)]
    rows: list[list[Any]] = [["项目", "金额（元）"]]
    rows += [[label, _number(data.funds.get(name))] for name, label in FUND_FIGURES]
    story.append(_table(rows, [60 * mm, 45 * mm]))
    if data.funds_parts:
        head = ["区域", *[label for _, label in FUND_FIGURES[:4]], "逾期滞留", "超支"]
        parts: list[list[Any]] = [head]
        for part in data.funds_parts:
            parts.append([part["name"], *[_number(part.get(name)) for name, _ in FUND_FIGURES[:4]],
                          _number(part.get("idle")), _number(part.get("overspent"))])  # fmt: skip
        story += [Spacer(1, 3 * mm), Paragraph("按下级区域（含本级）", _BODY), _table(parts)]
    return story


def _checks(data: ReportData) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("四、退出专项评估检查（三率一度）", _HEADING)]
    if not data.checks:
        return [*story, Paragraph(f"{data.year}年本区域没有评估检查。", _BODY)]
    rows: list[list[Any]] = [["县", "状态", *[label for _, label in RATES]]]
    for check in data.checks:
        rates = [_estimate(check.get(name)) for name, _ in RATES] if check["completed"] else (
            ["—"] * len(RATES))  # fmt: skip
        rows.append([check["name"], check["status"], *rates])
    story.append(_table(rows))
    story.append(Paragraph("括号内为 95% 置信区间（以抽样村为群的比率估计）。", _NOTE))
    return story


def _estimate(estimate: dict[str, Any] | None) -> str:
    if not estimate or estimate.get("value") is None:
        return "—"
    return (
        f"{_percent(estimate['value'])}（{_percent(estimate['low'])}–{_percent(estimate['high'])}）"
    )
