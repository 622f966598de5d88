"""`fupin demo` prepares everything `make demo` serves, and reuses it when run again."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from fupin.regions.models import Region
from fupin.registry.models import Assessment, Household
from fupin.targeting.models import Case


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
    # when run again
    again = StringIO()
    call_command("demo", households=300, stdout=again)
    # then nothing new is made and the same login is printed
    assert households.count() == 300
    assert f"admin / {password}" in again.getvalue()
    assert "simulating" not in again.getvalue()
