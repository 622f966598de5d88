"""The import page (建档立卡信息导入): upload a household file, read the whole validation
report, then apply it or cancel.

The upload is validated at once (as `fupin import households --dry-run` does) and kept
under VAR_DIR/uploads by a random token, so that "apply" finds it again. A village's file
is applied while the page waits (`import_apply`); a larger one is handed to a background
import job (`import_job_start`) and the page follows its progress. Only a user who keeps
the register in every village the file touches (KEEPERS, `change` on households) may
apply it; otherwise the page refuses with the villages named and nothing is written.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core import bulk
from fupin.core.access import prefix_covers, user_prefixes
from fupin.core.audit import Actor
from fupin.core.rules import KEEPERS
from fupin.jobs.choices import JobKind
from fupin.jobs.kinds import JobError, JobRefused
from fupin.jobs.models import Job
from fupin.jobs.services import job_start
from fupin.registry.fileformats import FileFormatError, read_household_file
from fupin.registry.importer import ImportReport, household_file_import
from fupin.web.cases import signed_in

SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})
SHOWN_ISSUES = 200
_TOKEN_LENGTH = 32


class ImportRefused(Exception):
    """The user may not apply the file: it touches villages outside their keeping."""

    def __init__(self, issues: list[dict[str, Any]]):
        self.issues = issues
        super().__init__(f"{len(issues)} villages or households outside the user's keeping")


@dataclass(frozen=True)
class Upload:
    """A stored upload: who sent it, for which year, and the name it came with."""

    token: str
    user_id: int
    year: int
    name: str
    suffix: str
    uploaded_at: str

    @property
    def path(self) -> Path:
        return upload_dir() / f"{self.token}{self.suffix}"

    @property
    def report_path(self) -> Path:
        return upload_dir() / f"{self.token}.errors.csv"


def upload_dir() -> Path:
    """Where uploads wait for apply or cancel."""
    return Path(settings.VAR_DIR) / "uploads"


def upload_store(*, file: UploadedFile, year: int, user_id: int) -> Upload:
    """Keep an uploaded file under a fresh random token, with its metadata beside it."""
    suffix = Path(file.name or "").suffix.lower()
    upload = Upload(token=secrets.token_hex(_TOKEN_LENGTH // 2), user_id=user_id, year=year,
                    name=Path(file.name or "upload").name, suffix=suffix,
                    uploaded_at=timezone.now().isoformat())  # fmt: skip
    upload_dir().mkdir(parents=True, exist_ok=True)
    with upload.path.open("wb") as handle:
        for chunk in file.chunks():
            handle.write(chunk)
    (upload_dir() / f"{upload.token}.json").write_text(json.dumps(asdict(upload)))
    return upload


def upload_load(token: str, user_id: int) -> Upload:
    """The upload `token` of user `user_id`; anything else (a guess, another user's) is 404."""
    if len(token) != _TOKEN_LENGTH or not all(char in "0123456789abcdef" for char in token):
        raise Http404("no such upload")
    meta = upload_dir() / f"{token}.json"
    if not meta.exists():
        raise Http404("no such upload")
    upload = Upload(**json.loads(meta.read_text()))
    if upload.user_id != user_id or not upload.path.exists():
        raise Http404("no such upload")
    return upload


def upload_discard(upload: Upload) -> None:
    """Remove an upload's file, metadata and report."""
    for path in (upload.path, upload.report_path, upload_dir() / f"{upload.token}.json"):
        path.unlink(missing_ok=True)


def scope_issues(path: Path, *, user: AbstractBaseUser, file_name: str) -> list[dict[str, Any]]:
    """The villages of the file, and the households it would change, that lie outside the
    user's keeping (one issue per village, at its first row); [] when all are inside."""
    try:
        frame = read_household_file(path, file_name=file_name).frame
    except FileFormatError:
        return []  # the validation report names the file's own problems
    prefixes = user_prefixes(user, KEEPERS)

    def kept(code: str) -> bool:
        return any(prefix_covers(prefix, code) for prefix in prefixes)

    issues = []
    if "village_code" in frame.columns:
        firsts = (
            frame.filter(pl.col("village_code").is_not_null())
            .group_by("village_code")
            .agg(pl.col("_row").min())
        )
        for code, row in firsts.sort("_row").iter_rows():
            if not kept(code):
                issues.append(_scope_issue(file_name, row, "village_code", code))
    if "household_no" in frame.columns:
        for number, village, row in _registered_elsewhere(frame):
            if not kept(village):
                issues.append(_scope_issue(file_name, row, "household_no", number))
    return issues


def _registered_elsewhere(frame: pl.DataFrame) -> list[tuple[str, str, int]]:
    """(number, village, first row) of the file's households already in the register."""
    numbers = (
        frame.filter(pl.col("household_no").is_not_null())
        .group_by("household_no")
        .agg(pl.col("_row").min())
    )
    bulk.temp_table_from_frame("fupin_upload_numbers", numbers,
                               {"household_no": "code", "_row": "bigint"})  # fmt: skip
    found = bulk.read_frame(
        "SELECT n.household_no, h.village_code, n._row FROM fupin_upload_numbers n "
        "JOIN registry_household h ON h.household_no = n.household_no ORDER BY n._row",
        schema={"household_no": pl.String, "village_code": pl.String, "_row": pl.Int64},
    )
    return [(number, village, row) for number, village, row in found.iter_rows()]


def _scope_issue(file: str, row: int, column: str, value: str) -> dict[str, Any]:
    return {
        "file": file, "row": row, "column": column, "code": "access.not_kept", "value": value,
        "message_zh": "不在您维护的区划范围内，不能导入", "severity": "error",
        "message_en": "outside the villages you keep: you may not change this register",
    }  # fmt: skip


def import_validate(upload: Upload, *, user: AbstractBaseUser) -> ImportReport:
    """Validate an upload whole, writing nothing; keep the report CSV beside it."""
    report = household_file_import(
        path=upload.path, year=upload.year, actor=Actor.of(user), dry_run=True
    )
    report.path = upload.path.with_name(upload.name)
    if report.issues.height:
        report.write(upload.report_path)
    return report


# A file past this size (about 5,000 member rows: more than a village) is applied by a
# background job with a progress page; a village's file is applied while the page waits.
BACKGROUND_BYTES = 1_000_000
LEVEL_LENGTHS = (12, 9, 6, 4, 2)


def import_job_start(*, upload: Upload, user: AbstractBaseUser, apply_valid: bool) -> Job:
    """Hand the upload to a background import job over the smallest region that holds every
    village of the file (the job checks again that its file stays inside that region)."""
    frame = read_household_file(upload.path, file_name=upload.name).frame
    villages = frame["village_code"].drop_nulls().unique().to_list()
    common = os.path.commonprefix(villages) if villages else ""  # noqa: RUF071 - digit by digit
    region = next((common[:n] for n in LEVEL_LENGTHS if len(common) >= n), "")
    with upload.path.open("rb") as handle:
        job = job_start(
            kind=JobKind.HOUSEHOLD_IMPORT, region_code=region, actor=Actor.of(user),
            params={"year": upload.year, "apply_valid": apply_valid},
            upload=File(handle, name=upload.name),
        )  # fmt: skip
    upload_discard(upload)
    return job


def import_apply(*, token: str, user_id: int, apply_valid: bool = False) -> ImportReport:
    """Apply upload `token` for user `user_id` (all or nothing unless `apply_valid`), after
    checking every village it touches is theirs to keep; one call, ready for a job."""
    user = get_user_model().objects.get(pk=user_id)
    upload = upload_load(token, user_id)
    refused = scope_issues(upload.path, user=user, file_name=upload.name)
    if refused:
        raise ImportRefused(refused)
    report = household_file_import(path=upload.path, year=upload.year, actor=Actor.of(user),
                                   apply_valid=apply_valid)  # fmt: skip
    report.path = upload.path.with_name(upload.name)
    if report.applied:
        upload_discard(upload)
    elif report.issues.height:
        report.write(upload.report_path)
    return report


@require_http_methods(["GET", "POST"])
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload, validate, then apply or cancel a household file."""
    keeper = bool(user_prefixes(signed_in(request), KEEPERS))
    if not keeper:
        return render(request, "web/imports/page.html", {"keeper": False}, status=403)
    if request.method != "POST":
        return render(request, "web/imports/page.html", _form_context())
    action = request.POST.get("action", "")
    if action == "upload":
        return _upload(request)
    upload = upload_load(request.POST.get("token", ""), signed_in(request).pk)
    if action == "cancel":
        upload_discard(upload)
        messages.info(request, _("已取消导入，文件已删除。"))
        return redirect("web:import_page")
    if action != "apply":
        return render(request, "web/imports/page.html",
                      _form_context(error=_("未知的操作。")), status=400)  # fmt: skip
    apply_valid = request.POST.get("apply_valid") == "yes"
    if upload.path.stat().st_size > BACKGROUND_BYTES:
        refused = scope_issues(upload.path, user=signed_in(request), file_name=upload.name)
        if refused:
            return _report_page(request, upload, None, refused, status=403)
        try:
            job = import_job_start(upload=upload, user=signed_in(request), apply_valid=apply_valid)
        except (JobError, JobRefused) as exc:
            return render(request, "web/imports/page.html",
                          _form_context(error=str(exc)), status=403)  # fmt: skip
        return redirect("jobs:job_detail", job_id=job.pk)
    try:
        report = import_apply(token=upload.token, user_id=signed_in(request).pk,
                              apply_valid=apply_valid)  # fmt: skip
    except ImportRefused as refused:
        return _report_page(request, upload, None, refused.issues, status=403)
    if report.applied:
        messages.success(request, _("导入完成：%(households)s 户，%(rows)s 行。") % {
            "households": report.households - report.skipped_households, "rows": report.rows,
        })  # fmt: skip
        return render(request, "web/imports/page.html", {**_form_context(), "done": report})
    return _report_page(request, upload, report, [], status=400)


def _form_context(*, error: str = "") -> dict[str, Any]:
    return {"keeper": True, "error": error, "year": timezone.localdate().year - 1}


def _upload(request: HttpRequest) -> HttpResponse:
    file = request.FILES.get("file")
    year_text = request.POST.get("year", "").strip()
    error = ""
    if file is None:
        error = _("请选择要导入的文件。")
    elif Path(file.name or "").suffix.lower() not in SUFFIXES:
        error = _("只能导入 CSV 或 XLSX 文件。")
    elif not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        error = _("请填写正确的年度。")
    if error or file is None:
        return render(request, "web/imports/page.html", _form_context(error=error), status=400)
    upload = upload_store(file=file, year=int(year_text), user_id=signed_in(request).pk)
    report = import_validate(upload, user=signed_in(request))
    issues = scope_issues(upload.path, user=signed_in(request), file_name=upload.name)
    return _report_page(request, upload, report, issues, status=200)


def _report_page(
    request: HttpRequest,
    upload: Upload,
    report: ImportReport | None,
    scope: list[dict[str, Any]],
    *,
    status: int,
) -> HttpResponse:
    """The validation report: counts by code, the first issues, and what may be done next."""
    rows: list[dict[str, Any]] = list(scope)
    counts: list[dict[str, Any]] = []
    errors = len(scope)
    if report is not None:
        shown = report.issues.sort("row", "column").head(SHOWN_ISSUES)
        rows += [{**row, "file": upload.name} for row in shown.iter_rows(named=True)]
        counts = list(report.counts_by_code().iter_rows(named=True))
        errors += report.errors.height
    return render(request, "web/imports/page.html", {
        **_form_context(), "upload": upload, "report": report, "issues": rows,
        "counts": counts, "errors": errors, "scope_refused": bool(scope),
        "more": report is not None and report.issues.height > SHOWN_ISSUES,
        "report_csv": upload.report_path.exists(),
        "can_apply": not scope and report is not None and not report.errors.height,
        "can_apply_valid": not scope and report is not None and report.errors.height > 0,
    }, status=status)  # fmt: skip


@require_GET
@login_required
def import_report_csv(request: HttpRequest) -> FileResponse:
    """The whole validation report of the user's upload, as CSV (UTF-8 with BOM)."""
    upload = upload_load(request.GET.get("token", ""), signed_in(request).pk)
    if not upload.report_path.exists():
        raise Http404("no report")
    return FileResponse(upload.report_path.open("rb"), as_attachment=True,
                        filename=f"{Path(upload.name).stem}-errors.csv",
                        content_type="text/csv; charset=utf-8")  # fmt: skip
