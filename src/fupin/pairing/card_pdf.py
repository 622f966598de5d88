"""The printable contact card (精准帮扶联系卡) for a poor household's door, as PDF.

Pure Python, no database: the caller gathers what a card says into a `CardPrint` (the ID
number already masked, the QR content and the four rating codes already issued);
`card_pdf` renders one A5 portrait card and `cards_pdf` a village's cards, two per A4
landscape page. Both draw through `_draw_card`, so the two layouts are the same card.

A card is a fixed form, so it is drawn straight on the canvas in fixed boxes rather than
flowed with platypus: that keeps 1,000 cards within seconds, and `fit_text` makes every
text fit its box (shrunk, then wrapped, at last cut with an ellipsis) so that nothing
runs out of it. The QR code is segno's module matrix drawn as filled rectangles: vector,
crisp at any printer's resolution. The font is reportlab's built-in CID font
STSong-Light, as in `fupin.targeting.notices`, so no font file ships.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import groupby
from math import floor

import segno
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
# A fixed-pitch font for the rating codes, so that 0 and O, 1 and I read apart.
CODE_FONT = "Courier-Bold"
CARD_WIDTH, CARD_HEIGHT = A5
SHEET = landscape(A4)  # two A5 cards side by side
MARGIN = 8 * mm
CONTENT_WIDTH = CARD_WIDTH - 2 * MARGIN
# Line height as a multiple of the font size, and the least size a text may shrink to.
LEADING = 1.2
MIN_SIZE = 6.0
MEASURE_ROWS = 5
QR_SIDE = 28 * mm
# The tear-off strip with the rating codes, at the card's foot; the foot line (card number,
# printing date) stays above the cut, on the card.
STRIP_CUT = MARGIN + 46.0
STRIP_NOTE = "户主评价码（卡号{card_no}）：沿虚线剪下，由户主妥善保管，请勿随卡张贴"
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
TITLE = "精准帮扶联系卡"
QR_CAPTION = "扫码核实本卡、评价帮扶干部、反映问题"
VOID_NOTE = "新卡打印后旧卡作废"
QUIET_ZONE = 4  # modules of white around the QR symbol, as ISO/IEC 18004 requires
# Fifteen or more digits in a row: an ID number that was not masked.
_FULL_ID = re.compile(r"\d{15}")
# ASCII runs (numbers, codes, Latin words) stay whole where they can; any other
# character is a break opportunity of its own, as Chinese text wraps.
_TOKEN = re.compile(r"[!-~]+| |.")
_CLOSING = frozenset("，。、；：！？）》」』”’%,.;:!?)")
_OPENING = frozenset("（《「『“‘(")
_ELLIPSIS = "…"
_SHADE = 0.9  # gray of label cells

# Registered once, on import, so that `fit_text` can measure before any card is drawn.
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class CardPrint:
    """What one contact card says, as printed; the caller masks the ID number."""

    year: int
    region: str
    household_no: str
    head_name: str
    head_id_masked: str
    members: int
    category: str
    causes: Sequence[str]
    status_label: str
    # (kind label, description, amount text) of this year's measures, in print order.
    measures: Sequence[tuple[str, str, str]]
    support_total: str
    cadre_name: str
    cadre_unit: str
    cadre_phone: str
    cadre_since: date
    village_contact: str
    township_phone: str
    verify_url: str
    rating_codes: tuple[str, str, str, str]
    printed_on: date
    card_no: str

    def __post_init__(self) -> None:
        if len(self.rating_codes) != len(QUARTERS):
            raise ValueError(f"a card carries {len(QUARTERS)} rating codes, one per quarter")
        if _FULL_ID.search(self.head_id_masked):
            raise ValueError("head_id_masked holds an unmasked ID number")
        if not self.verify_url:
            raise ValueError("a card needs the verification URL of its QR code")


@dataclass(frozen=True)
class FittedText:
    """A text made to fit a box: its lines, the font size, and whether it was cut short."""

    lines: tuple[str, ...]
    size: float
    truncated: bool = False


def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """Break units of a text: closing punctuation kept with what precedes it, opening
    punctuation with what follows, so that no line starts with '，' or ends with '（'."""
    tokens: list[str] = []
    opening = ""
    for token in _TOKEN.findall(text):
        if token in _OPENING:
            opening += token
        elif token in _CLOSING and tokens and tokens[-1] != " " and not opening:
            tokens[-1] += token
        else:
            tokens.append(opening + token)
            opening = ""
    if opening:
        tokens.append(opening)
    return tuple(tokens)


def _wrap(text: str, *, width: float, size: float, font: str) -> tuple[list[str], bool]:
    """Greedy line breaking; also says whether a token had to be split inside itself."""
    lines: list[str] = []
    line = ""
    split = False
    for piece in _tokens(text):
        if not line and piece == " ":
            continue
        if _width((line + piece).rstrip(), font, size) <= width:
            line += piece
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        if piece == " ":
            continue
        if _width(piece, font, size) <= width:
            line = piece
            continue
        split = True
        for char in piece:
            if _width(char, font, size) > width:
                continue  # a box narrower than one character: fit_text reports it cut
            if line and _width(line + char, font, size) > width:
                lines.append(line)
                line = ""
            line += char
    if line.rstrip() or not lines:
        lines.append(line.rstrip())
    return lines, split


def _cut(line: str, *, width: float, size: float, font: str) -> str:
    """The line shortened until it and an ellipsis fit the width."""
    while line and _width(line + _ELLIPSIS, font, size) > width:
        line = line[:-1]
    return line + _ELLIPSIS if _width(line + _ELLIPSIS, font, size) <= width else line


def _sizes(size: float, min_size: float) -> list[float]:
    steps = max(0, floor((size - min_size) / 0.5))
    sizes = [size - 0.5 * step for step in range(steps + 1)]
    return sizes if sizes[-1] <= min_size else [*sizes, min_size]


def fit_text(
    text: str, *, width: float, height: float, size: float, min_size: float = MIN_SIZE,
    font: str = FONT,
) -> FittedText:  # fmt: skip
    """Fit a text in a box of width x height points: the largest size from `size` down to
    `min_size` at which its wrapped lines fit without splitting a number or word; else at
    `min_size`, words split and the last line cut with an ellipsis. No line is ever wider
    than the box; the lines are never taller than the box unless it is lower than one line,
    in which case one line is given."""
    text = " ".join(text.split())
    min_size = min(min_size, size)
    for step in _sizes(size, min_size):
        if _width(text, font, step) <= width and step * LEADING <= height:
            return FittedText((text,), step)
        lines, split = _wrap(text, width=width, size=step, font=font)
        if not split and len(lines) * step * LEADING <= height:
            return FittedText(tuple(lines), step)
    lines, _ = _wrap(text, width=width, size=min_size, font=font)
    room = max(1, floor(height / (min_size * LEADING)))
    kept = lines[:room]
    if len(lines) > room:
        kept[-1] = _cut(kept[-1], width=width, size=min_size, font=font)
    truncated = "".join(kept).replace(" ", "") != text.replace(" ", "")
    return FittedText(tuple(kept), min_size, truncated)


def card_measure_rows(measures: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The measures table's rows: always MEASURE_ROWS, blank ones to be filled in by hand;
    beyond that many measures, the last row says how many more the system holds."""
    rows = [(str(kind), str(description), str(amount)) for kind, description, amount in measures]
    if len(rows) > MEASURE_ROWS:
        hidden = len(rows) - (MEASURE_ROWS - 1)
        rows = [*rows[: MEASURE_ROWS - 1], ("", f"另有{hidden}项，见系统", "")]
    return rows + [("", "", "")] * (MEASURE_ROWS - len(rows))


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _causes_text(causes: Sequence[str]) -> str:
    if not causes:
        return ""
    main, *others = causes
    return "、".join([f"{main}（主要）", *others])


# Cell styles: font size, alignment, shaded background.
_STYLES: dict[str, tuple[float, str, bool]] = {
    "label": (9.0, "center", True),
    "value": (10.0, "left", False),
    "center": (10.0, "center", False),
    "amount": (10.0, "right", False),
}
_PAD_X = 3.0
_PAD_Y = 1.5


def _draw_text(
    canvas: Canvas, text: str, box: tuple[float, float, float, float], *, size: float,
    align: str = "left", font: str = FONT,
) -> None:  # fmt: skip
    """Draw a text fitted into box (x, y, width, height), lines centred vertically."""
    x, y, width, height = box
    if not text.strip():
        return
    fitted = fit_text(text, width=width, height=height, size=size, font=font)
    line_height = fitted.size * LEADING
    top = y + (height + len(fitted.lines) * line_height) / 2
    canvas.setFont(font, fitted.size)
    for number, line in enumerate(fitted.lines):
        # The middle of a Chinese glyph sits about 0.36 em above the baseline.
        baseline = top - (number + 0.5) * line_height - 0.36 * fitted.size
        if align == "center":
            canvas.drawCentredString(x + width / 2, baseline, line)
        elif align == "right":
            canvas.drawRightString(x + width, baseline, line)
        else:
            canvas.drawString(x, baseline, line)


def _row(
    canvas: Canvas, top: float, height: float, cells: Sequence[tuple[str, float, str]]
) -> float:
    """Draw one table row of (text, share of the content width, style) cells below `top`
    (measured from the card's top edge); return the top of the next row."""
    x = MARGIN
    y = CARD_HEIGHT - top - height
    for text, share, style in cells:
        size, align, shaded = _STYLES[style]
        width = share * CONTENT_WIDTH
        canvas.setFillGray(_SHADE if shaded else 1)
        canvas.rect(x, y, width, height, stroke=1, fill=1)
        canvas.setFillGray(0)
        box = (x + _PAD_X, y + _PAD_Y, width - 2 * _PAD_X, height - 2 * _PAD_Y)
        _draw_text(canvas, text, box, size=size, align=align)
        x += width
    return top + height


def _heading(canvas: Canvas, top: float, text: str) -> float:
    """A section heading across the card; return the top of what follows it."""
    height = 15.0
    _draw_text(canvas, text, (MARGIN, CARD_HEIGHT - top - height, CONTENT_WIDTH, height),
               size=10.5)  # fmt: skip
    return top + height


def _draw_title(canvas: Canvas, card: CardPrint) -> float:
    title, year = TITLE, f"（{card.year}年度）"
    title_size, year_size = 20.0, 11.0
    total = _width(title, FONT, title_size) + _width(year, FONT, year_size)
    x = (CARD_WIDTH - total) / 2
    baseline = CARD_HEIGHT - MARGIN - 19
    text = canvas.beginText(x, baseline)
    text.setTextRenderMode(2)  # fill and stroke: a bolder title from a font with no bold
    text.setFont(FONT, title_size)
    text.textOut(title)
    text.setTextRenderMode(0)
    text.setFont(FONT, year_size)
    text.textOut(year)
    canvas.setLineWidth(0.4)
    canvas.drawText(text)
    canvas.setLineWidth(0.6)
    region_box = (MARGIN, CARD_HEIGHT - MARGIN - 40, CONTENT_WIDTH, 14)
    _draw_text(canvas, card.region, region_box, size=10, align="center")
    return MARGIN + 42  # below the title and the region line


# Label and value shares of the content width in the facts and cadre tables.
_PAIR_SHARES = (0.16, 0.34, 0.17, 0.33)
_MEASURE_SHARES = (0.22, 0.56, 0.22)
_Cells = list[tuple[str, float, str]]


def _pairs(*pairs: tuple[str, str]) -> _Cells:
    """Cells of a row of (label, value) pairs: two side by side, or one across the row."""
    if len(pairs) == 1:
        (label, value), share = pairs[0], _PAIR_SHARES[0]
        return [(label, share, "label"), (value, 1 - share, "value")]
    cells: _Cells = []
    for index, (label, value) in enumerate(pairs):
        label_share, value_share = _PAIR_SHARES[2 * index : 2 * index + 2]
        cells += [(label, label_share, "label"), (value, value_share, "value")]
    return cells


def _draw_facts(canvas: Canvas, card: CardPrint, top: float) -> float:
    top = _heading(canvas, top, "一、家庭基本情况")
    top = _row(canvas, top, 20, _pairs(("户主", card.head_name),
                                       ("身份证号", card.head_id_masked)))  # fmt: skip
    top = _row(canvas, top, 20, _pairs(("家庭人口", f"{card.members}人"),
                                       ("贫困户属性", card.category)))  # fmt: skip
    top = _row(canvas, top, 24, _pairs(("致贫原因", _causes_text(card.causes))))
    return _row(canvas, top, 20, _pairs(("状态", card.status_label),
                                        ("户编号", card.household_no)))  # fmt: skip


def _draw_measures(canvas: Canvas, card: CardPrint, top: float) -> float:
    top = _heading(canvas, top, f"二、{card.year}年度帮扶措施及享受政策")
    kind_share, text_share, amount_share = _MEASURE_SHARES
    header = [("帮扶措施", kind_share, "label"), ("内容", text_share, "label"),
              ("金额", amount_share, "label")]  # fmt: skip
    top = _row(canvas, top, 17, header)
    for kind, description, amount in card_measure_rows(card.measures):
        cells = [(kind, kind_share, "center"), (description, text_share, "value"),
                 (amount, amount_share, "amount")]  # fmt: skip
        top = _row(canvas, top, 20, cells)  # two lines of 7 points
    total = [("享受帮扶合计", kind_share, "label"), (card.support_total, 1 - kind_share, "value")]
    return _row(canvas, top, 19, total)


def _draw_cadre(canvas: Canvas, card: CardPrint, top: float) -> float:
    top = _heading(canvas, top, "三、帮扶责任人")
    top = _row(canvas, top, 20, _pairs(("帮扶责任人", card.cadre_name),
                                       ("联系电话", card.cadre_phone)))  # fmt: skip
    top = _row(canvas, top, 24, _pairs(("工作单位", card.cadre_unit)))
    top = _row(canvas, top, 20, _pairs(("结对时间", _chinese_date(card.cadre_since)),
                                       ("驻村联系人", card.village_contact)))  # fmt: skip
    return _row(canvas, top, 20, _pairs(("乡镇受理电话", card.township_phone)))


def _qr_path(data: str) -> tuple[int, str]:
    """The QR symbol's side in modules, and its dark modules as PDF path operators: one
    rectangle per horizontal run, in module units with the origin at the lower left."""
    matrix = segno.make_qr(data, error="m").matrix  # never a Micro QR: phones read QR
    side = len(matrix)
    operators = []
    for row, modules in enumerate(matrix):
        column = 0
        for dark, run in groupby(modules):
            length = sum(1 for _ in run)
            if dark:
                operators.append(f"{column} {side - 1 - row} {length} 1 re")
            column += length
    return side, "\n".join(operators)


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, side: float) -> None:
    """The QR code in a white square of `side` points at (x, y), quiet zone included.

    The runs are written as literal integer operators under a scaled coordinate system:
    reportlab formats every coordinate of a path in Python, which for the some 400
    rectangles of a card cost as much as all the card's text. One path filled at once
    leaves no seams between the rectangles."""
    modules, path = _qr_path(data)
    module = side / (modules + 2 * QUIET_ZONE)
    canvas.setFillGray(1)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    # Black before saveState: restoreState brings back the colour set before it.
    canvas.setFillGray(0)
    canvas.saveState()
    canvas.translate(x + QUIET_ZONE * module, y + QUIET_ZONE * module)
    canvas.scale(module, module)
    canvas.addLiteral(f"{path}\nf")
    canvas.restoreState()


def _draw_rating(canvas: Canvas, card: CardPrint, top: float) -> float:
    """The QR code, and beside it its caption and how the household uses it."""
    top = _heading(canvas, top, "四、核实与评价")
    side = QR_SIDE
    bottom = CARD_HEIGHT - top - side
    _draw_qr(canvas, card.verify_url, MARGIN, bottom, side)
    left = MARGIN + side + 4 * mm
    width = CARD_WIDTH - MARGIN - left
    _draw_text(canvas, QR_CAPTION, (left, bottom + side - 18, width, 18), size=10.5)
    note = ("每季度由户主扫码，输入当季评价码评价帮扶干部，每码限用一次；"
            "对帮扶工作有意见，可在同一页面反映，乡镇人民政府答复。")  # fmt: skip
    _draw_text(canvas, note, (left, bottom, width, side - 22), size=8.5)
    return top + side


def _draw_code_strip(canvas: Canvas, card: CardPrint) -> None:
    """The four quarterly rating codes on a strip below a dashed cut line: the household
    cuts it off and keeps it, so the codes never hang on the door with the card."""
    cut = STRIP_CUT
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.5)
    canvas.line(0, cut, CARD_WIDTH, cut)
    canvas.restoreState()
    note = STRIP_NOTE.format(card_no=card.card_no)
    _draw_text(canvas, note, (MARGIN, cut - 13, CONTENT_WIDTH, 11), size=8, align="center")
    cell_width, cell_height = CONTENT_WIDTH / len(QUARTERS), 26.0
    y = cut - 15 - cell_height
    for index, (name, code) in enumerate(zip(QUARTERS, card.rating_codes, strict=True)):
        x = MARGIN + index * cell_width
        canvas.rect(x, y, cell_width, cell_height, stroke=1, fill=0)
        inner = cell_width - 2 * _PAD_X
        _draw_text(canvas, f"{name}评价码", (x + _PAD_X, y + 14, inner, 10), size=7.5,
                   align="center")  # fmt: skip
        _draw_text(canvas, code, (x + _PAD_X, y + 2, inner, 12), size=11, align="center",
                   font=CODE_FONT)  # fmt: skip


def _draw_foot(canvas: Canvas, card: CardPrint) -> None:
    parts = [f"卡号：{card.card_no}", f"打印日期：{_chinese_date(card.printed_on)}", VOID_NOTE]
    box = (MARGIN, STRIP_CUT + 3, CONTENT_WIDTH, 11)
    _draw_text(canvas, "　".join(parts), box, size=8, align="center")


def _draw_card(canvas: Canvas, card: CardPrint, x: float, y: float) -> None:
    """Draw one card with its lower left corner at (x, y) of the page."""
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setLineWidth(0.6)
    canvas.setStrokeGray(0)
    top = _draw_title(canvas, card)
    top = _draw_facts(canvas, card, top)
    top = _draw_measures(canvas, card, top + 3)
    top = _draw_cadre(canvas, card, top + 3)
    _draw_rating(canvas, card, top + 3)
    _draw_code_strip(canvas, card)
    _draw_foot(canvas, card)
    canvas.restoreState()


def _canvas(buffer: io.BytesIO, pagesize: tuple[float, float], title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(title)
    canvas.setSubject(TITLE)
    return canvas


def card_pdf(card: CardPrint) -> bytes:
    """One contact card as a one-page A5 portrait PDF."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, A5, f"{TITLE} {card.region} {card.head_name}")
    _draw_card(canvas, card, 0, 0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def cards_pdf(cards: Sequence[CardPrint]) -> bytes:
    """Contact cards, two A5 cards side by side per A4 landscape page with a light cut line
    between them; an odd count leaves the last page's right half empty."""
    if not cards:
        raise ValueError("no cards to print")
    buffer = io.BytesIO()
    canvas = _canvas(buffer, SHEET, f"{TITLE} {cards[0].region}")
    for first in range(0, len(cards), 2):
        for offset, card in enumerate(cards[first : first + 2]):
            _draw_card(canvas, card, offset * CARD_WIDTH, 0)
        canvas.saveState()
        canvas.setStrokeGray(0.75)
        canvas.setLineWidth(0.3)
        canvas.setDash(3, 3)
        canvas.line(CARD_WIDTH, 0, CARD_WIDTH, SHEET[1])
        canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
