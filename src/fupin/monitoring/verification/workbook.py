"""The survey workbook of an exit check (入户调查表, XLSX): written with one row per sampled
household, filled in by the evaluation team, and read back cell by cell.

Pure Python, no database: the caller gathers the rows (`SurveyRow`) and checks what is
read against the check (`services.findings_import`). Every problem found is kept, named
by file, row and field, so that a team can mend its sheet in one pass.

The workbook has two sheets: 入户调查表 (one row per household: the fixed columns the
system fills, then the columns the team fills) and 核查信息 (the check's number, county,
year and seed), so that a filled workbook finds its way back to its check.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

SHEET = "入户调查表"
INFO_SHEET = "核查信息"
CHECK_LABEL = "核查编号"
ERRORS_SHOWN = 30
NOTE_MAX = 500
INCOME_MAX = Decimal(100_000_000)
PERSONS_MAX = 99
YES_WORDS = frozenset({"是", "yes", "y", "1", "true", "√", "✓"})
NO_WORDS = frozenset({"否", "no", "n", "0", "false", "×", "✗"})


@dataclass(frozen=True)
class Column:
    """A column of the survey sheet: its key, its Chinese header, its width, whether the
    team fills it and the kind of value it takes (int, money, flag, text)."""

    key: str
    header: str
    width: float
    entered: bool = False
    kind: str = "text"


COLUMNS = (
    Column("check_household_id", "核查户编号", 11, kind="int"),
    Column("village", "村名", 16),
    Column("village_kind", "村类别", 9),
    Column("stratum", "抽样类别", 12),
    Column("household_no", "户编号", 20),
    Column("head_name", "户主姓名", 10),
    Column("persons_drawn", "抽样时人口", 10, kind="int"),
    Column("persons", "核实人口", 9, entered=True, kind="int"),
    Column("income_per_capita", "人均纯收入（元）", 14, entered=True, kind="money"),
    Column("food_ok", "不愁吃", 8, entered=True, kind="flag"),
    Column("clothing_ok", "不愁穿", 8, entered=True, kind="flag"),
    Column("education_ok", "义务教育有保障", 10, entered=True, kind="flag"),
    Column("medical_ok", "基本医疗有保障", 10, entered=True, kind="flag"),
    Column("housing_ok", "住房安全有保障", 10, entered=True, kind="flag"),
    Column("water_ok", "饮水安全有保障", 10, entered=True, kind="flag"),
    Column("wrongly_exited", "是否错退（仅脱贫户）", 12, entered=True, kind="flag"),
    Column("omitted", "是否漏评（仅非建档立卡户）", 14, entered=True, kind="flag"),
    Column("approves", "是否认可扶贫工作", 10, entered=True, kind="flag"),
    Column("note", "调查员备注", 30, entered=True),
)
BY_KEY = {column.key: column for column in COLUMNS}
ENTERED = tuple(column for column in COLUMNS if column.entered)
GUARANTEES = ("food_ok", "clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok")


@dataclass(frozen=True)
class SurveyHeader:
    """What the survey's title says: the check, the county and the year."""

    check_id: int
    county_code: str
    county_name: str
    year: int
    seed: int


@dataclass(frozen=True)
class SurveyRow:
    """One sampled household as printed: who and where, with no personal numbers."""

    check_household_id: int
    village_code: str
    village: str
    village_kind: str
    stratum: str
    stratum_label: str
    household_no: str
    head_name: str
    persons_drawn: int
    address: str = ""


@dataclass(frozen=True)
class FindingIssue:
    """One problem in a filled workbook: where it is and what is wrong."""

    file: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        return f"{where}, field {self.field}: {self.message}"


class FindingsError(ValueError):
    """A workbook refused whole: nothing was written. `issues` holds every problem found."""

    def __init__(self, issues: list[FindingIssue]) -> None:
        self.issues = issues
        lines = [str(issue) for issue in issues[:ERRORS_SHOWN]]
        if len(issues) > len(lines):
            lines.append(f"... and {len(issues) - len(lines)} more")
        super().__init__(f"{len(issues)} error(s), nothing was written:\n" + "\n".join(lines))


@dataclass(frozen=True)
class ReadWorkbook:
    """A survey workbook as read: the check it names, its filled rows, each a dict of the
    entered columns' values (int, Decimal, bool or str; None where blank or unreadable)
    with the household's `check_household_id`, the sheet row `_row` and the set `_bad` of
    the keys whose cell could not be read, and the issues of those cells."""

    check_id: int
    rows: list[dict[str, Any]]
    issues: list[FindingIssue]


def survey_workbook(header: SurveyHeader, rows: Sequence[SurveyRow]) -> bytes:
    """The survey workbook for the team to fill: one row per sampled household."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([column.header for column in COLUMNS])
    fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        if column.entered:
            cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = column.width
    for row in rows:
        sheet.append([row.check_household_id, row.village, row.village_kind, row.stratum_label,
                      row.household_no, row.head_name, row.persons_drawn])  # fmt: skip
    sheet.freeze_panes = "H2"
    if rows:
        flags = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        sheet.add_data_validation(flags)
        for index, column in enumerate(COLUMNS, start=1):
            if column.kind == "flag":
                letter = sheet.cell(row=1, column=index).column_letter
                flags.add(f"{letter}2:{letter}{len(rows) + 1}")
    info = book.create_sheet(INFO_SHEET)
    for label, value in ((CHECK_LABEL, header.check_id),
                         ("县", f"{header.county_code} {header.county_name}"),
                         ("年度", header.year), ("随机种子", str(header.seed)),
                         ("说明", "每行一户；黄色列由调查员填写，是/否填“是”或“否”；"
                                  "未入户的户整行留空。请勿改动核查户编号。")):  # fmt: skip
        info.append([label, value])
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def survey_workbook_read(path: Path, *, file_name: str = "") -> ReadWorkbook:
    """The check and the filled rows of a survey workbook, with every cell that cannot be
    read (rows left blank in every entered column are not read: not surveyed); raises
    FindingsError when the file itself is not a survey workbook."""
    name = file_name or path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        issue = FindingIssue(name, None, "file", f"not a readable .xlsx: {exc}")
        raise FindingsError([issue]) from None
    try:
        if SHEET not in book.sheetnames or INFO_SHEET not in book.sheetnames:
            raise FindingsError([FindingIssue(
                name, None, "sheet", f"a survey workbook has the sheets {SHEET} and {INFO_SHEET}"
            )])  # fmt: skip
        check_id = _check_id(name, list(book[INFO_SHEET].iter_rows(values_only=True)))
        grid = list(book[SHEET].iter_rows(values_only=True))
    finally:
        book.close()
    positions = _positions(name, grid[0] if grid else ())
    issues: list[FindingIssue] = []
    rows = []
    for number, values in enumerate(grid[1:], start=2):
        cells = {key: _cell(values, position) for key, position in positions.items()}
        if all(cells[column.key] is None for column in ENTERED):
            continue
        row, row_issues = _parsed_row(name, number, cells)
        issues += row_issues
        rows.append(row)
    return ReadWorkbook(check_id, rows, issues)


def _check_id(name: str, info: list[tuple[Any, ...]]) -> int:
    for values in info:
        if len(values) >= 2 and str(values[0] or "").strip() == CHECK_LABEL:
            number = _whole(values[1])
            if number is not None and number > 0:
                return number
            break
    field = f"{INFO_SHEET}!{CHECK_LABEL}"
    raise FindingsError([FindingIssue(name, None, field, "the check's number is missing")])


def _positions(name: str, header: Sequence[Any]) -> dict[str, int]:
    """Where each needed column stands in the header row (the fixed descriptive columns
    may be moved or dropped; the id and the entered columns must be there)."""
    found = {str(value).strip(): index for index, value in enumerate(header) if value is not None}
    needed = [COLUMNS[0], *ENTERED]
    missing = [column for column in needed if column.header not in found]
    if missing:
        raise FindingsError([
            FindingIssue(name, 1, column.header, "the column is missing from the header row")
            for column in missing
        ])  # fmt: skip
    return {column.key: found[column.header] for column in needed}


def _cell(values: Sequence[Any], position: int) -> Any:
    value = values[position] if position < len(values) else None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _parsed_row(name: str, number: int, cells: dict[str, Any]) -> tuple[dict[str, Any], list]:
    row: dict[str, Any] = {"_row": number, "_bad": set()}
    issues = []
    for key, raw in cells.items():
        column = BY_KEY[key]
        try:
            row[key] = _value(column, raw)
        except ValueError as exc:
            issues.append(FindingIssue(name, number, _field(column), str(exc)))
            row[key] = None
            row["_bad"].add(key)
    return row, issues


def _field(column: Column) -> str:
    return f"{column.header} ({column.key})"


def field_name(key: str) -> str:
    """A column named as the issues name it: its Chinese header and its key."""
    return _field(BY_KEY[key])


def _value(column: Column, raw: Any) -> Any:
    if raw is None:
        return None
    if column.kind == "int":
        number = _whole(raw)
        if number is None:
            raise ValueError(f"not a whole number: {raw!r}")
        return number
    if column.kind == "money":
        try:
            amount = Decimal(str(raw).replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"not an amount in yuan: {raw!r}") from None
        if not amount.is_finite() or abs(amount) >= INCOME_MAX:
            raise ValueError(f"not a plausible amount in yuan: {raw!r}")
        return amount.quantize(Decimal("0.01"))
    if column.kind == "flag":
        word = str(raw).strip().lower()
        if isinstance(raw, bool):
            return raw
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise ValueError(f"write 是 or 否, not {raw!r}")
    text = str(raw)
    if len(text) > NOTE_MAX:
        raise ValueError(f"at most {NOTE_MAX} characters")
    return text


def _whole(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None
