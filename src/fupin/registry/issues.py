"""The catalogue of data-quality issues: stable codes, severity, Chinese and English messages.

Codes are part of the interface (error reports, API answers, tests); never renumber or
reuse one. Errors block a write; warnings are reported and let the write go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class IssueType:
    """One kind of data-quality issue."""

    code: str
    severity: Severity
    zh: str
    en: str


_CATALOGUE: tuple[IssueType, ...] = (
    # file layer (reported by registry.fileformats)
    IssueType("file.unreadable", "error", "无法读取文件", "the file cannot be read"),
    IssueType("file.format", "error", "不支持的文件格式", "unsupported file format"),
    IssueType("file.empty", "error", "文件为空", "the file is empty"),
    IssueType("file.unknown_header", "error", "无法识别的表头", "unknown column header"),
    IssueType("file.duplicate_header", "error", "表头重复", "duplicate column header"),
    IssueType("file.missing_header", "error", "缺少必需的列", "a required column is missing"),
    # cells
    IssueType("value.missing", "error", "必填项为空", "a required value is missing"),
    IssueType("value.unknown", "error", "取值不在允许范围内", "value not among the allowed values"),
    IssueType("value.formula", "error", "单元格含公式", "the cell holds a formula"),
    IssueType("value.control_char", "error", "单元格含控制字符", "the cell holds a control character"),
    IssueType("value.too_long", "error", "内容超过长度限制", "the value is too long"),
    IssueType("value.not_integer", "error", "应为整数", "the value must be a whole number"),
    IssueType("value.date", "error", "日期格式应为YYYY-MM-DD", "the date must be YYYY-MM-DD"),
    IssueType("income.negative", "error", "收入或支出不能为负数", "income and cost cannot be negative"),
    IssueType("income.too_large", "error", "收入或支出超过十亿元，请核实", "income or cost over 1,000,000,000 yuan"),
    IssueType("village.code_format", "error", "行政区划代码应为12位数字", "village code must be 12 digits"),
    IssueType("village.unknown", "error", "行政区划代码不存在", "unknown village code"),
    IssueType("village.retired", "error", "行政区划代码已撤销", "the village code is retired"),
    IssueType("village.not_village", "error", "代码不是村级区划", "the code is not a village"),
    # identity
    IssueType("id.length", "error", "证件号码位数错误", "ID number has a wrong length"),
    IssueType("id.format", "error", "证件号码含非法字符", "ID number has invalid characters"),
    IssueType("id.checksum", "error", "证件号码校验位错误", "ID number check digit is wrong"),
    IssueType("id.birth_date", "error", "证件号码中的出生日期无效", "ID number birth date is not a date"),
    IssueType("id.province", "error", "证件号码地址码无效", "ID number province code is unknown"),
    IssueType("id.sex_mismatch", "error", "性别与证件号码不符", "sex does not agree with the ID number"),
    IssueType(
        "id.birth_mismatch", "error", "出生日期与证件号码不符", "birth date does not agree with the ID"
    ),
    IssueType("id.duplicate_in_file", "error", "证件号码在文件中重复", "the ID number repeats in the file"),
    IssueType(
        "id.in_other_household", "error", "该人已在其他户中登记", "the person is registered in another household"
    ),
    # household
    IssueType("household.no_head", "error", "该户没有户主", "the household has no head"),
    IssueType("household.two_heads", "error", "该户有多个户主", "the household has more than one head"),
    IssueType(
        "household.conflict", "error", "同一户的户信息不一致", "household fields differ between rows"
    ),
    IssueType("cause.repeated", "error", "其他致贫原因与主要原因重复", "another cause repeats the main cause"),
    IssueType("cause.too_many", "error", "其他致贫原因最多两项", "at most two other causes"),
    IssueType("cause.missing", "error", "贫困户须填写主要致贫原因", "a poor household needs a main cause"),
    IssueType("cause.illness_without_sick", "error", "因病致贫但无患病成员", "cause illness but no sick member"),
    IssueType(
        "cause.disability_without_disabled", "error", "因残致贫但无残疾成员", "cause disability but no disabled member"
    ),
    IssueType(
        "cause.schooling_without_student", "error", "因学致贫但无在校生", "cause schooling but no member in school"
    ),
    IssueType(
        "household.tekun_with_labor", "error", "特困供养户不能有16-65岁劳动力",
        "an extreme-poverty household cannot hold a labourer aged 16-65",
    ),
    # members
    IssueType("member.education_missing", "error", "非在校生须填写文化程度", "education is required when not in school"),
    IssueType("member.in_school_missing", "error", "6-23岁须填写在校生状况", "in-school status is required at ages 6-23"),
    IssueType("member.labor_missing", "error", "16-65岁须填写劳动技能", "labour ability is required at ages 16-65"),
    IssueType(
        "member.healthy_lost_labor", "error", "健康的劳动年龄人口不能为丧失劳动力",
        "a healthy person of working age cannot have lost labour ability",
    ),
    IssueType("member.migrant_months", "error", "务工时间应为0-12个月", "months of migrant work must be 0-12"),
    IssueType("member.birth_future", "error", "出生日期晚于评估年度", "born after the assessment year"),
    # plausibility (warnings)
    IssueType(
        "income.per_capita_range", "warning", "人均纯收入小于等于0或大于100000",
        "per-capita net income is at most 0 or above 100,000",
    ),
    IssueType(
        "income.business_without_cost", "warning", "有生产经营性收入但无生产经营性支出",
        "business income without business cost",
    ),
    IssueType("income.wage_without_worker", "warning", "有工资性收入但无务工人员", "wage income but no worker"),
    IssueType("income.worker_without_wage", "warning", "有务工人员但无工资性收入", "a worker but no wage income"),
    IssueType(
        "member.young_in_senior", "warning", "14岁及以下在读高中", "aged 14 or under and in senior school"
    ),
    IssueType("member.old_in_primary", "warning", "20岁及以上在读小学", "aged 20 or over and in primary school"),
    IssueType("member.head_spouse_same_sex", "warning", "户主与配偶性别相同", "head and spouse of the same sex"),
)  # fmt: skip

ISSUES: dict[str, IssueType] = {issue.code: issue for issue in _CATALOGUE}


def issue_frame_schema() -> dict[str, pl.DataType]:
    """Columns of an issue frame: one row per problem found."""
    return {
        "row": pl.Int64(),
        "column": pl.String(),
        "code": pl.String(),
        "value": pl.String(),
    }


def empty_issues() -> pl.DataFrame:
    """An issue frame with no rows."""
    return pl.DataFrame(schema=issue_frame_schema())


def describe(issues: pl.DataFrame) -> pl.DataFrame:
    """Add severity and the Chinese and English messages to an issue frame."""
    catalogue = pl.DataFrame(
        {
            "code": [i.code for i in _CATALOGUE],
            "severity": [i.severity for i in _CATALOGUE],
            "message_zh": [i.zh for i in _CATALOGUE],
            "message_en": [i.en for i in _CATALOGUE],
        }
    )
    return issues.join(catalogue, on="code", how="left")
