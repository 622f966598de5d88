"""A small hand-built registry in the two real villages of the `villages` fixture.

Seven households over 2014-2016, chosen so that every measure moves:

| household | village | category / main cause | sizes 14/15/16 | transitions |
|---|---|---|---|---|
| H1 | 京舟村 (V1) | general / illness | 4, 4, 4 | registered 2014, exited 2016 |
| H2 | V1 | dibao / disability | 3, 3, 2 | registered 2014 |
| H3 | V1 | - | 5, 5, 5 | none |
| H4 | V1 | general / schooling | 2, 2, 2 | registered 2015, removed 2016 |
| H5 | 拉全村 (V2) | tekun / illness | 1, 1, 1 | registered 2014, exited 2015, returned 2016 |
| H6 | V2 | - | no assessment: 3 active members (+1 left) | none |
| H7 | V2 | blank / blank | 6, 6, 6 | registered 2014 |

Two of them come under return-to-poverty monitoring (防返贫监测; a 2021 policy, moved
back into these years so that the measure moves too): H1 from 2016-11-20 on, after its
exit, and H5 from 2015-12-10 until its return on 2016-06-01.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

V1, V2 = "522727100218", "522727100212"
YEARS = (2014, 2015, 2016)
NOW = timezone.make_aware(datetime(2017, 1, 1))


def household_make(
    number: str,
    village: str,
    *,
    category: str = "",
    cause: str = "",
    sizes: tuple[int, ...] = (),
    members: int = 0,
    left: int = 0,
    transitions: tuple[tuple[str, str, date], ...] = (),
) -> int:
    """Write one household with its assessments, members and transitions; return its id."""
    from fupin.registry.models import Assessment, Household, Member, StatusTransition

    status = transitions[-1][1] if transitions else "not_registered"
    household = Household.objects.create(
        household_no=number, village_id=village, status=status, category=category,
        main_cause=cause, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    for year, size in zip(YEARS, sizes, strict=False):
        Assessment.objects.create(
            household=household, year=year, wage_income=0, business_income=0,
            business_cost=0, property_income=0, transfer_income=0, household_size=size,
            net_income_per_capita=Decimal("0"), food_ok=True, clothing_ok=True,
            education_ok=True, medical_ok=True, housing_grade="B", water_ok=True,
        )  # fmt: skip
    for index in range(members + left):
        Member.objects.create(
            household=household, name=f"成员{index}", id_number=f"{number}{index:02d}",
            relation="head" if index == 0 else "child", sex="M", birth_date=date(1980, 1, 1),
            ethnicity="汉族", health="healthy", is_active=index < members,
        )  # fmt: skip
    for source, target, on in transitions:
        StatusTransition.objects.create(
            household=household, from_status=source, to_status=target, year=on.year, date=on
        )
    return household.pk


def monitoring_make(household: int, identified_on: date, eliminated_on: date | None = None) -> None:
    """Put a household under monitoring from `identified_on`, with its approved case."""
    from fupin.registry.models import Household
    from fupin.targeting.models import Case, Monitoring

    village = Household.objects.values_list("village_id", flat=True).get(pk=household)
    case = Case.objects.create(
        kind="monitoring", household_id=household, region_code=village, year=identified_on.year,
        outcome="approved", trigger="cadre_visit", clue_on=identified_on, opened_on=identified_on,
        decided_on=identified_on,
    )  # fmt: skip
    Monitoring.objects.create(
        household_id=household, monitoring_type="unstable", risks=["illness"],
        identified_case=case, identified_on=identified_on, eliminated_on=eliminated_on,
    )  # fmt: skip


@pytest.fixture
def registry(villages: list[str]) -> dict[str, int]:
    """The seven households of the table above; returns their ids by name."""
    register = ("not_registered", "registered")
    ids = {
        "H1": household_make(
            "H1", V1, category="general", cause="illness", sizes=(4, 4, 4),
            transitions=(
                (*register, date(2014, 9, 1)), ("registered", "exited", date(2016, 11, 1)),
            ),
        ),
        "H2": household_make(
            "H2", V1, category="dibao", cause="disability", sizes=(3, 3, 2),
            transitions=((*register, date(2014, 9, 2)),),
        ),
        "H3": household_make("H3", V1, sizes=(5, 5, 5)),
        "H4": household_make(
            "H4", V1, category="general", cause="schooling", sizes=(2, 2, 2),
            transitions=(
                (*register, date(2015, 9, 1)), ("registered", "removed", date(2016, 3, 1)),
            ),
        ),
        "H5": household_make(
            "H5", V2, category="tekun", cause="illness", sizes=(1, 1, 1),
            transitions=(
                (*register, date(2014, 9, 3)),
                ("registered", "exited", date(2015, 12, 1)),
                ("exited", "returned", date(2016, 6, 1)),
            ),
        ),
        "H6": household_make("H6", V2, members=3, left=1),
        "H7": household_make("H7", V2, sizes=(6, 6, 6), transitions=((*register, date(2014, 9, 4)),)),
    }  # fmt: skip
    monitoring_make(ids["H1"], date(2016, 11, 20))
    monitoring_make(ids["H5"], date(2015, 12, 10), eliminated_on=date(2016, 6, 1))
    return ids
