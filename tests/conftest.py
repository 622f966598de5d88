"""Shared fixtures."""

from __future__ import annotations

import pytest

from fupin.core.audit import Actor

# A real chain of 平塘县 (Guizhou, a western province) down to one villagers' committee.
PINGTANG_CHAIN = [
    ("52", "贵州省", 1, ""),
    ("5227", "黔南布依族苗族自治州", 2, ""),
    ("522727", "平塘县", 3, ""),
    ("522727100", "平舟镇", 4, "rural"),
    ("522727100218", "京舟村村民委员会", 5, "rural"),
    ("522727100212", "拉全村村民委员会", 5, "rural"),
]


@pytest.fixture(autouse=True)
def launched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the jobs whose worker would have been launched: no test starts a detached
    worker unless it asks to (`tests/jobs` `real_launch`), since a worker with the
    developer's environment would open the developer's database."""
    from fupin.jobs import services

    ids: list[int] = []
    monkeypatch.setattr(services, "job_launch", lambda *, job_id: ids.append(job_id))
    return ids


@pytest.fixture
def policy_seeded(transactional_db: None) -> None:
    """The policy the migrations seed, back in place for a transactional test: the tables
    are emptied after each such test, and a serialized rollback clashes with the content
    types Django recreates after a flush."""
    import importlib
    import pkgutil

    from django.apps import apps

    from fupin.policy import migrations
    from fupin.policy.models import PolicyValue

    if PolicyValue.objects.exists():
        return
    for module in sorted(info.name for info in pkgutil.iter_modules(migrations.__path__)):
        migration = importlib.import_module(f"{migrations.__name__}.{module}")
        if hasattr(migration, "seed"):
            migration.seed(apps, None)


@pytest.fixture
def actor() -> Actor:
    return Actor(None, "test-operator")


@pytest.fixture
def villages(db: None) -> list[str]:
    """The region chain of two real villages of 平塘县; returns the village codes."""
    from fupin.regions.models import Region

    parent = None
    for code, name, level, kind in PINGTANG_CHAIN:
        region = Region.objects.create(
            code=code, name=name, level=level, kind=kind, parent=parent if level < 5 else None,
            is_western=True, edition=2023,
        )  # fmt: skip
        if level < 5:
            parent = region
        else:
            region.parent_id = "522727100"
            region.save()
    return [code for code, _, level, _ in PINGTANG_CHAIN if level == 5]


@pytest.fixture
def national_office(db: None, actor: Actor) -> str:
    """A user of the national office (a national grant); returns the username."""
    from django.contrib.auth import get_user_model

    from fupin.core.access import grant_add

    user = get_user_model().objects.create_user(username="national-office")
    grant_add(user=user, role="national", region_prefix="", actor=actor)
    return user.get_username()
