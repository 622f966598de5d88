"""A synthetic evaluation team (合成入户调查): the survey workbook of a drawn exit check
filled in from the register's truth, as a team would return it, for the demo to import
through `verification.services.findings_import` exactly as a real file.

What the team writes for each sampled household comes from its latest assessment up to
the check's year: persons as drawn, net income per person, the two no-worries and three
guarantees as assessed (housing safe for grades A and B). An exited household is wrongly
exited (错退) when its income is under the year's exit line or a guarantee is unmet; a
non-registered household is omitted (漏评) when its income is under the identification
line. Most households approve of the work (认可); a seeded share do not. A household
with no assessment is not reached: its row is left blank, as a team leaves a door it
found closed.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import load_workbook

from fupin.monitoring.models import CheckHousehold, ExitCheck
from fupin.monitoring.verification.choices import Stratum
from fupin.monitoring.verification.queries import survey_header, survey_rows
from fupin.monitoring.verification.workbook import COLUMNS, GUARANTEES, SHEET, survey_workbook
from fupin.policy.models import Parameter
from fupin.policy.queries import policy_value
from fupin.registry.models import Assessment

# Public recognition ran well above the 90% bar where counties passed (DOMAIN.md section
# 4: 26 of 28 counties passed in 2016): about one household in twenty-five disapproves.
DISAPPROVING = 0.04
SAFE_HOUSING = ("A", "B")
YES, NO = "是", "否"
NOTE = "入户核实"


def survey_fill(
    *, exit_check: ExitCheck, path: Path, seed: int, disapproving: float = DISAPPROVING
) -> Path:
    """Write the check's survey workbook to `path`, filled from the register's truth with
    `disapproving` of the households (drawn with `seed`) not approving; returns `path`."""
    if not 0 <= disapproving <= 1:
        raise ValueError("disapproving is a share between 0 and 1")
    rows = survey_rows(exit_check)
    book = load_workbook(io.BytesIO(survey_workbook(survey_header(exit_check), rows)))
    sheet = book[SHEET]
    where = {column.key: index for index, column in enumerate(COLUMNS, start=1)}
    answers = _answers(exit_check, seed=seed, disapproving=disapproving)
    for number in range(2, sheet.max_row + 1):
        found = answers.get(sheet.cell(row=number, column=where["check_household_id"]).value)
        for key, value in (found or {}).items():
            sheet.cell(row=number, column=where[key], value=value)
    book.save(path)
    return path


def _answers(exit_check: ExitCheck, *, seed: int, disapproving: float) -> dict[int, dict[str, Any]]:
    """What the team writes, by the check's household number (CheckHousehold id)."""
    province = exit_check.county_id[:2]
    exit_line = _line(Parameter.EXIT_LINE, exit_check.year, province)
    identification_line = _line(Parameter.IDENTIFICATION_LINE, exit_check.year, province)
    sampled = list(
        CheckHousehold.objects.filter(exit_check=exit_check)
        .order_by("pk")
        .values_list("pk", "household_id", "stratum", "persons")
    )
    latest = _latest_assessments(exit_check)
    # One draw per sampled household in id order, reached or not: the same seed gives the
    # same answers whatever the register holds.
    approves = np.random.default_rng(seed).random(len(sampled)) >= disapproving
    answers: dict[int, dict[str, Any]] = {}
    for (pk, household, stratum, persons), approving in zip(sampled, approves, strict=True):
        facts = latest.get(household)
        if facts is None:
            continue
        income: Decimal = facts["net_income_per_capita"]
        guarantees = {key: bool(facts[key]) for key in GUARANTEES if key != "housing_ok"}
        guarantees["housing_ok"] = facts["housing_grade"] in SAFE_HOUSING
        cells: dict[str, Any] = {
            "persons": persons, "income_per_capita": float(income),
            **{key: _flag(guarantees[key]) for key in GUARANTEES},
            "approves": _flag(bool(approving)), "note": NOTE,
        }  # fmt: skip
        if stratum == Stratum.EXITED:
            cells["wrongly_exited"] = _flag(income < exit_line or not all(guarantees.values()))
        elif stratum == Stratum.NON_REGISTERED:
            cells["omitted"] = _flag(income < identification_line)
        answers[pk] = cells
    return answers


def _latest_assessments(exit_check: ExitCheck) -> dict[int, dict[str, Any]]:
    """Each sampled household's latest assessment up to the check's year (one query)."""
    fields = ("household_id", "net_income_per_capita", "food_ok", "clothing_ok", "education_ok",
              "medical_ok", "housing_grade", "water_ok")  # fmt: skip
    latest: dict[int, dict[str, Any]] = {}
    rows = (
        Assessment.objects.filter(
            household_id__in=CheckHousehold.objects.filter(exit_check=exit_check).values(
                "household_id"
            ),
            year__lte=exit_check.year,
        )
        .order_by("household_id", "year")
        .values(*fields)
    )
    for row in rows.iterator(chunk_size=5000):
        latest[row["household_id"]] = row
    return latest


def _line(name: str, year: int, province: str) -> Decimal:
    return policy_value(name, year=year, province=province).value


def _flag(value: bool) -> str:
    return YES if value else NO
