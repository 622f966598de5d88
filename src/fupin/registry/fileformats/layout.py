"""Which columns a kind of file holds and how people spell their headers.

The reader is the same for every file a county office or a department sends (the
household file, the assistance ledger): only the layout differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from fupin.registry.fileformats.cells import normalise_header


class FileColumn(Protocol):
    """What the reader needs of a column: its name, its Chinese header, whether a file may
    leave it out."""

    @property
    def name(self) -> str: ...

    @property
    def chinese(self) -> str: ...

    @property
    def optional_in_file(self) -> bool: ...


@dataclass(frozen=True)
class FileLayout:
    """The columns of one kind of file, in order, and the header spellings beyond the
    canonical English name and Chinese header of each."""

    columns: tuple[FileColumn, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def _lookup(self) -> dict[str, str]:
        spellings: dict[str, str] = {}
        for column in self.columns:
            spellings[column.name] = column.name
            spellings[column.chinese] = column.name
        spellings.update(self.aliases)
        return {normalise_header(spelling): name for spelling, name in spellings.items()}

    @cached_property
    def _chinese(self) -> dict[str, str]:
        return {column.name: column.chinese for column in self.columns}

    def column_for_header(self, text: str | None) -> str | None:
        """The canonical column a header cell names, or None."""
        if not text:
            return None
        return self._lookup.get(normalise_header(text))

    def chinese(self, name: str) -> str:
        """The Chinese header of column `name`."""
        return self._chinese[name]
