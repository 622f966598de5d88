"""Posts of 平塘县 (users with grants) and households for the procedure tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.policy.seeds import typical_exit_indicators
from fupin.registry.models import Household, StatusTransition
from fupin.targeting import procedures as p

VILLAGE, OTHER_VILLAGE = "522727100218", "522727100212"
POSTS = {
    "cadre": ("village_cadre", VILLAGE),
    "secretary": ("first_secretary", VILLAGE),
    "team": ("work_team", VILLAGE),
    "other_cadre": ("village_cadre", OTHER_VILLAGE),
    "township": ("township", "522727100"),
    "county": ("county", "522727"),
    "prefecture": ("prefecture", "5227"),
    "province": ("province", "52"),
    "evaluator": ("evaluator", ""),
    "national": ("national", ""),
    "inspector": ("inspector", "522727"),
}


@dataclass
class Posts:
    """One actor per post, by name (cadre, township, county, ...)."""

    actors: dict[str, Actor]

    def __getattr__(self, name: str) -> Actor:
        try:
            return self.actors[name]
        except KeyError:
            raise AttributeError(name) from None

    def client(self, name: str) -> Any:
        """A test client logged in as the post `name`."""
        from django.test import Client

        client = Client()
        user = self.actors[name].user
        assert user is not None
        client.force_login(user)
        return client

    def for_step(self, step: p.Step) -> Actor:
        """An actor allowed to take `step` in VILLAGE."""
        for name, (role, _prefix) in POSTS.items():
            if role in step.roles and name != "other_cadre":
                return self.actors[name]
        raise LookupError(step.slug)


@pytest.fixture
def posts(villages: list[str], actor: Actor) -> Posts:
    users = get_user_model().objects
    actors = {}
    for name, (role, prefix) in POSTS.items():
        user = users.create_user(username=name)  # no password: no slow hashing
        grant_add(user=user, role=role, region_prefix=prefix, actor=actor)
        actors[name] = Actor.of(user)
    return Posts(actors)


def household_make(
    number: str,
    *,
    status: str = "not_registered",
    village: str = VILLAGE,
    registered_year: int | None = None,
) -> Household:
    """A household in `village`, with the transitions that give it `status`."""
    now = timezone.now()
    household = Household.objects.create(
        household_no=number, village_id=village, status=status, created_at=now, updated_at=now
    )
    if status != "not_registered":
        year = registered_year or 2015
        StatusTransition.objects.create(
            household=household,
            from_status="not_registered",
            to_status="registered",
            year=year,
            date=date(year, 10, 20),
        )
        if status != "registered":
            StatusTransition.objects.create(
                household=household,
                from_status="registered",
                to_status=status,
                year=year + 1,
                date=date(year + 1, 10, 20),
            )
    return household


def evidence_for(step: p.Step, **override: Any) -> dict[str, Any]:
    """Valid evidence for every piece `step` needs."""
    values: dict[str, Any] = {}
    for item in step.evidence:
        values[item.key] = {
            "text": f"{item.label} 第1号",
            "count": 3,
            "votes": {"for": 21, "against": 2, "abstain": 1},
            "rate": "0.01",
            "choice": "assistance",
            "list": {code: True for _, code, _, _ in typical_exit_indicators()},
        }[item.kind]
    values.update(override)
    return values


def assess(
    household: Household,
    year: int,
    per_capita: int,
    *,
    size: int = 2,
    housing_grade: str = "B",
    **indicators: bool,
) -> None:
    """The household's assessment for `year` with `per_capita` net income per person."""
    from decimal import Decimal

    from fupin.registry.models import Assessment

    flags = {"food_ok": True, "clothing_ok": True, "education_ok": True, "medical_ok": True,
             "water_ok": True, **indicators}  # fmt: skip
    Assessment.objects.create(
        household=household, year=year, wage_income=per_capita * size, business_income=0,
        business_cost=0, property_income=0, transfer_income=0, household_size=size,
        net_income_per_capita=Decimal(per_capita), housing_grade=housing_grade, **flags,
    )  # fmt: skip
