"""Reading a file of rows (the household file 贫困户登记表, a department's ledger) from CSV or
a spreadsheet into a table of strings.

The file is first read as a grid of text cells, one grid row per spreadsheet row, so that
row numbers stay the ones the user sees. The header row is then found, named columns are
mapped to canonical names by the file's layout, and everything below becomes the frame the
import validates.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from fupin.registry.columns import COLUMNS, HEADER_ALIASES
from fupin.registry.fileformats import issues
from fupin.registry.fileformats.cells import clean, clean_columns
from fupin.registry.fileformats.issues import FileFormatError, FileIssue
from fupin.registry.fileformats.layout import FileLayout

ROW = "_row"
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx), OLE2 (xls)
_PREFIX_BYTES = 1 << 16
# A title such as "某某村贫困户登记表" may sit above the header; look this far for it.
_HEADER_SEARCH_ROWS = 10
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"

HOUSEHOLD_LAYOUT = FileLayout(COLUMNS, HEADER_ALIASES)


@dataclass(frozen=True)
class RawTable:
    """A file read as text: one String column per recognised column, plus `_row`."""

    frame: pl.DataFrame
    path: Path
    sheet: str | None
    header_rows: int


@dataclass(frozen=True)
class _Grid:
    """Every cell of a file as text, one row per spreadsheet row starting at row 1."""

    frame: pl.DataFrame
    first_column: int  # 0-based spreadsheet column of the grid's first column
    sheet: str | None


@dataclass(frozen=True)
class _Layout:
    """Where the header sits and which grid columns hold which canonical columns."""

    header_index: int  # 0-based grid row of the (first) header row
    header_rows: int
    columns: dict[str, str]  # canonical name -> grid column, in COLUMNS order


def read_household_file(path: Path, *, file_name: str | None = None) -> RawTable:
    """Read a household file (.csv or .xlsx) into strings; raise FileFormatError if unusable."""
    return read_table(path, HOUSEHOLD_LAYOUT, file_name=file_name)


def read_table(path: Path, columns: FileLayout, *, file_name: str | None = None) -> RawTable:
    """Read a file of `columns` (.csv or .xlsx) into strings; FileFormatError if unusable."""
    shown = file_name or path.name
    grid = _load_grid(path, shown)
    layout = _find_layout(grid, columns, shown)
    data_start = layout.header_index + layout.header_rows
    data = grid.frame.slice(data_start).select(
        pl.col(source).alias(column) for column, source in layout.columns.items()
    )
    frame = (
        data.with_row_index(ROW, offset=data_start + 1)
        .select(pl.col(ROW).cast(pl.Int64), *clean_columns(data))
        # Spreadsheets keep formatted but empty rows, and people leave blank lines.
        .filter(pl.any_horizontal(pl.exclude(ROW).is_not_null()))
    )
    return RawTable(frame, path, grid.sheet, layout.header_rows)


def _load_grid(path: Path, name: str) -> _Grid:
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | SPREADSHEET_SUFFIXES:
        raise FileFormatError([issues.unsupported_format(name, suffix)])
    prefix = _read_prefix(path, name)
    # Go by content: users rename workbooks to .csv and back.
    if prefix.startswith(_SPREADSHEET_MAGIC):
        return _load_spreadsheet(path, name)
    if suffix in SPREADSHEET_SUFFIXES:
        raise FileFormatError([issues.unreadable(name, "not a valid spreadsheet file")])
    if not prefix.strip():
        raise FileFormatError([issues.empty(name)])
    return _Grid(_load_csv(path, prefix, name), 0, None)


def _read_prefix(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_PREFIX_BYTES)
    except OSError as exc:
        raise FileFormatError([issues.unreadable(name, exc.strerror or str(exc))]) from exc


class _NotUtf8(Exception):
    """Polars found bytes past the sniffed prefix that are not UTF-8."""


def _load_csv(path: Path, prefix: bytes, name: str) -> pl.DataFrame:
    separator = _sniff_separator(prefix)
    encoding = _sniff_encoding(prefix)
    if encoding != "utf-8":
        return _parse_csv(_transcode(path, encoding, name), separator, name)
    try:
        # The common case: Polars maps the file and validates UTF-8 itself (and drops a BOM).
        return _parse_csv(path, separator, name)
    except _NotUtf8:
        return _parse_csv(_transcode(path, "gb18030", name), separator, name)


def _sniff_encoding(prefix: bytes) -> str:
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    try:
        # final=False: the prefix may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=False)
    except UnicodeDecodeError:
        # Excel in China saves CSV in GBK; GB18030 is its superset.
        return "gb18030"
    return "utf-8"


def _sniff_separator(prefix: bytes) -> str:
    first_line = prefix.split(b"\n", 1)[0]
    return "\t" if first_line.count(b"\t") > first_line.count(b",") else ","


def _transcode(path: Path, encoding: str, name: str) -> bytes:
    try:
        return path.read_bytes().decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        detail = f"not UTF-8, GBK or GB18030 text (byte {exc.start})"
        raise FileFormatError([issues.unreadable(name, detail)]) from exc


def _parse_csv(source: Path | bytes, separator: str, name: str) -> pl.DataFrame:
    try:
        try:
            frame = _read_csv(source, separator, width=None)
        except pl.exceptions.ComputeError as exc:
            # Polars matches its messages, not types, for these two; both have a way out.
            if isinstance(source, Path) and "utf-8" in str(exc).lower():
                raise _NotUtf8 from exc
            if "more fields" not in str(exc):
                raise
            # Polars takes the first line's width; a shorter title row must not stop the read.
            frame = _read_csv(source, separator, width=_widest_row(source, separator))
    except pl.exceptions.ComputeError as exc:
        detail = str(exc).splitlines()[0]
        raise FileFormatError([issues.unreadable(name, detail)]) from exc
    return frame


def _read_csv(source: Path | bytes, separator: str, *, width: int | None) -> pl.DataFrame:
    widened: dict[str, Any] = {}
    if width is not None:
        widened["schema"] = {f"column_{i}": pl.String for i in range(width)}
        widened["missing_columns"] = "insert"
    frame = pl.read_csv(
        source,
        has_header=False,
        infer_schema=False,
        separator=separator,
        raise_if_empty=False,
        **widened,
    )
    return frame.rename({old: f"column_{i}" for i, old in enumerate(frame.columns)})


def _widest_row(source: Path | bytes, separator: str) -> int:
    """The most cells in any row (a slow pass, taken only for ragged files)."""
    raw = source.read_bytes() if isinstance(source, Path) else source
    text = io.StringIO(raw.decode("utf-8-sig", errors="replace"), newline="")
    return max(len(row) for row in csv.reader(text, delimiter=separator))


def _load_spreadsheet(path: Path, name: str) -> _Grid:
    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
        frame = sheet.to_polars()
        columns = sheet.available_columns()
    except Exception as exc:  # calamine reports broken zips, encryption and bad XML alike
        raise FileFormatError([issues.unreadable(name, str(exc))]) from exc
    if not columns or frame.height == 0:
        raise FileFormatError([issues.empty(name)])
    frame = frame.rename({old: f"column_{i}" for i, old in enumerate(frame.columns)})
    return _Grid(_midnight_dates(frame), columns[0].absolute_index, sheet.name)


def _midnight_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Calamine renders a date cell as "YYYY-MM-DD 00:00:00"; a user sees the date alone."""
    dated = frame.select(pl.col(name).str.ends_with(" 00:00:00").any() for name in frame.columns)
    return frame.with_columns(
        pl.col(name).str.replace(_MIDNIGHT, "$1") for name in frame.columns if dated[name][0]
    )


def _find_layout(grid: _Grid, spec: FileLayout, name: str) -> _Layout:
    head = grid.frame.head(_HEADER_SEARCH_ROWS + 1).select(
        clean(pl.col(column)) for column in grid.frame.columns
    )
    rows = head.rows()
    header_index = _header_index(rows, spec)
    if header_index is None:
        raise FileFormatError([issues.empty(name)])
    header = rows[header_index]
    second = rows[header_index + 1] if header_index + 1 < len(rows) else None
    header_rows = 2 if second is not None and _is_second_header(header, second, spec) else 1
    unnamed = [source for source, text in zip(grid.frame.columns, header, strict=True) if not text]
    filled = _filled_columns(grid.frame.select(unnamed), header_index + header_rows)
    columns, found = _map_headers(grid, spec, header, header_index + 1, filled, name)
    found += _missing_headers(spec, columns, header_index + 1, name)
    if found:
        raise FileFormatError(found)
    return _Layout(header_index, header_rows, columns)


def _header_index(rows: list[tuple[str | None, ...]], spec: FileLayout) -> int | None:
    first_filled = None
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if first_filled is None and any(row):
            first_filled = index
        if sum(spec.column_for_header(cell) is not None for cell in row) >= 2:
            return index
    # No row looks like a header: report the first filled one's cells as unknown headers.
    return first_filled


def _is_second_header(
    header: tuple[str | None, ...], row: tuple[str | None, ...], spec: FileLayout
) -> bool:
    """True for a row (the template's Chinese row) naming the same columns as the header."""
    cells = [(above, cell) for above, cell in zip(header, row, strict=True) if cell]
    return bool(cells) and all(
        spec.column_for_header(cell) is not None
        and spec.column_for_header(cell) == spec.column_for_header(above)
        for above, cell in cells
    )


def _filled_columns(frame: pl.DataFrame, data_start: int) -> set[str]:
    """Grid columns holding at least one cell below the header."""
    if frame.width == 0:
        return set()
    counts = frame.slice(data_start).select(
        clean(pl.col(column)).is_not_null().any() for column in frame.columns
    )
    return {column for column, filled in counts.row(0, named=True).items() if filled}


def _map_headers(
    grid: _Grid,
    spec: FileLayout,
    header: tuple[str | None, ...],
    row: int,
    filled: set[str],
    name: str,
) -> tuple[dict[str, str], list[FileIssue]]:
    found: list[FileIssue] = []
    positions: dict[str, int] = {}
    for index, (source, text) in enumerate(zip(grid.frame.columns, header, strict=True)):
        position = grid.first_column + index
        column = spec.column_for_header(text)
        if column is None:
            # An unnamed column is ignored as long as it is empty.
            if text or source in filled:
                found.append(issues.unknown_header(name, row, position, text or ""))
        elif column in positions:
            first = grid.first_column + positions[column]
            found.append(
                issues.duplicate_header(
                    name, row, position, text or "", column, spec.chinese(column), first
                )
            )
        else:
            positions[column] = index
    columns = {
        column.name: grid.frame.columns[positions[column.name]]
        for column in spec.columns
        if column.name in positions
    }
    return columns, found


def _missing_headers(
    spec: FileLayout, columns: dict[str, str], row: int, name: str
) -> list[FileIssue]:
    return [
        issues.missing_header(name, row, column.name, column.chinese)
        for column in spec.columns
        if not column.optional_in_file and column.name not in columns
    ]
