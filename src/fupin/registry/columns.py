"""The household import/export layout: one row per member, household fields on the head's row.

Each column has its canonical English header, the Chinese header of the registration form
(贫困户登记表), where it belongs (member, household or the year's assessment), how its
cells are read, and whether a row must fill it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["member", "household", "assessment"]
Kind = Literal["text", "enum", "enum_list", "flag", "int", "money", "date", "id_number", "code"]


@dataclass(frozen=True)
class Column:
    """One column of the household file."""

    name: str
    chinese: str
    level: Level
    kind: Kind
    required: bool = False
    optional_in_file: bool = False  # may be absent from a file altogether
    max_length: int = 100


COLUMNS: tuple[Column, ...] = (
    Column("household_no", "户编号", "household", "text", required=True, max_length=32),
    Column("village_code", "行政区划代码", "household", "code", required=True, max_length=12),
    Column("name", "姓名", "member", "text", required=True, max_length=50),
    Column("id_number", "证件号码", "member", "id_number", required=True, max_length=22),
    Column("relation", "与户主关系", "member", "enum", required=True),
    Column("sex", "性别", "member", "enum", required=True),
    Column("birth_date", "出生日期", "member", "date", required=True),
    Column("ethnicity", "民族", "member", "text", required=True, max_length=20),
    Column("education", "文化程度", "member", "enum"),
    Column("in_school", "在校生状况", "member", "flag"),
    Column("health", "健康状况", "member", "enum", required=True),
    Column("labor", "劳动技能", "member", "enum"),
    Column("migrant_months", "务工时间（月）", "member", "int"),
    Column("category", "贫困户属性", "household", "enum"),
    Column("main_cause", "主要致贫原因", "household", "enum"),
    Column("other_causes", "其他致贫原因", "household", "enum_list"),
    Column("phone", "联系电话", "household", "text", max_length=20),
    Column("wage_income", "工资性收入", "assessment", "money", required=True),
    Column("business_income", "生产经营性收入", "assessment", "money", required=True),
    Column("business_cost", "生产经营性支出", "assessment", "money", required=True),
    Column("property_income", "财产性收入", "assessment", "money", required=True),
    Column("transfer_income", "转移性收入", "assessment", "money", required=True),
    Column("food_ok", "不愁吃", "assessment", "flag", required=True),
    Column("clothing_ok", "不愁穿", "assessment", "flag", required=True),
    Column("education_ok", "义务教育有保障", "assessment", "flag", required=True),
    Column("medical_ok", "基本医疗有保障", "assessment", "flag", required=True),
    Column("housing_grade", "住房安全等级", "assessment", "enum", required=True),
    Column("water_ok", "饮水安全有保障", "assessment", "flag", required=True),
    Column("bank_account", "银行账号", "household", "text", optional_in_file=True, max_length=32),
    Column("address", "详细地址", "household", "text", optional_in_file=True, max_length=200),
    Column("medical_insured", "参加基本医疗保险", "member", "flag", optional_in_file=True),
    Column("critical_illness_insured", "参加大病保险", "member", "flag", optional_in_file=True),
    Column("pension_insured", "参加养老保险", "member", "flag", optional_in_file=True),
)

BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
CANONICAL_HEADERS: tuple[str, ...] = tuple(c.name for c in COLUMNS if not c.optional_in_file)
ALL_HEADERS: tuple[str, ...] = tuple(c.name for c in COLUMNS)

# Spellings of headers seen on county files, beyond the canonical Chinese one.
HEADER_ALIASES: dict[str, str] = {
    "户编码": "household_no",
    "村代码": "village_code",
    "行政村代码": "village_code",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "务工时间": "migrant_months",
    "务工月数": "migrant_months",
    "在校生情况": "in_school",
    "劳动能力": "labor",
    "电话": "phone",
    "联系方式": "phone",
    "义务教育保障": "education_ok",
    "基本医疗保障": "medical_ok",
    "住房安全": "housing_grade",
    "饮水安全": "water_ok",
    "其它致贫原因": "other_causes",
}
