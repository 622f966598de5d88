"""A department's ledger file (帮扶措施导入表) as county offices write it: XLSX with a title
row and Chinese headers, GBK CSV with aliases, the Chinese words of the choices; errors
named by file, spreadsheet row and column in Chinese and English; nothing half-applied;
and the template filled in and read back."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from fupin.core.models import AuditEvent
from fupin.support import ledger_file
from fupin.support.ledger_file import measures_file_import, write_template
from fupin.support.models import Measure
from fupin.support.services import MeasureError
from tests.support.test_ledger import department, poor
from tests.targeting.conftest import Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db
HEADERS = ["户编号", "年度", "帮扶日期", "帮扶措施类型", "措施内容", "帮扶形式", "金额（元）",
           "帮扶主体类型", "帮扶单位", "资金来源", "项目名称"]  # fmt: skip


def cells(number: str = "H1", **override: Any) -> list[Any]:
    """One row as a county office types it: Chinese words, a real date cell, a number."""
    row = {"户编号": number, "年度": 2018, "帮扶日期": date(2018, 5, 10),
           "帮扶措施类型": "健康帮扶", "措施内容": "慢病药费报销", "帮扶形式": "资金",
           "金额（元）": 1200.5, "帮扶主体类型": "行业部门", "帮扶单位": "平塘县卫生健康局",
           "资金来源": "", "项目名称": ""}  # fmt: skip
    # 金额（元） is not a Python name: a test passes it as 金额.
    row.update({"金额（元）" if key == "金额" else key: value for key, value in override.items()})
    return [row[header] for header in HEADERS]


def workbook(
    path: Path, rows: list[list[Any]], *, title: str | None = "平塘县2018年帮扶措施"
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_workbook_with_a_title_and_chinese_words_is_recorded_whole(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given: a title row above the header, Chinese words for the choices, a date cell
    poor("H1"), poor("H2")
    rows = [cells("H1"), cells("H2", 帮扶措施类型="技能培训", 帮扶形式="实物", 金额=0)]
    path = workbook(tmp_path / "卫健局2018.xlsx", rows)
    # when
    count = measures_file_import(path=path, actor=department(posts))
    # then
    assert count == 2
    recorded = sorted(
        Measure.objects.values_list("household__household_no", "measure_type", "form", "value",
                                    "given_on")
    )  # fmt: skip
    assert recorded == [
        ("H1", "health", "money", Decimal("1200.50"), date(2018, 5, 10)),
        ("H2", "training", "in_kind", Decimal("0.00"), date(2018, 5, 10)),
    ]
    event = AuditEvent.objects.get(action="measure.import")
    assert event.after["source"].startswith("卫健局2018.xlsx sha256:")


def test_a_gbk_csv_with_aliases_and_slugs_is_read(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    poor("H1")
    text = ("户编码,年度,实施日期,措施类型,帮扶内容,形式,金额,帮扶主体,提供单位\n"
            "H1,2018,2018-06-01,health,家庭医生签约,现金,300,部门,平塘县卫生健康局\n")  # fmt: skip
    path = tmp_path / "measures.csv"
    path.write_bytes(text.encode("gbk"))
    assert measures_file_import(path=path, actor=department(posts)) == 1
    measure = Measure.objects.get()
    assert (measure.description, measure.value, measure.provider_kind) == (
        "家庭医生签约", Decimal("300.00"), "department")  # fmt: skip


def test_bad_rows_are_named_by_spreadsheet_row_and_nothing_is_written(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given: rows 3-5 under a title (row 1) and the header (row 2)
    poor("H1")
    rows = [cells("H1"), cells("H1", 帮扶措施类型="彩票", 金额=-5), cells("H9")]
    path = workbook(tmp_path / "bad.xlsx", rows)
    # when
    with pytest.raises(MeasureError) as refused:
        measures_file_import(path=path, actor=department(posts))
    # then
    found = [(i.row, i.field, i.code) for i in refused.value.issues]
    assert found == [
        (4, "measure_type", "measure_type.unknown"),
        (4, "value", "value.negative"),
        (5, "household_no", "household_no.unknown"),
    ]
    assert str(refused.value).startswith("bad.xlsx: 3 problem(s), nothing recorded: row 4, ")
    zh = {i.code: i.message_zh for i in refused.value.issues}
    assert zh["measure_type.unknown"].startswith("帮扶措施类型应为：产业帮扶、就业帮扶")
    assert zh["value.negative"] == "金额不能为负数"
    shown = ledger_file.issue_rows(refused.value.issues)
    assert shown[0]["header"] == "帮扶措施类型"
    assert not Measure.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="measure.").exists()


def test_a_missing_or_unknown_header_is_named_before_any_row(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    poor("H1")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([h if h != "帮扶单位" else "备注" for h in HEADERS])
    sheet.append(cells("H1"))
    path = tmp_path / "headers.xlsx"
    book.save(path)
    with pytest.raises(MeasureError) as refused:
        measures_file_import(path=path, actor=department(posts))
    assert refused.value.code == "file_unusable"
    codes = {(i.code, i.row) for i in refused.value.issues}
    assert codes == {("file.unknown_header", 1), ("file.missing_header", 1)}
    messages = " ".join(i.message_zh for i in refused.value.issues)
    assert "无法识别的表头“备注”" in messages and "缺少必需的列“帮扶单位”" in messages
    assert not Measure.objects.exists()


def test_a_file_of_another_format_is_refused_by_name(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "measures.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(MeasureError) as refused:
        measures_file_import(path=path, actor=department(posts))
    assert [i.code for i in refused.value.issues] == ["file.format"]
    assert "measures.pdf" in str(refused.value)


def test_a_check_only_run_writes_nothing(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    poor("H1")
    path = workbook(tmp_path / "ok.xlsx", [cells("H1")])
    assert measures_file_import(path=path, actor=department(posts), dry_run=True) == 1
    assert not Measure.objects.exists()


def test_the_template_filled_in_excel_reads_back(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    # given: the template a department downloads, filled in below its header
    poor("H1")
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = load_workbook(path)
    sheet = book["帮扶措施"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    validations = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert set(validations) == {"D2", "F2", "H2"}  # type, form, provider kind offer lists
    offered = [row[0].value for row in book["选项"].iter_rows(max_col=1)]
    assert offered[:2] == ["产业帮扶", "就业帮扶"] and len(offered) == 13
    sheet.append(cells("H1", 帮扶日期="2018-07-01"))
    book.save(path)
    # when
    count = measures_file_import(path=path, actor=department(posts))
    # then
    assert count == 1 and Measure.objects.get().given_on == date(2018, 7, 1)


# The command line


def test_the_command_records_a_file_or_prints_each_problem(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    poor("H1")
    out, err = io.StringIO(), io.StringIO()
    bad = workbook(tmp_path / "bad.xlsx", [cells("H1", 帮扶形式="彩票")])
    with pytest.raises(CommandError) as refused:
        call_command("ledger", "import", str(bad), stdout=out, stderr=err)
    assert refused.value.returncode == 2
    assert err.getvalue().splitlines() == ["bad.xlsx: row 3, form: one of money, in_kind"]
    assert not Measure.objects.exists()
    good = workbook(tmp_path / "good.xlsx", [cells("H1")])
    call_command("ledger", "import", str(good), stdout=out)
    assert "good.xlsx: recorded 1 measures" in out.getvalue()
    call_command("ledger", "show", "--year", "2018", "--as", "township", stdout=out)
    assert "  health                    1         1         1200.50" in out.getvalue()


def test_the_command_lists_gaps_for_a_user(posts: Posts) -> None:  # noqa: F811
    poor("H1"), poor("H2")
    out = io.StringIO()
    call_command("ledger", "gaps", "--year", "2018", "--as", "cadre", stdout=out)
    assert "coverage gaps in the nation, 2018: 2" in out.getvalue()
    assert "522727100218       2" in out.getvalue()
