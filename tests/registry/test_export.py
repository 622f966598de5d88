"""`fupin export households`: the import layout, round trip, CSV-injection neutralised."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from fupin.core.models import AuditEvent
from fupin.registry.models import Assessment, Household, Member
from tests.registry.factories import family, write_csv

pytestmark = pytest.mark.django_db
YEAR = 2016


def _state() -> tuple[list[tuple], list[tuple], list[tuple], int]:
    return (
        sorted(Household.objects.values_list("household_no", "village_id", "category",
                                             "main_cause", "second_cause", "phone")),
        sorted(Member.objects.values_list("id_number", "name", "relation", "sex", "birth_date",
                                          "education", "in_school", "health", "labor")),
        sorted(Assessment.objects.values_list("household__household_no", "year", "wage_income",
                                              "net_income_per_capita", "housing_grade")),
        AuditEvent.objects.count(),
    )  # fmt: skip


@pytest.fixture
def registered(villages: list[str], tmp_path: Path) -> None:
    rows = family("H1", category="general", main_cause="schooling", other_causes="缺资金;缺技术",
                  phone="+8613800000000") + family("H2", seed=1, village=villages[1])  # fmt: skip
    call_command("import", "households", str(write_csv(tmp_path / "in.csv", rows)),
                 "--year", str(YEAR))  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_imports_back_unchanged(registered: None, tmp_path: Path, suffix: str) -> None:
    # given
    before = _state()
    out = tmp_path / f"out{suffix}"
    # when
    call_command("export", "households", "--region", "522727", "--year", str(YEAR), "-o", str(out))
    call_command("import", "households", str(out), "--year", str(YEAR))
    # then
    assert _state() == before


def test_export_is_stable(registered: None, tmp_path: Path) -> None:
    first, second = tmp_path / "1.csv", tmp_path / "2.csv"
    call_command("export", "households", "--region", "52", "--year", str(YEAR), "-o", str(first))
    call_command("export", "households", "--region", "52", "--year", str(YEAR), "-o", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_export_scopes_by_region_prefix(registered: None, tmp_path: Path) -> None:
    out = tmp_path / "one_village.csv"
    call_command("export", "households", "--region", "522727100212", "--year", str(YEAR),
                 "-o", str(out))  # fmt: skip
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 4
    assert all(line.startswith("H2,") for line in lines[1:])


def test_cells_that_look_like_formulas_are_neutralised(registered: None, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    call_command("export", "households", "--region", "522727", "--year", str(YEAR), "-o", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert "'+8613800000000" in text
    assert ",+8613800000000" not in text
