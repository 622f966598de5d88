"""Line departments confirm their indicator: one household, or a whole file all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from django.contrib.auth import get_user_model

from fupin.core.access import grant_add
from fupin.core.audit import Actor, audit_chain_verify
from fupin.core.models import AuditEvent
from fupin.registry.confirmations import (
    ConfirmationError,
    confirmation_file_read,
    indicator_confirm,
    indicator_confirm_many,
)
from fupin.registry.models import Assessment, Household, IndicatorConfirmation
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, assess, household_make

pytestmark = pytest.mark.django_db


def department(name: str, department: str, prefix: str, actor: Actor) -> Actor:
    user = get_user_model().objects.create_user(username=name)
    grant_add(user=user, role="department", region_prefix=prefix, department=department,
              actor=actor)  # fmt: skip
    return Actor.of(user)


def assessed(number: str, village: str = VILLAGE, **indicators: object) -> Household:
    household = household_make(number, status="registered", village=village)
    assess(household, 2016, 2000, **indicators)  # type: ignore[arg-type]
    return household


def rows(*pairs: tuple[str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"_row": list(range(2, len(pairs) + 2)), "household_no": [p[0] for p in pairs],
         "value": [p[1] for p in pairs]},
        schema={"_row": pl.Int64, "household_no": pl.String, "value": pl.String},
    )  # fmt: skip


def test_one_confirmation_writes_the_value_the_record_and_an_event(
    villages: list[str], actor: Actor
) -> None:
    # given a household whose education indicator the village recorded as met
    education = department("edu", "education", "522727", actor)
    household = assessed("5227271002180001")
    # when the education department confirms it is not met
    confirmation = indicator_confirm(household=household, year=2016, department="education",
                                     value="否", actor=education)  # fmt: skip
    # then the assessment carries the department's value and the record says who and what
    assert Assessment.objects.get(household=household, year=2016).education_ok is False
    assert (confirmation.value, confirmation.previous, confirmation.confirmed_by_label) == (
        "no", "yes", "edu",
    )  # fmt: skip
    event = AuditEvent.objects.get(action="indicator.confirm")
    assert event.before["education_ok"] == "yes" and event.after["education_ok"] == "no"
    assert audit_chain_verify() is None
    # and confirming again replaces the record rather than adding one
    indicator_confirm(household=household, year=2016, department="education", value="是",
                      actor=education)  # fmt: skip
    assert IndicatorConfirmation.objects.get().value == "yes"


def test_a_department_outside_its_area_or_value_set_is_refused(
    villages: list[str], actor: Actor
) -> None:
    housing = department("housing", "housing", VILLAGE, actor)
    far = assessed("5227271002120001", village=OTHER_VILLAGE)
    near = assessed("5227271002180001")
    with pytest.raises(ConfirmationError) as outside:
        indicator_confirm(household=far, year=2016, department="housing", value="D",
                          actor=housing)  # fmt: skip
    assert outside.value.issues[0].code == "household.not_in_scope"
    with pytest.raises(ConfirmationError) as wrong:
        indicator_confirm(household=near, year=2016, department="housing", value="E",
                          actor=housing)  # fmt: skip
    assert wrong.value.issues[0].code == "value.unknown"
    with pytest.raises(ConfirmationError) as no_year:
        indicator_confirm(household=near, year=2017, department="housing", value="C",
                          actor=housing)  # fmt: skip
    assert no_year.value.issues[0].code == "assessment.missing"
    assert not IndicatorConfirmation.objects.exists()


def test_civil_affairs_confirms_the_household_attribute_of_registered_households(
    villages: list[str], actor: Actor
) -> None:
    civil = department("civil", "civil_affairs", "522727", actor)
    household = assessed("5227271002180001")
    indicator_confirm(household=household, year=2016, department="civil_affairs",
                      value="低保户", actor=civil)  # fmt: skip
    household.refresh_from_db()
    assert household.category == "dibao"
    never = household_make("5227271002180002")
    with pytest.raises(ConfirmationError) as refused:
        indicator_confirm(household=never, year=2016, department="civil_affairs",
                          value="dibao", actor=civil)  # fmt: skip
    assert refused.value.issues[0].code == "household.not_on_register"


def test_bulk_confirmation_applies_every_row_set_wise(villages: list[str], actor: Actor) -> None:
    # given three households and the water department of the county
    water = department("water", "water", "522727", actor)
    numbers = [assessed(f"522727100218000{i}").household_no for i in range(1, 4)]
    # when it confirms them in one go (one value changes)
    result = indicator_confirm_many(
        rows=rows((numbers[0], "是"), (numbers[1], "no"), (numbers[2], "1")),
        year=2016, department="water", actor=water, source="water.csv",
    )  # fmt: skip
    # then all are recorded, the changed one written, one event for it plus a summary
    assert (result.confirmed, result.changed) == (3, 1)
    flags = dict(Assessment.objects.values_list("household__household_no", "water_ok"))
    assert flags == {numbers[0]: True, numbers[1]: False, numbers[2]: True}
    assert IndicatorConfirmation.objects.filter(department="water").count() == 3
    assert AuditEvent.objects.filter(action="indicator.confirm").count() == 1
    assert AuditEvent.objects.get(action="indicator.confirm_many").after["confirmed"] == 3
    assert audit_chain_verify() is None
    # and a second file replaces the confirmations, changing what differs
    indicator_confirm_many(rows=rows((numbers[1], "是")), year=2016, department="water",
                           actor=water, source="again.csv")  # fmt: skip
    assert Assessment.objects.get(household__household_no=numbers[1]).water_ok is True
    assert IndicatorConfirmation.objects.get(household__household_no=numbers[1]).previous == "no"


def test_bulk_with_any_error_writes_nothing_and_names_every_row(
    villages: list[str], actor: Actor
) -> None:
    health = department("health", "health", VILLAGE, actor)
    good = assessed("5227271002180001").household_no
    far = assessed("5227271002120001", village=OTHER_VILLAGE).household_no
    with pytest.raises(ConfirmationError) as refused:
        indicator_confirm_many(
            rows=rows((good, "否"), (far, "否"), ("999", "是"), (good, "maybe"), (None, "是")),
            year=2016, department="health", actor=health, source="health.csv",
        )  # fmt: skip
    found = {(issue.row, issue.column, issue.code) for issue in refused.value.issues}
    assert found == {
        (2, "household_no", "household.duplicate"),
        (3, "household_no", "household.not_in_scope"),
        (4, "household_no", "household.not_in_scope"),
        (5, "household_no", "household.duplicate"),
        (5, "medical_ok", "value.unknown"),
        (6, "household_no", "value.missing"),
    }
    assert Assessment.objects.get(household__household_no=good).medical_ok is True
    assert not IndicatorConfirmation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="indicator").exists()


def test_a_confirmation_file_is_read_from_csv_or_xlsx(tmp_path: Path) -> None:
    csv = tmp_path / "edu.csv"
    csv.write_bytes("教育局确认表\n户编号,义务教育有保障\n0001,是\n0002,否\n".encode("gbk"))
    frame = confirmation_file_read(csv, department="education")
    assert frame.rows() == [(3, "0001", "是"), (4, "0002", "否")]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in (("household_no", "value"), ("0001", "C")):
        sheet.append(line)
    xlsx = tmp_path / "housing.xlsx"
    book.save(xlsx)
    assert confirmation_file_read(xlsx, department="housing").rows() == [(2, "0001", "C")]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,value\nx,1\n")
    with pytest.raises(ConfirmationError) as refused:
        confirmation_file_read(wrong, department="water")
    assert refused.value.issues[0].code == "file.missing_header" and refused.value.file
