"""Importing the household file (建档立卡信息导入): validate whole, then write whole.

A file is read, every cell parsed, every rule checked (cells, households, the register),
and only then written through the bulk path in one transaction. With errors nothing is
written unless the operator asks to apply the households whose rows are all valid.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import transaction

from fupin.core import bulk
from fupin.core.audit import Actor
from fupin.core.timing import Steps
from fupin.registry.bulk import BulkResult, registry_bulk_write
from fupin.registry.fileformats import FileFormatError, read_household_file
from fupin.registry.fileformats.cells import neutralise_columns
from fupin.registry.issues import describe, empty_issues
from fupin.registry.parsing import parse_cells
from fupin.registry.validation import check_typed, split_frames

REPORT_COLUMNS = ["file", "row", "column", "code", "severity", "message_zh", "message_en", "value"]


@dataclass
class ImportReport:
    """What an import found and did."""

    path: Path
    year: int
    rows: int = 0
    households: int = 0
    issues: pl.DataFrame = field(default_factory=lambda: describe(empty_issues()))
    applied: bool = False
    skipped_households: int = 0
    result: BulkResult | None = None
    steps: Steps = field(default_factory=lambda: Steps("household import"))

    @property
    def errors(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == "error")

    @property
    def warnings(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == "warning")

    def counts_by_code(self) -> pl.DataFrame:
        """Issue counts by code and severity, most frequent first."""
        return (
            self.issues.group_by("code", "severity", "message_zh", "message_en")
            .len("count")
            .sort(["severity", "count", "code"], descending=[False, True, False])
        )

    def write(self, path: Path) -> None:
        """Write every issue (file, row, column, code, messages, value) as a UTF-8 CSV."""
        frame = self.issues.with_columns(pl.lit(self.path.name).alias("file"))
        frame = frame.select(REPORT_COLUMNS).sort("row", "column").cast({"row": pl.String})
        # The report quotes the offending cells, formulas included: neutralise them too.
        frame = frame.select(neutralise_columns(frame))
        with path.open("wb") as handle:
            handle.write(b"\xef\xbb\xbf")  # Excel in China opens UTF-8 only with a BOM
            frame.write_csv(handle)


def file_issue_frame(error: FileFormatError) -> pl.DataFrame:
    """The file layer's issues in the report's layout, keeping their specific messages."""
    return pl.DataFrame(
        [
            {"row": i.row, "column": i.column, "code": i.code, "value": None,
             "severity": "error", "message_zh": i.message_zh, "message_en": i.message_en}
            for i in error.issues
        ],
        schema={**empty_issues().schema, "severity": pl.String, "message_zh": pl.String,
                "message_en": pl.String},
    )  # fmt: skip


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, named in audit events so the source can be matched later."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def registry_issues(typed: pl.DataFrame) -> pl.DataFrame:
    """Issues that need the register: village codes, and IDs active in another household."""
    if "village_code" not in typed.columns:
        return _ids_elsewhere(typed).cast(empty_issues().schema)
    villages = typed.filter(pl.col("village_code").is_not_null()).select("village_code").unique()
    bulk.temp_table_from_frame("fupin_import_villages", villages, {"village_code": "code"})
    known = bulk.read_frame(
        "SELECT v.village_code, r.level, r.retired_in FROM fupin_import_villages v "
        "LEFT JOIN regions_region r ON r.code = v.village_code",
        schema={"village_code": pl.String, "level": pl.Int64, "retired_in": pl.Int64},
    )
    code = (
        pl.when(pl.col("level").is_null())
        .then(pl.lit("village.unknown"))
        .when(pl.col("level") != 5)
        .then(pl.lit("village.not_village"))
        .when(pl.col("retired_in").is_not_null())
        .then(pl.lit("village.retired"))
    )
    bad_villages = known.with_columns(code.alias("code")).filter(pl.col("code").is_not_null())
    village_issues = typed.join(bad_villages, on="village_code").select(
        pl.col("_row").alias("row"), pl.lit("village_code").alias("column"), "code",
        pl.col("village_code").alias("value"),
    )  # fmt: skip
    return pl.concat([village_issues, _ids_elsewhere(typed)]).cast(empty_issues().schema)


def _ids_elsewhere(typed: pl.DataFrame) -> pl.DataFrame:
    ids = typed.filter(pl.col("id_number").is_not_null()).select("id_number", "household_no")
    if bulk.read_frame("SELECT 1 FROM registry_member LIMIT 1").height == 0:
        return empty_issues()
    bulk.large_join_memory()
    bulk.temp_table_from_frame(
        "fupin_import_ids", ids, {"id_number": "code", "household_no": "code"}
    )
    clashes = bulk.read_frame(
        "SELECT i.id_number, h.household_no AS registered_in FROM fupin_import_ids i "
        "JOIN registry_member m ON m.id_number = i.id_number AND m.is_active "
        "JOIN registry_household h ON h.id = m.household_id "
        "WHERE h.household_no <> i.household_no",
        schema={"id_number": pl.String, "registered_in": pl.String},
    )
    return typed.join(clashes, on="id_number").select(
        pl.col("_row").alias("row"), pl.lit("id_number").alias("column"),
        pl.lit("id.in_other_household").alias("code"),
        (pl.col("id_number") + " → " + pl.col("registered_in")).alias("value"),
    )  # fmt: skip


def _without_households_in_error(typed: pl.DataFrame, bad_rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of households none of whose rows has an error (no copy when all are valid)."""
    if bad_rows.height == 0:
        return typed
    bad_households = typed.join(bad_rows, left_on="_row", right_on="row").select("household_no")
    return typed.join(bad_households, on="household_no", how="anti").filter(
        pl.col("household_no").is_not_null()
    )


def household_file_import(
    *, path: Path, year: int, actor: Actor, apply_valid: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import a household file for `year`: all-or-nothing unless `apply_valid`."""
    report = ImportReport(path=path, year=year)
    step = report.steps.step
    try:
        with step("read"):
            raw = read_household_file(path)
    except FileFormatError as exc:
        report.issues = file_issue_frame(exc)
        return report
    with step("validate"):
        typed, cell_issues = parse_cells(raw.frame)
        del raw  # the text cells are no longer needed
        typed, issues = check_typed(typed, cell_issues, year=year)
    report.rows = typed.height
    report.households = typed["household_no"].n_unique()
    with transaction.atomic():
        with step("check against the register"):
            issues = pl.concat([issues, registry_issues(typed)])
            report.issues = describe(issues).sort("row", "column", "code")
        bad_rows = report.errors.select("row")
        if dry_run or (bad_rows.height and not apply_valid):
            return report
        valid = _without_households_in_error(typed, bad_rows)
        del typed
        report.skipped_households = report.households - valid["household_no"].n_unique()
        if valid.height:
            with step("write"):
                report.result = registry_bulk_write(
                    **split_frames(valid, year=year),
                    actor=actor,
                    reason=f"import {path.name} for {year}",
                    source=f"{path.name} sha256:{file_sha256(path)}",
                )
        report.applied = True
        # Deferred foreign-key checks run at commit; time it apart from the write.
        commit_started = time.perf_counter()
    report.steps.record("commit", time.perf_counter() - commit_started)
    return report
