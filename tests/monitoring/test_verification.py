"""The exit check of a county (第三方评估): drawing and storing the sample, the survey PDF
and workbook, the workbook's import validated whole, and the three rates and one degree
reproduced by hand on a small county."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.monitoring.models import CheckFinding, CheckHousehold, ExitCheck
from fupin.monitoring.verification.choices import CheckStatus
from fupin.monitoring.verification.kernels import SampleSizes
from fupin.monitoring.verification.queries import (
    exit_check_evidence,
    exit_check_results,
    survey_header,
    survey_rows,
)
from fupin.monitoring.verification.services import (
    CheckError,
    exit_check_complete,
    exit_check_draw,
    findings_import,
)
from fupin.monitoring.verification.survey_pdf import survey_pdf
from fupin.monitoring.verification.workbook import COLUMNS, FindingsError, survey_workbook
from fupin.regions.models import PoorAreaDesignation, Region
from fupin.registry.models import Assessment, Household
from fupin.targeting import procedures as p
from tests.targeting.conftest import Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
COUNTY, YEAR = "522727", 2018
A, B = "522727100218", "522727100212"  # the two poor villages (from the fixture)
C, D = "522727100201", "522727100202"  # two non-poor villages added here
# number: (village, status, persons at the draw)
COUNTY_HOUSEHOLDS = {
    "E1": (A, "exited", 4), "E2": (A, "exited", 3), "P1": (A, "registered", 5),
    "N1": (A, "not_registered", 4), "N2": (A, "not_registered", 2),
    "E3": (B, "exited", 5), "E4": (B, "exited", 2), "P2": (B, "returned", 3),
    "N3": (B, "not_registered", 6),
    "E5": (C, "exited", 3), "N4": (C, "not_registered", 4), "N5": (C, "not_registered", 5),
    "N6": (C, "not_registered", 3),
    "N7": (D, "not_registered", 4), "N8": (D, "not_registered", 1), "R1": (D, "removed", 2),
}  # fmt: skip
YES, NO = "是", "否"


def sized(household: Household, persons: int) -> None:
    """A household whose members were not entered: its size from the year's assessment."""
    Assessment.objects.create(
        household=household, year=YEAR, wage_income=0, business_income=0, business_cost=0,
        property_income=0, transfer_income=0, household_size=persons,
        net_income_per_capita=Decimal(0), food_ok=True, clothing_ok=True, education_ok=True,
        medical_ok=True, housing_grade="B", water_ok=True,
    )  # fmt: skip


@pytest.fixture
def county(villages: list[str]) -> dict[str, Household]:
    """平塘县 with two poor villages (A, B), two others (C, D) and 16 households."""
    for code, name in ((C, "新塘村村民委员会"), (D, "大塘村村民委员会")):
        Region.objects.create(code=code, name=name, level=5, parent_id="522727100",
                              kind="rural", is_western=True, edition=2023)  # fmt: skip
    for code in (A, B):
        PoorAreaDesignation.objects.create(region_id=code, kind="village", designated_year=2014)
    made = {}
    for number, (village, status, persons) in COUNTY_HOUSEHOLDS.items():
        made[number] = household_make(f"52272710{number}", status=status, village=village)
        sized(made[number], persons)
    return made


def fill(check: ExitCheck, path: Path, answers: dict[str, dict[str, Any]]) -> Path:
    """The check's workbook with `answers` (by household number: column key -> cell) filled."""
    data = survey_workbook(survey_header(check), survey_rows(check))
    book = load_workbook(io.BytesIO(data))
    sheet = book["入户调查表"]
    where = {column.key: index for index, column in enumerate(COLUMNS, start=1)}
    for row in range(2, sheet.max_row + 1):
        number = str(sheet.cell(row=row, column=where["household_no"]).value)[8:]
        for key, value in answers.get(number, {}).items():
            sheet.cell(row=row, column=where[key], value=value)
    book.save(path)
    return path


def answer(persons: int, *, income: str = "6200", wrong: str | None = None,
           omitted: str | None = None, approves: str = YES, **flags: str) -> dict[str, Any]:  # fmt: skip
    """A household's findings as the team writes them (every guarantee met unless said)."""
    cells: dict[str, Any] = {"persons": persons, "income_per_capita": income,
                             "approves": approves, "note": "入户核实"}  # fmt: skip
    for key in ("food_ok", "clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok"):
        cells[key] = flags.get(key, YES)
    if wrong is not None:
        cells["wrongly_exited"] = wrong
    if omitted is not None:
        cells["omitted"] = omitted
    return cells


# What the team found: E1 wrongly exited (income under the line), E2 found with 4 persons
# instead of 3, N2 omitted, N6 not reached; E1, N2 and P2 do not approve.
FOUND = {
    "E1": answer(4, income="2100", wrong=YES, approves=NO),
    "E2": answer(4, wrong=NO), "P1": answer(5), "N1": answer(4, omitted=NO),
    "N2": answer(2, income="1800", omitted=YES, approves=NO),
    "E3": answer(5, wrong=NO), "E4": answer(2, wrong=NO), "P2": answer(3, approves=NO),
    "N3": answer(6, omitted=NO), "E5": answer(3, wrong=NO), "N4": answer(4, omitted=NO),
    "N5": answer(5, omitted=NO), "N7": answer(4, omitted=NO), "N8": answer(1, omitted=NO),
    "R1": answer(2, omitted=NO),
}  # fmt: skip


def test_the_three_rates_and_one_degree_by_hand(
    county: dict[str, Household], actor: Actor, tmp_path: Path
) -> None:
    # given: the whole small county drawn (the sizes exceed what it has)
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=2018, actor=actor)
    assert CheckHousehold.objects.filter(exit_check=check).count() == 16
    # when: the filled workbook comes back
    written = findings_import(exit_check=check, path=fill(check, tmp_path / "s.xlsx", FOUND),
                              actor=actor)  # fmt: skip
    results = exit_check_results(exit_check=check)
    # then
    assert written == 15 and results.households_surveyed == 15 and results.villages == 4
    # wrong-exit rate: wrongly exited persons E1 = 4; exited persons surveyed, as found:
    # E1 4 + E2 4 (3 at the draw) + E3 5 + E4 2 + E5 3 = 18; 4/18 = 0.222222
    assert results.wrong_exit_rate.numerator == 4 and results.wrong_exit_rate.denominator == 18
    assert results.wrong_exit_rate.value == pytest.approx(4 / 18)
    # omission rate: omitted persons N2 = 2; non-registered persons surveyed: N1 4 + N2 2 +
    # N3 6 + N4 4 + N5 5 + N7 4 + N8 1 + R1 2 (removed) = 28 (N6 not reached); 2/28 = 0.071429
    assert (results.omission_rate.numerator, results.omission_rate.denominator) == (2, 28)
    # public recognition: 15 households surveyed, E1, N2 and P2 disapprove: 12/15 = 0.8
    assert results.recognition.value == pytest.approx(0.8)
    # comprehensive incidence over the register at the draw: registered poor P1 5 + P2 3 = 8;
    # exited 4 + 3 + 5 + 2 + 3 = 17; non-registered 4+2+6+4+5+3+4+1+2 = 31; rural 56.
    # (8 + 2/28 x 31 + 4/18 x 17) / 56 = (8 + 2.2142857 + 3.7777778) / 56 = 0.2498583
    assert results.incidence.denominator == 56
    assert results.incidence.value == pytest.approx((8 + 2 / 28 * 31 + 4 / 18 * 17) / 56)
    for estimate in (results.wrong_exit_rate, results.omission_rate, results.recognition,
                     results.incidence):  # fmt: skip
        assert estimate.low is not None and estimate.high is not None
        assert 0 <= estimate.low <= estimate.value <= estimate.high <= 1  # type: ignore[operator]
    # and the county's exit case gets the evidence and the vetoes: in the west the bars are
    # incidence < 3%, both rates < 2% and recognition >= 90%, so all four fail.
    evaluation = exit_check_evidence(exit_check=check)
    assert evaluation.evidence["wrong_exit_rate"] == "0.222222"
    assert evaluation.evidence["omission_rate"] == "0.071429"
    assert evaluation.evidence["satisfaction"] == "0.800000"
    assert evaluation.evidence["incidence"] == "0.249858"
    assert evaluation.vetoes == ["incidence", "wrong_exit_rate", "omission_rate", "satisfaction"]
    step = p.COUNTY_EXIT.step("third_party_evaluation")
    assert p.evidence_clean(step, evaluation.evidence)["incidence"] == "0.249858"


def test_findings_are_stored_with_who_entered_them_and_one_event(
    county: dict[str, Household], actor: Actor, tmp_path: Path
) -> None:
    # given
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=1, actor=actor)
    # when
    findings_import(exit_check=check, path=fill(check, tmp_path / "s.xlsx", FOUND), actor=actor)
    # then
    e1 = CheckFinding.objects.get(check_household__household=county["E1"])
    assert (e1.persons, e1.income_per_capita, e1.wrongly_exited, e1.omitted) == (
        4, Decimal("2100.00"), True, None)  # fmt: skip
    assert e1.entered_by_label == actor.label and e1.note == "入户核实"
    n2 = CheckFinding.objects.get(check_household__household=county["N2"])
    assert (n2.omitted, n2.wrongly_exited, n2.approves) == (True, None, False)
    assert not CheckFinding.objects.filter(check_household__household=county["N6"]).exists()
    event = AuditEvent.objects.get(action="exit_check.findings_import")
    assert event.after["households"] == 15 and event.region_code == COUNTY
    check.refresh_from_db()
    assert check.status == CheckStatus.IN_FIELD
    # and a second import replaces what was entered: E2 now found wrongly exited
    again = {**FOUND, "E2": answer(4, wrong=YES)}
    findings_import(exit_check=check, path=fill(check, tmp_path / "t.xlsx", again), actor=actor)
    assert CheckFinding.objects.get(check_household__household=county["E2"]).wrongly_exited
    assert CheckFinding.objects.count() == 15
    assert exit_check_results(exit_check=check).wrong_exit_rate.numerator == 8


def test_a_bad_workbook_names_every_bad_cell_and_writes_nothing(
    county: dict[str, Household], actor: Actor, tmp_path: Path
) -> None:
    # given
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=1, actor=actor)
    bad = {
        **FOUND,
        "E2": answer(4, wrong=NO, food_ok=NO),  # a guarantee unmet, yet not wrongly exited
        "P1": answer(5, income="很多"),  # not an amount
        "N1": {**answer(4), "persons": 0},  # no omission judged, and no persons
        "E3": answer(5, wrong="也许"),  # not 是/否
        "P2": answer(3, wrong=YES),  # only an exited household can be wrongly exited
    }
    # when
    with pytest.raises(FindingsError) as refused:
        findings_import(exit_check=check, path=fill(check, tmp_path / "bad.xlsx", bad),
                        actor=actor)  # fmt: skip
    # then
    found = {
        (issue.row is not None, issue.field.split(" (")[1][:-1]) for issue in refused.value.issues
    }
    assert found == {(True, "wrongly_exited"), (True, "income_per_capita"), (True, "omitted"),
                     (True, "persons")}  # fmt: skip
    assert len(refused.value.issues) == 6
    assert all(issue.file == "bad.xlsx" for issue in refused.value.issues)
    assert "bad.xlsx, row " in str(refused.value)
    assert not CheckFinding.objects.exists()
    assert not AuditEvent.objects.filter(action="exit_check.findings_import").exists()
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN


def test_the_same_seed_stores_the_same_sample_and_sizes_are_kept(
    county: dict[str, Household], actor: Actor
) -> None:
    # given
    sizes = SampleSizes(poor_villages=1, non_poor_villages=1, registered_per_village=2,
                        non_registered_per_village=1)  # fmt: skip
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=77, sizes=sizes, actor=actor)
    first = set(CheckHousehold.objects.values_list("household_id", "stratum", "persons"))
    # when: drawn again with the same seed, and with another
    exit_check_draw(county_code=COUNTY, year=YEAR, seed=77, sizes=sizes, actor=actor,
                    replace=True)  # fmt: skip
    again = set(CheckHousehold.objects.values_list("household_id", "stratum", "persons"))
    # then
    assert first == again
    villages = set(CheckHousehold.objects.values_list("village_id", "village_kind"))
    assert {kind for _, kind in villages} == {"poor", "non_poor"} and len(villages) == 2
    check.refresh_from_db()
    assert check.parameters["sizes"] == sizes.as_dict()
    assert check.parameters["populations"] == {"registered_poor": 8, "exited": 17,
                                               "non_registered": 31}  # fmt: skip
    with pytest.raises(CheckError) as exists:
        exit_check_draw(county_code=COUNTY, year=YEAR, seed=5, actor=actor)
    assert exists.value.code == "check_exists"


def test_only_an_evaluator_or_the_nation_draws(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
) -> None:
    with pytest.raises(CheckError) as refused:
        exit_check_draw(county_code=COUNTY, year=YEAR, seed=1, actor=posts.county)
    assert refused.value.code == "role_not_allowed"
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=1, actor=posts.evaluator)
    assert check.drawn_by_label == "evaluator"


def test_completion_fixes_the_results(
    county: dict[str, Household], actor: Actor, tmp_path: Path
) -> None:
    # given
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=3, actor=actor)
    findings_import(exit_check=check, path=fill(check, tmp_path / "s.xlsx", FOUND), actor=actor)
    # when
    check = exit_check_complete(exit_check=check, actor=actor)
    # then
    assert check.status == CheckStatus.COMPLETED and check.results is not None
    assert check.results["recognition"]["value"] == pytest.approx(0.8)
    with pytest.raises(CheckError) as closed:
        findings_import(exit_check=check, path=tmp_path / "s.xlsx", actor=actor)
    assert closed.value.code == "check_completed"


def test_the_survey_pdf_has_a_page_a_village() -> None:
    from fupin.monitoring.verification.workbook import SurveyHeader, SurveyRow

    header = SurveyHeader(check_id=9, county_code=COUNTY, county_name="平塘县", year=YEAR, seed=1)
    rows = [
        SurveyRow(check_household_id=n, village_code=village, village="京舟村", village_kind="贫困村",
                  stratum="exited", stratum_label="已脱贫户", household_no=f"H{n}",
                  head_name="张三", persons_drawn=4)
        for n, village in enumerate([A] * 40 + [B] * 3, start=1)
    ]  # fmt: skip
    data = survey_pdf(header, rows, printed_on=timezone.localdate())
    assert data.startswith(b"%PDF")
    # 40 households of A fill a page of 25 rows and 15 of the next; B's 3 start a page
    assert b"/Count 3" in data


def test_the_cli_samples_prints_imports_and_gives_results(
    county: dict[str, Household], tmp_path: Path
) -> None:
    # given
    out = io.StringIO()
    call_command("verify", "sample", "--county", COUNTY, "--year", str(YEAR), "--seed", "42",
                 stdout=out)  # fmt: skip
    check = ExitCheck.objects.get()
    assert f"exit check {check.pk}" in out.getvalue() and "seed 42" in out.getvalue()
    # when
    call_command("verify", "form", "--check", str(check.pk), "--out", str(tmp_path),
                 stdout=io.StringIO())  # fmt: skip
    pdf = next(tmp_path.glob("*.pdf"))
    xlsx = next(tmp_path.glob("*.xlsx"))
    assert pdf.read_bytes().startswith(b"%PDF")
    check.refresh_from_db()
    assert check.status == CheckStatus.IN_FIELD
    fill(check, xlsx, FOUND)
    call_command("verify", "import", str(xlsx), "--check", str(check.pk), stdout=io.StringIO())
    printed = io.StringIO()
    call_command("verify", "results", "--check", str(check.pk), "--complete", stdout=printed)
    # then
    text = printed.getvalue()
    assert "错退率 wrong-exit rate: 22.22%" in text and "95% CI" in text
    assert "vetoes: incidence, wrong_exit_rate, omission_rate, satisfaction" in text
    with pytest.raises(CommandError, match="completed"):
        call_command("verify", "import", str(xlsx), "--check", str(check.pk))
