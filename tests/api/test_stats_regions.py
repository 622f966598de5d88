"""Rollups and the division tree through the API, each within the user's scope."""

from __future__ import annotations

import pytest

from fupin.stats.queries import region_stats
from fupin.stats.services import rollups_refresh_years
from tests.api.conftest import ApiClient
from tests.stats.conftest import YEARS, registry

__all__ = ["registry"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def rollups(registry: dict[str, int]) -> None:
    rollups_refresh_years(years=YEARS)


@pytest.mark.parametrize(
    ("post", "code"),
    [("county", "522727"), ("county", "522727100212"), ("province", "52"),
     ("national", "nation"), ("cadre", "522727100218"), ("evaluator", "nation")],
)  # fmt: skip
def test_stats_in_scope(api_client: ApiClient, rollups: None, post: str, code: str) -> None:
    response = api_client(post).get(f"/api/v1/stats/{code}", {"year": 2016})
    assert response.status_code == 200
    expected = region_stats(region="" if code == "nation" else code, year=2016)
    body = response.json()
    assert body["measures"] == expected["measures"]
    assert body["region"] == expected["region"] and body["year"] == 2016
    assert body["breakdowns"] == expected["breakdowns"]


@pytest.mark.parametrize(
    ("post", "code"),
    [("county", "52"), ("county", "nation"), ("cadre", "522727100212"), ("cadre", "522727")],
)
def test_stats_out_of_scope_is_the_same_404_as_missing(
    api_client: ApiClient, rollups: None, post: str, code: str
) -> None:
    client = api_client(post)
    forbidden = client.get(f"/api/v1/stats/{code}", {"year": 2016})
    no_year = client.get("/api/v1/stats/522727100218", {"year": 2030})
    missing = client.get("/api/v1/stats/530000", {"year": 2016})
    assert forbidden.status_code == missing.status_code == no_year.status_code == 404
    assert forbidden.content == missing.content == no_year.content
    series = client.get(f"/api/v1/stats/{code}/series", {"years": "2014-2016"})
    assert series.status_code == 404 and series.content == forbidden.content


def test_stats_series(api_client: ApiClient, rollups: None) -> None:
    county = api_client("county")
    body = county.get("/api/v1/stats/522727/series", {"years": "2013-2020"}).json()
    assert [row["year"] for row in body] == [2014, 2015, 2016]
    assert body[0]["measures"] == region_stats(region="522727", year=2014)["measures"]
    assert [row["year"] for row in county.get("/api/v1/stats/522727/series",
                                              {"years": "2015"}).json()] == [2015]  # fmt: skip
    for years in ("2016-2014", "1900-2100", "20x4"):
        response = county.get("/api/v1/stats/522727/series", {"years": years})
        assert response.status_code in (404, 422)
        assert response.json()["code"] in ("not_found", "invalid")


def test_a_region_and_its_children(api_client: ApiClient, posts: object) -> None:
    county = api_client("county").get("/api/v1/regions/522727").json()
    assert (county["name"], county["parent_code"]) == ("平塘县", "5227")
    assert [child["code"] for child in county["children"]] == ["522727100"]
    township = api_client("township").get("/api/v1/regions/522727100").json()
    assert [child["code"] for child in township["children"]] == ["522727100212", "522727100218"]
    nation = api_client("national").get("/api/v1/regions/nation").json()
    assert [child["code"] for child in nation["children"]] == ["52"]


@pytest.mark.parametrize(("post", "code"), [("county", "52"), ("county", "nation"),
                                            ("cadre", "522727100"), ("other_cadre", "522727100218")])  # fmt: skip
def test_a_region_out_of_scope_is_the_same_404_as_missing(
    api_client: ApiClient, posts: object, post: str, code: str
) -> None:
    client = api_client(post)
    forbidden = client.get(f"/api/v1/regions/{code}")
    missing = client.get("/api/v1/regions/110000")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_a_malformed_region_code_is_invalid(api_client: ApiClient, posts: object) -> None:
    response = api_client("county").get("/api/v1/regions/5227x7")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
