"""Pure Polars kernels for the division tree (统计用区划代码): validate, classify, scope, diff.

No Django and no I/O here: the loader in `services.py` reads the files and the database
into frames, calls these functions, and writes their results back set-wise. Codes stay
strings throughout, and the parent columns of the files are the truth; the code prefix
is only a fast path that `prefix_mismatches` verifies.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

LEVELS = (1, 2, 3, 4, 5)
URBAN = "urban"
RURAL = "rural"
UNCLASSIFIED = ""

REGION_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "name": pl.String(),
    "level": pl.Int8(),
    "parent_code": pl.String(),
    "is_western": pl.Boolean(),
    "kind": pl.String(),
}
STORED_SCHEMA: dict[str, pl.DataType] = {
    **REGION_SCHEMA,
    "edition": pl.Int16(),
    "retired_in": pl.Int16(),
}
ERROR_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "row": pl.Int64(),
    "field": pl.String(),
    "message": pl.String(),
}
# Fields whose change makes an update (with its own audit event), as opposed to a
# refresh, which only records that an unchanged code was seen in a newer edition.
COMPARED_FIELDS = ("name", "parent_code", "level", "is_western", "kind")
# Row numbers count the header as row 1, as a spreadsheet shows the file.
FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class LevelFile:
    """The layout of one level's file: its stem, level, code length and ancestor columns.

    `ancestor_columns` run nearest first, so column i names the ancestor at level
    `level - 1 - i`; the parent is the nearest one that is not blank.
    """

    stem: str
    level: int
    code_length: int
    ancestor_columns: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return ("code", "name", *self.ancestor_columns)

    def ancestor_level(self, index: int) -> int:
        return self.level - 1 - index


@dataclass(frozen=True)
class DivisionFile:
    """One level's rows as read (every column a string) and the file name to report."""

    spec: LevelFile
    name: str
    frame: pl.DataFrame


@dataclass(frozen=True)
class Validated:
    """The regions of a set of division files (REGION_SCHEMA), or the errors that stop them."""

    regions: pl.DataFrame
    errors: pl.DataFrame
    prefix_mismatches: pl.DataFrame
    chain: pl.DataFrame  # see `ancestor_chain`


@dataclass(frozen=True)
class RegionDiff:
    """What a load changes: frames in STORED_SCHEMA as they will be stored."""

    inserts: pl.DataFrame
    updates: pl.DataFrame  # also holds the stored values as `<field>_before` columns
    refreshes: pl.DataFrame
    retirements: pl.DataFrame
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (
            self.inserts.height
            or self.updates.height
            or self.refreshes.height
            or self.retirements.height
        )


def region_kind(code: pl.Expr, level: pl.Expr) -> pl.Expr:
    """Urban or rural from the village number (level 5) or township number (level 4)."""
    village = code.str.slice(9, 3).cast(pl.Int32, strict=False)
    township = code.str.slice(6, 3).cast(pl.Int32, strict=False)
    village_kind = (
        pl.when(village.is_between(1, 199) | village.is_between(400, 499))
        .then(pl.lit(URBAN))
        .when(village.is_between(200, 399) | village.is_between(500, 599))
        .then(pl.lit(RURAL))
        .otherwise(pl.lit(UNCLASSIFIED))
    )
    township_kind = (
        pl.when(township.is_between(1, 99))
        .then(pl.lit(URBAN))
        .when(township.is_between(100, 599))
        .then(pl.lit(RURAL))
        .otherwise(pl.lit(UNCLASSIFIED))
    )
    return (
        pl.when(level == 5)
        .then(village_kind)
        .when(level == 4)
        .then(township_kind)
        .otherwise(pl.lit(UNCLASSIFIED))
    )


def regions_classify(frame: pl.DataFrame, *, western: Collection[str]) -> pl.DataFrame:
    """Add `is_western` and `kind` to rows of code, name, level, parent_code (REGION_SCHEMA)."""
    return frame.select(
        pl.col("code").cast(pl.String),
        pl.col("name").cast(pl.String),
        pl.col("level").cast(pl.Int8),
        pl.col("parent_code").cast(pl.String),
        pl.col("code").str.slice(0, 2).is_in(sorted(western)).alias("is_western"),
        region_kind(pl.col("code"), pl.col("level")).alias("kind"),
    )


def ancestor_chain(frame: pl.DataFrame) -> pl.DataFrame:
    """For each row (code, parent_code, level), its ancestors' codes as `level_1`..`level_5`.

    The row itself stands at its own level; a level the parent links skip stays null, and
    so do all ancestors of a row whose parent is missing or not at a shallower level.
    """
    names = [f"level_{level}" for level in LEVELS]
    done = pl.DataFrame(
        schema={"code": pl.String, "level": pl.Int8, **dict.fromkeys(names, pl.String)}
    )
    for level in LEVELS:
        rows = frame.filter(pl.col("level") == level).select("code", "parent_code")
        chained = (
            rows.join(done.drop("level"), left_on="parent_code", right_on="code", how="left")
            .with_columns(
                pl.lit(level, dtype=pl.Int8).alias("level"), pl.col("code").alias(f"level_{level}")
            )
            .select("code", "level", *names)
        )
        done = pl.concat([done, chained])
    return done


def subtree_codes(chain: pl.DataFrame, prefix: str) -> pl.Series:
    """Codes under `prefix` in an `ancestor_chain`: those that start with it, and by parent
    links their descendants, even where a descendant's own code does not start with it."""
    under = pl.any_horizontal(
        pl.col(f"level_{level}").str.starts_with(prefix).fill_null(False) for level in LEVELS
    )
    return chain.filter(under).get_column("code")


def with_ancestors(regions: pl.DataFrame, chain: pl.DataFrame, codes: pl.Series) -> pl.DataFrame:
    """The rows of `regions` whose code is in `codes`, plus every ancestor of those rows."""
    wanted = (
        chain.filter(pl.col("code").is_in(codes.implode()))
        .unpivot(on=[f"level_{level}" for level in LEVELS])
        .get_column("value")
    )
    return regions.filter(pl.col("code").is_in(wanted.drop_nulls().unique().implode()))


def prefix_mismatches(regions: pl.DataFrame) -> pl.DataFrame:
    """Rows whose code does not start with their parent's code (the prefix fast path fails)."""
    return regions.filter(
        pl.col("parent_code").is_not_null() & ~pl.col("code").str.starts_with(pl.col("parent_code"))
    ).select("code", "parent_code")


def _errors(frame: pl.DataFrame, file: str, field: str, message: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.lit(file).alias("file"),
        pl.col("row").cast(pl.Int64),
        pl.lit(field).alias("field"),
        message.alias("message"),
    )


def _missing_columns(frame: pl.DataFrame, required: Sequence[str], file: str) -> pl.DataFrame:
    # The header is row 1, so a missing column is reported there.
    missing = [column for column in required if column not in frame.columns]
    return pl.DataFrame(
        {
            "file": [file] * len(missing),
            "row": [1] * len(missing),
            "field": missing,
            "message": ["missing column"] * len(missing),
        },
        schema=ERROR_SCHEMA,
    )


def _blank_to_null(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(pl.col(column)).alias(column)


def _file_rows(file: DivisionFile, name_max_length: int) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """One file's rows that can take part in the tree, and the errors found in the file alone."""
    spec = file.spec
    missing = _missing_columns(file.frame, spec.columns, file.name)
    if missing.height:
        return _empty_rows(spec), [missing]
    frame = file.frame.select(
        pl.int_range(FIRST_DATA_ROW, pl.len() + FIRST_DATA_ROW, dtype=pl.Int64).alias("row"),
        *(_blank_to_null(column) for column in spec.columns),
    )
    well_formed = pl.col("code").str.contains(f"^[0-9]{{{spec.code_length}}}$").fill_null(False)
    bad_code = frame.filter(~well_formed)
    frame = frame.filter(well_formed)
    frame = frame.with_columns(pl.col("row").min().over("code").alias("first"))
    duplicates = frame.filter(pl.col("row") != pl.col("first"))
    frame = frame.filter(pl.col("row") == pl.col("first")).drop("first")
    name_length = pl.col("name").str.len_chars()
    errors = [
        _errors(
            bad_code,
            file.name,
            "code",
            pl.format(
                "code must be {} digits, got '{}'", pl.lit(spec.code_length), pl.col("code")
            ).fill_null(f"code must be {spec.code_length} digits, got nothing"),
        ),
        _errors(
            duplicates,
            file.name,
            "code",
            pl.format("duplicate code {}, first in row {}", pl.col("code"), pl.col("first")),
        ),
        _errors(frame.filter(pl.col("name").is_null()), file.name, "name", pl.lit("name is empty")),
        _errors(
            frame.filter(name_length > name_max_length),
            file.name,
            "name",
            pl.lit(f"name is longer than {name_max_length} characters"),
        ),
    ]
    rows, no_parent = _with_parent(frame, spec, file.name)
    return rows, [*errors, no_parent]


def _empty_rows(spec: LevelFile) -> pl.DataFrame:
    schema = {"row": pl.Int64, "code": pl.String, "name": pl.String}
    schema |= {"level": pl.Int8, "parent_code": pl.String, "parent_level": pl.Int8}
    schema |= {"parent_field": pl.String, "file": pl.String}
    schema |= {f"declared_{level}": pl.String for level in LEVELS}
    return pl.DataFrame(schema=schema)


def _with_parent(
    frame: pl.DataFrame, spec: LevelFile, file_name: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Resolve each row's parent as the nearest non-blank ancestor column."""
    columns = spec.ancestor_columns
    declared = [
        (
            pl.col(columns[spec.level - 1 - level])
            if 0 <= spec.level - 1 - level < len(columns)
            else pl.lit(None)
        )
        .cast(pl.String)
        .alias(f"declared_{level}")
        for level in LEVELS
    ]
    rows = frame.select(
        "row",
        "code",
        "name",
        pl.lit(spec.level, dtype=pl.Int8).alias("level"),
        pl.coalesce(*(pl.col(c) for c in columns), pl.lit(None, dtype=pl.String)).alias(
            "parent_code"
        ),
        pl.coalesce(
            *(
                pl.when(pl.col(c).is_not_null()).then(pl.lit(spec.ancestor_level(i)))
                for i, c in enumerate(columns)
            ),
            pl.lit(None),
        )
        .cast(pl.Int8)
        .alias("parent_level"),
        pl.coalesce(
            *(pl.when(pl.col(c).is_not_null()).then(pl.lit(c)) for c in columns),
            pl.lit(None, dtype=pl.String),
        ).alias("parent_field"),
        pl.lit(file_name).alias("file"),
        *declared,
    )
    if not columns:
        return rows, pl.DataFrame(schema=ERROR_SCHEMA)
    orphans = rows.filter(pl.col("parent_code").is_null())
    return rows, _errors(orphans, file_name, columns[0], pl.lit("parent code is empty"))


def _parent_errors(
    rows: pl.DataFrame,
    chain: pl.DataFrame,
    file_by_level: Mapping[int, str],
    column_by_level: Mapping[tuple[int, int], str],
) -> pl.DataFrame:
    """Parents missing from their level's file, and farther ancestor columns that disagree."""
    parents = chain.select(
        pl.col("code").alias("parent_code"),
        pl.col("level").alias("found_level"),
        *(pl.col(f"level_{level}").alias(f"inherited_{level}") for level in LEVELS),
    )
    joined = rows.filter(pl.col("parent_code").is_not_null()).join(
        parents, on="parent_code", how="left"
    )
    found = pl.col("found_level").eq_missing(pl.col("parent_level"))
    parent_file = pl.col("parent_level").replace_strict(
        dict(file_by_level), default="?", return_dtype=pl.String
    )
    unknown = joined.filter(~found).select(
        "file",
        "row",
        pl.col("parent_field").alias("field"),
        pl.format(
            "unknown parent {}: no such code in {}", pl.col("parent_code"), parent_file
        ).alias("message"),
    )
    disagree = {
        level: pl.col(f"declared_{level}").ne(pl.col(f"inherited_{level}")).fill_null(False)
        & (pl.col("parent_level") > level)
        for level in LEVELS
    }
    suspects = joined.filter(found & pl.any_horizontal(disagree.values()))
    found_errors = [unknown]
    for level, condition in disagree.items():
        columns = {file: column for (file, at), column in column_by_level.items() if at == level}
        found_errors.append(
            suspects.filter(condition).select(
                "file",
                "row",
                pl.col("level")
                .replace_strict(columns, default="?", return_dtype=pl.String)
                .alias("field"),
                pl.format(
                    "{} disagrees with the parent {} {}, which lies in {}",
                    pl.col(f"declared_{level}"),
                    pl.col("parent_field"),
                    pl.col("parent_code"),
                    pl.col(f"inherited_{level}"),
                ).alias("message"),
            )
        )
    return pl.concat(found_errors)


def division_files_validate(
    files: Sequence[DivisionFile], *, western: Collection[str], name_max_length: int = 100
) -> Validated:
    """Check the five level files whole and build the regions they describe (or the errors)."""
    parts = [_file_rows(file, name_max_length) for file in files]
    rows = pl.concat([part[0] for part in parts])
    file_by_level = {file.spec.level: file.name for file in files}
    column_by_level = {
        (file.spec.level, file.spec.ancestor_level(i)): column
        for file in files
        for i, column in enumerate(file.spec.ancestor_columns)
    }
    chain = ancestor_chain(rows)
    errors = pl.concat(
        [
            *(error for part in parts for error in part[1]),
            _parent_errors(rows, chain, file_by_level, column_by_level),
        ],
        how="vertical_relaxed",
    ).cast(ERROR_SCHEMA)  # type: ignore[arg-type]
    order = {file.name: index for index, file in enumerate(files)}
    errors = errors.sort(
        pl.col("file").replace_strict(order, default=len(order), return_dtype=pl.Int32),
        "row",
        "field",
    )
    regions = regions_classify(rows, western=western).sort("level", "code")
    if errors.height:
        regions = regions.clear()
    return Validated(
        regions=regions,
        errors=errors,
        prefix_mismatches=prefix_mismatches(regions),
        chain=chain,
    )


def _stored(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(list(STORED_SCHEMA)).cast(STORED_SCHEMA)  # type: ignore[arg-type]


def regions_diff(incoming: pl.DataFrame, existing: pl.DataFrame, *, edition: int) -> RegionDiff:
    """Compare an edition's regions with the stored ones: inserts, updates, refreshes, retirements.

    `existing` holds the stored rows in scope (STORED_SCHEMA); a stored code absent from
    `incoming` is retired, never dropped. All outputs are sorted by code.
    """
    incoming = incoming.select(list(REGION_SCHEMA)).with_columns(
        pl.lit(edition, dtype=pl.Int16).alias("edition"),
        pl.lit(None, dtype=pl.Int16).alias("retired_in"),
    )
    before = existing.select(
        "code",
        *(pl.col(name).alias(f"{name}_before") for name in COMPARED_FIELDS),
        pl.col("edition").alias("edition_before"),
        pl.col("retired_in").alias("retired_in_before"),
        pl.lit(True).alias("stored"),
    )
    joined = incoming.join(before, on="code", how="left").sort("code")
    stored = pl.col("stored").fill_null(False)
    changed = pl.any_horizontal(
        *(pl.col(name).ne_missing(pl.col(f"{name}_before")) for name in COMPARED_FIELDS),
        pl.col("retired_in_before").is_not_null(),
    )
    updates = joined.filter(stored & changed)
    same = joined.filter(stored & ~changed)
    retirements = (
        existing.filter(pl.col("retired_in").is_null())
        .join(incoming.select("code"), on="code", how="anti")
        .with_columns(pl.lit(edition, dtype=pl.Int16).alias("retired_in"))
        .sort("code")
    )
    return RegionDiff(
        inserts=_stored(joined.filter(~stored)),
        updates=updates.select(
            *STORED_SCHEMA,
            *(f"{name}_before" for name in COMPARED_FIELDS),
            "retired_in_before",
        ),
        refreshes=_stored(same.filter(pl.col("edition_before") != edition)),
        retirements=_stored(retirements),
        unchanged=same.height,
    )


def diff_apply(existing: pl.DataFrame, diff: RegionDiff) -> pl.DataFrame:
    """The stored rows after `diff` is written: what the loader's SQL does, as a frame."""
    replaced = pl.concat(
        [_stored(diff.updates), diff.refreshes, diff.retirements], how="vertical_relaxed"
    )
    kept = _stored(existing).join(replaced.select("code"), on="code", how="anti")
    return pl.concat([kept, replaced.pipe(_stored), diff.inserts]).sort("code")


def changed_fields(row: Mapping[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """The before and after values of the fields an update row changes (for its audit event)."""
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for name in (*COMPARED_FIELDS, "retired_in"):
        if row[f"{name}_before"] != row[name]:
            before[name] = row[f"{name}_before"]
            after[name] = row[name]
    return before, after


DESIGNATION_COLUMNS = ("code", "kind", "designated_year", "lifted_year")
DESIGNATION_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "kind": pl.String(),
    "designated_year": pl.Int16(),
    "lifted_year": pl.Int16(),
}


def _year_errors(
    frame: pl.DataFrame, file: str, column: str, first_year: int, last_year: int
) -> pl.DataFrame:
    year = pl.col(column).cast(pl.Int32, strict=False)
    bad = pl.col(column).is_not_null() & ~year.is_between(first_year, last_year).fill_null(False)
    message = pl.format(f"not a year between {first_year} and {last_year}: '{{}}'", pl.col(column))
    return _errors(frame.filter(bad), file, column, message)


def _designation_checks(level_by_kind: Mapping[str, int]) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(field, condition that flags a row, message) for each designation rule."""
    wanted_level = pl.col("kind").replace_strict(
        dict(level_by_kind), default=None, return_dtype=pl.Int8
    )
    designated = pl.col("designated_year").cast(pl.Int32, strict=False)
    lifted = pl.col("lifted_year").cast(pl.Int32, strict=False)
    first_row = pl.col("row").min().over("code", "kind")
    kinds = ", ".join(sorted(level_by_kind))
    return [
        ("code", pl.col("known").is_null(), pl.format("unknown region code '{}'", pl.col("code"))),
        (
            "code",
            pl.col("retired_in").is_not_null(),
            pl.format("region {} was retired in {}", pl.col("code"), pl.col("retired_in")),
        ),
        (
            "kind",
            wanted_level.is_null(),
            pl.format(f"kind must be one of {kinds}, got '{{}}'", pl.col("kind")),
        ),
        (
            "kind",
            pl.col("known") & (pl.col("level") != wanted_level),
            pl.format(
                "a {} designation needs a level-{} code, {} is level {}",
                pl.col("kind"),
                wanted_level,
                pl.col("code"),
                pl.col("level"),
            ),
        ),
        (
            "designated_year",
            pl.col("designated_year").is_null(),
            pl.lit("designated_year is empty"),
        ),
        (
            "lifted_year",
            lifted < designated,
            pl.format("lifted in {}, before it was designated in {}", lifted, designated),
        ),
        (
            "code",
            pl.col("row") != first_row,
            pl.format(
                "{} is designated {} twice, first in row {}",
                pl.col("code"),
                pl.col("kind"),
                first_row,
            ),
        ),
    ]


def designations_validate(
    frame: pl.DataFrame,
    regions: pl.DataFrame,
    *,
    file: str,
    level_by_kind: Mapping[str, int],
    first_year: int,
    last_year: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Check poor-area designation rows against the stored regions (code, level, retired_in).

    Returns the rows (DESIGNATION_SCHEMA) and the errors (ERROR_SCHEMA); rows are only
    meaningful when there are no errors.
    """
    missing = _missing_columns(frame, DESIGNATION_COLUMNS, file)
    if missing.height:
        return pl.DataFrame(schema=DESIGNATION_SCHEMA), missing
    rows = frame.select(
        pl.int_range(FIRST_DATA_ROW, pl.len() + FIRST_DATA_ROW, dtype=pl.Int64).alias("row"),
        *(_blank_to_null(column) for column in DESIGNATION_COLUMNS),
    ).join(
        regions.select("code", "level", "retired_in", pl.lit(True).alias("known")),
        on="code",
        how="left",
    )
    designated = pl.col("designated_year").cast(pl.Int32, strict=False)
    lifted = pl.col("lifted_year").cast(pl.Int32, strict=False)
    errors = [
        _errors(rows.filter(condition.fill_null(False)), file, column, message)
        for column, condition, message in _designation_checks(level_by_kind)
    ]
    errors += [
        _year_errors(rows, file, column, first_year, last_year)
        for column in ("designated_year", "lifted_year")
    ]
    found = pl.concat(errors).sort("row", "field")
    return rows.select("code", "kind", designated.cast(pl.Int16), lifted.cast(pl.Int16)), found


def designations_diff(
    rows: pl.DataFrame, existing: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """New designations, and stored ones whose years differ (with `<year>_before` columns)."""
    stored = existing.select(
        "code",
        "kind",
        pl.col("designated_year").cast(pl.Int16).alias("designated_year_before"),
        pl.col("lifted_year").cast(pl.Int16).alias("lifted_year_before"),
        pl.lit(True).alias("stored"),
    )
    joined = rows.join(stored, on=["code", "kind"], how="left").sort("code", "kind")
    is_stored = pl.col("stored").fill_null(False)
    differs = pl.col("designated_year").ne_missing(pl.col("designated_year_before")) | pl.col(
        "lifted_year"
    ).ne_missing(pl.col("lifted_year_before"))
    creates = joined.filter(~is_stored).select(list(DESIGNATION_SCHEMA))
    changes = joined.filter(is_stored & differs).drop("stored")
    return creates, changes
