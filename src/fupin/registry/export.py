"""Exporting households in the import layout, so that an export imports back unchanged."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from fupin.core import bulk
from fupin.regions.queries import prefix_upper_bound
from fupin.registry.columns import COLUMNS
from fupin.registry.fileformats import write_household_file
from fupin.registry.vocabulary import FORM_LABELS

_MEMBER_SQL = """
SELECT h.household_no, h.village_code, m.name, m.id_number, m.relation, m.sex, m.birth_date,
       m.ethnicity, m.education, m.in_school, m.health, m.labor, m.migrant_months,
       h.category, h.main_cause, h.second_cause, h.third_cause, h.phone, h.bank_account,
       h.address, m.medical_insured, m.critical_illness_insured, m.pension_insured,
       a.wage_income, a.business_income, a.business_cost, a.property_income,
       a.transfer_income, a.food_ok, a.clothing_ok, a.education_ok, a.medical_ok,
       a.housing_grade, a.water_ok
FROM registry_household h
JOIN registry_member m ON m.household_id = h.id AND m.is_active
JOIN registry_assessment a ON a.household_id = h.id AND a.year = %s
WHERE h.village_code >= %s AND h.village_code < %s
ORDER BY h.household_no, CASE WHEN m.relation = 'head' THEN 0 ELSE 1 END, m.id
"""

_SCHEMA: dict[str, pl.DataType] = {
    "household_no": pl.String(), "village_code": pl.String(), "name": pl.String(),
    "id_number": pl.String(), "relation": pl.String(), "sex": pl.String(),
    "birth_date": pl.Date(), "ethnicity": pl.String(), "education": pl.String(),
    "in_school": pl.Boolean(), "health": pl.String(), "labor": pl.String(),
    "migrant_months": pl.Int64(), "category": pl.String(), "main_cause": pl.String(),
    "second_cause": pl.String(), "third_cause": pl.String(), "phone": pl.String(),
    "bank_account": pl.String(), "address": pl.String(), "medical_insured": pl.Boolean(),
    "critical_illness_insured": pl.Boolean(), "pension_insured": pl.Boolean(),
    "wage_income": pl.Int64(), "business_income": pl.Int64(), "business_cost": pl.Int64(),
    "property_income": pl.Int64(), "transfer_income": pl.Int64(), "food_ok": pl.Boolean(),
    "clothing_ok": pl.Boolean(), "education_ok": pl.Boolean(), "medical_ok": pl.Boolean(),
    "housing_grade": pl.String(), "water_ok": pl.Boolean(),
}  # fmt: skip


def export_rows(*, region: str, year: int) -> pl.DataFrame:
    """Member rows under `region` with `year`'s assessment, as typed values (slugs)."""
    return bulk.read_frame(
        _MEMBER_SQL, [year, region, prefix_upper_bound(region)], schema=_SCHEMA
    ).with_columns(pl.col(c).cast(pl.Boolean) for c, t in _SCHEMA.items() if t == pl.Boolean())


def _label(name: str) -> pl.Expr:
    labels = FORM_LABELS[name]
    column = pl.col(name)
    if name in FORM_LABELS and _SCHEMA.get(name) == pl.Boolean():
        column = pl.when(column).then(pl.lit("yes")).when(~column).then(pl.lit("no"))
    return column.replace_strict(labels, default=None, return_dtype=pl.String)


def to_file_layout(rows: pl.DataFrame) -> pl.DataFrame:
    """Typed rows → the file's text cells: the form's Chinese words, household fields on
    the head's row only, other causes joined with '、'."""
    causes = pl.concat_list(
        [_label_cause("second_cause"), _label_cause("third_cause")]
    ).list.drop_nulls()
    text = rows.with_columns(
        causes.list.join("、").alias("other_causes"),
        *[_label(name).alias(name) for name in FORM_LABELS if name in rows.columns
          and name != "other_causes"],
    )  # fmt: skip
    cells = text.select(
        pl.col(c.name).cast(pl.String).alias(c.name) for c in COLUMNS if c.name in text.columns
    )
    is_head = rows["relation"] == "head"
    household_level = [c.name for c in COLUMNS if c.level != "member" and c.name != "household_no"]
    return cells.with_columns(
        pl.when(pl.lit(is_head)).then(pl.col(name)).otherwise(None).alias(name)
        for name in household_level
    ).with_columns(pl.col(pl.String).replace("", None))


def _label_cause(name: str) -> pl.Expr:
    return pl.col(name).replace_strict(FORM_LABELS["main_cause"], default=None)


def households_export(*, region: str, year: int, path: Path, chinese_headers: bool = False) -> int:
    """Write households under `region` with `year`'s assessment to CSV or XLSX; row count."""
    rows = export_rows(region=region, year=year)
    write_household_file(to_file_layout(rows), path, chinese_headers=chinese_headers)
    return rows.height
