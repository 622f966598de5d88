"""The household file layer: encodings, spreadsheets, headers, injection, the template."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from fupin.registry.columns import BY_NAME, COLUMNS
from fupin.registry.fileformats import (
    FileFormatError,
    FileIssue,
    read_household_file,
    write_household_file,
    write_template,
)
from fupin.registry.fileformats.template import VALUES_SHEET, offered_values
from fupin.registry.vocabulary import FORM_VALUES

REQUIRED_HEADERS = [c.name for c in COLUMNS if not c.optional_in_file]

HEAD = {
    "household_no": "5227010010010001", "village_code": "522701001001", "name": "张三",
    "id_number": "52270119800101001X", "relation": "户主", "sex": "男",
    "birth_date": "1980-01-01", "ethnicity": "布依族", "education": "初中", "in_school": "否",
    "health": "长期慢性病", "labor": "普通劳动力", "migrant_months": "6",
    "category": "一般贫困户", "main_cause": "因病", "other_causes": "缺技术、缺资金",
    "phone": "013800000000", "wage_income": "12000.50", "business_income": "3000",
    "business_cost": "500", "property_income": "0", "transfer_income": "1200",
    "food_ok": "是", "clothing_ok": "是", "education_ok": "是", "medical_ok": "否",
    "housing_grade": "B", "water_ok": "是", "bank_account": "6228480000000000000",
    "address": "贵州省都匀市某某镇某某村1组", "medical_insured": "是",
    "critical_illness_insured": "是", "pension_insured": "否",
}  # fmt: skip
CHILD = {"household_no": "5227010010010001", "name": "张小妹", "relation": "之子/之女",
         "sex": "女", "birth_date": "2010-06-30", "ethnicity": "布依族", "in_school": "是",
         "health": "健康", "id_number": "522701201006300028"}  # fmt: skip


def _csv_text(headers: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def _chinese_csv() -> str:
    headers = [BY_NAME[name].chinese for name in REQUIRED_HEADERS]
    rows = [[record.get(name, "") for name in REQUIRED_HEADERS] for record in (HEAD, CHILD)]
    return _csv_text(headers, rows)


def _members_frame() -> pl.DataFrame:
    return pl.DataFrame([HEAD, CHILD], schema={c.name: pl.String for c in COLUMNS})


def _issues(path: Path) -> list[FileIssue]:
    with pytest.raises(FileFormatError) as caught:
        read_household_file(path)
    return caught.value.issues


# --- CSV encodings -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_excel_writes_reads_identically(
    tmp_path: Path, encoding: str
) -> None:
    # given
    path = tmp_path / "members.csv"
    path.write_bytes(_chinese_csv().encode(encoding))
    # when
    table = read_household_file(path)
    # then
    assert table.frame.columns == ["_row", *REQUIRED_HEADERS]
    assert table.frame["_row"].to_list() == [2, 3]
    assert table.frame["name"].to_list() == ["张三", "张小妹"]
    assert table.frame["relation"].to_list() == ["户主", "之子/之女"]
    assert table.frame["phone"].to_list() == ["013800000000", None]
    assert table.frame.schema["_row"] == pl.Int64
    assert all(table.frame.schema[name] == pl.String for name in REQUIRED_HEADERS)
    assert (table.sheet, table.header_rows) == (None, 1)


def test_gb18030_only_characters_read_like_utf8(tmp_path: Path) -> None:
    # given a name with a character GBK lacks (GB18030 four-byte sequence)
    text = _chinese_csv().replace("张小妹", "张𫄸")
    utf8, gb18030 = tmp_path / "utf8.csv", tmp_path / "gb18030.csv"
    utf8.write_text(text, encoding="utf-8")
    gb18030.write_bytes(text.encode("gb18030"))
    # when
    frames = [read_household_file(path).frame for path in (utf8, gb18030)]
    # then
    assert frames[0]["name"].to_list() == ["张三", "张𫄸"]
    assert frames[0].equals(frames[1])


def test_gbk_bytes_after_an_ascii_start_are_still_decoded(tmp_path: Path) -> None:
    # given English headers and many ASCII rows before the first Chinese cell
    ascii_row = [HEAD[name] if HEAD[name].isascii() else "x" for name in REQUIRED_HEADERS]
    rows = [ascii_row] * 2000 + [[HEAD[name] for name in REQUIRED_HEADERS]]
    path = tmp_path / "late.csv"
    path.write_bytes(_csv_text(REQUIRED_HEADERS, rows).encode("gbk"))
    # when
    frame = read_household_file(path).frame
    # then
    assert frame.height == 2001
    assert frame["name"][-1] == "张三"
    assert frame["_row"][-1] == 2002


def test_excel_unicode_text_is_read_as_tab_separated(tmp_path: Path) -> None:
    # given Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    text = _chinese_csv().replace(",", "\t")
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    # when
    frame = read_household_file(path).frame
    # then
    assert frame["other_causes"].to_list() == ["缺技术、缺资金", None]


def test_cells_are_stripped_and_blank_rows_dropped_keeping_row_numbers(tmp_path: Path) -> None:
    # given a title row, padded cells (full-width space too) and blank rows
    rows = [[HEAD[name] for name in REQUIRED_HEADERS]] * 2
    body = _csv_text(REQUIRED_HEADERS, rows).replace("张三", "\u3000 张三 ", 1)
    blank = "," * (len(REQUIRED_HEADERS) - 1)
    lines = body.split("\r\n")
    text = "\r\n".join(["某某村贫困户登记表" + blank, lines[0], lines[1], blank, "", lines[2]])
    path = tmp_path / "titled.csv"
    path.write_text(text, encoding="utf-8")
    # when
    frame = read_household_file(path).frame
    # then
    assert frame["_row"].to_list() == [3, 6]
    assert frame["name"].to_list() == ["张三", "张三"]


def test_a_short_title_line_and_a_row_with_an_extra_cell_are_located(tmp_path: Path) -> None:
    # given a hand-made CSV: a one-cell title line, and a data row one cell too long
    row = [HEAD[name] for name in REQUIRED_HEADERS]
    text = "贫困户登记表\r\n" + _csv_text(REQUIRED_HEADERS, [row, [*row, "多余"]])
    path = tmp_path / "ragged.csv"
    path.write_text(text, encoding="utf-8")
    # when
    found = _issues(path)
    # then
    letter = openpyxl.utils.get_column_letter(len(REQUIRED_HEADERS) + 1)
    assert [(i.row, i.column, i.code) for i in found] == [(2, letter, "file.unknown_header")]


def test_a_header_without_rows_gives_an_empty_frame(tmp_path: Path) -> None:
    # given
    path = tmp_path / "header.csv"
    path.write_text(",".join(REQUIRED_HEADERS) + "\r\n", encoding="utf-8")
    # when
    table = read_household_file(path)
    # then
    assert table.frame.columns == ["_row", *REQUIRED_HEADERS]
    assert table.frame.height == 0


def test_header_spellings_are_folded(tmp_path: Path) -> None:
    # given headers with a required-mark, half-width brackets, case and an alias
    headers = [BY_NAME[name].chinese for name in REQUIRED_HEADERS]
    headers[REQUIRED_HEADERS.index("name")] = "* 姓 名"
    headers[REQUIRED_HEADERS.index("migrant_months")] = "务工时间(月)"
    headers[REQUIRED_HEADERS.index("id_number")] = "身份证号码"
    headers[REQUIRED_HEADERS.index("household_no")] = "Household_No"
    path = tmp_path / "spelled.csv"
    path.write_text(_csv_text(headers, [[HEAD[n] for n in REQUIRED_HEADERS]]), encoding="utf-8")
    # when
    frame = read_household_file(path).frame
    # then
    assert frame.row(0, named=True)["migrant_months"] == "6"
    assert frame.columns == ["_row", *REQUIRED_HEADERS]


# --- XLSX --------------------------------------------------------------------------------


def _typed_workbook(path: Path, *, first_column: int = 1) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    values: dict[str, object] = {
        **HEAD,
        "household_no": 5227010010010001,  # typed as a number
        "id_number": 110101199003078000.0,  # what Excel keeps of an 18-digit number
        "birth_date": date(1980, 1, 1),
        "migrant_months": 6.0,
        "wage_income": 12000.5,
        "business_income": 3000,
        "property_income": datetime(2020, 5, 6, 0, 0),
        "transfer_income": datetime(2020, 5, 6, 7, 8, 9),
        "phone": "013800000000",
    }
    for index, name in enumerate(REQUIRED_HEADERS, start=first_column):
        sheet.cell(row=1, column=index, value=BY_NAME[name].chinese)
        sheet.cell(row=2, column=index, value=values[name])
    workbook.save(path)


def test_xlsx_typed_cells_read_as_the_strings_a_user_sees(tmp_path: Path) -> None:
    # given
    path = tmp_path / "typed.xlsx"
    _typed_workbook(path)
    # when
    table = read_household_file(path)
    # then
    row = table.frame.row(0, named=True)
    assert row["household_no"] == "5227010010010001"
    assert row["id_number"] == "110101199003078000"
    assert row["birth_date"] == "1980-01-01"
    assert row["migrant_months"] == "6"
    assert row["wage_income"] == "12000.5"
    assert row["business_income"] == "3000"
    assert row["property_income"] == "2020-05-06"
    assert row["transfer_income"] == "2020-05-06 07:08:09"
    assert row["phone"] == "013800000000"
    assert row["_row"] == 2
    assert (table.sheet, table.header_rows) == ("Sheet", 1)


def test_xlsx_rows_are_numbered_as_the_sheet_shows_them(tmp_path: Path) -> None:
    # given a title in row 1, a blank row 2, headers in row 3 and data in rows 4 and 6
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet["A1"] = "某某村贫困户登记表"
    for index, name in enumerate(REQUIRED_HEADERS, start=1):
        sheet.cell(row=3, column=index, value=name)
        sheet.cell(row=4, column=index, value=HEAD[name])
        sheet.cell(row=6, column=index, value=CHILD.get(name))
    path = tmp_path / "titled.xlsx"
    workbook.save(path)
    # when
    frame = read_household_file(path).frame
    # then
    assert frame["_row"].to_list() == [4, 6]
    assert frame["name"].to_list() == ["张三", "张小妹"]


def test_xlsx_issue_names_the_spreadsheet_column_when_the_sheet_starts_right(
    tmp_path: Path,
) -> None:
    # given a sheet whose table starts in column C, with an unknown header after it
    path = tmp_path / "offset.xlsx"
    _typed_workbook(path, first_column=3)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.cell(row=1, column=3 + len(REQUIRED_HEADERS), value="备注")
    workbook.save(path)
    # when
    found = _issues(path)
    # then
    assert [(i.code, i.row, i.column) for i in found] == [("file.unknown_header", 1, "备注")]
    letter = openpyxl.utils.get_column_letter(3 + len(REQUIRED_HEADERS))
    assert f"第{letter}列" in found[0].message_zh


# --- header errors ---------------------------------------------------------------------------


def _write_headers(tmp_path: Path, headers: list[str]) -> Path:
    path = tmp_path / "村.csv"
    row = [HEAD.get(BY_NAME[h].name, "x") if h in BY_NAME else "x" for h in headers]
    path.write_text(_csv_text(headers, [row]), encoding="utf-8")
    return path


def test_unknown_header_is_named_with_file_row_and_column(tmp_path: Path) -> None:
    # given
    path = _write_headers(tmp_path, [*REQUIRED_HEADERS[:2], "备注", *REQUIRED_HEADERS[2:]])
    # when
    found = _issues(path)
    # then
    assert [(i.file, i.row, i.column, i.code) for i in found] == [
        ("村.csv", 1, "备注", "file.unknown_header")
    ]
    assert "村.csv" in found[0].message_zh and "第1行第C列" in found[0].message_zh
    assert "备注" in found[0].message_en and "column C" in found[0].message_en


def test_data_under_a_blank_header_is_an_unknown_header_but_an_empty_column_is_not(
    tmp_path: Path,
) -> None:
    # given one unnamed empty column and one unnamed column with data
    path = tmp_path / "blank.csv"
    headers = [*REQUIRED_HEADERS, "", ""]
    path.write_text(
        _csv_text(headers, [[*(HEAD[n] for n in REQUIRED_HEADERS), "", "备注内容"]]),
        encoding="utf-8",
    )
    # when
    found = _issues(path)
    # then
    letter = openpyxl.utils.get_column_letter(len(headers))
    assert [(i.row, i.column, i.code) for i in found] == [(1, letter, "file.unknown_header")]


def test_duplicate_header_names_both_columns(tmp_path: Path) -> None:
    # given the name column twice, once in English and once in Chinese
    path = _write_headers(tmp_path, [*REQUIRED_HEADERS, "姓名"])
    # when
    found = _issues(path)
    # then
    assert [(i.file, i.row, i.column, i.code) for i in found] == [
        ("村.csv", 1, "姓名", "file.duplicate_header")
    ]
    last = openpyxl.utils.get_column_letter(len(REQUIRED_HEADERS) + 1)
    assert f"第{last}列" in found[0].message_zh and "第C列" in found[0].message_zh


def test_missing_required_header_is_named(tmp_path: Path) -> None:
    # given a file without the health column; optional columns may be absent
    path = _write_headers(tmp_path, [h for h in REQUIRED_HEADERS if h != "health"])
    # when
    found = _issues(path)
    # then
    assert [(i.file, i.row, i.column, i.code) for i in found] == [
        ("村.csv", 1, "health", "file.missing_header")
    ]
    assert "健康状况" in found[0].message_zh and "health" in found[0].message_en


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",,,\r\n,,,\r\n"])
def test_empty_csv_is_reported(tmp_path: Path, content: bytes) -> None:
    # given
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    # when
    found = _issues(path)
    # then
    assert [(i.file, i.row, i.column, i.code) for i in found] == [
        ("empty.csv", None, None, "file.empty")
    ]


def test_empty_workbook_is_reported(tmp_path: Path) -> None:
    # given
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    # when
    found = _issues(path)
    # then
    assert [i.code for i in found] == ["file.empty"]


@pytest.mark.parametrize(
    ("name", "content"),
    [("broken.xlsx", b"not a zip at all"), ("binary.csv", b"a,b\r\n\x80\xff\x80,1\r\n")],
)
def test_unreadable_file_is_reported(tmp_path: Path, name: str, content: bytes) -> None:
    # given
    path = tmp_path / name
    path.write_bytes(content)
    # when
    found = _issues(path)
    # then
    assert [(i.file, i.code) for i in found] == [(name, "file.unreadable")]
    assert name in found[0].message_zh


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    # when
    found = _issues(tmp_path / "nowhere.csv")
    # then
    assert [i.code for i in found] == ["file.unreadable"]


def test_unsupported_format_is_reported(tmp_path: Path) -> None:
    # given
    path = tmp_path / "members.pdf"
    path.write_bytes(b"%PDF-1.4")
    # when
    found = _issues(path)
    # then
    assert [(i.file, i.code) for i in found] == [("members.pdf", "file.format")]


def test_a_misnamed_workbook_is_read_as_a_workbook(tmp_path: Path) -> None:
    # given an .xlsx renamed to .csv by a user
    path = tmp_path / "renamed.csv"
    _typed_workbook(path.with_suffix(".xlsx"))
    path.with_suffix(".xlsx").rename(path)
    # when
    table = read_household_file(path)
    # then
    assert table.frame["name"].to_list() == ["张三"]


# --- writing, injection, round trips ------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("chinese_headers", [False, True])
def test_write_then_read_round_trips_chinese_text(
    tmp_path: Path, suffix: str, chinese_headers: bool
) -> None:
    # given
    frame = _members_frame()
    path = tmp_path / f"export{suffix}"
    # when
    write_household_file(frame, path, chinese_headers=chinese_headers)
    table = read_household_file(path)
    # then
    assert table.frame.drop("_row").equals(frame)
    assert table.frame["_row"].to_list() == [2, 3]


INJECTIONS = ["=SUM(A1)", "+8613800000000", "-5", "@x", "'=already quoted", "'plain"]


def _injected_frame() -> pl.DataFrame:
    filler = {name: ["x"] * len(INJECTIONS) for name in REQUIRED_HEADERS}
    return pl.DataFrame({**filler, "household_no": INJECTIONS})


def test_csv_injection_is_neutralised_on_write_and_restored_on_read(tmp_path: Path) -> None:
    # given
    path = tmp_path / "export.csv"
    # when
    write_household_file(_injected_frame(), path)
    # then
    text = path.read_bytes().decode("utf-8-sig")
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert cells == ["'=SUM(A1)", "'+8613800000000", "'-5", "'@x", "''=already quoted", "'plain"]
    assert read_household_file(path).frame["household_no"].to_list() == INJECTIONS


def test_xlsx_formula_text_is_a_quoted_text_cell(tmp_path: Path) -> None:
    # given
    path = tmp_path / "export.xlsx"
    # when
    write_household_file(_injected_frame(), path)
    # then
    sheet = openpyxl.load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    first = sheet["A2"]
    assert (first.value, first.data_type, first.quotePrefix) == ("=SUM(A1)", "s", True)
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(2, 8))
    assert read_household_file(path).frame["household_no"].to_list() == INJECTIONS


def test_writing_refuses_other_formats_and_foreign_columns(tmp_path: Path) -> None:
    # given
    frame = _members_frame()
    # then
    with pytest.raises(FileFormatError) as caught:
        write_household_file(frame, tmp_path / "export.xls")
    assert [i.code for i in caught.value.issues] == ["file.format"]
    with pytest.raises(ValueError, match="salary"):
        write_household_file(frame.with_columns(salary=pl.lit("1")), tmp_path / "export.csv")


def test_xlsx_export_keeps_digit_columns_as_text(tmp_path: Path) -> None:
    # given
    path = tmp_path / "export.xlsx"
    # when
    write_household_file(_members_frame(), path)
    # then
    sheet = openpyxl.load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    assert sheet["D2"].value == HEAD["id_number"] and sheet["D2"].data_type == "s"
    assert sheet.column_dimensions["D"].number_format == "@"
    assert sheet.freeze_panes == "A2"


cell_text = (
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
formula_like = st.builds(
    lambda quote, start, rest: quote + start + rest,
    st.sampled_from(["", "'", "''", '"']),
    st.sampled_from(list("=+-@")),
    st.text(max_size=10).map(str.rstrip),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(cell_text, formula_like, st.none()), min_size=1, max_size=12))
def test_any_text_survives_a_csv_round_trip(tmp_path: Path, cells: list[str | None]) -> None:
    # given a column of arbitrary text (commas, quotes, newlines, formula starts)
    frame = pl.DataFrame({name: ["x"] * len(cells) for name in REQUIRED_HEADERS}).with_columns(
        pl.Series("name", cells, dtype=pl.String)
    )
    path = tmp_path / "property.csv"
    # when
    write_household_file(frame, path)
    # then
    assert read_household_file(path).frame["name"].to_list() == cells


# --- the template ----------------------------------------------------------------------------


def test_template_reads_back_as_two_header_rows_and_no_data(tmp_path: Path) -> None:
    # given
    path = tmp_path / "template.xlsx"
    # when
    write_template(path)
    table = read_household_file(path)
    # then
    assert table.header_rows == 2
    assert table.frame.columns == ["_row", *(c.name for c in COLUMNS)]
    assert table.frame.height == 0


def test_a_filled_template_reads_its_rows_from_row_three(tmp_path: Path) -> None:
    # given a template a county office filled in
    path = tmp_path / "template.xlsx"
    write_template(path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=3, column=index, value=HEAD[column.name])
    workbook.save(path)
    # when
    table = read_household_file(path)
    # then
    assert table.frame["_row"].to_list() == [3]
    assert table.frame.drop("_row").row(0, named=True) == HEAD


def test_template_offers_drop_down_lists_of_accepted_words(tmp_path: Path) -> None:
    # given
    path = tmp_path / "template.xlsx"
    # when
    write_template(path)
    # then
    workbook = openpyxl.load_workbook(path)
    sheet, values = workbook.worksheets[0], workbook[VALUES_SHEET]
    assert values.sheet_state == "hidden"
    assert sheet.freeze_panes == "A3"
    lists = {
        str(v.sqref).split(":")[0]: _listed_words(values, str(v.formula1))
        for v in sheet.data_validations.dataValidation
    }
    letters = {c.name: openpyxl.utils.get_column_letter(i) for i, c in enumerate(COLUMNS, 1)}
    assert lists[f"{letters['relation']}3"] == ["户主", "配偶", "之子/之女", "之儿媳/之女婿",
                                                "之孙子/之孙女", "之父/之母", "之祖父/之祖母",
                                                "之兄弟姐妹", "其他"]  # fmt: skip
    assert lists[f"{letters['health']}3"] == ["健康", "长期慢性病", "患有大病", "残疾"]
    assert lists[f"{letters['food_ok']}3"] == ["是", "否"]
    listed = {c.name for c in COLUMNS if c.kind in ("enum", "enum_list", "flag")}
    assert {name for name, letter in letters.items() if f"{letter}3" in lists} == listed
    for name in listed:
        assert set(offered_values(name)) <= set(FORM_VALUES[name])
    assert sheet.column_dimensions[letters["id_number"]].number_format == "@"


def _listed_words(values: Worksheet, formula: str) -> list[str]:
    sheet_name, cells = formula.split("!")
    assert sheet_name.strip("'") == VALUES_SHEET
    return [str(row[0].value) for row in values[cells.replace("$", "")]]
