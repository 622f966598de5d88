"""The kinds of job: who may start each over a region, the parameters each takes, and the
function that does the work in the worker process (wired to the apps' own services)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl
from django.conf import settings

from fupin.core.audit import Actor
from fupin.core.choices import Role
from fupin.core.rules import KEEPERS, PERSONAL_DATA_ROLES, READERS
from fupin.jobs.choices import JobKind

if TYPE_CHECKING:
    from fupin.jobs.models import Job

# An annual run decides for a whole county at least: a county office or one above it.
ANNUAL_RUN_ROLES = frozenset({Role.COUNTY, Role.PREFECTURE, Role.PROVINCE, Role.NATIONAL})
# An export is the import layout with ID numbers, phones and bank accounts in full.
EXPORT_ROLES = PERSONAL_DATA_ROLES
# The chunk an annual run commits by default: one level below the region it runs over,
# so that the progress bar moves and a killed run loses little.
DEFAULT_CHUNK = {0: "province", 2: "prefecture", 4: "county", 6: "township", 9: "village"}
REPORT_FILE = "issues.csv"
# A yearly report holds aggregates only: every post that reads its region may make one.
REPORT_ROLES = READERS | frozenset({Role.EVALUATOR})
REPORT_FORMATS = ("pdf", "xlsx")
SCOPE_BATCH = 5000


class JobError(ValueError):
    """A job that cannot start or cannot go on: bad parameters, a region outside the file's."""


class JobRefused(PermissionError):
    """The actor holds no post that may start this kind of job over that region."""


class JobCancelled(Exception):
    """Raised in the worker when the job was cancelled while it ran."""


class Progress(Protocol):
    """What a kind reports its progress through (the worker throttles and records it)."""

    def __call__(self, done: int, total: int, message: str = "") -> None: ...


@dataclass
class Outcome:
    """What a kind's run produced: the result, a message, and a file to download."""

    result: dict[str, Any]
    message: str
    file: str = ""
    failed: bool = False  # the work ran and was refused (an import with errors)


@dataclass(frozen=True)
class KindSpec:
    """One kind of job: the roles that may start it, its parameters, its work."""

    roles: frozenset[str]
    params: Callable[[dict[str, Any], str], dict[str, Any]]
    run: Callable[[Job, Progress], Outcome]
    needs_file: bool = False


def job_dir(job_id: int) -> Path:
    """The directory holding a job's input and result files."""
    return Path(settings.VAR_DIR) / "jobs" / str(job_id)


def _clean(params: dict[str, Any], fields: dict[str, tuple[type, Any]]) -> dict[str, Any]:
    """`params` checked against `fields` (name -> type, default; Ellipsis if required)."""
    if not isinstance(params, dict):
        raise JobError("params must be an object")
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise JobError(f"unknown parameter(s): {', '.join(unknown)}; known: {', '.join(fields)}")
    cleaned: dict[str, Any] = {}
    for name, (kind, default) in fields.items():
        value = params.get(name, default)
        if value is Ellipsis:
            raise JobError(f"parameter {name!r} is required")
        # bool is an int to Python; a year of True is no year.
        if value is not None and (
            not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        ):
            raise JobError(f"parameter {name!r} must be {kind.__name__}, not {value!r}")
        cleaned[name] = value
    if "year" in cleaned and not 2000 <= cleaned["year"] <= 2100:
        raise JobError(f"parameter 'year': {cleaned['year']} is not a plausible year")
    return cleaned


def _annual_run_params(params: dict[str, Any], region_code: str) -> dict[str, Any]:
    from fupin.targeting.annual import CHUNK_LEVELS

    cleaned = _clean(
        params,
        {"year": (int, ...), "dry_run": (bool, False), "chunk_level": (str, None),
         "on": (str, None)},
    )  # fmt: skip
    level = cleaned["chunk_level"] or DEFAULT_CHUNK.get(len(region_code), "village")
    if level not in CHUNK_LEVELS:
        raise JobError(f"parameter 'chunk_level': one of {', '.join(CHUNK_LEVELS)}, not {level!r}")
    cleaned["chunk_level"] = level
    if cleaned["on"] is not None:
        try:
            date.fromisoformat(cleaned["on"])
        except ValueError:
            raise JobError(
                f"parameter 'on' must be a date YYYY-MM-DD, not {cleaned['on']!r}"
            ) from None
    return cleaned


def _import_params(params: dict[str, Any], region_code: str) -> dict[str, Any]:
    # The file's name is set by the service from the upload, never taken from the caller.
    return _clean(
        params, {"year": (int, ...), "apply_valid": (bool, False), "dry_run": (bool, False)}
    )


def _export_params(params: dict[str, Any], region_code: str) -> dict[str, Any]:
    cleaned = _clean(
        params, {"year": (int, ...), "chinese_headers": (bool, False), "format": (str, "xlsx")}
    )
    if cleaned["format"] not in {"xlsx", "csv"}:
        raise JobError(f"parameter 'format': xlsx or csv, not {cleaned['format']!r}")
    return cleaned


def _actor(job: Job) -> Actor:
    return Actor.of(job.user)


def _annual_run(job: Job, progress: Progress) -> Outcome:
    from fupin.targeting.annual import annual_run, annual_run_chunks

    params = job.params
    total = len(annual_run_chunks(job.region_code, params["chunk_level"]))
    done = 0
    progress(0, total, "开始运行规则")

    def chunk_done(code: str, opened: int) -> None:
        nonlocal done
        done += 1
        progress(done, total, f"已提交 {code}：{opened} 个案件")

    result = annual_run(
        year=params["year"], prefix=job.region_code, actor=_actor(job),
        on=date.fromisoformat(params["on"]) if params.get("on") else None,
        dry_run=params["dry_run"], chunk_level=params["chunk_level"], progress=chunk_done,
    )  # fmt: skip
    verb = "应开" if result.dry_run else "新开"
    return Outcome(
        result={"year": result.year, "households": result.households, "opened": result.opened,
                "total_opened": result.total_opened, "already": result.already,
                "chunks": result.chunks, "dry_run": result.dry_run},
        message=f"评估 {result.households} 户，{verb} {result.total_opened} 个案件，"
        f"已有 {result.already} 个",
    )  # fmt: skip


def _outside_scope(path: Path, region_code: str) -> list[str]:
    """Village codes and household numbers of the file that lie outside `region_code`
    (an import acts for a post over its region: it may neither write into another region
    nor move a household registered in one). Empty when the file cannot be read: the
    importer then reports the file's problems itself."""
    from fupin.regions.queries import code_prefix_q
    from fupin.registry.fileformats import FileFormatError, read_household_file
    from fupin.registry.models import Household

    if not region_code:
        return []
    try:
        frame = read_household_file(path).frame
    except FileFormatError:
        return []
    found: list[str] = []
    if "village_code" in frame.columns:
        villages = frame.select(pl.col("village_code").drop_nulls().unique())["village_code"]
        found += sorted(code for code in villages if not code.startswith(region_code))
    if "household_no" in frame.columns:
        numbers = frame.select(pl.col("household_no").drop_nulls().unique())["household_no"]
        for batch in _batches(numbers.to_list(), SCOPE_BATCH):
            found += (
                Household.objects.filter(household_no__in=batch)
                .exclude(code_prefix_q(region_code, "village_id"))
                .values_list("household_no", flat=True)
            )
    return found


def _batches(values: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _household_import(job: Job, progress: Progress) -> Outcome:
    from fupin.registry.importer import household_file_import

    params = job.params
    path = job_dir(job.pk) / params["file"]
    progress(0, 3, "检查文件范围")
    outside = _outside_scope(path, job.region_code)
    if outside:
        shown = "、".join(outside[:5]) + (" 等" if len(outside) > 5 else "")
        raise JobError(
            f"{params['file']}：{len(outside)} 个村代码或户编号不在 {job.region_code} 范围内"
            f"（{shown}），未写入任何数据"
        )
    progress(1, 3, "校验并写入")
    report = household_file_import(
        path=path, year=params["year"], actor=_actor(job),
        apply_valid=params["apply_valid"], dry_run=params["dry_run"],
    )  # fmt: skip
    progress(3, 3, "完成")
    file = ""
    if report.issues.height:
        report.write(job_dir(job.pk) / REPORT_FILE)
        file = REPORT_FILE
    errors, warnings = report.errors.height, report.warnings.height
    result: dict[str, Any] = {
        "rows": report.rows, "households": report.households, "errors": errors,
        "warnings": warnings, "applied": report.applied,
        "skipped_households": report.skipped_households,
        "written": report.result.counts() if report.result is not None else None,
    }  # fmt: skip
    if errors and not report.applied:
        message = f"{params['file']}：{errors} 个错误，未写入任何数据；请下载问题清单"
    elif params["dry_run"]:
        message = f"{params['file']}：校验通过（试运行，未写入）"
    else:
        message = f"{params['file']}：{report.rows} 行、{report.households} 户已导入"
        if report.skipped_households:
            message += f"，{report.skipped_households} 户因错误跳过"
    failed = bool(errors) and not report.applied
    return Outcome(result=result, message=message, file=file, failed=failed)


def _export(job: Job, progress: Progress) -> Outcome:
    from fupin.registry.export import households_export

    params = job.params
    name = f"households-{job.region_code or 'nation'}-{params['year']}.{params['format']}"
    progress(0, 1, "导出中")
    rows = households_export(
        region=job.region_code, year=params["year"], path=job_dir(job.pk) / name,
        chinese_headers=params["chinese_headers"],
    )  # fmt: skip
    progress(1, 1, "完成")
    return Outcome(result={"rows": rows, "file": name}, message=f"已导出 {rows} 行", file=name)


def _report_params(params: dict[str, Any], region_code: str) -> dict[str, Any]:
    cleaned = _clean(params, {"year": (int, ...), "format": (str, "pdf")})
    if cleaned["format"] not in REPORT_FORMATS:
        raise JobError(f"parameter 'format': pdf or xlsx, not {cleaned['format']!r}")
    return cleaned


def _report(job: Job, progress: Progress) -> Outcome:
    from fupin.stats.reports import report_file

    params = job.params
    progress(0, 2, "汇总数据")
    name, content = report_file(
        user=job.user, region=job.region_code, year=params["year"], format=params["format"]
    )
    progress(1, 2, "生成文件")
    (job_dir(job.pk) / name).write_bytes(content)
    progress(2, 2, "完成")
    return Outcome(result={"file": name, "bytes": len(content)}, message=f"已生成 {name}",
                   file=name)  # fmt: skip


KINDS: dict[str, KindSpec] = {
    JobKind.ANNUAL_RUN: KindSpec(ANNUAL_RUN_ROLES, _annual_run_params, _annual_run),
    JobKind.HOUSEHOLD_IMPORT: KindSpec(KEEPERS, _import_params, _household_import, needs_file=True),
    JobKind.EXPORT: KindSpec(EXPORT_ROLES, _export_params, _export),
    JobKind.REPORT: KindSpec(REPORT_ROLES, _report_params, _report),
}
