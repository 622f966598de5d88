"""Clients of the API for the posts of 平塘县, and households to read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.core.tokens import token_create
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member
from tests.targeting.conftest import OTHER_VILLAGE, Posts, household_make, posts

__all__ = ["posts"]

ApiClient = Callable[[str], Client]


@pytest.fixture
def health_department(posts: Posts, actor: Actor) -> Actor:
    """A county health department user (sees health, not personal numbers)."""
    user = get_user_model().objects.create_user(username="health")
    grant_add(user=user, role="department", region_prefix="522727", department="health",
              actor=actor)  # fmt: skip
    return Actor.of(user)


@pytest.fixture
def api_client(posts: Posts, health_department: Actor) -> ApiClient:
    """A test client that authenticates as the named post with a bearer token."""
    actors = {**posts.actors, "health": health_department}

    def client_for(name: str) -> Client:
        user = actors[name].user
        assert user is not None
        raw = token_create(user=user, name=f"{name} test", actor=actors[name]).raw
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return client_for


def member_make(household: Household, relation: str, sex: str, birth: date, sequence: int,
                **fields: object) -> Member:  # fmt: skip
    """A member with a valid ID number agreeing with sex and birth date."""
    values = {"name": f"成员{sequence}", "ethnicity": "布依族", "health": "healthy",
              "education": "junior", "labor": "ordinary", **fields}  # fmt: skip
    return Member.objects.create(
        household=household, relation=relation, sex=sex, birth_date=birth,
        id_number=id_make("522727", birth, sequence), **values,
    )  # fmt: skip


@pytest.fixture
def homes(posts: Posts) -> dict[str, Household]:
    """A registered household in VILLAGE with a chronically ill head, and one next door."""
    home = household_make("5227271002180001", status="registered")
    home.phone, home.bank_account, home.category, home.main_cause = (
        "13812345678",
        "6228480012345678901",
        "general",
        "illness",
    )
    home.save()
    member_make(home, "head", "M", date(1970, 3, 4), 11, name="王老三", health="chronic")
    member_make(home, "spouse", "F", date(1972, 5, 6), 12, name="李秀英")
    neighbour = household_make("5227271002120001", village=OTHER_VILLAGE)
    member_make(neighbour, "head", "F", date(1960, 1, 2), 22, name="张桂花")
    return {"home": home, "neighbour": neighbour}


@pytest.fixture(autouse=True)
def api_urls(settings: pytest.FixtureRequest) -> None:
    """Serve the API alone (see tests/api/urls.py)."""
    settings.ROOT_URLCONF = "tests.api.urls"  # type: ignore[attr-defined]
