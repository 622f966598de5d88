"""The data-quality rules (DOMAIN.md 2.3) over parsed rows, without the database."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.registry.issues import ISSUES
from fupin.registry.validation import validate_rows
from tests.registry.factories import family, household, person

YEAR = 2016


def _frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    """Rows as the file layer hands them on: text cells, empty cells null."""
    columns = sorted({key for row in rows for key in row})
    data = {c: [row.get(c) or None for row in rows] for c in columns}
    return pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String)).with_columns(
        pl.Series("_row", range(2, len(rows) + 2), dtype=pl.Int64)
    )


def _codes(rows: list[dict[str, str]]) -> set[tuple[int, str, str]]:
    _, issues = validate_rows(_frame(rows), year=YEAR)
    return {(r["row"], r["column"], r["code"]) for r in issues.iter_rows(named=True)}


def test_a_good_family_has_no_issue() -> None:
    assert _codes(family("H1")) == set()


def test_every_code_raised_is_in_the_catalogue() -> None:
    rows = family("H1")
    rows[0]["id_number"] = rows[0]["id_number"][:-1] + "0"
    rows[1]["sex"] = "M"
    rows[2]["relation"] = "head"
    for _, _, code in _codes(rows):
        assert code in ISSUES


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda r: r[0].update(id_number="52272719750308001X"), (2, "id_number", "id.checksum")),
        (lambda r: r[0].update(id_number="5227271975"), (2, "id_number", "id.length")),
        (lambda r: r[1].update(sex="M"), (3, "sex", "id.sex_mismatch")),
        (lambda r: r[1].update(birth_date="1977-11-03"), (3, "birth_date", "id.birth_mismatch")),
        (lambda r: r[3].update(id_number=r[2]["id_number"]), (5, "id_number", "id.duplicate_in_file")),
        (lambda r: r[0].update(relation="spouse"), (2, "relation", "household.no_head")),
        (lambda r: r[2].update(relation="户主"), (4, "relation", "household.two_heads")),
        (lambda r: r[0].update(wage_income="-100"), (2, "wage_income", "income.negative")),
        (lambda r: r[0].update(wage_income="1000000001"), (2, "wage_income", "income.too_large")),
        (lambda r: r[0].update(business_cost="99999999999999999999"), (2, "business_cost", "income.too_large")),
        (lambda r: r[0].update(health="有点病"), (2, "health", "value.unknown")),
        (lambda r: r[0].update(name=""), (2, "name", "value.missing")),
        (lambda r: r[0].update(food_ok=""), (2, "food_ok", "value.missing")),
        (lambda r: r[1].update(name="=HYPERLINK(\"x\")"), (3, "name", "value.formula")),
        (lambda r: r[1].update(ethnicity="汉\x07族"), (3, "ethnicity", "value.control_char")),
        (lambda r: r[0].update(birth_date="1975/03/08"), (2, "birth_date", "value.date")),
        (lambda r: r[0].update(village_code="52272710020"), (2, "village_code", "village.code_format")),
        (lambda r: r[0].update(migrant_months="13"), (2, "migrant_months", "member.migrant_months")),
        (lambda r: r[1].update(labor=""), (3, "labor", "member.labor_missing")),
        (lambda r: r[1].update(labor="lost"), (3, "labor", "member.healthy_lost_labor")),
        (lambda r: r[1].update(phone="13900000000"), (3, "phone", "household.conflict")),
        (lambda r: r[0].update(category="tekun", main_cause="labor"),
         (2, "category", "household.tekun_with_labor")),
        (lambda r: r[0].update(category="general", main_cause="illness"),
         (2, "main_cause", "cause.illness_without_sick")),
        (lambda r: r[0].update(category="general", main_cause="funds", other_causes="缺资金"),
         (2, "other_causes", "cause.repeated")),
        (lambda r: r[0].update(category="general", main_cause="funds",
                               other_causes="缺水;缺技术;缺劳力"),
         (2, "other_causes", "cause.too_many")),
        (lambda r: r[0].update(category="general"), (2, "main_cause", "cause.missing")),
    ],
)  # fmt: skip
def test_each_rule_reports_its_code_at_its_cell(spoil, expected) -> None:  # type: ignore[no-untyped-def]
    # given
    rows = family("H1")
    # when
    spoil(rows)
    # then
    assert expected in _codes(rows)


def test_chinese_values_are_read_like_slugs() -> None:
    # given
    rows = family("H1")
    chinese = {"head": "户主", "spouse": "配偶", "child": "之子", "M": "男", "F": "女",
               "healthy": "健康", "ordinary": "普通劳动力", "junior": "初中",
               "primary": "小学", "yes": "是", "no": "否"}  # fmt: skip
    translated = [{k: chinese.get(v, v) for k, v in row.items()} for row in rows]
    # when
    typed_en, _ = validate_rows(_frame(rows), year=YEAR)
    typed_zh, issues = validate_rows(_frame(translated), year=YEAR)
    # then
    assert issues.height == 0
    assert typed_en.equals(typed_zh)


def test_legacy_15_digit_id_is_upgraded() -> None:
    # given a head with the 15-digit ID of a man born 1975-03-08
    rows = household("H1", [person("王军", "head", "M", date(1975, 3, 8), 7)])
    eighteen = rows[0]["id_number"]
    rows[0]["id_number"] = eighteen[:6] + eighteen[8:17]
    # when
    typed, issues = validate_rows(_frame(rows), year=YEAR)
    # then
    assert issues.height == 0
    assert typed["id_number"].to_list() == [eighteen]


def test_cause_consistency_holds_with_matching_members() -> None:
    rows = family("H1", category="general", main_cause="schooling", other_causes="因病")
    rows[1]["health"] = "chronic"
    assert _codes(rows) == set()


def test_plausibility_findings_are_warnings() -> None:
    # given a business income without a cost
    rows = family("H1", business_cost="0")
    # when
    _, issues = validate_rows(_frame(rows), year=YEAR)
    # then
    codes = set(issues["code"])
    assert "income.business_without_cost" in codes
    assert all(ISSUES[code].severity == "warning" for code in codes)


@settings(max_examples=30, deadline=None)
@given(st.permutations(range(8)))
def test_row_order_does_not_change_the_findings(order: list[int]) -> None:
    # given two households, one with several errors
    rows = family("H1") + family("H2", seed=1)
    rows[5]["sex"] = "M"
    rows[6]["relation"] = "head"
    frame = _frame(rows)
    # when
    _, expected = validate_rows(frame, year=YEAR)
    _, shuffled = validate_rows(frame[list(order)], year=YEAR)
    # then
    assert sorted(shuffled.rows()) == sorted(expected.rows())
