"""The printed survey of an exit check (入户调查表, PDF): a compact table per village that
the evaluation team fills by hand at the door, one row per sampled household.

Pure Python, no database, drawn as `pairing.card_pdf` draws the contact card: straight
on the canvas in fixed boxes, every text fitted to its box by `fit_text`, in reportlab's
built-in CID font STSong-Light so that no font file ships. Each village starts a page
(A4 landscape); a village longer than a page continues on the next with the header
repeated. Cells that do not apply to a household's stratum are struck with a dash.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from itertools import groupby

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from fupin.monitoring.verification.workbook import SurveyHeader, SurveyRow
from fupin.pairing.card_pdf import FONT, LEADING, fit_text

PAGE = landscape(A4)
MARGIN = 10 * mm
WIDTH = PAGE[0] - 2 * MARGIN
TITLE = "贫困县退出专项评估检查 入户调查表"
HEADER_HEIGHT = 30.0
ROW_HEIGHT = 17.0
TOP = 62.0  # below the title and the village line
FOOT = MARGIN + 30  # room for the note and the signature line
NOT_APPLICABLE = "—"
# (heading, share of the width); the entered cells follow the workbook's columns.
TABLE = (
    ("序号", 0.035), ("核查户编号", 0.065), ("户编号", 0.11), ("户主", 0.06), ("抽样类别", 0.075),
    ("抽样时人口", 0.045), ("核实人口", 0.045), ("人均纯收入（元）", 0.075), ("不愁吃", 0.04),
    ("不愁穿", 0.04), ("义务教育", 0.045), ("基本医疗", 0.045), ("住房安全", 0.045),
    ("饮水安全", 0.045), ("是否错退", 0.045), ("是否漏评", 0.045), ("是否认可", 0.045),
    ("备注", 0.095),
)  # fmt: skip
NOTE = ("填写说明：两不愁三保障及“是否”各栏填“√”（是）或“×”（否）；“—”表示该户不适用；"
        "未能入户的，在备注栏注明原因。录入系统时以核查户编号为准。")  # fmt: skip


def _text(
    canvas: Canvas, text: str, box: tuple[float, float, float, float], *, size: float,
    align: str = "center",
) -> None:  # fmt: skip
    """Draw a text fitted into box (x, y, width, height), lines centred vertically."""
    x, y, width, height = box
    if not text.strip():
        return
    fitted = fit_text(text, width=width, height=height, size=size)
    line_height = fitted.size * LEADING
    top = y + (height + len(fitted.lines) * line_height) / 2
    canvas.setFont(FONT, fitted.size)
    for number, line in enumerate(fitted.lines):
        baseline = top - (number + 0.5) * line_height - 0.36 * fitted.size
        if align == "center":
            canvas.drawCentredString(x + width / 2, baseline, line)
        else:
            canvas.drawString(x, baseline, line)


def _cells(canvas: Canvas, top: float, height: float, texts: Sequence[str], size: float) -> None:
    x = MARGIN
    y = PAGE[1] - top - height
    for text, (_, share) in zip(texts, TABLE, strict=True):
        width = share * WIDTH
        canvas.rect(x, y, width, height, stroke=1, fill=0)
        _text(canvas, text, (x + 1.5, y + 1, width - 3, height - 2), size=size)
        x += width


def _row_texts(index: int, row: SurveyRow) -> list[str]:
    wrong = "" if row.stratum == "exited" else NOT_APPLICABLE
    omitted = "" if row.stratum == "non_registered" else NOT_APPLICABLE
    return [str(index), str(row.check_household_id), row.household_no, row.head_name,
            row.stratum_label, str(row.persons_drawn), "", "", "", "", "", "", "", "",
            wrong, omitted, "", ""]  # fmt: skip


def _page_head(
    canvas: Canvas, header: SurveyHeader, first: SurveyRow, part: int, parts: int
) -> None:
    _text(canvas, TITLE, (MARGIN, PAGE[1] - MARGIN - 20, WIDTH, 20), size=16)
    continued = f"（续{part}/{parts}）" if parts > 1 else ""
    # Parts joined by a full-width bar: fit_text folds any run of spaces into one.
    village = f"村：{first.village}（{first.village_code}，{first.village_kind}）{continued}"
    line = "｜".join((f"县：{header.county_name}（{header.county_code}）", f"年度：{header.year}",
                     f"核查编号：{header.check_id}", village))  # fmt: skip
    _text(canvas, line, (MARGIN, PAGE[1] - TOP + 4, WIDTH, 14), size=10, align="left")
    _cells(canvas, TOP, HEADER_HEIGHT, [heading for heading, _ in TABLE], size=8)


def _page_foot(canvas: Canvas, page: int, printed_on: date) -> None:
    _text(canvas, NOTE, (MARGIN, MARGIN + 15, WIDTH, 12), size=8, align="left")
    sign = "｜".join(("调查员签字：＿＿＿＿＿＿", "复核人签字：＿＿＿＿＿＿",
                     "调查日期：＿＿＿＿年＿＿月＿＿日", f"打印日期：{printed_on.isoformat()}",
                     f"第{page}页"))  # fmt: skip
    _text(canvas, sign, (MARGIN, MARGIN, WIDTH, 12), size=9, align="left")


def survey_pdf(header: SurveyHeader, rows: Sequence[SurveyRow], *, printed_on: date) -> bytes:
    """The survey table of every sampled village, a village to a page (or more)."""
    if not rows:
        raise ValueError("no sampled households to print")
    per_page = int((PAGE[1] - TOP - HEADER_HEIGHT - FOOT - 6) // ROW_HEIGHT)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, pageCompression=1)
    canvas.setTitle(f"{TITLE} {header.county_name} {header.year}")
    canvas.setLineWidth(0.5)
    page = 0
    for _, grouped in groupby(rows, key=lambda row: row.village_code):
        village = list(grouped)
        parts = (len(village) + per_page - 1) // per_page
        for part in range(parts):
            page += 1
            chunk = village[part * per_page : (part + 1) * per_page]
            _page_head(canvas, header, chunk[0], part + 1, parts)
            for offset, row in enumerate(chunk):
                top = TOP + HEADER_HEIGHT + offset * ROW_HEIGHT
                _cells(canvas, top, ROW_HEIGHT, _row_texts(part * per_page + offset + 1, row), 8)
            _page_foot(canvas, page, printed_on)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()
