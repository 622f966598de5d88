"""Builders of realistic household file rows for tests (valid unless a test spoils them)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.utils import timezone

from fupin.registry.columns import CANONICAL_HEADERS
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household

VILLAGE = "522727100218"  # a real villagers' committee of 平塘县
COUNTY = VILLAGE[:6]


def person(
    name: str,
    relation: str,
    sex: str,
    birth: date,
    sequence: int,
    **cells: str,
) -> dict[str, str]:
    """One member row's cells (English slugs), with an ID agreeing with sex and birth date."""
    sequence = sequence * 2 + (1 if sex == "M" else 0)
    age = 2016 - birth.year
    row = {
        "name": name,
        "id_number": id_make(COUNTY, birth, sequence % 1000),
        "relation": relation,
        "sex": sex,
        "birth_date": birth.isoformat(),
        "ethnicity": "汉族",
        "education": "junior" if age >= 6 else "",
        "in_school": "no" if age >= 6 else "",
        "health": "healthy",
        "labor": "ordinary" if 16 <= age <= 65 else "",
        "migrant_months": "0",
    }
    row.update(cells)
    return row


def household(
    household_no: str,
    members: list[dict[str, str]],
    village: str = VILLAGE,
    **cells: str,
) -> list[dict[str, str]]:
    """Rows of one household: household and assessment cells on the head's row."""
    head_cells = {
        "household_no": household_no,
        "village_code": village,
        "category": "",
        "main_cause": "",
        "other_causes": "",
        "phone": "13800000000",
        "wage_income": "0",
        "business_income": "12000",
        "business_cost": "3000",
        "property_income": "0",
        "transfer_income": "600",
        "food_ok": "yes",
        "clothing_ok": "yes",
        "education_ok": "yes",
        "medical_ok": "yes",
        "housing_grade": "B",
        "water_ok": "yes",
    }
    head_cells.update(cells)
    rows = []
    for member in members:
        row = {"household_no": household_no, **member}
        if member["relation"] == "head":
            row.update(head_cells)
        rows.append(row)
    return rows


def family(household_no: str, seed: int = 0, **cells: str) -> list[dict[str, str]]:
    """A couple with two children, the head a man born 1975."""
    base = seed * 10
    return household(
        household_no,
        [
            person("张建国", "head", "M", date(1975, 3, 8), base + 1),
            person("李秀英", "spouse", "F", date(1977, 11, 2), base + 2),
            person(
                "张伟",
                "child",
                "M",
                date(2003, 6, 1),
                base + 3,
                in_school="yes",
                education="primary",
            ),
            person(
                "张丽",
                "child",
                "F",
                date(2008, 9, 9),
                base + 4,
                in_school="yes",
                education="primary",
            ),
        ],
        **cells,
    )


def write_csv(path: Path, rows: Iterable[dict[str, str]], encoding: str = "utf-8") -> Path:
    """Write rows with the canonical English header, as a county office would save them."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CANONICAL_HEADERS), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in CANONICAL_HEADERS})
    return path


def saved_household(household_no: str, village: str = VILLAGE) -> Household:
    """A bare household row in the register, for tests about what hangs off a household."""
    now = timezone.now()
    return Household.objects.create(
        household_no=household_no, village_id=village, created_at=now, updated_at=now
    )
