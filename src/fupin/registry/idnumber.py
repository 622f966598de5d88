"""Resident ID numbers (公民身份号码, GB 11643-1999): one through stdnum, many through Polars.

An ID is a 6-digit address code, an 8-digit birth date, a 3-digit sequence (odd for men)
and an ISO 7064 MOD 11-2 check character (DOMAIN.md 8.1). Legacy 15-digit numbers are
upgraded by inserting "19" before the 2-digit year and computing the check character.

Both paths run the checks in stdnum's order and report the first failure as a stable code:
`id.length`, `id.format`, `id.checksum`, `id.birth_date`, `id.province`.

Where we differ from `stdnum.cn.ric.validate` on purpose: stdnum also looks the full
6-digit address code up in its copy of the GB/T 2260 history and requires the code to
have existed in the *birth* year. The address code is the residence when the card was
issued, not at birth, so that check rejects genuine IDs of anyone born before their
county's current code (most codes are listed only from 1980 or later: a 1960-born
resident of 360426 德安县 fails). stdnum 2.2 also raises a bare KeyError for a known
province with an unlisted county. We check the province (the first two digits) against
the 34 GB/T 2260 province codes, which is the province table of stdnum's database.
Before validating we also fold a full-width Ｘ, which ric.compact leaves alone.
stdnum accepts any birth date from year 1 to 9999; so do we, to keep the two paths equal.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from stdnum.cn import ric
from stdnum.util import isdigits

ERROR_LENGTH = "id.length"
ERROR_FORMAT = "id.format"
ERROR_CHECKSUM = "id.checksum"
ERROR_BIRTH_DATE = "id.birth_date"
ERROR_PROVINCE = "id.province"

ID_ERROR_MESSAGES: dict[str, str] = {
    ERROR_LENGTH: "an ID number has 18 characters (or 15 digits for a legacy number)",
    ERROR_FORMAT: "an ID number is digits only, except a final check character X",
    ERROR_CHECKSUM: "the check character does not match (mistyped digit?)",
    ERROR_BIRTH_DATE: "the birth date in the ID number is not a real date",
    ERROR_PROVINCE: "the first two digits are not a province code",
}

# GB/T 2260 province-level codes: the same 34 that stdnum's cn/loc database lists.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
        "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
        "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip

# 2^(18-i) mod 11 for positions 1..17; position 18 weighs 1.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"

_FULLWIDTH = [chr(0xFF10 + digit) for digit in range(10)] + ["Ｘ", "ｘ"]
_ASCII = [str(digit) for digit in range(10)] + ["X", "X"]
_FULLWIDTH_X = str.maketrans({"Ｘ": "X", "ｘ": "X"})


class IdNumberError(ValueError):
    """An ID number that fails a GB 11643 check; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or ID_ERROR_MESSAGES.get(code, code)
        super().__init__(f"{self.code}: {self.message}")


def _check_character(body17: str) -> str:
    # stdnum wants the check position present; its value is ignored.
    return ric.calc_check_digit(body17 + "0")


def id_normalize(value: str) -> str:
    """Return the 18-character ID for `value` (trimmed, X upper-cased, 15 digits upgraded)."""
    # ric.compact folds full-width digits but not a full-width Ｘ, which IMEs type too.
    number = ric.compact(value.translate(_FULLWIDTH_X))
    if len(number) == 15:
        if not isdigits(number):
            raise IdNumberError(ERROR_FORMAT)
        body = number[:6] + "19" + number[6:]
        number = body + _check_character(body)
    if len(number) != 18:
        raise IdNumberError(ERROR_LENGTH)
    if not isdigits(number[:-1]):
        raise IdNumberError(ERROR_FORMAT)
    if number[-1] != _check_character(number[:-1]):
        raise IdNumberError(ERROR_CHECKSUM)
    try:
        ric.get_birth_date(number)
    except ValueError as exc:  # stdnum's InvalidComponent is a ValueError
        raise IdNumberError(ERROR_BIRTH_DATE) from exc
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(ERROR_PROVINCE)
    return number


def id_birth_date(id18: str) -> date:
    """The birth date encoded in a normalized 18-character ID."""
    return ric.get_birth_date(id18)


def id_sex(id18: str) -> str:
    """Sex from the sequence digit (17th character): odd is "M", even is "F"."""
    return "M" if int(id18[16]) % 2 == 1 else "F"


def id_make(address6: str, birth: date, sequence: int) -> str:
    """Build a valid 18-character ID from an address code, a birth date and a sequence 0-999."""
    if len(address6) != 6 or not isdigits(address6):
        raise ValueError(f"an address code is 6 digits: {address6!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"a sequence is 0-999: {sequence}")
    body = f"{address6}{birth:%Y%m%d}{sequence:03d}"
    return body + _check_character(body)


# ---- the bulk path: pure Polars expressions --------------------------------------------

# A well-formed 18-character ID needs no cleaning; only the other rows take the slow path.
_PLAIN = r"^[0-9]{17}[0-9X]$"


def _digit_sum_tables() -> list[tuple[int, pl.Series]]:
    """Per 3-digit group of the body, the weighted digit sum of each of its 1000 values."""
    tables = []
    for group in range(6):
        positions = [16 - 3 * group - place for place in range(3)]  # units first
        sums = [
            sum(
                (value // 10**place) % 10 * WEIGHTS[pos]
                for place, pos in enumerate(positions)
                if pos >= 0
            )
            for value in range(1000)
        ]
        tables.append((10 ** (3 * group), pl.Series(sums, dtype=pl.Int64)))
    return tables


_DIGIT_SUM_TABLES = _digit_sum_tables()


def _weighted_digit_sum(body17: pl.Expr) -> pl.Expr:
    """Σ digit_i × weight_i over the 17 digits of an Int64 body (MOD 11-2, DOMAIN.md 8.1)."""
    # Six table look-ups of 3-digit groups cost a third of seventeen digit extractions.
    return pl.sum_horizontal(
        pl.lit(table).gather((body17 // scale) % 1000) for scale, table in _DIGIT_SUM_TABLES
    )


def check_character_expr(body17: pl.Expr) -> pl.Expr:
    """The check character ("0"-"9" or "X") of an Int64 17-digit body."""
    return pl.lit(pl.Series(list(CHECK_CHARACTERS))).gather(_weighted_digit_sum(body17) % 11)


def _upgrade_15(number15: pl.Expr) -> pl.Expr:
    """The 17-digit body of a legacy 15-digit number: 6 address + 19YYMMDD + 3 sequence."""
    address = number15 // 10**9
    date6 = (number15 // 1000) % 10**6
    return address * 10**11 + (19_000_000 + date6) * 1000 + number15 % 1000


def _days_since_epoch(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Proleptic Gregorian date → days since 1970-01-01 (Hinnant's days_from_civil)."""
    shifted_year = year - (month <= 2).cast(pl.Int64)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    month_index = pl.when(month > 2).then(month - 3).otherwise(month + 9)
    day_of_year = (153 * month_index + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _is_real_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_in_month = (
        pl.when(month == 2).then(28 + leap.cast(pl.Int64)).otherwise(30 + (month + month // 8) % 2)
    )
    return (year >= 1) & month.is_between(1, 12) & day.is_between(1, days_in_month)


def _irregular_rows(text: pl.Series) -> pl.DataFrame:
    """Clean the rows that are not plain 18-character IDs and judge their length and format."""
    rows = (
        pl.DataFrame({"raw": text})
        .with_row_index("row")
        .filter(~pl.col("raw").str.contains(_PLAIN).fill_null(False))
    )
    # Mirrors ric.compact for what county files contain: blanks, full-width digits, "x".
    cleaned = (
        pl.col("raw").str.strip_chars().str.replace_many(_FULLWIDTH, _ASCII).str.to_uppercase()
    )
    length = pl.col("text").str.len_chars()
    return rows.with_columns(text=cleaned).with_columns(
        is15=(length == 15).fill_null(False),
        length_ok=length.is_in([15, 18]).fill_null(False),
        format_ok=pl.col("text").str.contains(r"(?s)^([0-9]{15}|[0-9]{17}.)$").fill_null(False),
    )


def _regularized(text: pl.Series) -> pl.DataFrame:
    """Columns text, is15, length_ok, format_ok for every row; cheap when rows are plain."""
    odd = _irregular_rows(text)
    height = text.len()
    columns = {
        "text": text,
        "is15": pl.Series([False]).new_from_index(0, height),
        "length_ok": pl.Series([True]).new_from_index(0, height),
        "format_ok": pl.Series([True]).new_from_index(0, height),
    }
    if odd.height:
        index = odd.get_column("row")
        for name in columns:
            columns[name] = columns[name].scatter(index, odd.get_column(name))
    return pl.DataFrame(columns)


def _judged(rows: pl.DataFrame) -> pl.DataFrame:
    """Add the 17-digit body, its check character, birth days and the error code."""
    body, year, month, day = pl.col("body"), pl.col("year"), pl.col("month"), pl.col("day")
    parsed = pl.col("parsed")
    error = (
        pl.when(~pl.col("length_ok"))
        .then(pl.lit(ERROR_LENGTH))
        .when(~pl.col("format_ok"))
        .then(pl.lit(ERROR_FORMAT))
        .when(~pl.col("is15") & (pl.col("text").str.slice(17, 1) != pl.col("check")))
        .then(pl.lit(ERROR_CHECKSUM))
        .when(~_is_real_date(year, month, day))
        .then(pl.lit(ERROR_BIRTH_DATE))
        .when(~(body // 10**15).is_in([int(code) for code in PROVINCE_CODES]))
        .then(pl.lit(ERROR_PROVINCE))
    )
    # Staged so that each intermediate is computed once; lazy so that stages run in parallel.
    return (
        rows.lazy()
        .with_columns(parsed=pl.col("text").str.slice(0, 17).str.to_integer(strict=False))
        .with_columns(
            body=pl.when(pl.col("format_ok")).then(
                pl.when(pl.col("is15")).then(_upgrade_15(parsed)).otherwise(parsed)
            )
        )
        .with_columns(date8=(body // 1000) % 10**8)
        .with_columns(
            check=check_character_expr(body.fill_null(0)),
            year=pl.col("date8") // 10**4,
            month=(pl.col("date8") // 100) % 100,
            day=pl.col("date8") % 100,
        )
        .with_columns(error=error, days=_days_since_epoch(year, month, day))
        .collect()
    )


def _normalized(judged: pl.DataFrame) -> pl.Series:
    """The 18-character ID of each valid row; only legacy rows need building."""
    valid = judged.get_column("error").is_null()
    normalized = judged.select(pl.when(valid).then(pl.col("text"))).to_series()
    legacy = judged.with_row_index("row").filter(valid & judged.get_column("is15"))
    if legacy.height:
        built = legacy.select(
            pl.concat_str(pl.col("body").cast(pl.String).str.zfill(17), pl.col("check"))
        ).to_series()
        normalized = normalized.scatter(legacy.get_column("row"), built)
    return normalized


def id_check_frame(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """`frame` with id_normalized, id_error, id_birth_date and id_sex for the IDs in `column`.

    id_error is null for a valid ID; the other three are null for an invalid one.
    A null cell is reported as `id.length`.
    """
    judged = _judged(_regularized(frame.get_column(column).cast(pl.String)))
    valid = pl.col("error").is_null()
    derived = judged.select(
        id_error=pl.col("error"),
        id_birth_date=pl.when(valid).then(pl.col("days").cast(pl.Int32).cast(pl.Date)),
        id_sex=pl.when(valid).then(
            pl.when(pl.col("body") % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))
        ),
    )
    return frame.with_columns(
        _normalized(judged).alias("id_normalized"),
        derived.get_column("id_error"),
        derived.get_column("id_birth_date"),
        derived.get_column("id_sex"),
    )


def id_body_expr(address6: pl.Expr, birth: pl.Expr, sequence: pl.Expr) -> pl.Expr:
    """The Int64 17-digit body of an ID from a Utf8 address code, a Date and a sequence."""
    birth8 = (
        birth.dt.year().cast(pl.Int64) * 10_000
        + birth.dt.month().cast(pl.Int64) * 100
        + birth.dt.day().cast(pl.Int64)
    )
    return address6.cast(pl.Int64) * 10**11 + birth8 * 1000 + sequence.cast(pl.Int64)


def id_from_body_expr(body17: pl.Expr) -> pl.Expr:
    """The 18-character ID of an Int64 body; pass a column, the body is read seven times."""
    return pl.concat_str(body17.cast(pl.String).str.zfill(17), check_character_expr(body17))


def id_make_expr(address6: pl.Expr, birth: pl.Expr, sequence: pl.Expr) -> pl.Expr:
    """Vectorized `id_make` (for millions of rows, materialize `id_body_expr` first)."""
    return id_from_body_expr(id_body_expr(address6, birth, sequence))
