"""The back office shows the rollup rows read-only and finds them by code prefix."""

from __future__ import annotations

from django.test import Client

from fupin.stats.services import rollups_refresh
from tests.stats.conftest import V1, V2

STATS = "/admin/stats/regionyearstat/"


def test_rollups_are_listed_by_code_prefix_and_read_only(
    admin_client: Client, registry: dict[str, int]
) -> None:
    # given
    rollups_refresh(year=2016)
    # when
    response = admin_client.get(STATS + "?q=522727100&measure__exact=households")
    # then
    assert response.status_code == 200
    listed = {row.region_code for row in response.context["cl"].result_list}
    assert listed == {"522727100", V1, V2}
    assert admin_client.get(STATS + "add/").status_code == 403
