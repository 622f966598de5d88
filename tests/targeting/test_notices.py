"""Public notices as PDF: layout, masking, monitoring privacy and page numbering.

The checks read the PDF back with pypdf, which maps reportlab's STSong-Light text
(encoding UniGB-UCS2-H) back to Unicode, so what a test finds is what a reader sees.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from fupin.core.masking import mask_id_number
from fupin.registry.idnumber import id_make
from fupin.targeting.notices import (
    FORBIDDEN_MONITORING_KEYS,
    MONITORING_KINDS,
    NOTICE_KINDS,
    REGION_KINDS,
    NoticeColumn,
    NoticeDocument,
    notice_body,
    notice_columns,
    notice_pdf,
    notice_region_rows,
    notice_rows,
)

HEAD_ID = id_make("522727", date(1968, 3, 14), 217)
PHONE = "13985412376"
A4_POINTS = (595, 842)
HOUSEHOLD_KINDS = sorted(set(NOTICE_KINDS) - MONITORING_KINDS - REGION_KINDS)


def household(number: int = 1, **facts: Any) -> dict[str, Any]:
    """Household facts as a caller gathers them, including data no notice may print in full."""
    return {
        "head_name": f"罗{number}明",
        "household_size": 4,
        "head_id_number": id_make("522727", date(1960 + number % 40, 1, 1), number % 1000),
        "category_label": "一般贫困户",
        "cause_label": "因学",
        "reason": "家庭成员有财政供养人员",
        "monitoring_type_label": "脱贫不稳定户",
        "risk_label": "因意外事故",
        "phone": PHONE,
        "bank_account": "6228480402564890018",
        **facts,
    }


def document(
    kind: str, households: list[dict[str, Any]], rows: tuple[dict[str, str], ...] | None = None
) -> NoticeDocument:
    return NoticeDocument(
        kind=kind,
        title=f"京舟村{NOTICE_KINDS[kind]}",
        issuer="京舟村村民委员会",
        issued_on=date(2015, 10, 1),
        columns=notice_columns(kind=kind),
        rows=notice_rows(kind=kind, households=households) if rows is None else rows,
        body=notice_body(kind=kind),
        complaint_contact="村委会或乡镇人民政府",
        period_start=date(2015, 10, 1),
        period_end=date(2015, 10, 7),
    )


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def compact(text: str) -> str:
    """The text without the line breaks and spaces that wrapping and table cells put in."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def long_notice() -> bytes:
    households = [household(number) for number in range(1, 301)]
    return notice_pdf(document=document("identification_first", households))


def test_notice_shows_title_body_period_and_contact() -> None:
    # given
    notice = document("identification_first", [household(1, head_id_number=HEAD_ID)])

    # when
    text = compact("".join(page_texts(notice_pdf(document=notice))))

    # then
    assert text.startswith("京舟村识别第一次公示")
    assert "经农户申请、村民代表大会民主评议，拟将以下农户识别为建档立卡贫困户，现予公示。" in text
    assert "公示期：2015年10月1日至2015年10月7日。" in text
    assert "如有异议，请于公示期内向村委会或乡镇人民政府反映。" in text
    assert "序号户主姓名家庭人口身份证号贫困户属性主要致贫原因" in text
    assert "1罗1明4" in text
    assert text.endswith("京舟村村民委员会2015年10月1日第1页共1页")


def test_announcement_speaks_of_a_公告_period() -> None:
    notice = document("exit_announcement", [household()])

    text = compact("".join(page_texts(notice_pdf(document=notice))))

    assert "公告期：2015年10月1日至2015年10月7日。如有异议，请于公告期内" in text
    assert "公示期" not in text


def test_every_page_is_a4_portrait(long_notice: bytes) -> None:
    for page in PdfReader(io.BytesIO(long_notice)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(A4_POINTS[0], abs=1)
        assert height == pytest.approx(A4_POINTS[1], abs=1)


@pytest.mark.parametrize("kind", HOUSEHOLD_KINDS)
def test_household_notice_prints_the_masked_id_never_the_full_one(kind: str) -> None:
    # given
    notice = document(kind, [household(1, head_id_number=HEAD_ID)])

    # when
    text = "".join(page_texts(notice_pdf(document=notice)))

    # then
    assert HEAD_ID not in compact(text)
    assert HEAD_ID[6:14] not in text
    assert mask_id_number(HEAD_ID) in text
    assert PHONE not in compact(text)


def test_legacy_15_digit_id_is_masked_too() -> None:
    notice = document("identification_first", [household(1, head_id_number="522727680314217")])

    text = "".join(page_texts(notice_pdf(document=notice)))

    assert "522727*****4217" in text
    assert "522727680314217" not in compact(text)


@pytest.mark.parametrize("kind", sorted(MONITORING_KINDS))
def test_monitoring_notice_prints_no_id_phone_or_bank_digits(kind: str) -> None:
    # given: facts that carry an ID, a phone and a bank account
    notice = document(kind, [household(1, head_id_number=HEAD_ID)])

    # when
    text = compact("".join(page_texts(notice_pdf(document=notice))))

    # then
    assert "序号户主姓名家庭人口监测对象类别" in text and "主要风险" not in text
    assert "1罗1明4脱贫不稳定户" in text
    assert "因意外事故" not in text  # a risk can be health data: never on the notice
    assert "身份证" not in text
    for secret in (HEAD_ID, mask_id_number(HEAD_ID), HEAD_ID[-4:], PHONE, PHONE[-4:], "0018"):
        assert secret not in text
    assert not re.search(r"\d{5,}", text)


@pytest.mark.parametrize("kind", sorted(MONITORING_KINDS))
@pytest.mark.parametrize(
    "key", [*sorted(FORBIDDEN_MONITORING_KEYS), "head_id_number", "member_health_status"]
)
def test_monitoring_notice_refuses_a_forbidden_column(kind: str, key: str) -> None:
    # given
    notice = document(kind, [household()])
    leaking = replace(notice, columns=(*notice.columns, NoticeColumn(key, "附加")))

    # when / then
    with pytest.raises(ValueError, match=key):
        notice_pdf(document=leaking)


def test_monitoring_notice_refuses_rows_carrying_a_forbidden_fact() -> None:
    notice = document("monitoring_notice", [household()])
    leaking = replace(notice, rows=({**notice.rows[0], "phone": "138****2376"},))

    with pytest.raises(ValueError, match="phone"):
        notice_pdf(document=leaking)


@pytest.mark.parametrize(
    ("key", "value"),
    [("id_number", HEAD_ID), ("reason", f"联系电话 {PHONE}"), ("reason", "电话138 5412 3760")],
)
def test_any_notice_refuses_a_full_id_or_phone_in_a_hand_built_row(key: str, value: str) -> None:
    # given: rows built without notice_rows, so nothing masked them
    notice = document("removal_notice", [household()])
    leaking = replace(notice, rows=({**notice.rows[0], key: value},))

    # when / then
    with pytest.raises(ValueError, match="unmasked"):
        notice_pdf(document=leaking)


def test_long_notice_repeats_the_header_and_counts_the_pages(long_notice: bytes) -> None:
    # when
    pages = [compact(text) for text in page_texts(long_notice)]

    # then
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert "序号户主姓名家庭人口身份证号贫困户属性主要致贫原因" in text
        assert text.endswith(f"第{number}页共{len(pages)}页")
    assert "300罗300明4" in pages[-1]
    assert "300罗300明" not in "".join(pages[:-1])
    assert pages[-1].count("522727********") == pages[-1].count("罗")


def test_markup_characters_in_names_print_literally() -> None:
    # given
    names = ["<b>张</b>三", "李&四", "王&amp;五", "赵<br/>六", "钱<font>七</i>"]
    notice = document(
        "removal_notice", [household(n, head_name=name) for n, name in enumerate(names)]
    )

    # when
    text = compact("".join(page_texts(notice_pdf(document=notice))))

    # then
    for name in names:
        assert name in text


def test_region_notice_lists_region_incidence_and_result() -> None:
    # given
    kind = "village_exit_notice"
    rows = notice_region_rows(
        kind=kind,
        regions=[
            {
                "region_name": "平舟镇京舟村",
                "poverty_incidence": 1.2,
                "result_label": "达到退出标准",
            },
            {"region_name": "平舟镇拉全村", "poverty_incidence": "2.80%", "result_label": "未达到"},
        ],
    )
    notice = document(kind, [], rows)

    # when
    text = compact("".join(page_texts(notice_pdf(document=notice))))

    # then
    assert rows[0] == {"region": "平舟镇京舟村", "incidence": "1.20%", "result": "达到退出标准"}
    assert (
        "序号村名称贫困发生率评定结果1平舟镇京舟村1.20%达到退出标准2平舟镇拉全村2.80%未达到" in text
    )
    assert "贫困村退出公示" in text


@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
def test_every_kind_has_columns_and_an_opening_paragraph(kind: str) -> None:
    keys = [column.key for column in notice_columns(kind=kind)]

    assert notice_body(kind=kind).endswith(("现予公示。", "现予公告。"))
    if kind in MONITORING_KINDS:
        assert keys == ["name", "household_size", "monitoring_type"]
    elif kind in REGION_KINDS:
        assert keys == ["region", "incidence", "result"]
    else:
        assert keys[:5] == ["name", "household_size", "id_number", "category", "cause"]
        assert ("reason" in keys) == (kind == "removal_notice")


def test_notice_rows_mask_the_id_and_keep_only_the_notice_columns() -> None:
    rows = notice_rows(kind="removal_notice", households=[household(1, head_id_number=HEAD_ID)])

    assert rows == (
        {
            "name": "罗1明",
            "household_size": "4",
            "id_number": mask_id_number(HEAD_ID),
            "category": "一般贫困户",
            "cause": "因学",
            "reason": "家庭成员有财政供养人员",
        },
    )


def test_notice_rows_refuse_missing_facts_and_the_wrong_kind() -> None:
    facts = household()
    del facts["cause_label"]

    with pytest.raises(ValueError, match="cause_label"):
        notice_rows(kind="exit_notice", households=[facts])
    with pytest.raises(ValueError, match="notice_region_rows"):
        notice_rows(kind="county_exit_notice", households=[household()])
    with pytest.raises(ValueError, match="notice_rows"):
        notice_region_rows(kind="exit_notice", regions=[])
    with pytest.raises(ValueError, match="unknown"):
        notice_columns(kind="identification_third")


def test_document_refuses_an_unknown_kind_or_a_reversed_period() -> None:
    notice = document("exit_notice", [household()])

    with pytest.raises(ValueError, match="unknown"):
        replace(notice, kind="exit")
    with pytest.raises(ValueError, match="before"):
        replace(notice, period_end=date(2015, 9, 30))
    with pytest.raises(ValueError, match="start"):
        replace(notice, period_start=None)
