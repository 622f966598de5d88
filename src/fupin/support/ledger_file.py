"""A department's ledger file (帮扶措施导入表): CSV (UTF-8 or GBK) or XLSX with Chinese headers.

The file is read by the same reader as the household file (`registry.fileformats`): the
header row found under a title, headers in Chinese, English or a common alias, rows kept
with the numbers the user sees. Cells may give the Chinese words of a choice (健康帮扶,
资金, 行业部门) or its English slug. The rows then go through `measures_import`: validated
whole, every bad cell named by file, row and field, and nothing written on any error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl
from django.db import models
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fupin.core.audit import Actor
from fupin.registry.fileformats import FileFormatError, FileLayout, read_table
from fupin.registry.fileformats.cells import normalise_header
from fupin.registry.fileformats.issues import column_letter
from fupin.registry.importer import file_sha256
from fupin.support.choices import MeasureForm, MeasureType, ProviderKind
from fupin.support.services import MeasureError, RowIssue, measures_import

SHEET_TITLE = "帮扶措施"
VALUES_SHEET = "选项"
_LAST_ROW = 1_048_576


@dataclass(frozen=True)
class LedgerColumn:
    """One column of the ledger file."""

    name: str
    chinese: str
    optional_in_file: bool = False
    hint: str = ""


COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("household_no", "户编号"),
    LedgerColumn("year", "年度", hint="如 2018"),
    LedgerColumn("given_on", "帮扶日期", hint="YYYY-MM-DD"),
    LedgerColumn("measure_type", "帮扶措施类型"),
    LedgerColumn("description", "措施内容"),
    LedgerColumn("form", "帮扶形式"),
    LedgerColumn("value", "金额（元）", hint="实物按折价填写"),
    LedgerColumn("provider_kind", "帮扶主体类型"),
    LedgerColumn("provider_name", "帮扶单位"),
    LedgerColumn("fund", "资金来源", optional_in_file=True),
    LedgerColumn("project", "项目名称", optional_in_file=True),
)
LAYOUT = FileLayout(
    COLUMNS,
    {
        "户编码": "household_no", "措施类型": "measure_type", "帮扶措施": "measure_type",
        "帮扶类型": "measure_type", "帮扶内容": "description", "措施名称": "description",
        "形式": "form", "资金或实物": "form", "金额": "value", "金额(元)": "value",
        "折价金额": "value", "帮扶金额": "value", "日期": "given_on", "实施日期": "given_on",
        "帮扶主体": "provider_kind", "主体类型": "provider_kind", "提供单位": "provider_name",
        "帮扶单位名称": "provider_name", "资金名称": "fund", "项目": "project",
    },
)  # fmt: skip

# Words county offices use besides the labels of the choices.
WORD_ALIASES: dict[str, dict[str, str]] = {
    "measure_type": {
        "产业扶贫": "industry", "就业扶贫": "employment", "教育扶贫": "education",
        "健康扶贫": "health", "医疗救助": "health", "危房改造": "housing",
        "农村危房改造": "housing", "易地搬迁": "relocation", "生态扶贫": "ecological",
        "低保": "minimum_living", "低保兜底": "minimum_living", "特困": "extreme_poverty",
        "小额信贷": "microcredit", "公益性岗位": "welfare_post", "培训": "training",
        "技能培训": "training", "其它": "other",
    },
    "form": {"现金": "money", "资金": "money", "实物": "in_kind", "服务": "in_kind"},
    "provider_kind": {"部门": "department", "行业部门": "department", "企业": "enterprise",
                      "捐赠": "donor", "社会组织": "donor", "村": "village", "其它": "other"},
}  # fmt: skip
CHOICE_COLUMNS: dict[str, type[models.TextChoices]] = {
    "measure_type": MeasureType, "form": MeasureForm, "provider_kind": ProviderKind,
}  # fmt: skip


def measures_file_import(
    *, path: Path, actor: Actor, file_name: str | None = None, dry_run: bool = False
) -> int:
    """Read a department's ledger file and record its measures whole (see `measures_import`);
    MeasureError names every problem by file, row and field, and nothing is written."""
    shown = file_name or path.name
    try:
        table = read_table(path, LAYOUT, file_name=shown)
    except FileFormatError as exc:
        issues = [
            RowIssue(issue.row or 0, issue.column or "", issue.code, issue.message_en,
                     issue.message_zh)
            for issue in exc.issues
        ]  # fmt: skip
        summary = "; ".join(issue.message_en for issue in exc.issues)
        raise MeasureError("file_unusable", summary, issues) from None
    frame = words_as_values(table.frame)
    try:
        return measures_import(
            rows=frame, actor=actor, source=f"{shown} sha256:{file_sha256(path)}", dry_run=dry_run
        )
    except MeasureError as exc:
        raise MeasureError(exc.code, f"{shown}: {exc}", exc.issues) from None


def words_as_values(frame: pl.DataFrame) -> pl.DataFrame:
    """The choice columns' Chinese words (labels and common aliases) as their slugs; an
    unknown word stays as given, for the checks to name. Each distinct cell is looked up
    once, then replaced set-wise."""
    replaced = []
    for name in CHOICE_COLUMNS:
        if name in frame.columns:
            known = _words(name)
            cells = frame[name].drop_nulls().unique().to_list()
            mapping = {cell: known.get(normalise_header(cell), cell) for cell in cells}
            replaced.append(pl.col(name).replace(mapping))
    return frame.with_columns(replaced)


def _words(name: str) -> dict[str, str]:
    """Every accepted spelling of column `name`'s choices, normalised, to its slug."""
    choices = CHOICE_COLUMNS[name]
    known: dict[str, str] = {}
    with translation.override("zh-hans"):
        for value, label in choices.choices:
            known[normalise_header(str(label))] = str(value)
    for word, value in WORD_ALIASES.get(name, {}).items():
        known.setdefault(normalise_header(word), value)
    for value in choices.values:
        known[normalise_header(value)] = value
    return known


def offered_words(name: str) -> list[str]:
    """The Chinese words the template's drop-down offers for a choice column."""
    with translation.override("zh-hans"):
        return [str(label) for label in CHOICE_COLUMNS[name].labels]


def write_template(path: Path | IO[bytes]) -> None:
    """The `.xlsx` template a department fills: Chinese headers, drop-down lists for the
    choice columns (on a hidden sheet), a hint under each header as a cell comment."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET_TITLE
    bold, centred = Font(bold=True), Alignment(horizontal="center", vertical="center")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.chinese)
        cell.font, cell.alignment = bold, centred
        sheet.column_dimensions[column_letter(index - 1)].width = 14 if index != 5 else 30
    sheet.freeze_panes = "A2"
    values = workbook.create_sheet(VALUES_SHEET)
    values.sheet_state = "hidden"
    for slot, name in enumerate(CHOICE_COLUMNS):
        words = offered_words(name)
        source = column_letter(slot)
        for row, word in enumerate(words, start=1):
            values.cell(row=row, column=slot + 1, value=word)
        target = column_letter(_index(name))
        validation = DataValidation(
            type="list", formula1=f"'{VALUES_SHEET}'!${source}$1:${source}${len(words)}",
            allow_blank=True, showErrorMessage=True, errorTitle="取值无效",
            error="请从下拉列表中选择",
        )  # fmt: skip
        validation.add(f"{target}2:{target}{_LAST_ROW}")
        sheet.add_data_validation(validation)
    workbook.save(path)


def _index(name: str) -> int:
    return next(i for i, column in enumerate(COLUMNS) if column.name == name)


def issue_rows(issues: Iterable[RowIssue]) -> list[dict[str, object]]:
    """Issues as table rows for a page or an API answer: row, the column's Chinese header
    and its name, code and both messages."""
    headers = {column.name: column.chinese for column in COLUMNS}
    return [
        {"row": issue.row, "field": issue.field, "header": headers.get(issue.field, issue.field),
         "code": issue.code, "message": issue.message, "message_zh": issue.message_zh}
        for issue in issues
    ]  # fmt: skip
