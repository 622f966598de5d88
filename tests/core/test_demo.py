"""`fupin demo` prepares everything `make demo` serves, and reuses it when run again."""

from __future__ import annotations

import re
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from fupin.core.access import restrict
from fupin.core.audit import Actor
from fupin.core.choices import Role
from fupin.core.management.commands.demo import DEMO_POSTS, demo_users_ensure
from fupin.core.models import Grant
from fupin.monitoring.models import ExitCheck, Visit
from fupin.pairing.models import Assignment, Committee, Posting
from fupin.regions.models import Region
from fupin.registry.models import Assessment, Household
from fupin.support.models import Allocation, Loan, Measure
from fupin.targeting.models import Case

EXPECTED_PREFIXES = {
    "demo-national": "",
    "demo-province": "52",
    "demo-prefecture": "5227",
    "demo-county": "522727",
    "demo-township": "522727100",
    "demo-village-cadre": "522727100218",
    "demo-first-secretary": "522727100218",
    "demo-work-team": "522727100218",
    "demo-paired-cadre": "522727100218",
    "demo-health": "522727",
    "demo-inspector": "522727",
    "demo-evaluator": "522727",
    "demo-administrator": "",
    "demo-household": "522727100218",
}


def _kept(var_dir: Path) -> dict[str, str]:
    lines = (var_dir / "demo_users").read_text().splitlines()
    return dict(line.split("\t", 1) for line in lines)


@pytest.mark.django_db
def test_one_demo_user_per_post_with_a_kept_password(
    settings: SettingsWrapper, tmp_path: Path, villages: list[str], actor: Actor
) -> None:
    # given
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast
    # when
    logins = demo_users_ensure(actor=actor)
    # then: every role has a user, granted over the demo county's chain
    assert {post.role for post in DEMO_POSTS} == set(Role.values)
    kept = _kept(tmp_path)
    assert stat.S_IMODE((tmp_path / "demo_users").stat().st_mode) == 0o600
    users = get_user_model().objects
    for login in logins:
        user = users.get(username=login.username)
        assert user.check_password(kept[login.username]) and login.password == kept[login.username]
        grant = Grant.objects.get(user=user)
        assert grant.region_prefix == EXPECTED_PREFIXES[login.username]
    assert Grant.objects.get(user__username="demo-health").department == "health"
    assert users.get(username="demo-administrator").is_staff
    assert "京舟村村民委员会 522727100218" in {login.scope for login in logins}
    # when run again
    again = demo_users_ensure(actor=actor)
    # then the same passwords, no second grant
    assert [(x.username, x.password) for x in again] == [(x.username, x.password) for x in logins]
    assert Grant.objects.count() == len(DEMO_POSTS)


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_sets_up_once_and_reuses(settings: SettingsWrapper, tmp_path: Path) -> None:
    # given
    settings.VAR_DIR = tmp_path
    out = StringIO()
    # when
    call_command("demo", households=300, stdout=out)
    # then
    assert Region.objects.filter(level=5).count() == 620_573
    households = Household.objects.filter(village_id__gte="522727", village_id__lt="522728")
    assert households.count() == 300
    assert set(Assessment.objects.values_list("year", flat=True)) == set(range(2014, 2021))
    # seven years of procedures: registered in 2014, all exited by the end of 2020
    assert Case.objects.filter(year=2014, kind="identification", outcome="approved").exists()
    assert households.filter(status="exited").exists()
    assert not households.filter(status__in=["registered", "returned"]).exists()
    password = (tmp_path / "admin_password").read_text()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert f"admin / {password}" in out.getvalue()
    assert "http://127.0.0.1:8000/" in out.getvalue()
    # one user per post, printed with its password; each sees its part of the same county
    kept = _kept(tmp_path)
    assert set(kept) == set(EXPECTED_PREFIXES)
    for username, user_password in kept.items():
        assert re.search(rf"\b{username} +{re.escape(user_password)}\n", out.getvalue())
    users = get_user_model().objects
    county_view = restrict(Household.objects.all(), users.get(username="demo-county"), "view")
    assert county_view.count() == 300
    village = Grant.objects.get(user__username="demo-village-cadre").region_prefix
    cadre = users.get(username="demo-village-cadre")
    cadre_view = restrict(Household.objects.all(), cadre, "view")
    assert 0 < cadre_view.count() < 300
    assert set(cadre_view.values_list("village_id", flat=True)) == {village}
    # the county paired by the automatic assignment; the demo cadre sees their households
    on_register = households.filter(status__in=["registered", "returned", "exited"])
    assert Assignment.objects.filter(ended_on=None).count() == on_register.count()
    helper = users.get(username="demo-paired-cadre")
    own = restrict(Household.objects.all(), helper, "view")
    assert own.exists() and set(own.values_list("village_id", flat=True)) == {village}
    # the village has its first secretary and team, visits, and its cards printed
    assert set(Posting.objects.filter(village_id=village).values_list("kind", flat=True)) == {
        "first_secretary",
        "work_team",
    }
    assert Visit.objects.filter(household__village_id=village).exists()
    committee = Committee.objects.get(village_id=village, ended_on__isnull=True)
    assert committee.members.count() == committee.seats >= 5
    assert committee.meetings.count() == 2
    assert (tmp_path / "demo_cards.pdf").read_bytes().startswith(b"%PDF")
    card_url = (tmp_path / "demo_card_url").read_text()
    assert card_url in out.getvalue() and "/card/" in card_url
    # the ledger (with the health department's file), funds, and the completed exit check
    measures = Measure.objects.filter(household__in=households)
    assert measures.filter(year=2016).exists() and measures.filter(year=2020).exists()
    assert (tmp_path / "demo_ledger.xlsx").exists()
    assert measures.filter(provider_name="平塘县卫生健康局", year=2020).exists()
    assert Allocation.objects.filter(to_region_code="522727").exists()
    assert Loan.objects.filter(household__in=households).exists()
    check = ExitCheck.objects.get(county_id="522727")
    assert check.status == "completed" and check.results is not None
    assert check.results["households_surveyed"] > 0
    exit_case = Case.objects.get(kind="county_exit", region_code="522727", year=check.year)
    assert exit_case.outcome in ("approved", "rejected")  # decided by the check's rates
    assert f"check {check.pk}: " in out.getvalue()
    # when run again
    again = StringIO()
    call_command("demo", households=300, stdout=again)
    # then nothing new is made and the same login is printed
    assert households.count() == 300
    assert f"admin / {password}" in again.getvalue()
    assert "simulating" not in again.getvalue()
    assert _kept(tmp_path) == kept
    assert card_url in again.getvalue() and "pairing the county" not in again.getvalue()
    assert "assistance ledger" not in again.getvalue() and "exit check" not in again.getvalue()
    assert ExitCheck.objects.count() == 1
