"""Printable public notices (公示 / 公告) of households, monitoring objects and regions, as PDF.

Pure Python, no database: the caller gathers the facts, `notice_rows` and
`notice_region_rows` turn them into table rows (masking ID numbers on the way) and
`notice_pdf` renders A4 pages in reportlab's built-in CID font STSong-Light, so no font
file ships. A monitoring notice (防返贫监测) must never show an ID number, phone, bank
account or health data (DOMAIN.md 6), and no notice may print a full ID or phone number;
`notice_pdf` refuses a document that would.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from fupin.core.masking import mask_id_number

FONT = "STSong-Light"

# Stable slug -> the Chinese name of the notice.
NOTICE_KINDS: dict[str, str] = {
    "identification_first": "识别第一次公示",
    "identification_second": "识别第二次公示",
    "identification_announcement": "识别公告",
    "exit_notice": "脱贫公示",
    "exit_announcement": "脱贫公告",
    "return_notice": "返贫公示",
    "removal_notice": "剔除公示",
    "monitoring_notice": "防返贫监测对象公示",
    "risk_elimination_notice": "风险消除公示",
    "village_exit_notice": "贫困村退出公示",
    "county_exit_notice": "贫困县退出公示",
}
MONITORING_KINDS = frozenset({"monitoring_notice", "risk_elimination_notice"})
REGION_KINDS = frozenset({"village_exit_notice", "county_exit_notice"})
# Matched as parts of a key, so that head_id_number or member_health are caught too.
FORBIDDEN_MONITORING_KEYS = frozenset({"id_number", "phone", "bank_account", "health"})

_LEADS: dict[str, str] = {
    "identification_first": (
        "经农户申请、村民代表大会民主评议，拟将以下农户识别为建档立卡贫困户，现予公示。"
    ),
    "identification_second": "经乡镇人民政府审核，拟将以下农户识别为建档立卡贫困户，现予公示。",
    "identification_announcement": "经县级审定，以下农户识别为建档立卡贫困户，现予公告。",
    "exit_notice": (
        "经村两委和驻村工作队核实、农户认可，以下建档立卡贫困户达到脱贫标准，拟退出，现予公示。"
    ),
    "exit_announcement": "经审核审定，以下建档立卡贫困户达到脱贫标准，予以退出，现予公告。",
    "return_notice": "经入户核实、村民代表大会民主评议，以下已脱贫农户拟认定为返贫，现予公示。",
    "removal_notice": "经核查，以下农户不符合建档立卡贫困户识别标准，拟予剔除，现予公示。",
    "monitoring_notice": "经入户核实、村民主评议，拟将以下农户纳入防止返贫监测对象，现予公示。",
    "risk_elimination_notice": (
        "经入户核实、村民主评议，以下监测对象返贫致贫风险已稳定消除，拟标注风险消除，现予公示。"
    ),
    "village_exit_notice": "经评估，以下贫困村达到贫困村退出标准，拟退出，现予公示。",
    "county_exit_notice": "经市级初审、省级核查，以下贫困县达到贫困县退出标准，拟退出，现予公示。",
}


@dataclass(frozen=True)
class NoticeColumn:
    """One column of a notice's table: the row key and the printed Chinese header."""

    key: str
    label: str


_NAME = NoticeColumn("name", "户主姓名")
_SIZE = NoticeColumn("household_size", "家庭人口")
_HOUSEHOLD = (
    _NAME,
    _SIZE,
    NoticeColumn("id_number", "身份证号"),
    NoticeColumn("category", "贫困户属性"),
    NoticeColumn("cause", "主要致贫原因"),
)
# No risk column: the risks (因病, 因残, ...) are health data, which these notices never show.
_MONITORING = (_NAME, _SIZE, NoticeColumn("monitoring_type", "监测对象类别"))
_REGION_TAIL = (NoticeColumn("incidence", "贫困发生率"), NoticeColumn("result", "评定结果"))
_COLUMNS: dict[str, tuple[NoticeColumn, ...]] = {
    **dict.fromkeys(
        ("identification_first", "identification_second", "identification_announcement",
         "exit_notice", "exit_announcement", "return_notice"),
        _HOUSEHOLD,
    ),
    "removal_notice": (*_HOUSEHOLD, NoticeColumn("reason", "剔除原因")),
    **dict.fromkeys(MONITORING_KINDS, _MONITORING),
    "village_exit_notice": (NoticeColumn("region", "村名称"), *_REGION_TAIL),
    "county_exit_notice": (NoticeColumn("region", "县名称"), *_REGION_TAIL),
}  # fmt: skip


def _plain(value: object) -> str:
    return "" if value is None else str(value).strip()


def _masked_id(value: object) -> str:
    return mask_id_number(_plain(value))


# Row key -> the household fact it shows, and how the fact is made printable.
_HOUSEHOLD_FACTS: dict[str, tuple[str, Callable[[object], str]]] = {
    "name": ("head_name", _plain),
    "household_size": ("household_size", _plain),
    "id_number": ("head_id_number", _masked_id),
    "category": ("category_label", _plain),
    "cause": ("cause_label", _plain),
    "reason": ("reason", _plain),
    "monitoring_type": ("monitoring_type_label", _plain),
    "risk": ("risk_label", _plain),
}
# Least column widths in points; the 序号 column is "number". Flexible columns share
# what the others leave of the page width; without one, all columns stretch.
_WIDTHS = {"number": 30, "name": 62, "household_size": 50, "id_number": 92,
           "category": 60, "cause": 70, "reason": 130, "monitoring_type": 90,
           "risk": 110, "region": 180, "incidence": 70, "result": 110}  # fmt: skip
_FLEXIBLE = frozenset({"reason", "risk", "region", "result"})
_DEFAULT_WIDTH = 80
# Eleven or more digits in a row, single spaces or hyphens allowed: a full ID or phone.
_FULL_NUMBER = re.compile(r"\d(?:[\s-]?\d){10,}")


@dataclass(frozen=True)
class NoticeDocument:
    """One public notice (公示 or 公告) ready to print; its rows are already masked."""

    kind: str
    title: str
    issuer: str
    issued_on: date
    columns: tuple[NoticeColumn, ...]
    rows: tuple[dict[str, str], ...]
    body: str
    complaint_contact: str = ""
    period_start: date | None = None
    period_end: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in NOTICE_KINDS:
            raise ValueError(f"unknown notice kind {self.kind!r}")
        if self.period_end and not self.period_start:
            raise ValueError("a notice period with an end needs a start")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("a notice period cannot end before it starts")


def notice_columns(*, kind: str) -> tuple[NoticeColumn, ...]:
    """The table columns of a notice kind, without the 序号 column the renderer adds."""
    try:
        return _COLUMNS[kind]
    except KeyError:
        raise ValueError(f"unknown notice kind {kind!r}") from None


def notice_body(*, kind: str) -> str:
    """The standard opening paragraph of a notice kind; period and contact are added on render."""
    if kind not in _LEADS:
        raise ValueError(f"unknown notice kind {kind!r}")
    return _LEADS[kind]


def notice_rows(
    *, kind: str, households: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, str], ...]:
    """Rows of a household or monitoring notice from household facts, ID numbers masked here."""
    if kind in REGION_KINDS:
        raise ValueError(f"{kind!r} lists regions: use notice_region_rows")
    columns = notice_columns(kind=kind)
    rows = []
    for number, household in enumerate(households, start=1):
        row = {}
        for column in columns:
            fact, printable = _HOUSEHOLD_FACTS[column.key]
            if fact not in household:
                raise ValueError(f"household {number} lacks the fact {fact!r}")
            row[column.key] = printable(household[fact])
        rows.append(row)
    return tuple(rows)


def _percent(value: object) -> str:
    if isinstance(value, (int, float, Decimal)):
        return f"{Decimal(str(value)):.2f}%"
    return _plain(value)


def notice_region_rows(
    *, kind: str, regions: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, str], ...]:
    """Rows of a village or county exit notice; `poverty_incidence` is in percent (1.5 = 1.50%)."""
    if kind not in REGION_KINDS:
        raise ValueError(f"{kind!r} is not a region notice: use notice_rows")
    return tuple(
        {
            "region": _plain(region["region_name"]),
            "incidence": _percent(region["poverty_incidence"]),
            "result": _plain(region["result_label"]),
        }
        for region in regions
    )


def notice_check_privacy(*, document: NoticeDocument) -> None:
    """Raise ValueError if the notice would print data that a public notice must not show."""
    if document.kind in MONITORING_KINDS:
        keys = {column.key for column in document.columns}
        keys.update(key for row in document.rows for key in row)
        forbidden = sorted(
            key for key in keys if any(word in key for word in FORBIDDEN_MONITORING_KEYS)
        )
        if forbidden:
            raise ValueError(
                f"a monitoring notice must not carry {', '.join(forbidden)} (DOMAIN.md 6)"
            )
    for number, row in enumerate(document.rows, start=1):
        for column in document.columns:
            if _FULL_NUMBER.search(row.get(column.key, "")):
                raise ValueError(f"row {number}, {column.label}: an unmasked ID or phone number")


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle("notice-title", fontName=font, fontSize=18, leading=26,
                                alignment=TA_CENTER, spaceAfter=6 * mm, wordWrap="CJK"),
        "body": ParagraphStyle("notice-body", fontName=font, fontSize=12, leading=20,
                               firstLineIndent=24, spaceAfter=5 * mm, wordWrap="CJK"),
        "cell": ParagraphStyle("notice-cell", fontName=font, fontSize=10, leading=13,
                               alignment=TA_CENTER, wordWrap="CJK"),
        "closing": ParagraphStyle("notice-closing", fontName=font, fontSize=12, leading=20,
                                  alignment=TA_RIGHT),
    }  # fmt: skip


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _body_text(document: NoticeDocument) -> str:
    word = "公告" if NOTICE_KINDS[document.kind].endswith("公告") else "公示"
    text = document.body
    start, end = document.period_start, document.period_end
    if start and end:
        text += f"{word}期：{_chinese_date(start)}至{_chinese_date(end)}。"
    elif start:
        text += f"{word}期自{_chinese_date(start)}起。"
    if document.complaint_contact:
        when = f"请于{word}期内" if start else "请"
        text += f"如有异议，{when}向{document.complaint_contact}反映。"
    return text


def _column_widths(keys: list[str], width: float) -> list[float]:
    least = [float(_WIDTHS.get(key, _DEFAULT_WIDTH)) for key in keys]
    fixed = sum(w for key, w in zip(keys, least, strict=True) if key not in _FLEXIBLE)
    flexible = sum(least) - fixed
    if not flexible or fixed >= width:
        return [w * width / sum(least) for w in least]
    stretch = (width - fixed) / flexible
    return [w * stretch if key in _FLEXIBLE else w for key, w in zip(keys, least, strict=True)]


def _table(document: NoticeDocument, width: float) -> Table:
    cell = _styles()["cell"]
    header = ["序号", *(column.label for column in document.columns)]
    data = [[Paragraph(_markup(label), cell) for label in header]]
    for number, row in enumerate(document.rows, start=1):
        data.append(
            [
                Paragraph(str(number), cell),
                *(Paragraph(_markup(row.get(column.key, "")), cell) for column in document.columns),
            ]
        )
    widths = _column_widths(["number", *(column.key for column in document.columns)], width)
    return Table(
        data,
        colWidths=widths,
        repeatRows=1,
        style=[
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ],
    )


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages back until it knows their count, for 第 n 页 共 m 页."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._page_states)
        for number, state in enumerate(self._page_states, start=1):
            self.__dict__.update(state)
            self.setFont(_font(), 9)
            self.drawCentredString(A4[0] / 2, 10 * mm, f"第 {number} 页 共 {total} 页")
            super().showPage()
        super().save()


def notice_pdf(*, document: NoticeDocument) -> bytes:
    """Render a notice as an A4 portrait PDF: title, text, table, issuer, date, page numbers."""
    notice_check_privacy(document=document)
    styles = _styles()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=document.title,
        author=document.issuer,
        subject=NOTICE_KINDS[document.kind],
    )
    story = [
        Paragraph(_markup(document.title), styles["title"]),
        Paragraph(_markup(_body_text(document)), styles["body"]),
        _table(document, template.width),
        KeepTogether(
            [
                Spacer(1, 10 * mm),
                Paragraph(_markup(document.issuer), styles["closing"]),
                Paragraph(_chinese_date(document.issued_on), styles["closing"]),
            ]
        ),
    ]
    template.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
