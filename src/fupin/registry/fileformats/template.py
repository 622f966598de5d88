"""The household import template (贫困户信息导入模板) that county offices fill in Excel.

Row 1 holds the canonical English names, row 2 the form's Chinese; both are read back as
headers. Every enumerated or yes/no column offers its Chinese words as a drop-down list,
kept on a hidden sheet because Excel caps an inline list at 255 characters.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fupin.registry.columns import COLUMNS, Column
from fupin.registry.fileformats.issues import column_letter
from fupin.registry.fileformats.writing import SHEET_TITLE, format_columns
from fupin.registry.vocabulary import FORM_LABELS

VALUES_SHEET = "选项"
HEADER_ROWS = 2
_LAST_ROW = 1_048_576  # Excel's last row: the lists apply to every row a user may fill
_DATE_FORMAT = "yyyy-mm-dd"
# One fill per level tells apart member fields from those read on the head's row only.
_LEVEL_FILLS = {"household": "DDEBF7", "member": "E2EFDA", "assessment": "FFF2CC"}
_REQUIRED_COLOUR = "C00000"


def write_template(path: Path) -> None:
    """Write the `.xlsx` import template: both header rows, frozen panes, drop-down lists."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET_TITLE
    _write_headers(sheet)
    format_columns(sheet, COLUMNS)
    for index, column in enumerate(COLUMNS):
        if column.kind == "date":
            sheet.column_dimensions[column_letter(index)].number_format = _DATE_FORMAT
    sheet.freeze_panes = f"A{HEADER_ROWS + 1}"
    values = workbook.create_sheet(VALUES_SHEET)
    values.sheet_state = "hidden"
    _add_drop_downs(sheet, values)
    workbook.save(path)


def offered_values(column: str) -> list[str]:
    """The words a drop-down list offers for an enumerated or yes/no column."""
    return list(dict.fromkeys(FORM_LABELS[column].values()))


def _write_headers(sheet: Worksheet) -> None:
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, column in enumerate(COLUMNS, start=1):
        fill = PatternFill("solid", fgColor=_LEVEL_FILLS[column.level])
        font = Font(bold=True, color=_REQUIRED_COLOUR if column.required else None)
        for row, text in ((1, column.name), (2, column.chinese)):
            cell = sheet.cell(row=row, column=index, value=text)
            cell.fill, cell.font, cell.alignment = fill, font, centred


def _add_drop_downs(sheet: Worksheet, values: Worksheet) -> None:
    listed = [(index, column) for index, column in enumerate(COLUMNS) if column.name in FORM_LABELS]
    for slot, (index, column) in enumerate(listed):
        words = offered_values(column.name)
        source = column_letter(slot)
        values.cell(row=1, column=slot + 1, value=column.chinese)
        for row, word in enumerate(words, start=2):
            values.cell(row=row, column=slot + 1, value=word)
        validation = _validation(column, f"'{VALUES_SHEET}'!${source}$2:${source}${len(words) + 1}")
        target = column_letter(index)
        validation.add(f"{target}{HEADER_ROWS + 1}:{target}{_LAST_ROW}")
        sheet.add_data_validation(validation)


def _validation(column: Column, formula: str) -> DataValidation:
    # Several causes go in one cell, so that list only suggests; the others insist.
    several = column.kind == "enum_list"
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=not several,
        errorStyle="stop",
        errorTitle="取值无效",
        error=f"请从下拉列表中选择“{column.chinese}”的取值",
        showInputMessage=several,
        promptTitle=column.chinese,
        prompt="可填多项，用“、”分隔" if several else None,
    )
