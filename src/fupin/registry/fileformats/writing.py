"""Writing the household file as CSV (UTF-8 with BOM) or XLSX, safe to open in a spreadsheet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from fupin.registry.columns import BY_NAME, COLUMNS, Column
from fupin.registry.fileformats import issues
from fupin.registry.fileformats.cells import FORMULA_STARTS, neutralise_columns
from fupin.registry.fileformats.issues import FileFormatError, column_letter

SHEET_TITLE = "贫困户登记表"
TEXT_FORMAT = "@"
# Digit strings Excel would turn into numbers, losing leading zeros and digits past 15.
TEXT_COLUMNS = frozenset({"household_no", "village_code", "id_number", "phone", "bank_account"})
_KIND_WIDTHS = {
    "id_number": 21, "code": 15, "date": 12, "money": 12, "int": 10, "flag": 8,
    "enum": 16, "enum_list": 24, "text": 16,
}  # fmt: skip
_TEXT_WIDTHS = {"household_no": 20, "name": 10, "ethnicity": 10, "phone": 14,
                "bank_account": 22, "address": 36}  # fmt: skip
# XML 1.0 cannot hold these; openpyxl refuses them rather than write a broken file.
_XML_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
# In XLSX a text cell is never run as a formula, so only already-quoted text needs escaping.
_QUOTED_FORMULA = r"^('+[=+\-@\t\r])"


def write_household_file(frame: pl.DataFrame, path: Path, *, chinese_headers: bool = False) -> None:
    """Write member rows to `.csv` or `.xlsx` with the columns in the order of COLUMNS."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FileFormatError([issues.unsupported_format(path.name, suffix)])
    columns = _export_columns(frame)
    headers = [column.chinese if chinese_headers else column.name for column in columns]
    cells = frame.select(pl.col(column.name).cast(pl.String) for column in columns)
    if suffix == ".csv":
        _write_csv(cells, headers, path)
    else:
        _write_xlsx(cells, headers, columns, path)


def _export_columns(frame: pl.DataFrame) -> list[Column]:
    """The frame's columns of the household file in file order; `_`-prefixed ones dropped."""
    unknown = [name for name in frame.columns if name not in BY_NAME and not name.startswith("_")]
    if unknown:
        raise ValueError(f"not columns of the household file: {', '.join(unknown)}")
    return [column for column in COLUMNS if column.name in frame.columns]


def _write_csv(cells: pl.DataFrame, headers: list[str], path: Path) -> None:
    safe = cells.select(neutralise_columns(cells))
    safe.columns = headers
    safe.write_csv(path, include_bom=True, line_terminator="\r\n")


def _write_xlsx(cells: pl.DataFrame, headers: list[str], columns: list[Column], path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    format_columns(sheet, columns)
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, header) for header in headers])
    safe = cells.select(
        pl.col(name).str.replace_all(_XML_ILLEGAL, "").str.replace(_QUOTED_FORMULA, "'$1")
        for name in cells.columns
    )
    for row in safe.iter_rows():
        sheet.append([_cell(sheet, value) for value in row])
    workbook.save(path)


def _cell(sheet: WriteOnlyWorksheet, value: str | None) -> Any:
    if not value or value[0] not in FORMULA_STARTS:
        return value
    # Force a text cell and set Excel's own apostrophe prefix (quotePrefix) so that the
    # text is never run as a formula, not even after the user edits the cell.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _header_cell(sheet: WriteOnlyWorksheet, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=header)
    cell.font = Font(bold=True)
    return cell


def column_width(column: Column) -> float:
    """A width that shows the header and a typical value (a CJK character counts double)."""
    header = max(len(column.name), 2 * len(column.chinese)) + 2
    body = _TEXT_WIDTHS.get(column.name, _KIND_WIDTHS[column.kind])
    return min(max(header, body), 40)


def format_columns(sheet: Worksheet | WriteOnlyWorksheet, columns: Sequence[Column]) -> None:
    """Set each column's width, and text format where Excel would mangle digits."""
    for index, column in enumerate(columns):
        dimension = sheet.column_dimensions[column_letter(index)]
        dimension.width = column_width(column)
        if column.name in TEXT_COLUMNS or column.kind in ("id_number", "code"):
            dimension.number_format = TEXT_FORMAT
