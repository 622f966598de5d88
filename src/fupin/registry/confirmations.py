"""Line departments confirm their own indicator (部门确认), one household or a whole file.

Each department answers for one fact of the register (ARCHITECTURE.md, who uses it):

| department    | indicator                              | where it lives            |
|---------------|----------------------------------------|---------------------------|
| education     | education_ok  义务教育有保障            | the year's assessment     |
| health        | medical_ok    基本医疗有保障            | the year's assessment     |
| housing       | housing_grade 住房安全等级 (A-D)        | the year's assessment     |
| water         | water_ok      饮水安全有保障            | the year's assessment     |
| civil_affairs | category      贫困户属性 (低保, 特困…)   | the household             |

Civil affairs confirms the household attribute because 低保 and 特困 (五保) status is
taken from civil-affairs data, not re-identified (DOMAIN.md 1.5); it confirms it for the
households on the register (registered or returned), the ones the attribute describes.
The income components (transfer income included) stay the village's assessment.

A confirmation writes the value into the register and one `IndicatorConfirmation` row
(household, year, department) saying who confirmed it, when and from what. The bulk path
is validated whole and applied whole with set-based statements, never row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from fupin.core import bulk
from fupin.core.access import active_grants, prefix_covers
from fupin.core.audit import Actor, EventSpec, audit_record, audit_record_many
from fupin.core.choices import Department, Role
from fupin.registry.columns import BY_NAME
from fupin.registry.fileformats import FileFormatError
from fupin.registry.fileformats.cells import normalise_header
from fupin.registry.fileformats.reading import HOUSEHOLD_LAYOUT, _load_grid
from fupin.registry.models import Assessment, Household, IndicatorConfirmation
from fupin.registry.vocabulary import FORM_LABELS, FORM_VALUES

ON_REGISTER = ("registered", "returned")
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Indicator:
    """The register field a department confirms: its name, where it lives, its kind."""

    field: str
    on_assessment: bool
    flag: bool

    @property
    def label(self) -> str:
        """The field's Chinese name on the household form."""
        return BY_NAME[self.field].chinese

    def choices(self) -> list[tuple[str, str]]:
        """The values it takes, as (slug, Chinese label)."""
        return list(FORM_LABELS[self.field].items())


INDICATORS: dict[str, Indicator] = {
    Department.EDUCATION: Indicator("education_ok", on_assessment=True, flag=True),
    Department.HEALTH: Indicator("medical_ok", on_assessment=True, flag=True),
    Department.HOUSING: Indicator("housing_grade", on_assessment=True, flag=False),
    Department.WATER: Indicator("water_ok", on_assessment=True, flag=True),
    Department.CIVIL_AFFAIRS: Indicator("category", on_assessment=False, flag=False),
}


@dataclass(frozen=True)
class ConfirmationIssue:
    """One problem with a confirmation, addressed by file, row and field."""

    row: int | None
    column: str
    code: str
    message_zh: str
    message_en: str
    value: str = ""


class ConfirmationError(ValueError):
    """Confirmations refused; `issues` names every problem, and nothing was written."""

    def __init__(self, issues: list[ConfirmationIssue], file: str = ""):
        self.issues = issues
        self.file = file
        super().__init__("; ".join(_issue_text(issue, file) for issue in issues[:20]))


def _issue_text(issue: ConfirmationIssue, file: str) -> str:
    where = ", ".join(
        part for part in (file, f"row {issue.row}" if issue.row else "", issue.column) if part
    )
    return f"{where}: {issue.message_en}" + (f" ({issue.value})" if issue.value else "")


@dataclass
class ConfirmResult:
    """What a bulk confirmation did."""

    confirmed: int
    changed: int


def indicator_of(department: str) -> Indicator:
    """The indicator `department` confirms."""
    try:
        return INDICATORS[department]
    except KeyError:
        raise ConfirmationError(
            [_issue(None, "department", "department.unknown", department)]
        ) from None


def indicator_value(department: str, text: str) -> str:
    """The stored slug of a value as written (是/否, yes/no, 1/0, A-D, a category label)."""
    indicator = indicator_of(department)
    slug = FORM_VALUES[indicator.field].get(text.strip()) if text else None
    if slug is None:
        raise ConfirmationError([_issue(None, indicator.field, "value.unknown", text)])
    return slug


def department_prefixes(actor: Actor, department: str) -> list[str] | None:
    """The region prefixes of the actor's grants for `department` (None: a system process)."""
    if actor.user is None:
        return None
    grants = active_grants(actor.user).filter(role=Role.DEPARTMENT, department=department)
    return sorted(set(grants.values_list("region_prefix", flat=True)))


def indicator_confirm(
    *, household: Household, year: int, department: str, value: str, actor: Actor,
    source: str = "web",
) -> IndicatorConfirmation:  # fmt: skip
    """Confirm `department`'s indicator of one household for `year` (value as written)."""
    indicator = indicator_of(department)
    slug = indicator_value(department, value)
    prefixes = department_prefixes(actor, department)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        if not _covered(prefixes, household.village_id):
            raise ConfirmationError([_issue(None, "household_no", "household.not_in_scope",
                                            household.household_no)])  # fmt: skip
        target: Household | Assessment = household
        if indicator.on_assessment:
            found = Assessment.objects.select_for_update().filter(household=household, year=year)
            if not found.exists():
                raise ConfirmationError([_issue(None, "year", "assessment.missing", str(year))])
            target = found.get()
        elif household.status not in ON_REGISTER:
            raise ConfirmationError([_issue(None, "household_no", "household.not_on_register",
                                            household.household_no)])  # fmt: skip
        before = _stored(getattr(target, indicator.field))
        if before != slug:
            setattr(target, indicator.field, (slug == "yes") if indicator.flag else slug)
            fields = [indicator.field]
            if isinstance(target, Household):
                target.updated_at = timezone.now()
                fields.append("updated_at")
            target.save(update_fields=fields)
        confirmation, _ = IndicatorConfirmation.objects.update_or_create(
            household=household, year=year, department=department,
            defaults={"indicator": indicator.field, "value": slug, "previous": before,
                      "confirmed_by_id": actor.user.pk if actor.user else None,
                      "confirmed_by_label": actor.label, "confirmed_at": timezone.now(),
                      "source": source},
        )  # fmt: skip
        audit_record(actor=actor, spec=EventSpec(
            action="indicator.confirm", object_type="household", object_id=str(household.pk),
            region_code=household.village_id,
            before={"household_no": household.household_no, indicator.field: before},
            after={"year": year, "department": department, indicator.field: slug},
            reason=source,
        ))  # fmt: skip
    return confirmation


def indicator_confirm_many(
    *, rows: pl.DataFrame, year: int, department: str, actor: Actor, source: str
) -> ConfirmResult:
    """Confirm `department`'s indicator for many households at once: `rows` holds `_row`,
    `household_no` and `value` (as written). Validated whole; any issue writes nothing."""
    indicator = indicator_of(department)
    staged, issues = _parsed(rows, indicator)
    with transaction.atomic():
        found = _found(staged, year, indicator)
        issues += _register_issues(found, indicator, department_prefixes(actor, department))
        if issues:
            raise ConfirmationError(sorted(issues, key=lambda i: (i.row or 0, i.column)))
        now = timezone.now()
        changed = found.filter(pl.col("previous") != pl.col("value"))
        _update_register(changed, indicator, now)
        _upsert_confirmations(found, year, department, indicator, actor, now, source)
        events = [_summary_event(found, changed, year, department, source)]
        events += [_change_event(row, year, department, indicator, source)
                   for row in changed.iter_rows(named=True)]  # fmt: skip
        audit_record_many(actor=actor, events=events)
    return ConfirmResult(confirmed=found.height, changed=changed.height)


def confirmation_file_read(path: Path, *, department: str, file_name: str = "") -> pl.DataFrame:
    """Read a confirmation file (CSV UTF-8/GBK or XLSX) with a household-number column and a
    value column; return `_row`, `household_no`, `value`, or raise ConfirmationError."""
    indicator = indicator_of(department)
    shown = file_name or path.name
    try:
        grid = _load_grid(path, shown).frame
    except FileFormatError as exc:
        raise ConfirmationError(
            [ConfirmationIssue(i.row, i.column or "", i.code, i.message_zh, i.message_en)
             for i in exc.issues],
            file=shown,
        ) from None  # fmt: skip
    value_names = {"value", "确认值", "确认结果", indicator.field}
    for index, cells in enumerate(grid.head(_HEADER_SEARCH_ROWS).iter_rows()):
        number = value = None
        for column, cell in zip(grid.columns, cells, strict=True):
            header = normalise_header(cell or "")
            name = HOUSEHOLD_LAYOUT.column_for_header(cell)
            if name == "household_no":
                number = column
            elif header in value_names or name == indicator.field:
                value = column
        if number and value:
            data = grid.slice(index + 1).with_row_index("_row", offset=index + 2)
            return data.select(
                pl.col("_row").cast(pl.Int64),
                pl.col(number).str.strip_chars().alias("household_no"),
                pl.col(value).str.strip_chars().alias("value"),
            ).filter(pl.col("household_no").is_not_null() | pl.col("value").is_not_null())
    missing = _issue(1, "household_no, value", "file.missing_header",
                     f"户编号 + {indicator.label}")  # fmt: skip
    raise ConfirmationError([missing], file=shown)


# code -> (Chinese, English); the field and the value are added where the issue is shown.
_MESSAGES = {
    "department.unknown": ("未知的行业部门", "unknown department"),
    "value.missing": ("必填项为空", "a required value is missing"),
    "value.unknown": ("取值不在允许范围内", "value not among the allowed values"),
    "household.duplicate": ("户编号在文件中重复", "the household number repeats in the file"),
    "household.not_in_scope": (
        "户编号不存在或不在本部门辖区", "no such household in the department's area",
    ),
    "household.not_on_register": (
        "该户不在建档立卡名单中（未识别或已退出）", "the household is not on the register",
    ),
    "assessment.missing": (
        "该户当年无年度信息采集记录", "no assessment of the household in the year",
    ),
    "file.missing_header": (
        "缺少户编号列或确认值列", "a household number column or a value column is missing",
    ),
}  # fmt: skip


def _issue(row: int | None, column: str, code: str, value: str) -> ConfirmationIssue:
    zh, en = _MESSAGES[code]
    return ConfirmationIssue(row, column, code, zh, en, value or "")


def _covered(prefixes: list[str] | None, village: str) -> bool:
    return prefixes is None or any(prefix_covers(prefix, village) for prefix in prefixes)


def _stored(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _parsed(rows: pl.DataFrame, indicator: Indicator) -> tuple[pl.DataFrame, list]:
    """The rows with values as slugs, and the cell issues (missing, unknown, duplicated)."""
    spellings = FORM_VALUES[indicator.field]
    frame = rows.select(
        pl.col("_row").cast(pl.Int64), pl.col("household_no").cast(pl.String),
        pl.col("value").cast(pl.String).alias("raw"),
    ).with_columns(
        pl.col("raw").replace_strict(spellings, default=None, return_dtype=pl.String)
        .alias("value"),
        pl.col("household_no").is_duplicated().alias("duplicated"),
    )  # fmt: skip
    issues: list[ConfirmationIssue] = []
    for row in frame.filter(
        pl.col("household_no").is_null() | pl.col("value").is_null() | pl.col("duplicated")
    ).iter_rows(named=True):
        if row["household_no"] is None:
            issues.append(_issue(row["_row"], "household_no", "value.missing", ""))
        elif row["duplicated"]:
            issues.append(_issue(row["_row"], "household_no", "household.duplicate",
                                 row["household_no"]))  # fmt: skip
        if row["raw"] is None:
            issues.append(_issue(row["_row"], indicator.field, "value.missing", ""))
        elif row["value"] is None:
            issues.append(_issue(row["_row"], indicator.field, "value.unknown", row["raw"]))
    clean = frame.filter(pl.col("household_no").is_not_null() & pl.col("value").is_not_null())
    kept = clean.unique("household_no", keep="first", maintain_order=True)
    return kept.select("_row", "household_no", "value"), issues


def _found(staged: pl.DataFrame, year: int, indicator: Indicator) -> pl.DataFrame:
    """The staged rows joined to the register: household id, village, status, the target
    row's id and its value now (null where the household or the assessment is missing)."""
    bulk.temp_table_from_frame(
        "fupin_confirm_in", staged, {"_row": "bigint", "household_no": "code", "value": "text"}
    )
    field = bulk.quote_name(indicator.field)
    if indicator.on_assessment:
        target, current = "a.id", f"a.{field}"
        join = "LEFT JOIN registry_assessment a ON a.household_id = h.id AND a.year = %s"
        params: list[object] = [year]
    else:
        target, current, join, params = "h.id", f"h.{field}", "", []
    now = f"CASE WHEN {current} THEN 'yes' ELSE 'no' END" if indicator.flag else current
    sql = (
        f"SELECT i._row, i.household_no, i.value, h.id AS household_id, h.village_code, "
        f"h.status, {target} AS target_id, {now} AS previous "
        f"FROM fupin_confirm_in i LEFT JOIN registry_household h "
        f"ON h.household_no = i.household_no {join} ORDER BY i._row"
    )
    schema = {"_row": pl.Int64, "household_no": pl.String, "value": pl.String,
              "household_id": pl.Int64, "village_code": pl.String, "status": pl.String,
              "target_id": pl.Int64, "previous": pl.String}  # fmt: skip
    return bulk.read_frame(sql, params, schema=schema)


def _register_issues(
    found: pl.DataFrame, indicator: Indicator, prefixes: list[str] | None
) -> list[ConfirmationIssue]:
    """Households unknown or outside the actor's area (one answer for both), without the
    year's assessment, or (for the household attribute) not on the register."""
    issues = []
    for row in found.iter_rows(named=True):
        village = row["village_code"]
        if village is None or not _covered(prefixes, village):
            code = "household.not_in_scope"
        elif indicator.on_assessment and row["target_id"] is None:
            code = "assessment.missing"
        elif not indicator.on_assessment and row["status"] not in ON_REGISTER:
            code = "household.not_on_register"
        else:
            continue
        issues.append(_issue(row["_row"], "household_no", code, row["household_no"]))
    return issues


def _update_register(changed: pl.DataFrame, indicator: Indicator, now: datetime) -> None:
    """Write the changed values with one `UPDATE ... FROM` over a staged table."""
    if changed.height == 0:
        return
    bulk.temp_table_from_frame("fupin_confirm_set", changed.select("target_id", "value"),
                               {"target_id": "bigint", "value": "text"})  # fmt: skip
    field = bulk.quote_name(indicator.field)
    table = "registry_assessment" if indicator.on_assessment else "registry_household"
    assignments = [f"{field} = " + ("(u.value = 'yes')" if indicator.flag else "u.value")]
    params: list[object] = []
    if not indicator.on_assessment:
        assignments.append("updated_at = %s")
        params.append(connection.ops.adapt_datetimefield_value(now))
    bulk.execute(
        f"UPDATE {table} SET {', '.join(assignments)} FROM fupin_confirm_set u "
        f"WHERE {table}.id = u.target_id",
        params,
    )


def _upsert_confirmations(
    found: pl.DataFrame, year: int, department: str, indicator: Indicator, actor: Actor,
    now: datetime, source: str,
) -> None:  # fmt: skip
    """One confirmation row per household and year, inserted or replaced in one statement."""
    bulk.temp_table_from_frame(
        "fupin_confirm_rows", found.select("household_id", "value", "previous"),
        {"household_id": "bigint", "value": "text", "previous": "text"},
    )  # fmt: skip
    table = IndicatorConfirmation._meta.db_table
    replaced = ("value", "previous", "indicator", "confirmed_by_id", "confirmed_by_label",
                "confirmed_at", "source")  # fmt: skip
    bulk.execute(
        f"INSERT INTO {table} (household_id, year, department, indicator, value, previous, "
        "confirmed_by_id, confirmed_by_label, confirmed_at, source) "
        "SELECT u.household_id, %s, %s, %s, u.value, COALESCE(u.previous, ''), %s, %s, %s, %s "
        "FROM fupin_confirm_rows u WHERE true "
        "ON CONFLICT (household_id, year, department) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in replaced),
        [year, department, indicator.field, actor.user.pk if actor.user else None, actor.label,
         connection.ops.adapt_datetimefield_value(now), source[:200]],
    )  # fmt: skip


def _summary_event(
    found: pl.DataFrame, changed: pl.DataFrame, year: int, department: str, source: str
) -> EventSpec:
    villages = sorted(set(found["village_code"].to_list()))
    return EventSpec(
        action="indicator.confirm_many", object_type="household",
        region_code=villages[0] if len(villages) == 1 else "",
        after={"year": year, "department": department, "confirmed": found.height,
               "changed": changed.height, "villages": villages[:100]},
        reason=source,
    )  # fmt: skip


def _change_event(
    row: dict[str, object], year: int, department: str, indicator: Indicator, source: str
) -> EventSpec:
    return EventSpec(
        action="indicator.confirm", object_type="household", object_id=str(row["household_id"]),
        region_code=str(row["village_code"]),
        before={"household_no": row["household_no"], indicator.field: row["previous"]},
        after={"year": year, "department": department, indicator.field: row["value"]},
        reason=source,
    )  # fmt: skip
