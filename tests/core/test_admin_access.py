"""The back office goes through the same choke point: a staff user sees in the admin only
the rows their grants reach; the superuser (the operator) sees all."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, household_make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "prefix", "seen"),
    [
        ("administrator", "", set()),
        ("county", "522727", {"H-home", "H-other"}),
        ("village_cadre", VILLAGE, {"H-home"}),
    ],
)
def test_staff_see_in_the_admin_what_their_grants_reach(
    villages: list[str], actor: Actor, role: str, prefix: str, seen: set[str]
) -> None:
    household_make("H-home", village=VILLAGE)
    household_make("H-other", village=OTHER_VILLAGE)
    users = get_user_model().objects
    staff = users.create_user(username="staff", is_staff=True)
    staff.user_permissions.add(*_view_permissions())
    grant_add(user=staff, role=role, region_prefix=prefix, actor=actor)
    operator = users.create_superuser(username="operator")
    assert _listed(staff) == seen
    assert _listed(operator) == {"H-home", "H-other"}


def _view_permissions() -> list:
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(codename="view_household"))


def _listed(user: object) -> set[str]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    page = client.get("/admin/registry/household/")
    assert page.status_code == 200
    return {row.household_no for row in page.context["cl"].result_list}
