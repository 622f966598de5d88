"""Shipped-edition helpers: read the 2023 files and cut real subsets of them to edit."""

from __future__ import annotations

import io
import lzma
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fupin.regions.services import SHIPPED_DATA_DIR

STEMS = ("provinces", "cities", "areas", "streets", "villages")


def read_shipped(stem: str) -> pl.DataFrame:
    """One shipped file as the tests see it, read independently of the loader."""
    raw = lzma.decompress((SHIPPED_DATA_DIR / f"{stem}.csv.xz").read_bytes())
    return pl.read_csv(io.BytesIO(raw), infer_schema=False)


@dataclass
class Edition:
    """Five level frames to edit in a test and write out as an edition directory."""

    frames: dict[str, pl.DataFrame]

    @property
    def size(self) -> int:
        return sum(frame.height for frame in self.frames.values())

    def codes(self) -> set[str]:
        return {code for frame in self.frames.values() for code in frame.get_column("code")}

    def edit(self, stem: str, change: Callable[[pl.DataFrame], pl.DataFrame]) -> Edition:
        self.frames[stem] = change(self.frames[stem])
        return self

    def write(self, directory: Path, *, compressed: bool = False) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for stem, frame in self.frames.items():
            buffer = io.BytesIO()
            frame.write_csv(buffer)
            if compressed:
                (directory / f"{stem}.csv.xz").write_bytes(lzma.compress(buffer.getvalue()))
            else:
                (directory / f"{stem}.csv").write_bytes(buffer.getvalue())
        return directory


def subset(shipped: dict[str, pl.DataFrame], prefix: str) -> Edition:
    """The shipped rows under `prefix` and the rows of its ancestors (the file is prefix-true)."""
    ancestors = [prefix[:length] for length in (2, 4, 6, 9) if length < len(prefix)]
    return Edition(
        {
            stem: frame.filter(
                pl.col("code").str.starts_with(prefix) | pl.col("code").is_in(ancestors)
            )
            for stem, frame in shipped.items()
        }
    )
