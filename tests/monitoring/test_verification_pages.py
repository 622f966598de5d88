"""The exit check's pages (第三方评估): an evaluator draws, prints, uploads the filled
workbook, reads the rates and completes; a bad workbook is listed by row and writes
nothing; other counties and readers are kept out of what they may not do; a completed
check takes the county exit case's evaluation step; and the synthetic evaluation team
fills a workbook from the register's truth."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from fupin.core.access import grant_add, restrict
from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.monitoring.models import CheckFinding, CheckHousehold, ExitCheck
from fupin.monitoring.verification.choices import CheckStatus
from fupin.monitoring.verification.queries import exit_check_evidence
from fupin.monitoring.verification.services import (
    exit_check_complete,
    exit_check_draw,
    findings_import,
)
from fupin.monitoring.verification.workbook import COLUMNS, GUARANTEES, SHEET
from fupin.regions.models import PoorAreaDesignation, Region
from fupin.registry.models import Assessment, Household
from fupin.synth.survey import survey_fill
from fupin.targeting import procedures as p
from fupin.targeting.models import Case, CaseStep
from fupin.targeting.services import case_open
from tests.targeting.conftest import Posts, assess, household_make, posts  # noqa: F401
from tests.targeting.test_cases import walk

pytestmark = pytest.mark.django_db

COUNTY, YEAR = "522727", 2018
A, B = "522727100218", "522727100212"  # the two poor villages (from the fixture)
C = "522727100201"  # a non-poor village added here
# number: (village, status, persons, net income per person in YEAR); every household is
# above the 2018 exit line (3,535) and the identification line (2,995), with every
# guarantee met, so that a truthful survey passes every bar.
HOUSEHOLDS = {
    "E1": (A, "exited", 4, 5000), "E2": (A, "exited", 3, 5200),
    "N1": (A, "not_registered", 4, 8000), "N2": (A, "not_registered", 2, 9000),
    "E3": (B, "exited", 5, 6000), "N3": (B, "not_registered", 3, 7000),
    "E4": (C, "exited", 2, 4800), "N4": (C, "not_registered", 4, 8500),
    "N5": (C, "not_registered", 5, 9100),
}  # fmt: skip
YES, NO = "是", "否"


@pytest.fixture
def county(villages: list[str]) -> dict[str, Household]:
    """平塘县 with two poor villages (A, B), one other (C) and nine assessed households."""
    Region.objects.create(code=C, name="新塘村村民委员会", level=5, parent_id="522727100",
                          kind="rural", is_western=True, edition=2023)  # fmt: skip
    for code in (A, B):
        PoorAreaDesignation.objects.create(region_id=code, kind="village", designated_year=2014)
    made = {}
    for number, (village, status, persons, income) in HOUSEHOLDS.items():
        made[number] = household_make(f"52272710{number}", status=status, village=village)
        assess(made[number], YEAR, income, size=persons)
    return made


def logged_in(actor: Actor) -> Client:
    assert actor.user is not None
    client = Client()
    client.force_login(actor.user)
    return client


def filled(data: bytes, path: Path, **override: dict[str, Any]) -> Path:
    """The downloaded workbook with every household found as registered (all well, all
    approving), and `override` (by household number: column key -> cell) on top."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET]
    where = {column.key: index for index, column in enumerate(COLUMNS, start=1)}
    for row in range(2, sheet.max_row + 1):
        number = str(sheet.cell(row=row, column=where["household_no"]).value)[8:]
        _village, status, persons, income = HOUSEHOLDS[number]
        cells: dict[str, Any] = {"persons": persons, "income_per_capita": income,
                                 "approves": YES, **dict.fromkeys(GUARANTEES, YES)}  # fmt: skip
        if status == "exited":
            cells["wrongly_exited"] = NO
        else:
            cells["omitted"] = NO
        for key, value in {**cells, **override.get(number, {})}.items():
            sheet.cell(row=row, column=where[key], value=value)
    book.save(path)
    return path


def upload(client: Client, check: ExitCheck, path: Path) -> Any:
    with path.open("rb") as handle:
        return client.post(f"/verify/{check.pk}/", {"action": "upload", "file": handle})


def test_an_evaluator_draws_prints_uploads_reads_the_rates_and_completes(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    client = logged_in(posts.evaluator)
    # given: the draw form, and a check drawn with a seed
    assert "抽取新的核查样本" in client.get("/verify/").content.decode()
    drawn = client.post("/verify/", {"county_code": COUNTY, "year": YEAR, "seed": 7})
    check = ExitCheck.objects.get()
    assert drawn.status_code == 302 and drawn["Location"] == f"/verify/{check.pk}/"
    assert (check.seed, check.county_id, check.year, check.drawn_by_label) == (
        7, COUNTY, YEAR, "evaluator")  # fmt: skip
    page = client.get(f"/verify/{check.pk}/").content.decode()
    assert "已抽样" in page
    assert (
        '<td>已脱贫户</td><td class="num">4</td><td class="num">4</td><td class="num">0</td>'
        in page
    )
    # when: the survey is printed and downloaded, then filled and uploaded
    pdf = client.get(f"/verify/{check.pk}/survey.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/verify/{check.pk}/survey.xlsx")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content))[SHEET].max_row == 10
    done = upload(client, check, filled(xlsx.content, tmp_path / "平塘县.xlsx"))
    # then: the findings are written and the rates shown against their bars
    assert done.status_code == 302, done.content.decode()
    assert CheckFinding.objects.count() == 9
    page = client.get(f"/verify/{check.pk}/").content.decode()
    assert "“平塘县.xlsx”已导入 9 户的入户调查结果" in page
    assert '<td>错退率</td>\n    <td class="num">0.00%</td>' in page
    assert '<td>群众认可度</td>\n    <td class="num">100.00%</td>' in page
    assert "≥ 90%" in page and "&lt; 3%" in page and "四项指标全部达标" in page
    # and completing fixes the results; with no open county exit case the page says so
    completed = client.post(f"/verify/{check.pk}/", {"action": "complete"})
    assert completed.status_code == 302
    check.refresh_from_db()
    assert check.status == CheckStatus.COMPLETED and check.results is not None
    assert check.results["recognition"]["value"] == 1.0
    page = client.get(f"/verify/{check.pk}/").content.decode()
    assert "核查已完成，结果已固定" in page and "没有进行中的贫困县退出案件" in page
    assert 'value="upload"' not in page
    assert (
        f'<a href="/verify/{check.pk}/">{check.pk}</a>' in client.get("/verify/").content.decode()
    )


def test_a_bad_workbook_lists_every_row_and_writes_nothing(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given
    client = logged_in(posts.evaluator)
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=3, actor=posts.evaluator)
    data = client.get(f"/verify/{check.pk}/survey.xlsx").content
    bad = filled(data, tmp_path / "bad.xlsx", E2={"income_per_capita": "很多"},
                 N1={"persons": 0}, E1={"omitted": YES}, E4={"food_ok": NO})  # fmt: skip
    # when
    page = upload(client, check, bad)
    # then: every problem by row and field, and nothing written
    assert page.status_code == 400
    text = page.content.decode()
    assert "“bad.xlsx”有 4 处问题，没有导入任何调查结果" in text
    rows = {str(load_workbook(bad)[SHEET].cell(row=row, column=5).value)[8:]: row
            for row in range(2, 11)}  # fmt: skip
    for number, field in (("E2", "人均纯收入（元） (income_per_capita)"),
                          ("N1", "核实人口 (persons)"),
                          ("E1", "是否漏评（仅非建档立卡户） (omitted)"),
                          ("E4", "是否错退（仅脱贫户） (wrongly_exited)")):  # fmt: skip
        assert f'<td class="num">{rows[number]}</td><td>{field}</td>' in text
    assert not CheckFinding.objects.exists()
    assert not AuditEvent.objects.filter(action="exit_check.findings_import").exists()
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN
    # and a file that is not a workbook is refused the same way
    (tmp_path / "notes.xlsx").write_bytes(b"not a workbook")
    assert upload(client, check, tmp_path / "notes.xlsx").status_code == 400
    assert not CheckFinding.objects.exists()


def test_another_county_gets_404_and_a_reader_cannot_draw_or_fill(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
    actor: Actor,
    tmp_path: Path,
) -> None:
    # given a check of 平塘县, and a county office of another county
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=5, actor=posts.evaluator)
    other = get_user_model().objects.create_user(username="other-county")
    grant_add(user=other, role="county", region_prefix="522701", actor=actor)
    outsider = logged_in(Actor.of(other))
    # then: the check is not found, exactly as a missing one
    for suffix in ("", "survey.pdf", "survey.xlsx"):
        assert outsider.get(f"/verify/{check.pk}/{suffix}").status_code == 404
        assert outsider.get(f"/verify/{check.pk + 100}/{suffix}").status_code == 404
    assert outsider.post(f"/verify/{check.pk}/", {"action": "complete"}).status_code == 404
    assert f"/verify/{check.pk}/" not in outsider.get("/verify/").content.decode()
    # and an inspector of the county reads the check and its survey, but draws nothing
    inspector = logged_in(posts.inspector)
    page = inspector.get(f"/verify/{check.pk}/")
    assert page.status_code == 200 and 'value="upload"' not in page.content.decode()
    assert inspector.get(f"/verify/{check.pk}/survey.pdf").content.startswith(b"%PDF")
    listing = inspector.get("/verify/").content.decode()
    assert f"/verify/{check.pk}/" in listing and "抽取新的核查样本" not in listing
    refused = inspector.post("/verify/", {"county_code": COUNTY, "year": YEAR + 1})
    assert refused.status_code == 403 and ExitCheck.objects.count() == 1
    data = logged_in(posts.evaluator).get(f"/verify/{check.pk}/survey.xlsx").content
    assert upload(inspector, check, filled(data, tmp_path / "s.xlsx")).status_code == 403
    assert inspector.post(f"/verify/{check.pk}/", {"action": "complete"}).status_code == 403
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN and not CheckFinding.objects.exists()


def test_a_completed_check_takes_the_county_exit_cases_evaluation_step(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given: the county's exit case waiting for the national evaluation
    PoorAreaDesignation.objects.create(region_id=COUNTY, kind="county", designated_year=2014)
    case = case_open(kind="county_exit", year=YEAR, on=date(YEAR, 10, 8), actor=posts.county,
                     trigger="office", region_code=COUNTY)  # fmt: skip
    case = walk(case, posts, until="third_party_evaluation", start=date(YEAR, 10, 8))
    assert case.step == "province_report"
    # and a completed check of the county and year, surveyed truthfully
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=11, actor=posts.evaluator)
    findings_import(exit_check=check, path=survey_fill(exit_check=check, path=tmp_path / "s.xlsx",
                    seed=1, disapproving=0), actor=posts.evaluator)  # fmt: skip
    check = exit_check_complete(exit_check=check, actor=posts.evaluator)
    client = logged_in(posts.evaluator)
    page = client.get(f"/verify/{check.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/"' in page and 'value="evaluation"' in page
    # when
    taken = client.post(f"/verify/{check.pk}/", {"action": "evaluation", "on": f"{YEAR + 1}-01-15",
                                                 "note": "国家专项评估检查"})  # fmt: skip
    # then: the step is taken with the check's evidence, and the case goes on
    assert taken.status_code == 302 and taken["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert (case.step, case.outcome) == ("third_party_evaluation", "open")
    entry = CaseStep.objects.get(case=case, step="third_party_evaluation")
    expected = exit_check_evidence(exit_check=check).evidence
    assert entry.evidence == expected and entry.note == "国家专项评估检查"
    assert expected["wrong_exit_rate"] == "0.000000" and expected["satisfaction"] == "1.000000"
    assert f"核查编号{check.pk}" in entry.evidence["report"]
    # and the case no longer waits for the evaluation: the page offers nothing more
    page = client.get(f"/verify/{check.pk}/").content.decode()
    assert 'value="evaluation"' not in page and p.COUNTY_EXIT.steps[-1].label in page


def test_an_evaluation_step_is_refused_without_an_open_case_or_by_a_reader(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=2, actor=posts.evaluator)
    findings_import(exit_check=check, path=survey_fill(exit_check=check, path=tmp_path / "s.xlsx",
                    seed=1), actor=posts.evaluator)  # fmt: skip
    before = logged_in(posts.evaluator).post(
        f"/verify/{check.pk}/", {"action": "evaluation", "on": f"{YEAR + 1}-01-15"}
    )
    assert before.status_code == 400 and "核查完成后才能" in before.content.decode()
    exit_check_complete(exit_check=check, actor=posts.evaluator)
    missing = logged_in(posts.evaluator).post(
        f"/verify/{check.pk}/", {"action": "evaluation", "on": f"{YEAR + 1}-01-15"}
    )
    assert missing.status_code == 400 and "没有进行中的贫困县退出案件" in missing.content.decode()
    assert not CaseStep.objects.exists() and not Case.objects.exists()


def test_the_synthetic_team_writes_the_registers_truth(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given: E1 earns under the exit line, E3 lives in an unsafe house, N2 earns under the
    # identification line, and N5 was never assessed
    Assessment.objects.filter(household=county["E1"]).update(net_income_per_capita=2000)
    Assessment.objects.filter(household=county["E3"]).update(housing_grade="D")
    Assessment.objects.filter(household=county["N2"]).update(net_income_per_capita=1500)
    Assessment.objects.filter(household=county["N5"]).delete()
    check = exit_check_draw(county_code=COUNTY, year=YEAR, seed=9, actor=posts.evaluator)
    # when: the synthetic team fills the workbook and it is imported as a real file
    path = survey_fill(exit_check=check, path=tmp_path / "team.xlsx", seed=4)
    assert findings_import(exit_check=check, path=path, actor=posts.evaluator) == 8
    # then
    found = {
        finding.check_household.household.household_no[8:]: finding
        for finding in CheckFinding.objects.select_related("check_household__household")
    }
    assert set(found) == set(HOUSEHOLDS) - {"N5"}
    assert {n for n, f in found.items() if f.wrongly_exited} == {"E1", "E3"}
    assert {n for n, f in found.items() if f.omitted} == {"N2"}
    assert found["E3"].housing_ok is False and found["E1"].housing_ok is True
    assert found["E1"].income_per_capita == 2000 and found["E2"].persons == 3
    assert found["E2"].wrongly_exited is False and found["N1"].omitted is False
    assert found["N1"].wrongly_exited is None and found["E2"].omitted is None
    # and the same seed gives the same answers; every household disapproves at share 1
    again = survey_fill(exit_check=check, path=tmp_path / "again.xlsx", seed=4)
    sheets = [
        list(load_workbook(file)[SHEET].iter_rows(values_only=True)) for file in (path, again)
    ]
    assert sheets[0] == sheets[1]
    findings_import(exit_check=check, actor=posts.evaluator,
                    path=survey_fill(exit_check=check, path=tmp_path / "no.xlsx", seed=4,
                                     disapproving=1))  # fmt: skip
    assert not CheckFinding.objects.filter(approves=True).exists()


def test_the_county_never_learns_which_households_were_drawn(
    county: dict[str, Household],
    posts: Posts,  # noqa: F811
) -> None:
    # given a drawn check
    logged_in(posts.evaluator).post("/verify/", {"county_code": COUNTY, "year": YEAR, "seed": 7})
    check = ExitCheck.objects.get()
    assert CheckHousehold.objects.filter(exit_check=check).count() == 9
    # then the county reads the check but not its sample; the posts below it neither
    page = logged_in(posts.county).get(f"/verify/{check.pk}/")
    assert page.status_code == 200
    assert "survey.pdf" not in page.content.decode()
    assert "不向县、乡、村公开" in page.content.decode()
    for name in ("county", "township", "cadre"):
        client = logged_in(getattr(posts, name))
        assert client.get(f"/verify/{check.pk}/survey.pdf").status_code == 404
        assert client.get(f"/verify/{check.pk}/survey.xlsx").status_code == 404
        user = getattr(posts, name).user
        assert not restrict(CheckHousehold.objects.all(), user, "view").exists()
    # the inspector may
    assert logged_in(posts.inspector).get(f"/verify/{check.pk}/survey.pdf").status_code == 200
