"""The back office: browsing regions read-only, recording designations through the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.regions.admin import UnderPrefixFilter
from fupin.regions.models import PoorAreaDesignation, Region
from fupin.regions.services import poor_area_designate, regions_load
from tests.regions.editions import Edition

pytestmark = pytest.mark.django_db

REGIONS = "/admin/regions/region/"
DESIGNATIONS = "/admin/regions/poorareadesignation/"


@pytest.fixture
def qiannan_loaded(actor: Actor, qiannan: Edition, tmp_path: Path) -> Edition:
    regions_load(source=qiannan.write(tmp_path / "2023"), only=None, edition=2023, actor=actor)
    return qiannan


def listed(client: Client, query: str) -> set[str]:
    response = client.get(REGIONS + query)
    assert response.status_code == 200
    return {region.code for region in response.context["cl"].result_list}


def test_under_prefix_filter_shows_the_subtree(
    admin_client: Client, qiannan_loaded: Edition
) -> None:
    # when
    codes = listed(admin_client, "?under=522727&level__exact=4")

    # then
    assert codes == {
        code for code in qiannan_loaded.codes() if len(code) == 9 and code.startswith("522727")
    }


def test_under_prefix_filter_offers_the_path_and_the_children(
    admin_client: Client, qiannan_loaded: Edition
) -> None:
    # when
    response = admin_client.get(REGIONS + "?under=522727")

    # then
    under = next(
        spec for spec in response.context["cl"].filter_specs if isinstance(spec, UnderPrefixFilter)
    )
    offered = {code for code, _ in under.lookup_choices}
    assert {"52", "5227", "522727", "522727100"} <= offered
    assert "522701" not in offered


def test_search_by_code_prefix_and_by_name(admin_client: Client, qiannan_loaded: Edition) -> None:
    expected = {code for code in qiannan_loaded.codes() if code.startswith("5227271002")}
    assert 0 < len(expected) < 50  # one page
    assert listed(admin_client, "?q=5227271002") == expected
    assert listed(admin_client, "?q=平舟镇") == {"522727100"}


def test_retired_filter(admin_client: Client, qiannan_loaded: Edition) -> None:
    # given
    retired, current = qiannan_loaded.frames["villages"].get_column("code")[:2]
    Region.objects.filter(code=retired).update(retired_in=2024)

    # when
    shown_retired = listed(admin_client, "?retired=yes")
    shown_current = listed(admin_client, f"?retired=no&under={current[:9]}")

    # then
    assert shown_retired == {retired}
    assert current in shown_current
    assert retired not in shown_current


def test_regions_cannot_be_added_changed_or_deleted(
    admin_client: Client, qiannan_loaded: Edition
) -> None:
    # when
    add = admin_client.get(REGIONS + "add/")
    change = admin_client.post(REGIONS + "522727/change/", {"name": "改名"})
    delete = admin_client.post(REGIONS + "522727/delete/", {"post": "yes"})

    # then
    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert Region.objects.get(code="522727").name == "平塘县"


def test_designation_added_in_the_admin_goes_through_the_service(
    admin_client: Client, qiannan_loaded: Edition
) -> None:
    # when
    response = admin_client.post(
        DESIGNATIONS + "add/",
        {"region": "522727", "kind": "county", "designated_year": "2014", "note": ""},
    )

    # then
    assert response.status_code == 302
    assert PoorAreaDesignation.objects.get().region_id == "522727"
    event = AuditEvent.objects.get(action="poor_area.designate")
    assert event.actor_label == "admin"


def test_designation_that_breaks_a_rule_shows_the_reason(
    admin_client: Client, qiannan_loaded: Edition
) -> None:
    # when
    response = admin_client.post(
        DESIGNATIONS + "add/",
        {"region": "522727100", "kind": "county", "designated_year": "2014", "note": ""},
    )

    # then
    assert response.status_code == 200
    assert "a county designation needs a level-3 code" in response.content.decode()
    assert not PoorAreaDesignation.objects.exists()


def test_lift_in_the_admin_goes_through_the_service(
    admin_client: Client, qiannan_loaded: Edition, actor: Actor
) -> None:
    # given
    designation = poor_area_designate(
        region_code="522727", kind="county", designated_year=2014, actor=actor
    )

    # when
    response = admin_client.post(f"{DESIGNATIONS}{designation.pk}/change/", {"lifted_year": "2019"})

    # then
    assert response.status_code == 302
    assert PoorAreaDesignation.objects.get().lifted_year == 2019
    assert AuditEvent.objects.get(action="poor_area.lift").after == {"lifted_year": 2019}
