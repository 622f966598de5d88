"""The contact card (精准帮扶联系卡) as PDF: what it says, its page sizes, its QR code, and
that no text runs out of its box.

The checks read the PDF back as a reader would: pypdf for the text (it maps reportlab's
STSong-Light text back to Unicode) and where each run of it stands, pypdfium2 to render
a page at 200 dpi and zxing-cpp to decode the QR code from the picture.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from fupin.core.masking import mask_id_number
from fupin.pairing.card_pdf import (
    CARD_HEIGHT,
    CARD_WIDTH,
    CODE_FONT,
    FONT,
    LEADING,
    MARGIN,
    MEASURE_ROWS,
    MIN_SIZE,
    QR_CAPTION,
    STRIP_CUT,
    VOID_NOTE,
    CardPrint,
    card_measure_rows,
    card_pdf,
    cards_pdf,
    fit_text,
)
from fupin.registry.idnumber import id_make

HEAD_ID = id_make("522727", date(1968, 3, 14), 217)
CADRE_PHONE = "13985412376"
A5_POINTS = (419.5, 595.3)
A4_LANDSCAPE_POINTS = (841.9, 595.3)
DPI = 200
LONG_UNIT = (
    "中共黔南布依族苗族自治州委员会组织部驻平塘县平舟镇京舟村脱贫攻坚驻村工作队"
    "（第三批）派出单位办公室综合科与平塘县农业农村局联合帮扶工作组"
)
LONG_MEASURE = "发展特色种植养殖，享受产业奖补、小额信贷贴息和技能培训补贴，另有务工交通补助" * 2
MANY_CAUSES = ["因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金",
               "交通条件落后", "自身发展动力不足", "其他"]  # fmt: skip


def a_card(number: int = 1, **changes: Any) -> CardPrint:
    """A card with the facts a caller gathers for a household of 京舟村."""
    card = CardPrint(
        year=2019,
        region="贵州省黔南布依族苗族自治州平塘县平舟镇京舟村",
        household_no=f"52272710021800{number:02d}",
        head_name="罗国明",
        head_id_masked=mask_id_number(HEAD_ID),
        members=4,
        category="一般贫困户",
        causes=["因病", "缺劳力", "因学"],
        status_label="未脱贫",
        measures=[
            ("产业扶持", "发展养牛2头，县产业扶贫资金补助", "4000元"),
            ("教育扶贫", "子女就读县一中，享受雨露计划", "3000元"),
            ("健康扶贫", "家庭医生签约服务", ""),
        ],
        support_total="共计7000元",
        cadre_name="王建华",
        cadre_unit="平塘县农业农村局",
        cadre_phone=CADRE_PHONE,
        cadre_since=date(2016, 3, 1),
        village_contact="第一书记 李强 13908541234",
        township_phone="0854-7221234",
        verify_url=f"https://fupin.example.gov.cn/card/v/{number:04d}Xk3pQ9bT2wLm8RzA4vN7cYh1sD5eJ0uGq6",
        rating_codes=(f"7KQ{number % 10}M9PX", "R4TN8HWC", "J6VB3DLF", "Y2ZS5QGA"),
        printed_on=date(2019, 3, 15),
        card_no=f"C{number:06d}",
    )
    return replace(card, **changes)


def crowded_card(number: int = 1) -> CardPrint:
    """A card with more to say than its boxes hold."""
    return a_card(
        number,
        head_name="阿依古丽·买买提吐尔逊阿不都热合曼",
        cadre_unit=LONG_UNIT,
        causes=MANY_CAUSES,
        measures=[(f"措施{i}", LONG_MEASURE, f"{i * 1000}元") for i in range(10)],
        village_contact="驻村第一书记 欧阳建国（州委组织部） 13908541234 / 0854-7221235",
        support_total="产业奖补、教育资助、健康扶贫、易地搬迁、小额信贷贴息等合计" * 3,
    )


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def compact(text: str) -> str:
    """The text without the line breaks and spaces that wrapping and table cells put in."""
    return "".join(text.split())


@dataclass(frozen=True)
class Run:
    """A run of text as drawn: where it starts, its baseline, size and width in points."""

    text: str
    x: float
    y: float
    size: float
    width: float


def text_runs(pdf: bytes, page: int = 0) -> list[Run]:
    """The page's text runs in page coordinates, measured with reportlab's own metrics.

    Parts of one text object (the title and its year) share the object's position, so
    they are joined back into one run."""
    parts: dict[tuple[float, float], tuple[str, float]] = {}
    sizes: dict[tuple[float, float], float] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip() or not font:
            return
        key = (round(cm[4] + tm[4], 3), round(cm[5] + tm[5], 3))
        width = stringWidth(text.strip(), str(font["/BaseFont"]).lstrip("/"), size)
        joined, joined_width = parts.get(key, ("", 0.0))
        parts[key] = (joined + text.strip(), joined_width + width)
        sizes[key] = max(sizes.get(key, 0.0), size)

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return [Run(text, x, y, sizes[x, y], width) for (x, y), (text, width) in parts.items()]


def render(pdf: bytes, page: int = 0) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    return document[page].render(scale=DPI / 72, grayscale=True).to_pil()


def pixels(pdf: bytes, page: int = 0) -> np.ndarray:
    """The rendered page as gray levels, indexed [row from the top, column]."""
    return np.asarray(render(pdf, page))


def pixel(points: float) -> int:
    return round(points * DPI / 72)


def qr_codes(pdf: bytes, page: int = 0) -> list[tuple[float, str]]:
    """The QR codes on a rendered page as (x of their centre in points, text), left first."""
    found = []
    for barcode in zxingcpp.read_barcodes(render(pdf, page)):
        if barcode.format == zxingcpp.BarcodeFormat.QRCode:
            position = barcode.position
            centre = (position.top_left.x + position.bottom_right.x) / 2 * 72 / DPI
            found.append((centre, barcode.text))
    return sorted(found)


def page_size(pdf: bytes, page: int = 0) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[page].mediabox
    return float(box.width), float(box.height)


def test_card_prints_the_household_the_measures_and_the_cadre() -> None:
    # given
    card = a_card()

    # when
    text = compact(page_texts(card_pdf(card))[0])

    # then
    for fact in ("精准帮扶联系卡（2019年度）", "贵州省黔南布依族苗族自治州平塘县平舟镇京舟村",
                 "户主罗国明", f"身份证号{mask_id_number(HEAD_ID)}", "家庭人口4人",
                 "贫困户属性一般贫困户", "致贫原因因病（主要）、缺劳力、因学", "状态未脱贫",
                 "户编号5227271002180001", "帮扶措施内容金额", "产业扶持发展养牛2头，县产业扶贫资金补助4000元",
                 "教育扶贫", "健康扶贫家庭医生签约服务", "享受帮扶合计共计7000元",
                 "帮扶责任人王建华", f"联系电话{CADRE_PHONE}", "工作单位平塘县农业农村局",
                 "结对时间2016年3月1日", "驻村联系人第一书记李强13908541234",
                 "乡镇受理电话0854-7221234", QR_CAPTION, "卡号：C000001",
                 "打印日期：2019年3月15日", VOID_NOTE):  # fmt: skip
        assert fact in text, fact
    for quarter, code in zip("一二三四", card.rating_codes, strict=True):
        assert f"第{quarter}季度评价码{code}" in text
    assert HEAD_ID not in text
    assert HEAD_ID[6:14] not in text


def test_card_is_one_a5_portrait_page() -> None:
    pdf = card_pdf(a_card())

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert page_size(pdf) == pytest.approx(A5_POINTS, abs=0.5)


def test_card_refuses_an_unmasked_id_number() -> None:
    with pytest.raises(ValueError, match="unmasked"):
        a_card(head_id_masked=HEAD_ID)
    with pytest.raises(ValueError, match="unmasked"):
        a_card(head_id_masked="522727680314217")


def test_card_needs_four_rating_codes() -> None:
    with pytest.raises(ValueError, match="4 rating codes"):
        a_card(rating_codes=("A", "B", "C"))


@pytest.mark.parametrize("count", [1, 2, 3, 6])
def test_cards_print_two_per_a4_landscape_page(count: int) -> None:
    # given
    cards = [a_card(number) for number in range(1, count + 1)]

    # when
    pdf = cards_pdf(cards)

    # then
    texts = [compact(text) for text in page_texts(pdf)]
    assert len(texts) == math.ceil(count / 2)
    for page, text in enumerate(texts):
        assert page_size(pdf, page) == pytest.approx(A4_LANDSCAPE_POINTS, abs=0.5)
        on_page = [card.card_no for card in cards[2 * page : 2 * page + 2]]
        assert [card.card_no for card in cards if card.card_no in text] == on_page


def test_cards_pdf_refuses_no_cards() -> None:
    with pytest.raises(ValueError, match="no cards"):
        cards_pdf([])


def test_every_text_of_a_sheet_is_inked() -> None:
    # given: a page of two cards, the right one crowded
    pdf = cards_pdf([a_card(1), crowded_card(2)])

    # when
    page = pixels(pdf)
    runs = text_runs(pdf)

    # then: each run's box on the rendered page holds dark pixels, so none is drawn
    # white on white or off the page
    assert len(runs) > 100
    for run in runs:
        top, bottom = pixel(CARD_HEIGHT - run.y - 0.8 * run.size), pixel(CARD_HEIGHT - run.y)
        assert page[top:bottom, pixel(run.x) : pixel(run.x + run.width)].min() < 128, run


def test_qr_code_of_a_card_reads_as_its_verification_url() -> None:
    card = a_card()

    assert [text for _, text in qr_codes(card_pdf(card))] == [card.verify_url]


def test_qr_codes_of_a_sheet_read_as_their_own_cards_urls() -> None:
    # given: the right-hand card's URL differs from the left's
    cards = [a_card(1), a_card(2), a_card(3)]

    # when
    pdf = cards_pdf(cards)

    # then
    first, second = qr_codes(pdf, 0)
    assert first[0] < CARD_WIDTH < second[0]
    assert [first[1], second[1]] == [cards[0].verify_url, cards[1].verify_url]
    [(centre, text)] = qr_codes(pdf, 1)
    assert centre < CARD_WIDTH
    assert text == cards[2].verify_url


def test_qr_code_of_a_long_url_still_reads() -> None:
    card = a_card(verify_url="https://fupin.example.gov.cn/card/verify/" + "Ab9-_" * 40)

    assert [text for _, text in qr_codes(card_pdf(card))] == [card.verify_url]


def assert_inside_and_apart(runs: list[Run], left: float) -> None:
    """Every run lies inside the card's margins, and no two runs on a line overlap."""
    for run in runs:
        assert run.x >= left + MARGIN - 0.01, run
        assert run.x + run.width <= left + CARD_WIDTH - MARGIN + 0.01, run
        assert MARGIN - 5 <= run.y <= CARD_HEIGHT - MARGIN, run
    for run in runs:
        for other in runs:
            same_line = run is not other and abs(run.y - other.y) < min(run.size, other.size)
            if same_line and run.x <= other.x:
                assert run.x + run.width <= other.x + 0.01, (run, other)


def test_crowded_card_keeps_every_text_in_its_box() -> None:
    # given
    card = crowded_card()

    # when
    pdf = card_pdf(card)

    # then
    assert_inside_and_apart(text_runs(pdf), left=0)
    text = compact(page_texts(pdf)[0])
    hidden = 10 - (MEASURE_ROWS - 1)
    assert f"另有{hidden}项，见系统" in text
    assert f"措施{MEASURE_ROWS - 2}" in text
    assert f"措施{MEASURE_ROWS - 1}" not in text
    assert "因病（主要）" in text
    assert "自身发展动力不足" in text  # many causes wrap and shrink, none is cut
    assert "联合帮扶工作组" in text  # nor is the end of a long unit name
    assert f"联系电话{CADRE_PHONE}" in text
    assert [text for _, text in qr_codes(pdf)] == [card.verify_url]


def test_crowded_right_hand_card_stays_in_its_half() -> None:
    pdf = cards_pdf([a_card(1), crowded_card(2)])

    runs = text_runs(pdf)
    assert_inside_and_apart([run for run in runs if run.x < CARD_WIDTH], left=0)
    assert_inside_and_apart([run for run in runs if run.x >= CARD_WIDTH], left=CARD_WIDTH)
    assert f"另有{10 - (MEASURE_ROWS - 1)}项，见系统" in compact(page_texts(pdf)[0])


def test_measures_beyond_the_rows_are_summarised() -> None:
    measures = [(f"措施{i}", f"内容{i}", f"{i}元") for i in range(10)]

    rows = card_measure_rows(measures)

    assert len(rows) == MEASURE_ROWS
    assert rows[: MEASURE_ROWS - 1] == measures[: MEASURE_ROWS - 1]
    assert rows[-1] == ("", f"另有{10 - (MEASURE_ROWS - 1)}项，见系统", "")
    assert card_measure_rows(measures[:MEASURE_ROWS]) == measures[:MEASURE_ROWS]


def test_few_or_no_measures_leave_blank_rows_to_fill_by_hand() -> None:
    two = [("产业扶持", "养牛", "4000元"), ("教育扶贫", "雨露计划", "3000元")]

    assert card_measure_rows([]) == [("", "", "")] * MEASURE_ROWS
    assert card_measure_rows(two) == [*two, *[("", "", "")] * (MEASURE_ROWS - 2)]


def ruled_lines_below(pdf: bytes, *, header: str, footer: str) -> int:
    """How many horizontal rules a rendered card has between two labels, counted down a
    pixel column under the header's first character, where blank rows hold no text."""
    runs = {run.text: run for run in text_runs(pdf)}
    top, bottom = runs[header], runs[footer]
    # Down the middle of the header's first character, from just below its glyphs to
    # just above the footer's.
    column = pixels(pdf)[:, pixel(top.x + top.size / 2)]
    first, last = (
        pixel(CARD_HEIGHT - top.y + 0.25 * top.size),
        pixel(CARD_HEIGHT - bottom.y - bottom.size),
    )
    dark = column[first:last] < 128
    return int(np.count_nonzero(dark[1:] & ~dark[:-1]) + dark[0])


def test_no_measures_print_ruled_rows() -> None:
    # given
    card = a_card(measures=[], support_total="")

    # when
    pdf = card_pdf(card)

    # then: below the header, a rule above each of the blank rows and one above the total
    assert ruled_lines_below(pdf, header="内容", footer="享受帮扶合计") == MEASURE_ROWS + 1
    assert "帮扶措施内容金额享受帮扶合计" in compact(page_texts(pdf)[0])


def test_fit_keeps_a_short_text_whole_at_its_size() -> None:
    fitted = fit_text("罗国明", width=100, height=17, size=10)

    assert fitted.lines == ("罗国明",)
    assert fitted.size == 10
    assert not fitted.truncated


def test_fit_shrinks_then_wraps_a_long_unit_name() -> None:
    # given: the unit box of a card, 314 points wide and 21 high
    width, height = 314.0, 21.0

    # when
    fitted = fit_text(LONG_UNIT, width=width, height=height, size=10)

    # then
    assert len(fitted.lines) == 2
    assert MIN_SIZE <= fitted.size < 10
    assert "".join(fitted.lines) == LONG_UNIT
    for line in fitted.lines:
        assert stringWidth(line, FONT, fitted.size) <= width
    assert len(fitted.lines) * fitted.size * LEADING <= height


def test_fit_shrinks_a_number_rather_than_split_it() -> None:
    fitted = fit_text("13985412376", width=50, height=20, size=10, font=CODE_FONT)

    assert fitted.lines == ("13985412376",)
    assert stringWidth("13985412376", CODE_FONT, fitted.size) <= 50


def test_fit_starts_no_line_with_a_closing_mark() -> None:
    fitted = fit_text("因病，因残，因学，缺技术，缺劳力，缺资金", width=31, height=200, size=10)

    assert len(fitted.lines) > 1
    assert not any(line.startswith("，") for line in fitted.lines)


def test_fit_cuts_what_no_size_fits_with_an_ellipsis() -> None:
    fitted = fit_text("帮扶" * 200, width=100, height=16, size=10)

    assert fitted.truncated
    assert fitted.size == MIN_SIZE
    assert len(fitted.lines) == 2
    assert fitted.lines[-1].endswith("…")


_TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from("，。、；：（）《》“”·…"),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    max_size=120,
)


@given(
    text=_TEXTS,
    width=st.floats(min_value=1, max_value=400),
    height=st.floats(min_value=1, max_value=80),
    size=st.floats(min_value=4, max_value=24),
    font=st.sampled_from([FONT, CODE_FONT]),
)
def test_fitted_text_never_exceeds_its_box(
    text: str, width: float, height: float, size: float, font: str
) -> None:
    fitted = fit_text(text, width=width, height=height, size=size, font=font)

    assert min(MIN_SIZE, size) <= fitted.size <= size
    assert fitted.lines
    for line in fitted.lines:
        assert stringWidth(line, font, fitted.size) <= width
    assert len(fitted.lines) == 1 or len(fitted.lines) * fitted.size * LEADING <= height
    if not fitted.truncated:
        assert "".join(fitted.lines).replace(" ", "") == "".join(text.split())


def test_the_rating_codes_are_on_a_strip_cut_off_before_the_card_is_posted() -> None:
    card = a_card(1)
    runs = text_runs(card_pdf(card))
    codes = [run for run in runs if run.text.strip() in card.rating_codes]
    assert len(codes) == 4 and all(run.y < STRIP_CUT for run in codes)
    foot = [run for run in runs if run.text.startswith("卡号")]
    assert foot and all(run.y > STRIP_CUT for run in foot)  # the card keeps its number
