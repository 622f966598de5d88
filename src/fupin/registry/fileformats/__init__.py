"""Files as county offices use them: CSV (UTF-8 or GBK) and XLSX, and the household template.

This is the file layer only: cells come out as stripped strings with their row numbers,
and go in as the strings given. Parsing values and checking rules happen after it.
"""

from __future__ import annotations

from fupin.registry.fileformats.issues import FileFormatError, FileIssue
from fupin.registry.fileformats.layout import FileLayout
from fupin.registry.fileformats.reading import ROW, RawTable, read_household_file, read_table
from fupin.registry.fileformats.template import write_template
from fupin.registry.fileformats.writing import write_household_file

__all__ = [
    "ROW",
    "FileFormatError",
    "FileIssue",
    "FileLayout",
    "RawTable",
    "read_household_file",
    "read_table",
    "write_household_file",
    "write_template",
]
