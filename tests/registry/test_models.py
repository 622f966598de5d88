"""Invariants the database itself enforces, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member

pytestmark = pytest.mark.django_db


def _household(village: str, number: str) -> Household:
    now = timezone.now()
    return Household.objects.create(
        household_no=number, village_id=village, created_at=now, updated_at=now
    )


def _member(household: Household, relation: str, sequence: int, **extra: object) -> Member:
    birth = date(1970, 1, 1)
    values = {
        "name": "某", "id_number": id_make("522727", birth, sequence), "relation": relation,
        "sex": "M", "birth_date": birth, "ethnicity": "汉族", "health": "healthy",
        **extra,
    }  # fmt: skip
    return Member.objects.create(household=household, **values)


def test_one_head_per_household(villages: list[str]) -> None:
    household = _household(villages[0], "H1")
    _member(household, "head", 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _member(household, "head", 3)


def test_an_id_number_is_active_in_one_household_only(villages: list[str]) -> None:
    first, second = _household(villages[0], "H1"), _household(villages[0], "H2")
    _member(first, "head", 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _member(second, "head", 1)


def test_an_inactive_member_frees_the_id_number(villages: list[str]) -> None:
    # given a person who moved out of H1 (inactive there)
    first, second = _household(villages[0], "H1"), _household(villages[0], "H2")
    _member(first, "spouse", 1, is_active=False)
    # when registered in H2
    _member(second, "head", 1)
    # then both rows exist, one active
    assert Member.objects.filter(id_number=id_make("522727", date(1970, 1, 1), 1)).count() == 2


def test_other_causes_differ_from_the_main_cause(villages: list[str]) -> None:
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(
            household_no="H1", village_id=villages[0], main_cause="illness",
            second_cause="illness", created_at=now, updated_at=now,
        )  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL column property")
def test_id_number_column_uses_the_c_collation() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'registry_member' AND column_name = 'id_number'"
        )
        assert cursor.fetchone() == ("C",)
