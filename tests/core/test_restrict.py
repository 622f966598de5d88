"""The access choke point: restrict(queryset, user, action) and access_get."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.core.access import (
    access_get,
    access_rule,
    grant_add,
    grant_revoke,
    health_visible,
    personal_data_visible,
    restrict,
)
from fupin.core.audit import Actor
from fupin.core.models import AuditChainHead, Grant
from fupin.regions.models import Region
from fupin.registry.models import Household

pytestmark = pytest.mark.django_db
HOME, NEIGHBOUR = "522727100218", "522727100212"  # two villages of one township
FAR = "110101001001"  # a village of another province


@pytest.fixture
def far_village(villages: list[str]) -> str:
    parent = None
    for length, level in ((2, 1), (4, 2), (6, 3), (9, 4), (12, 5)):
        parent = Region.objects.create(
            code=FAR[:length], name=f"region {FAR[:length]}", level=level, parent=parent,
            edition=2023,
        )  # fmt: skip
    return FAR


@pytest.fixture
def homes(far_village: str) -> dict[str, Household]:
    now = timezone.now()
    return {
        code: Household.objects.create(
            household_no=f"{code}0001",
            village_id=code,
            status="registered",
            created_at=now,
            updated_at=now,
        )
        for code in (HOME, NEIGHBOUR, FAR)
    }


def user_with(*grants: tuple[str, str] | tuple[str, str, str], actor: Actor) -> Any:
    user = get_user_model().objects.create_user(username=f"u{get_user_model().objects.count()}")
    for role, prefix, *department in grants:
        grant_add(user=user, role=role, region_prefix=prefix, actor=actor,
                  department=department[0] if department else "")  # fmt: skip
    return user


def seen(user: Any, action: str = "view") -> set[str]:
    return set(restrict(Household.objects.all(), user, action).values_list("village_id", flat=True))


@pytest.mark.parametrize(
    ("grants", "view", "change"),
    [
        ([("national", "")], {HOME, NEIGHBOUR, FAR}, set()),
        ([("province", "52")], {HOME, NEIGHBOUR}, set()),
        ([("county", "522727")], {HOME, NEIGHBOUR}, {HOME, NEIGHBOUR}),
        ([("township", "522727100")], {HOME, NEIGHBOUR}, {HOME, NEIGHBOUR}),
        ([("village_cadre", HOME)], {HOME}, {HOME}),
        ([("first_secretary", NEIGHBOUR)], {NEIGHBOUR}, {NEIGHBOUR}),
        ([("inspector", "52")], {HOME, NEIGHBOUR}, set()),
        ([("department", "522727", "education")], {HOME, NEIGHBOUR}, set()),
        ([("evaluator", "")], set(), set()),
        ([("household", HOME)], set(), set()),
        ([("administrator", "")], set(), set()),
        ([("village_cadre", HOME), ("county", "110101")], {HOME, FAR}, {HOME, FAR}),
        ([("province", "52"), ("village_cadre", HOME)], {HOME, NEIGHBOUR}, {HOME}),
        ([], set(), set()),
    ],
)
def test_each_post_sees_its_region_only(
    homes: dict[str, Household], actor: Actor, grants: list[Any], view: set[str], change: set[str]
) -> None:
    user = user_with(*grants, actor=actor)
    assert seen(user) == view
    assert seen(user, "change") == change


def test_no_user_a_revoked_grant_or_an_inactive_user_sees_nothing(
    homes: dict[str, Household], actor: Actor
) -> None:
    assert seen(None) == set() and seen(AnonymousUser()) == set()
    user = user_with(("county", "522727"), actor=actor)
    grant_revoke(grant=Grant.objects.get(user=user), actor=actor)
    assert seen(user) == set()
    other = user_with(("county", "522727"), actor=actor)
    other.is_active = False
    other.save()
    assert seen(other) == set()


def test_out_of_scope_and_missing_are_the_same_404(
    homes: dict[str, Household], actor: Actor
) -> None:
    cadre = user_with(("village_cadre", HOME), actor=actor)
    mine = access_get(Household.objects.all(), cadre, "view", pk=homes[HOME].pk)
    assert mine == homes[HOME]
    messages = set()
    for pk in (homes[NEIGHBOUR].pk, homes[FAR].pk, 10**9, "not-a-number"):
        with pytest.raises(Http404) as refused:
            access_get(Household.objects.all(), cadre, "view", pk=pk)
        messages.add(str(refused.value))
    assert len(messages) == 1


def test_related_rows_follow_their_household(homes: dict[str, Household], actor: Actor) -> None:
    from fupin.registry.models import StatusTransition

    for household in homes.values():
        StatusTransition.objects.create(household=household, from_status="not_registered",
                                        to_status="registered", year=2016, date="2016-10-01")  # fmt: skip
    cadre = user_with(("village_cadre", HOME), actor=actor)
    rows = restrict(StatusTransition.objects.all(), cadre, "view")
    assert {row.household_id for row in rows} == {homes[HOME].pk}


def test_the_audit_log_is_for_auditors(homes: dict[str, Household], actor: Actor) -> None:
    from fupin.core.models import AuditEvent

    county = user_with(("county", "522727"), actor=actor)
    inspector = user_with(("inspector", "522727"), actor=actor)
    assert not restrict(AuditEvent.objects.all(), county, "view").exists()
    visible = restrict(AuditEvent.objects.all(), inspector, "view")
    assert visible.exists()
    assert all(event.region_code.startswith("522727") for event in visible)


def test_a_model_without_a_rule_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        restrict(AuditChainHead.objects.all(), None, "view")
    with pytest.raises(ImproperlyConfigured):
        restrict(Household.objects.all(), None, "delete")


def test_every_model_that_holds_region_data_declares_a_rule() -> None:
    # The bookkeeping tables are for the system itself, never served to a user.
    internal = {"core.auditchainhead", "core.grant", "policy.policysnapshot"}
    ours = [model for model in apps.get_models() if model._meta.app_label in ("core", "regions",
            "registry", "targeting", "stats", "pairing", "jobs", "support",
            "monitoring")]  # fmt: skip
    missing = []
    for model in ours:
        if model._meta.label_lower in internal:
            continue
        try:
            access_rule(model)
        except ImproperlyConfigured:
            missing.append(model._meta.label)
    assert missing == []


def test_personal_and_health_data_by_role(homes: dict[str, Household], actor: Actor) -> None:
    cadre = user_with(("village_cadre", HOME), actor=actor)
    province = user_with(("province", "52"), actor=actor)
    health = user_with(("department", "522727", "health"), actor=actor)
    education = user_with(("department", "522727", "education"), actor=actor)
    assert personal_data_visible(cadre, HOME) and not personal_data_visible(cadre, NEIGHBOUR)
    assert not personal_data_visible(province, HOME)
    assert not personal_data_visible(health, HOME) and health_visible(health, HOME)
    assert not health_visible(education, HOME) and not health_visible(province, HOME)


PREFIXES = st.sampled_from(["", "52", "5227", "522727", "522727100", HOME, NEIGHBOUR, "11", FAR])
ROLES = st.sampled_from(["county", "township", "village_cadre", "inspector", "evaluator"])


# Each example makes its own user; the households are only read.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(grants=st.lists(st.tuples(ROLES, PREFIXES), max_size=4, unique=True))
def test_restrict_is_the_union_of_the_grants(
    homes: dict[str, Household], actor: Actor, grants: list[tuple[str, str]]
) -> None:
    # Grants are given straight, so that any prefix length may be tried for any role.
    user = get_user_model().objects.create_user(username=f"p{get_user_model().objects.count()}")
    now = timezone.now()
    Grant.objects.bulk_create(
        Grant(user=user, role=role, region_prefix=prefix, granted_at=now) for role, prefix in grants
    )
    readers = access_rule(Household).view
    expected = {
        code for code in (HOME, NEIGHBOUR, FAR)
        if any(code.startswith(prefix) for role, prefix in grants if role in readers)
    }  # fmt: skip
    assert seen(user) == expected
