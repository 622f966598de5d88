"""Writes of the assistance ledger (帮扶台账): recording one measure, and a department's bulk
entry by file.

Both go through one validation over a Polars frame (`measures_checked`), so a single
measure and a file row are held to the same rules. A file is validated whole: every bad
row is named by its number and field, and any error writes nothing. The actor must hold a
post allowed to change measures over every household's village; a line department records
only the measures it provides itself (provider kind `department`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone, translation

from fupin.core.access import user_prefixes
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.bulk import analyze_after_load, copy_frame
from fupin.core.choices import Role
from fupin.core.rules import KEEPERS
from fupin.pairing.services import PAIRED_STATUSES
from fupin.registry.models import Household
from fupin.support.choices import MeasureForm, MeasureType, ProviderKind
from fupin.support.issues import ISSUE_ZH
from fupin.support.models import Measure

FIRST_YEAR = 2013
REQUIRED = ("household_no", "year", "given_on", "measure_type", "description", "form",
            "value", "provider_kind", "provider_name")  # fmt: skip
OPTIONAL = ("fund", "project")
COLUMNS = REQUIRED + OPTIONAL
# The columns a checked row writes to the ledger (with who recorded it and when).
WRITTEN = ["household_id", "year", "given_on", "measure_type", "description", "form",
            "value", "provider_kind", "provider_name", "fund", "project"]  # fmt: skip
TEXT_MAX = {"description": 200, "provider_name": 100, "fund": 100, "project": 100}
# The code lengths of the nation, province, prefecture, county, township and village.
REGION_LENGTHS = (0, 2, 4, 6, 9, 12)
# Yuan with at most two decimals and ten integer digits (the column holds 12 digits).
VALUE_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"
ROW = "_row"


class MeasureError(ValueError):
    """A measure or an import refused; `code` is stable, `issues` names each bad row."""

    def __init__(self, code: str, message: str, issues: Sequence[RowIssue] = ()):
        self.code = code
        self.issues = list(issues)
        super().__init__(message)


@dataclass(frozen=True)
class RowIssue:
    """One problem in one row (counted from 1, the first data row, or the spreadsheet's row
    number for a file; 0 for the whole file), in English and in Chinese."""

    row: int
    field: str
    code: str
    message: str
    message_zh: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, {self.field}: {self.message}"


def measure_record(
    *,
    household: Household,
    year: int,
    given_on: date,
    measure_type: str,
    description: str,
    form: str,
    value: Decimal,
    provider_kind: str,
    provider_name: str,
    actor: Actor,
    fund: str = "",
    project: str = "",
) -> Measure:
    """Record one measure a household received (帮扶措施), with its audit event."""
    row = {"household_no": household.household_no, "year": year, "given_on": given_on,
           "measure_type": measure_type, "description": description, "form": form,
           "value": value, "provider_kind": provider_kind, "provider_name": provider_name,
           "fund": fund, "project": project}  # fmt: skip
    with transaction.atomic():
        checked = measures_checked(_text_frame([row]), actor=actor).row(0, named=True)
        measure = Measure.objects.create(
            **{name: checked[name] for name in WRITTEN if name != "household_id"},
            household=household, recorded_at=timezone.now(),
            recorded_by_id=None if actor.user is None else actor.user.pk,
        )  # fmt: skip
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="measure.record", object_type="household", object_id=str(household.pk),
                region_code=household.village_id,
                after={"measure": measure.pk, "year": year, "type": measure.measure_type,
                       "form": measure.form, "value": str(measure.value)},
            ),
        )  # fmt: skip
    return measure


def measures_import(
    *,
    rows: pl.DataFrame | Sequence[Mapping[str, Any]],
    actor: Actor,
    source: str = "",
    dry_run: bool = False,
) -> int:
    """Record a department's file of measures whole, or nothing: one set-wise write and one
    audit event. Returns the number of measures written (with `dry_run`, the number that
    would be: the rows are checked as for real and nothing is written)."""
    frame = rows if isinstance(rows, pl.DataFrame) else _text_frame(rows)
    with transaction.atomic():
        checked = measures_checked(_as_text(frame), actor=actor)
        if dry_run:
            return checked.height
        written = checked.select(WRITTEN).with_columns(
            recorded_by_id=pl.lit(None if actor.user is None else actor.user.pk, pl.Int64),
            recorded_at=pl.lit(timezone.now(), pl.Datetime("us", "UTC")),
        )
        count = copy_frame(Measure._meta.db_table, written)
        analyze_after_load(Measure._meta.db_table, count)
        villages = sorted(set(checked["village_id"]))
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="measure.import", object_type="measure",
                region_code=_common_prefix(villages),
                after={"count": count, "households": checked["household_id"].n_unique(),
                       "villages": villages[:1000], "source": source},
            ),
        )  # fmt: skip
    return count


def measures_checked(frame: pl.DataFrame, *, actor: Actor) -> pl.DataFrame:
    """The rows of `frame` (text cells) typed and joined to their households, or
    MeasureError listing every problem by row and field."""
    missing = [name for name in REQUIRED if name not in frame.columns]
    if missing:
        zh = ISSUE_ZH["column_missing"]
        issues = [RowIssue(0, name, "column_missing", "the column is missing", zh)
                  for name in missing]  # fmt: skip
        raise MeasureError("columns_missing", _summary(issues), issues)
    if frame.height == 0:
        raise MeasureError("empty", "the file holds no measures")
    rows = (
        pl.col(ROW)
        if ROW in frame.columns
        else pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW)
    )
    frame = frame.with_columns(
        [pl.lit("").alias(name) for name in OPTIONAL if name not in frame.columns]
    ).select(
        rows.cast(pl.Int64),
        *[pl.col(name).cast(pl.String).str.strip_chars().fill_null("") for name in COLUMNS],
    )
    typed = _typed(frame)
    issues = _cell_issues(typed) + _household_issues(typed, actor)
    if issues:
        issues.sort(key=lambda issue: (issue.row, COLUMNS.index(issue.field), issue.code))
        raise MeasureError("rows_invalid", _summary(issues), issues)
    return typed


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The cells typed (null where they do not parse) and each row's household."""
    today = timezone.localdate()
    found = pl.DataFrame(
        list(
            Household.objects.filter(household_no__in=frame["household_no"].unique().to_list())
            .values_list("household_no", "id", "village_id", "status")
        ),
        schema={"household_no": pl.String, "household_id": pl.Int64, "village_id": pl.String,
                "status": pl.String},
        orient="row",
    )  # fmt: skip
    return frame.with_columns(
        _value_raw=pl.col("value"),
        _year=pl.col("year").cast(pl.Int64, strict=False),
        _given_on=pl.col("given_on").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        _value=pl.when(pl.col("value").str.contains(VALUE_PATTERN))
        .then(pl.col("value"))
        .cast(pl.Decimal(12, 2), strict=False),
    ).with_columns(
        _future=pl.col("_given_on") > pl.lit(today),
    ).join(found, on="household_no", how="left").with_columns(
        year=pl.col("_year"), given_on=pl.col("_given_on"), value=pl.col("_value")
    )  # fmt: skip


def _cell_issues(typed: pl.DataFrame) -> list[RowIssue]:
    """Problems a row shows by itself (set-wise, one filter per rule)."""
    this_year = timezone.localdate().year
    rules: list[tuple[str, str, pl.Expr, str]] = [
        ("household_no", "required", pl.col("household_no") == "", "name the household"),
        ("year", "invalid", pl.col("_year").is_null(), "a year such as 2018"),
        ("year", "out_of_range", ~pl.col("_year").is_between(FIRST_YEAR, this_year),
         f"the year lies between {FIRST_YEAR} and {this_year}"),
        ("given_on", "invalid", pl.col("_given_on").is_null(), "a date as YYYY-MM-DD"),
        ("given_on", "in_future", pl.col("_future"), "a measure is recorded once given"),
        ("given_on", "other_year", pl.col("_given_on").dt.year() != pl.col("_year"),
         "the date lies in the measure's year"),
        ("measure_type", "unknown", ~pl.col("measure_type").is_in(MeasureType.values),
         f"one of {', '.join(MeasureType.values)}"),
        ("form", "unknown", ~pl.col("form").is_in(MeasureForm.values),
         f"one of {', '.join(MeasureForm.values)}"),
        ("value", "negative", pl.col("_value_raw").str.starts_with("-"),
         "a value is not negative"),
        ("value", "invalid",
         pl.col("_value").is_null() & ~pl.col("_value_raw").str.starts_with("-"),
         "yuan, at most two decimals and ten digits before the point"),
        ("provider_kind", "unknown", ~pl.col("provider_kind").is_in(ProviderKind.values),
         f"one of {', '.join(ProviderKind.values)}"),
        ("description", "required", pl.col("description") == "", "say what was given"),
        ("provider_name", "required", pl.col("provider_name") == "", "name the provider"),
    ]  # fmt: skip
    rules += [
        (name, "too_long", pl.col(name).str.len_chars() > limit, f"at most {limit} characters")
        for name, limit in TEXT_MAX.items()
    ]
    return _issues(typed, rules)


def _household_issues(typed: pl.DataFrame, actor: Actor) -> list[RowIssue]:
    """Households unknown, off the register, or outside the actor's posts (set-wise: one
    expression per post prefix, not one query per household)."""
    known = typed.filter(pl.col("household_id").is_not_null())
    rules: list[tuple[str, str, pl.Expr, str]] = [
        ("household_no", "unknown",
         (pl.col("household_no") != "") & pl.col("household_id").is_null(),
         "no household with this number"),
    ]  # fmt: skip
    issues = _issues(typed, rules)
    rules = [("household_no", "not_on_register", ~pl.col("status").is_in(PAIRED_STATUSES),
              "measures are recorded for households on the register")]  # fmt: skip
    if actor.user is not None:
        keeper = _under(user_prefixes(actor.user, KEEPERS))
        department = _under(user_prefixes(actor.user, {Role.DEPARTMENT}))
        rules += [
            ("household_no", "outside_posts", ~keeper & ~department,
             "the household lies outside your posts"),
            ("provider_kind", "department_only",
             ~keeper & department & (pl.col("provider_kind") != ProviderKind.DEPARTMENT),
             "a department records the measures it provides (provider kind department)"),
        ]  # fmt: skip
    return issues + _issues(known, rules)


def _under(prefixes: Sequence[str]) -> pl.Expr:
    """Whether the row's village lies under any of `prefixes`."""
    return pl.any_horizontal(
        pl.lit(False), *[pl.col("village_id").str.starts_with(prefix) for prefix in prefixes]
    )


def _issues(frame: pl.DataFrame, rules: Sequence[tuple[str, str, pl.Expr, str]]) -> list[RowIssue]:
    issues = []
    for field, code, condition, message in rules:
        key = f"{field}.{code}"
        zh = ISSUE_ZH[key].format(_zh_detail(key))
        for row in frame.filter(condition.fill_null(False))[ROW].to_list():
            issues.append(RowIssue(row, field, key, message, zh))
    return issues


def _zh_detail(key: str) -> str:
    """What a Chinese message names: the allowed words, the years, a length limit."""
    words = {"measure_type.unknown": MeasureType, "form.unknown": MeasureForm,
             "provider_kind.unknown": ProviderKind}  # fmt: skip
    if key in words:
        with translation.override("zh-hans"):
            return "、".join(str(label) for label in words[key].labels)
    if key == "year.out_of_range":
        return f"{FIRST_YEAR} 至 {timezone.localdate().year}"
    field, _, code = key.partition(".")
    return str(TEXT_MAX[field]) if code == "too_long" else ""


def _summary(issues: Sequence[RowIssue], shown: int = 20) -> str:
    head = "; ".join(str(issue) for issue in issues[:shown])
    more = f"; and {len(issues) - shown} more" if len(issues) > shown else ""
    return f"{len(issues)} problem(s), nothing recorded: {head}{more}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _text_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Rows as a frame of text cells, as a file would give them."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    return pl.DataFrame(
        [{name: _text(row.get(name)) for name in names} for row in rows],
        schema={name: pl.String for name in names},
    )


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame's cells as text (a reader may have typed numbers and dates already)."""
    return frame.with_columns(
        pl.col(name).map_elements(_text, return_dtype=pl.String)
        if frame.schema[name] == pl.Object
        else pl.col(name).cast(pl.String)
        for name in frame.columns
    )


def _common_prefix(codes: Sequence[str]) -> str:
    """The code of the smallest region holding every village of `codes` ('' the nation)."""
    if not codes:
        return ""
    first, last = min(codes), max(codes)
    shared = 0
    while shared < min(len(first), len(last)) and first[shared] == last[shared]:
        shared += 1
    return first[: max(length for length in REGION_LENGTHS if length <= shared)]
