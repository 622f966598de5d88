"""Visits (入户走访): logged by the household's cadre or, from the paper log, by the village;
photos checked as images; the overdue lists per cadre, village and township."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.monitoring.models import Visit, VisitPhoto
from fupin.monitoring.queries import overdue_by_cadre, overdue_counts, overdue_households
from fupin.monitoring.services import Photo, VisitError, visit_log
from fupin.pairing.models import Cadre
from fupin.pairing.services import assignment_open
from fupin.registry.models import Household
from tests.pairing.test_services import cadre, poor
from tests.targeting.conftest import Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db
PAIRED_ON = date(2016, 3, 1)


@pytest.fixture
def photo_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "visit_photos"


def jpeg(width: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, 30), (120, 160, 90)).save(out, format="JPEG")
    return out.getvalue()


def helper_with_login(posts: Posts, number: int = 1) -> Cadre:  # noqa: F811
    helper = cadre(posts, number, level="county")
    helper.user = get_user_model().objects.create_user(username=f"helper{number}")
    helper.save()
    grant_add(user=helper.user, role="paired_cadre", region_prefix="522727", actor=posts.county)
    return helper


def pair(posts: Posts, helper: Cadre, number: str = "H1") -> Household:  # noqa: F811
    household = poor(number)
    assignment_open(cadre=helper, household=household, on=PAIRED_ON, actor=posts.county)
    return household


def test_the_cadre_logs_a_visit_with_photos(posts: Posts, photo_dir: Path) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    household = pair(posts, helper)
    visit = visit_log(
        household=household, on=date(2016, 4, 2), found="母亲腿疾复发，缺少劳力",
        agreed="联系村医上门；申请公益性岗位", actor=Actor.of(helper.user),
        latitude=Decimal("25.830512"), longitude=Decimal("107.323411"),
        photos=[Photo("门口.jpg", jpeg()), Photo("屋内.jpg", jpeg(60))],
    )  # fmt: skip
    assert (visit.cadre_id, visit.household_id) == (helper.pk, household.pk)
    photos = list(VisitPhoto.objects.filter(visit=visit))
    assert [p.content_type for p in photos] == ["image/jpeg", "image/jpeg"]
    assert all((photo_dir / p.image.name).exists() for p in photos)
    event = AuditEvent.objects.get(action="visit.log")
    assert event.after["photos"] == 2 and event.region_code == household.village_id


def test_a_bad_photo_refuses_the_whole_visit(posts: Posts, photo_dir: Path) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    household = pair(posts, helper)
    with pytest.raises(VisitError) as refused:
        visit_log(household=household, on=date(2016, 4, 2), found="在家", actor=Actor.of(helper.user),
                  photos=[Photo("a.jpg", jpeg()), Photo("b.jpg", b"<html>not a photo</html>")])  # fmt: skip
    assert refused.value.code == "photo_invalid" and "b.jpg" in str(refused.value)
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()
    assert not photo_dir.exists() or not any(photo_dir.rglob("*.*"))


def test_who_may_log_a_visit(posts: Posts, photo_dir: Path) -> None:  # noqa: F811
    helper, other = helper_with_login(posts, 1), helper_with_login(posts, 2)
    household = pair(posts, helper)
    with pytest.raises(VisitError) as stranger:  # another cadre, not paired with it
        visit_log(household=household, on=date(2016, 4, 2), found="x", actor=Actor.of(other.user))
    assert stranger.value.code == "role_not_allowed"
    with pytest.raises(VisitError) as unnamed:  # the village must say whose visit it enters
        visit_log(household=household, on=date(2016, 4, 2), found="x", actor=posts.cadre)
    assert unnamed.value.code == "cadre_missing"
    with pytest.raises(VisitError) as too_early:
        visit_log(household=household, on=date(2016, 1, 2), found="x", actor=posts.cadre,
                  cadre=helper)  # fmt: skip
    assert too_early.value.code == "not_paired_then"
    with pytest.raises(VisitError) as outside:
        visit_log(household=household, on=date(2016, 4, 2), found="x", actor=posts.other_cadre,
                  cadre=helper)  # fmt: skip
    assert outside.value.code == "role_not_allowed"
    visit_log(household=household, on=date(2016, 4, 2), found="在家", actor=posts.cadre,
              cadre=helper)  # fmt: skip
    assert Visit.objects.count() == 1 and AuditEvent.objects.filter(action="visit.log").count() == 1


def test_overdue_lists_by_cadre_village_and_township(posts: Posts) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    visited, forgotten, never = (pair(posts, helper, n) for n in ("H1", "H2", "H3"))
    on = date(2016, 6, 30)
    visit_log(household=visited, on=on - timedelta(days=10), found="在家", actor=posts.cadre,
              cadre=helper)  # fmt: skip
    visit_log(household=forgotten, on=on - timedelta(days=31), found="在家", actor=posts.cadre,
              cadre=helper)  # fmt: skip
    late = overdue_households(user=posts.county.user, on=on)
    assert {h.pk for h in late} == {forgotten.pk, never.pk}
    since = {h.pk: h.since for h in late}  # type: ignore[attr-defined]
    assert since == {forgotten.pk: on - timedelta(days=31), never.pk: PAIRED_ON}
    assert overdue_by_cadre(user=posts.county.user, on=on) == [(helper.pk, 2)]
    assert overdue_counts(user=posts.township.user, on=on, by="township") == [("522727100", 2)]
    assert overdue_counts(user=posts.other_cadre.user, on=on) == []
    # on the 30th day after the visit it is not yet overdue
    assert forgotten.pk not in {
        h.pk for h in overdue_households(user=posts.county.user, on=on - timedelta(days=1))
    }


def test_a_province_sets_its_own_interval(posts: Posts) -> None:  # noqa: F811
    from fupin.policy.services import policy_set

    helper = helper_with_login(posts)
    household = pair(posts, helper)
    on = date(2016, 6, 30)
    visit_log(household=household, on=on - timedelta(days=20), found="在家", actor=posts.cadre,
              cadre=helper)  # fmt: skip
    assert not overdue_households(user=posts.county.user, on=on).exists()
    policy_set(name="visit_interval_days", value=Decimal(14), year=None, province="52",
               source="test", verified=True, actor=posts.national)  # fmt: skip
    assert list(overdue_households(user=posts.county.user, on=on)) == [household]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(days_ago=st.integers(min_value=0, max_value=90))
def test_overdue_iff_the_last_visit_is_older_than_the_interval(
    posts: Posts,  # noqa: F811
    days_ago: int,
) -> None:
    Visit.objects.all().delete()
    helper = Cadre.objects.first() or helper_with_login(posts)
    household = Household.objects.filter(household_no="HP").first() or pair(posts, helper, "HP")
    on = date(2016, 6, 30)
    visit_log(household=household, on=on - timedelta(days=days_ago), found="在家",
              actor=posts.cadre, cadre=helper)  # fmt: skip
    late = overdue_households(user=posts.county.user, on=on).exists()
    assert late == (days_ago > 30)


def test_the_cli_lists_and_logs(posts: Posts, capsys: Any) -> None:  # noqa: F811
    helper = helper_with_login(posts)
    household = pair(posts, helper)
    call_command("visits", "overdue", "--by", "village", "--on", "2016-06-30",
                 "--as", posts.county.user.username)  # fmt: skip
    assert household.village_id in capsys.readouterr().out
    call_command("visits", "log", "--household", str(household.pk), "--cadre", str(helper.pk),
                 "--on", "2016-06-29", "--found", "在家", "--as", posts.cadre.user.username)  # fmt: skip
    assert Visit.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("visits", "log", "--household", str(household.pk), "--on", "2016-06-29",
                     "--found", "x", "--as", posts.other_cadre.user.username)  # fmt: skip
    assert Visit.objects.count() == 1
