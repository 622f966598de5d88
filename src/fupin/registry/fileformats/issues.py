"""Problems with a file (household file, ledger): stable codes, messages in Chinese and English.

Every issue names the file and, where it has one, the row and column, so that a county
office can find the cell in its own spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass

FILE_UNREADABLE = "file.unreadable"
FILE_FORMAT = "file.format"
FILE_EMPTY = "file.empty"
UNKNOWN_HEADER = "file.unknown_header"
DUPLICATE_HEADER = "file.duplicate_header"
MISSING_HEADER = "file.missing_header"


@dataclass(frozen=True)
class FileIssue:
    """One problem found in a file (文件问题), addressed by file, row and column."""

    file: str
    row: int | None
    column: str | None
    code: str
    message_zh: str
    message_en: str


class FileFormatError(Exception):
    """A file that cannot be taken as a table of its rows; carries every issue."""

    def __init__(self, issues: list[FileIssue]) -> None:
        super().__init__("; ".join(issue.message_en for issue in issues))
        self.issues = issues


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def unreadable(file: str, detail: str) -> FileIssue:
    """The file cannot be opened or decoded."""
    return FileIssue(
        file,
        None,
        None,
        FILE_UNREADABLE,
        f"文件“{file}”无法读取：{detail}",
        f"File {file} cannot be read: {detail}",
    )


def unsupported_format(file: str, suffix: str) -> FileIssue:
    """The file is neither CSV nor a spreadsheet."""
    shown = suffix or "(none)"
    return FileIssue(
        file,
        None,
        None,
        FILE_FORMAT,
        f"文件“{file}”的格式（{shown}）不受支持，请使用 .xlsx 或 .csv 文件",
        f"File {file} has an unsupported format ({shown}); use an .xlsx or .csv file",
    )


def empty(file: str) -> FileIssue:
    """The file holds no header row."""
    return FileIssue(
        file,
        None,
        None,
        FILE_EMPTY,
        f"文件“{file}”是空的，没有表头行",
        f"File {file} is empty: it has no header row",
    )


def unknown_header(file: str, row: int, position: int, header: str) -> FileIssue:
    """A header cell that names no column, or a column with data and no header."""
    letter = column_letter(position)
    if not header:
        return FileIssue(
            file,
            row,
            letter,
            UNKNOWN_HEADER,
            f"文件“{file}”第{row}行第{letter}列：该列有数据但没有表头",
            f"File {file}, row {row}, column {letter}: the column has data but no header",
        )
    return FileIssue(
        file,
        row,
        header,
        UNKNOWN_HEADER,
        f"文件“{file}”第{row}行第{letter}列：无法识别的表头“{header}”",
        f"File {file}, row {row}, column {letter}: unknown header “{header}”",
    )


def duplicate_header(
    file: str, row: int, position: int, header: str, column: str, chinese: str, first_position: int
) -> FileIssue:
    """A second header cell naming a column that an earlier cell already named."""
    letter, first = column_letter(position), column_letter(first_position)
    return FileIssue(
        file,
        row,
        header,
        DUPLICATE_HEADER,
        f"文件“{file}”第{row}行第{letter}列：表头“{header}”与第{first}列重复（都是“{chinese}”）",
        f"File {file}, row {row}, column {letter}: header “{header}” repeats column "
        f"{first} (both are {column})",
    )


def missing_header(file: str, row: int, column: str, chinese: str) -> FileIssue:
    """A column every file must have is absent from the header row."""
    return FileIssue(
        file,
        row,
        column,
        MISSING_HEADER,
        f"文件“{file}”第{row}行：缺少必需的列“{chinese}”（{column}）",
        f"File {file}, row {row}: the required column {column} ({chinese}) is missing",
    )
