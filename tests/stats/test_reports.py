"""The yearly report (年度报告): its figures from the rollups, the ledger, the funds and the
exit checks as the reader may see them; the PDF and the workbook with their charts; the
background job that makes them; the command."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.monitoring.models import ExitCheck
from fupin.stats.reports import report_data, report_pdf, report_workbook
from fupin.stats.services import rollups_refresh_years
from fupin.support.funds.services import allocation_record, disbursement_record
from fupin.support.services import measure_record
from tests.stats.conftest import V1, V2, registry  # noqa: F401

pytestmark = pytest.mark.django_db
COUNTY = "522727"


def reader(actor: Actor, prefix: str, role: str = "county", name: str = "reader") -> Any:
    user = get_user_model().objects.create_user(username=name)
    grant_add(user=user, role=role, region_prefix=prefix, actor=actor)
    return user


def estimate(value: float, low: float, high: float) -> dict[str, Any]:
    return {"value": value, "low": low, "high": high, "numerator": 0, "denominator": 0}


@pytest.fixture
def recorded(registry: dict[str, int], actor: Actor) -> dict[str, int]:  # noqa: F811
    """The seven households rolled up, two measures in 2016 and a completed exit check."""
    from fupin.registry.models import Household

    rollups_refresh_years(years=[2014, 2015, 2016])
    for number, kind, value in (("H2", "minimum_living", "1800"), ("H7", "industry", "3000.50")):
        measure_record(
            household=Household.objects.get(household_no=number), year=2016,
            given_on=date(2016, 5, 1), measure_type=kind, description="测试措施",
            form="money", value=Decimal(value), provider_kind="department",
            provider_name="平塘县扶贫办", actor=actor,
        )  # fmt: skip
    allocation_record(year=2016, source="central", from_region_code="", to_region_code="52",
                      amount=Decimal(1_000_000), document_no="财农〔2016〕1号",
                      allocated_on=date(2016, 3, 1), actor=actor)  # fmt: skip
    allocation_record(year=2016, source="central", from_region_code="52", to_region_code=COUNTY,
                      amount=Decimal(600_000), document_no="黔财农〔2016〕8号",
                      allocated_on=date(2016, 4, 1), actor=actor)  # fmt: skip
    disbursement_record(year=2016, source="central", amount=Decimal("1800"),
                        paid_on=date(2016, 5, 1), actor=actor,
                        household=Household.objects.get(household_no="H2"))  # fmt: skip
    ExitCheck.objects.create(
        county_id=COUNTY, year=2016, seed=7, status="completed", parameters={},
        results={"wrong_exit_rate": estimate(0.01, 0.0, 0.03),
                 "omission_rate": estimate(0.005, 0.0, 0.012),
                 "recognition": estimate(0.95, 0.92, 0.98),
                 "incidence": estimate(0.018, 0.012, 0.024), "households_surveyed": 900},
        drawn_by_label="test", drawn_at=timezone.now(), completed_at=timezone.now(),
    )  # fmt: skip
    return registry


def test_the_figures_come_from_the_rollups_ledger_and_checks(
    recorded: dict[str, int], actor: Actor
) -> None:
    data = report_data(user=reader(actor, COUNTY), region=COUNTY, year=2016)
    assert data.region_name == "平塘县" and data.title == "平塘县2016年脱贫攻坚工作报告"
    assert [row["year"] for row in data.series] == [2014, 2015, 2016]
    # 2016 (tests/stats/conftest.py): on the register H2 (2 persons), H5 (returned, 1), H7 (6)
    assert data.this_year is not None and data.this_year["poor_persons"] == 9
    assert data.this_year["exited_persons"] == 4  # H1 exited 2016
    assert [(row["measure_type"], row["value"]) for row in data.support] == [
        ("industry", Decimal("3000.50")), ("minimum_living", Decimal("1800.00")),
    ]  # fmt: skip
    assert data.support_households == 2
    # Kept in support in 2016: H2 (disability: minimum living support answers it), H5
    # (returned, illness, no measure), H7 (no cause recorded: nothing answers it) and H1
    # (exited in 2016, in its transition; illness, no measure): three gaps.
    assert data.coverage_gaps == 3
    assert len(data.checks) == 1 and data.checks[0]["recognition"]["value"] == 0.95
    assert data.funds is not None
    assert (data.funds["received"], data.funds["disbursed"], data.funds["households_paid"]) == (
        Decimal("600000.00"), Decimal("1800.00"), 1)  # fmt: skip


def test_a_reader_of_one_village_sees_only_its_support(
    recorded: dict[str, int], actor: Actor
) -> None:
    data = report_data(user=reader(actor, V1, role="village_cadre"), region=COUNTY, year=2016)
    assert [row["measure_type"] for row in data.support] == ["minimum_living"]  # H2 in V1
    assert data.checks == []  # the county's check is not a village post's to read
    assert data.funds is None  # nor are the county's funds


def test_the_pdf_says_the_figures_with_its_charts(recorded: dict[str, int], actor: Actor) -> None:
    data = report_data(user=reader(actor, COUNTY), region=COUNTY, year=2016)
    pdf = report_pdf(data)
    assert pdf.startswith(b"%PDF")
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for expected in ("平塘县2016年脱贫攻坚工作报告", "3,000.50", "产业帮扶", "群众认可度",
                     "95.00%（92.00%–98.00%）", "措施缺口：3 户", "600,000.00"):  # fmt: skip
        assert expected in text, expected


def test_the_workbook_holds_numbers_and_excel_charts(
    recorded: dict[str, int], actor: Actor
) -> None:
    data = report_data(user=reader(actor, COUNTY), region=COUNTY, year=2016)
    book = load_workbook(io.BytesIO(report_workbook(data)))
    assert book.sheetnames == ["概况", "人口与贫困", "致贫原因", "帮扶措施", "扶贫资金", "评估检查"]
    people = book["人口与贫困"]
    assert [cell.value for cell in people[4]][:5] == [2016, 7, 23, 3, 9]
    assert len(people._charts) == 1 and len(book["帮扶措施"]._charts) == 1
    assert book["帮扶措施"]["D2"].value == 3000.5
    checks = book["评估检查"]
    assert checks["A2"].value == "平塘县" and checks["J2"].value == 0.95


def test_the_job_and_the_command_write_the_files(
    recorded: dict[str, int], actor: Actor, tmp_path: Path, settings: Any
) -> None:
    from fupin.jobs.kinds import KINDS, job_dir
    from fupin.jobs.models import Job

    settings.VAR_DIR = tmp_path
    user = reader(actor, COUNTY)
    job = Job.objects.create(kind="report", params={"year": 2016, "format": "xlsx"},
                             region_code=COUNTY, user=user, created_at=timezone.now())  # fmt: skip
    job_dir(job.pk).mkdir(parents=True)
    outcome = KINDS["report"].run(job, lambda done, total, message="": None)
    assert outcome.file == "report-522727-2016.xlsx"
    assert (job_dir(job.pk) / outcome.file).read_bytes()[:2] == b"PK"
    out = tmp_path / "r.pdf"
    call_command("report", "--region", COUNTY, "--year", "2016", "--as", "reader",
                 "--out", str(out), stdout=io.StringIO())  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF")


def test_the_report_page_starts_a_job_for_the_readers_region(
    recorded: dict[str, int], actor: Actor, settings: Any, tmp_path: Path
) -> None:
    from django.test import Client

    from fupin.jobs.models import Job

    settings.VAR_DIR = tmp_path
    client = Client()
    client.force_login(reader(actor, COUNTY))
    form = client.get("/reports/").content.decode()
    assert "平塘县（522727）" in form
    started = client.post("/reports/", {"region": COUNTY, "year": "2016", "format": "xlsx"})
    job = Job.objects.get(kind="report")
    assert started.status_code == 302 and started["Location"] == f"/jobs/{job.pk}/"
    assert (job.region_code, job.params) == (COUNTY, {"year": 2016, "format": "xlsx"})
    far = client.post("/reports/", {"region": "52", "year": "2016", "format": "pdf"})
    assert far.status_code == 403 and Job.objects.count() == 1
