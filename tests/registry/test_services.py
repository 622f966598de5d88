"""Single-household services: the import's rules, stdnum ID checks, dated composition."""

from __future__ import annotations

from datetime import date

import pytest

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.registry.choices import MemberEventKind
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member, MemberEvent
from fupin.registry.queries import household_members_on
from fupin.registry.services import RegistryValidationError, household_save, member_event_record

pytestmark = pytest.mark.django_db

ASSESSMENT = {
    "wage_income": 8000, "business_income": 0, "business_cost": 0, "property_income": 0,
    "transfer_income": 0, "food_ok": True, "clothing_ok": True, "education_ok": True,
    "medical_ok": True, "housing_grade": "A", "water_ok": True,
}  # fmt: skip


def _member(relation: str, sex: str, birth: date, sequence: int, **extra: object) -> dict:
    return {
        "name": "测试", "id_number": id_make("522727", birth, sequence), "relation": relation,
        "sex": sex, "birth_date": birth, "ethnicity": "苗族", "education": "junior",
        "in_school": False, "health": "healthy", "labor": "ordinary", "migrant_months": 6,
        **extra,
    }  # fmt: skip


def _save(villages: list[str], actor: Actor, **changes: object) -> None:
    household_save(
        household={"household_no": "S1", "village_code": villages[0], **changes},
        members=[_member("head", "M", date(1980, 5, 5), 11), _member("spouse", "F", date(1982, 6, 6), 12)],
        assessment=ASSESSMENT,
        year=2018,
        actor=actor,
    )  # fmt: skip


def test_household_save_registers_with_an_audit_event(villages: list[str], actor: Actor) -> None:
    _save(villages, actor)
    household = Household.objects.get(household_no="S1")
    assert household.members.count() == 2
    assert household.assessments.get(year=2018).household_size == 2
    assert AuditEvent.objects.filter(action="registry.bulk_write").count() == 1


def test_household_save_refuses_what_the_import_refuses(villages: list[str], actor: Actor) -> None:
    with pytest.raises(RegistryValidationError) as caught:
        household_save(
            household={"household_no": "S2", "village_code": villages[0]},
            members=[_member("head", "F", date(1980, 5, 5), 11)],  # odd sequence = male
            assessment=ASSESSMENT,
            year=2018,
            actor=actor,
        )
    assert "id.sex_mismatch" in set(caught.value.issues["code"])
    assert Household.objects.count() == 0


def test_bad_id_checked_by_stdnum(villages: list[str], actor: Actor) -> None:
    bad = _member("head", "M", date(1980, 5, 5), 11)
    bad["id_number"] = bad["id_number"][:-1] + ("1" if bad["id_number"][-1] != "1" else "2")
    with pytest.raises(RegistryValidationError) as caught:
        household_save(household={"household_no": "S3", "village_code": villages[0]},
                       members=[bad], assessment=ASSESSMENT, year=2018, actor=actor)  # fmt: skip
    assert set(caught.value.issues["code"]) == {"id.checksum"}


def test_composition_in_a_past_year_follows_dated_events(villages: list[str], actor: Actor) -> None:
    # given a couple registered, a child born in 2019 and the spouse dying in 2020
    _save(villages, actor)
    household = Household.objects.get(household_no="S1")
    spouse = household.members.get(relation="spouse")
    child = _member("child", "F", date(2019, 3, 1), 22, education="", labor="", migrant_months=0)
    member_event_record(household=household, kind=MemberEventKind.BIRTH, on=date(2019, 3, 1),
                        actor=actor, person=child)  # fmt: skip
    member_event_record(household=household, kind=MemberEventKind.DEATH, on=date(2020, 2, 1),
                        actor=actor, member=spouse)  # fmt: skip

    # when
    def names_on(day: date) -> list[str]:
        return [m.relation for m in household_members_on(household, day)]

    # then
    assert names_on(date(2018, 12, 31)) == ["head", "spouse"]
    assert names_on(date(2019, 12, 31)) == ["head", "spouse", "child"]
    assert names_on(date(2020, 12, 31)) == ["head", "child"]
    assert MemberEvent.objects.count() == 2
    assert not Member.objects.get(pk=spouse.pk).is_active
    assert AuditEvent.objects.filter(action__in=["member.birth", "member.death"]).count() == 2


def test_the_head_cannot_leave(villages: list[str], actor: Actor) -> None:
    _save(villages, actor)
    household = Household.objects.get(household_no="S1")
    head = household.members.get(relation="head")
    with pytest.raises(ValueError, match="head cannot leave"):
        member_event_record(household=household, kind=MemberEventKind.MOVE_OUT,
                            on=date(2020, 1, 1), actor=actor, member=head)  # fmt: skip
    assert Member.objects.get(pk=head.pk).is_active
