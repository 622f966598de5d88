"""Cell-level rules shared by reading and writing: cleaning, neutralising formulas, headers."""

from __future__ import annotations

import unicodedata

import polars as pl

# A spreadsheet takes a cell starting with one of these for a formula (OWASP CSV injection);
# tab and carriage return too, because Excel skips them before looking for a formula.
FORMULA_STARTS = "=+-@\t\r"

# Apostrophes already in front of a formula start are quoted once more, so that reading
# strips exactly the one apostrophe writing added and every text round-trips unchanged.
_NEEDS_QUOTE = r"^('*[=+\-@\t\r])"
_QUOTED = r"^'('*[=+\-@\t\r])"
_FORMULA_START = r"^'*[=+\-@\t\r]"
# A cell may need `clean` when it starts or ends with white space or starts with a quote.
_UNTIDY = r"^[\s']|\s$"


def neutralise(cell: pl.Expr) -> pl.Expr:
    """Prefix `'` to a text a spreadsheet would run as a formula."""
    return cell.str.replace(_NEEDS_QUOTE, "'$1")


def restore(cell: pl.Expr) -> pl.Expr:
    """Undo `neutralise`: drop the `'` written in front of a formula start."""
    return cell.str.replace(_QUOTED, "$1")


def clean(cell: pl.Expr) -> pl.Expr:
    """A cell as the file layer hands it on: stripped, empty as null, neutralising undone."""
    stripped = cell.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(restore(stripped))


def neutralise_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    """`neutralise` for the columns of `frame` that hold a formula start, the others as is."""
    # Rewriting copies every string of a column; looking first spares the tidy columns.
    risky = frame.select(pl.col(name).str.contains(_FORMULA_START).any() for name in frame.columns)
    return [neutralise(pl.col(name)) if risky[name][0] else pl.col(name) for name in frame.columns]


def clean_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    """`clean` for the columns of `frame` that need it, the others as they are."""
    untidy = frame.select(
        (pl.col(name).str.contains(_UNTIDY) | (pl.col(name).str.len_bytes() == 0)).any()
        for name in frame.columns
    )
    return [clean(pl.col(name)) if untidy[name][0] else pl.col(name) for name in frame.columns]


def normalise_header(text: str) -> str:
    """Fold the ways people type one header: full-width forms, spaces, case, a `*` mark."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return folded.strip("*").casefold()
