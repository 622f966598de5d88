"""`fupin import households`: whole-file validation, all-or-nothing, idempotent, audited."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.regions.models import Region
from fupin.registry.importer import household_file_import
from fupin.registry.models import Assessment, Household, Member
from tests.registry.factories import family, household, person, write_csv

pytestmark = pytest.mark.django_db
YEAR = 2016


def _registry_counts() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        Member.objects.count(),
        Assessment.objects.count(),
        AuditEvent.objects.count(),
    )


def _run(path: Path, *extra: str) -> int:
    try:
        call_command("import", "households", str(path), "--year", str(YEAR), *extra)
    except CommandError as exc:
        return exc.returncode
    return 0


def test_a_valid_file_is_written_whole(villages: list[str], tmp_path: Path) -> None:
    # given
    path = write_csv(tmp_path / "ok.csv", family("H1") + family("H2", seed=1))
    # when
    code = _run(path)
    # then
    assert code == 0
    assert Household.objects.count() == 2
    assert Member.objects.count() == 8
    assessment = Assessment.objects.get(household__household_no="H1", year=YEAR)
    assert assessment.household_size == 4
    assert str(assessment.net_income_per_capita) == "2400.00"
    event = AuditEvent.objects.get(action="registry.bulk_write")
    assert "ok.csv sha256:" in event.after["source"]


def test_reimporting_the_same_file_changes_nothing(villages: list[str], tmp_path: Path) -> None:
    # given
    path = write_csv(tmp_path / "ok.csv", family("H1") + family("H2", seed=1))
    _run(path)
    before = _registry_counts()
    # when
    code = _run(path)
    # then
    assert code == 0
    assert _registry_counts() == before


def test_a_changed_value_is_an_update_with_an_audit_event(
    villages: list[str], tmp_path: Path
) -> None:
    # given
    _run(write_csv(tmp_path / "a.csv", family("H1")))
    rows = family("H1")
    rows[0]["wage_income"] = "5000"
    rows[1]["health"] = "chronic"
    # when
    code = _run(write_csv(tmp_path / "b.csv", rows))
    # then
    assert code == 0
    assert Assessment.objects.get().wage_income == 5000
    assert AuditEvent.objects.get(action="assessment.update").after["wage_income"] == 5000
    assert AuditEvent.objects.get(action="member.update").before["health"] == "healthy"


BAD_INPUTS = [
    ("bad ID checksum", lambda r: r[1].update(id_number=r[1]["id_number"][:-1] + ("0" if r[1]["id_number"][-1] != "0" else "1")), "id.checksum"),
    ("ID/sex mismatch", lambda r: r[1].update(sex="M"), "id.sex_mismatch"),
    ("ID/birth mismatch", lambda r: r[2].update(birth_date="2003-06-02"), "id.birth_mismatch"),
    ("same ID twice in the file", lambda r: r[6].update(id_number=r[2]["id_number"]), "id.duplicate_in_file"),
    ("unknown village", lambda r: r[0].update(village_code="522727100299"), "village.unknown"),
    ("zero heads", lambda r: r[0].update(relation="其他"), "household.no_head"),
    ("two heads", lambda r: r[1].update(relation="户主"), "household.two_heads"),
    ("negative income", lambda r: r[0].update(transfer_income="-1"), "income.negative"),
    ("income past any household's", lambda r: r[0].update(wage_income="137438951448"), "income.too_large"),
    ("unknown value", lambda r: r[2].update(health="一般"), "value.unknown"),
    ("missing required", lambda r: r[3].update(ethnicity=""), "value.missing"),
    ("formula in text", lambda r: r[0].update(name="=cmd|' /C calc'!A0"), "value.formula"),
    ("control character", lambda r: r[2].update(name="张\x00伟"), "value.control_char"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "spoil", "code"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_each_bad_input_is_rejected_with_its_code_and_nothing_written(
    villages: list[str],
    tmp_path: Path,
    label: str,
    spoil,
    code: str,  # type: ignore[no-untyped-def]
) -> None:
    # given
    rows = family("H1") + family("H2", seed=1)
    spoil(rows)
    path = write_csv(tmp_path / "bad.csv", rows)
    report = tmp_path / "errors.csv"
    # when
    exit_code = _run(path, "--report", str(report))
    # then
    assert exit_code == 2
    assert _registry_counts() == (0, 0, 0, 0)
    with report.open(encoding="utf-8-sig") as handle:
        issues = list(csv.DictReader(handle))
    assert code in {issue["code"] for issue in issues}
    issue = next(i for i in issues if i["code"] == code)
    assert issue["file"] == "bad.csv"
    assert issue["row"].isdigit() and int(issue["row"]) >= 2
    assert issue["column"] and issue["message_zh"] and issue["message_en"]


def test_retired_village_is_rejected(villages: list[str], tmp_path: Path) -> None:
    # given
    Region.objects.filter(code=villages[0]).update(retired_in=2023)
    path = write_csv(tmp_path / "bad.csv", family("H1"))
    # when
    report = household_file_import(path=path, year=YEAR, actor=Actor(None, "t"))
    # then
    assert "village.retired" in set(report.errors["code"])
    assert Household.objects.count() == 0


def test_an_id_already_in_another_household_is_rejected(
    villages: list[str], tmp_path: Path
) -> None:
    # given H1 registered, and a file that puts H1's spouse into a new household H9
    _run(write_csv(tmp_path / "a.csv", family("H1")))
    spouse = family("H1")[1]
    rows = household("H9", [person("赵强", "head", "M", date(1980, 1, 1), 77)])
    rows.append({**spouse, "household_no": "H9"})
    before = _registry_counts()
    # when
    report = household_file_import(
        path=write_csv(tmp_path / "b.csv", rows), year=YEAR, actor=Actor(None, "t")
    )
    # then
    clash = report.errors.filter(report.errors["code"] == "id.in_other_household")
    assert clash.height == 1
    assert clash["row"].to_list() == [3]
    assert _registry_counts() == before


def test_apply_valid_writes_only_the_households_without_errors(
    villages: list[str], tmp_path: Path
) -> None:
    # given
    rows = family("H1") + family("H2", seed=1)
    rows[5]["sex"] = "M"  # H2's spouse is a woman by her ID
    path = write_csv(tmp_path / "mixed.csv", rows)
    # when
    code = _run(path, "--apply-valid")
    # then
    assert code == 2
    assert list(Household.objects.values_list("household_no", flat=True)) == ["H1"]
    assert Member.objects.count() == 4


def test_gbk_file_with_chinese_headers_and_values(villages: list[str], tmp_path: Path) -> None:
    # given the same family in the form's Chinese, saved by Excel as GBK
    from fupin.registry.columns import BY_NAME, CANONICAL_HEADERS
    from fupin.registry.vocabulary import FORM_LABELS

    path = tmp_path / "gbk.csv"
    with path.open("w", newline="", encoding="gbk") as handle:
        writer = csv.writer(handle)
        writer.writerow([BY_NAME[h].chinese for h in CANONICAL_HEADERS])
        for row in family("H1"):
            writer.writerow(
                [FORM_LABELS.get(h, {}).get(row.get(h, ""), row.get(h, ""))
                 for h in CANONICAL_HEADERS]
            )  # fmt: skip
    # when
    code = _run(path)
    # then
    assert code == 0
    head = Member.objects.get(relation="head")
    assert (head.name, head.sex, head.health, head.labor) == ("张建国", "M", "healthy", "ordinary")


def test_a_file_with_an_unknown_header_is_rejected(villages: list[str], tmp_path: Path) -> None:
    # given
    path = tmp_path / "h.csv"
    write_csv(path, family("H1"))
    text = path.read_text(encoding="utf-8").replace("water_ok", "water_okay", 1)
    path.write_text(text, encoding="utf-8")
    # when
    report = household_file_import(path=path, year=YEAR, actor=Actor(None, "t"))
    # then
    assert {"file.unknown_header", "file.missing_header"} <= set(report.errors["code"])
    assert Household.objects.count() == 0


def test_the_error_report_neutralises_the_formulas_it_quotes(
    villages: list[str], tmp_path: Path
) -> None:
    # given a name cell holding a formula
    rows = family("H1")
    rows[1]["name"] = '=HYPERLINK("http://x")'
    report = tmp_path / "errors.csv"
    # when
    _run(write_csv(tmp_path / "bad.csv", rows), "--report", str(report))
    # then the report names it without handing Excel a formula
    text = report.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text
