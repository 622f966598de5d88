"""The back office shows the rollup rows read-only and finds them by code prefix."""

from __future__ import annotations

from django.test import Client

from fupin.stats.services import rollups_refresh
from tests.stats.conftest import V1, V2

TOTALS = "/admin/stats/regionyearstat/"
BREAKDOWNS = "/admin/stats/regionyearbreakdown/"


def test_rollups_are_listed_by_code_prefix_and_read_only(
    admin_client: Client, registry: dict[str, int]
) -> None:
    # given
    rollups_refresh(year=2016)
    # when
    totals = admin_client.get(TOTALS + "?q=522727100&level__exact=5")
    breakdowns = admin_client.get(
        BREAKDOWNS + "?q=522727100&measure__exact=registered_households_by_category"
    )
    # then
    assert totals.status_code == breakdowns.status_code == 200
    listed = {row.region_code for row in totals.context["cl"].result_list}
    assert listed == {V1, V2}
    keys = {(row.region_code, row.key) for row in breakdowns.context["cl"].result_list}
    assert keys == {
        ("522727100", "dibao"), ("522727100", "tekun"), ("522727100", "unspecified"),
        (V1, "dibao"), (V2, "tekun"), (V2, "unspecified"),
    }  # fmt: skip
    for page in (TOTALS, BREAKDOWNS):
        assert admin_client.get(page + "add/").status_code == 403
