"""The ledger's API: a household's measures read and recorded, a department's file
imported (every bad cell answered, nothing written), the ledger by type and the gaps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fupin.core.audit import Actor
from fupin.core.tokens import token_create
from fupin.support.models import Measure
from tests.support.test_ledger import YEAR, department, poor, record
from tests.support.test_ledger_file import cells, workbook
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def client(actor: Actor) -> Client:
    assert actor.user is not None
    raw = token_create(user=actor.user, name="test", actor=actor).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def body(**override: Any) -> dict[str, Any]:
    return {"given_on": f"{YEAR}-04-02", "measure_type": "industry", "description": "养牛补助",
            "form": "money", "value": "2000", "provider_kind": "village",
            "provider_name": "京舟村", **override}  # fmt: skip


def post(api: Client, path: str, data: dict[str, Any]) -> Any:
    return api.post(f"/api/v1{path}", json.dumps(data), content_type="application/json")


def test_a_measure_is_recorded_and_read_back(posts: Posts) -> None:  # noqa: F811
    household = poor("H1")
    made = post(client(posts.cadre), f"/households/{household.pk}/measures", body())
    assert made.status_code == 201, made.content
    assert made.json()["year"] == YEAR and made.json()["value"] == "2000.00"
    listed = client(posts.township).get(f"/api/v1/households/{household.pk}/measures").json()
    assert [m["description"] for m in listed] == ["养牛补助"]


def test_a_refused_measure_names_its_field(posts: Posts) -> None:  # noqa: F811
    household = poor("H1")
    answer = post(client(posts.cadre), f"/households/{household.pk}/measures",
                  body(given_on=f"{YEAR - 6}-04-02"))  # fmt: skip
    assert answer.status_code == 400
    assert [e["code"] for e in answer.json()["errors"]] == ["year.out_of_range"]
    assert not Measure.objects.exists()


def test_a_reader_may_not_record_and_another_village_is_not_found(posts: Posts) -> None:  # noqa: F811
    mine, theirs = poor("H1"), poor("H2", village=OTHER_VILLAGE)
    assert (
        post(client(posts.inspector), f"/households/{mine.pk}/measures", body()).status_code == 403
    )
    assert post(client(posts.cadre), f"/households/{theirs.pk}/measures", body()).status_code == 404
    assert client(posts.cadre).get(f"/api/v1/households/{theirs.pk}/measures").status_code == 404
    assert not Measure.objects.exists()


def test_a_file_is_imported_or_refused_with_every_cell(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    poor("H1")
    api = client(department(posts))
    bad = workbook(tmp_path / "bad.xlsx", [cells("H1"), cells("H7")])
    with bad.open("rb") as handle:
        refused = api.post("/api/v1/measures/import", {"file": handle})
    assert refused.status_code == 400
    assert refused.json()["errors"][0] | {"row": 4, "field": "household_no",
                                          "code": "household_no.unknown"} == refused.json()["errors"][0]  # fmt: skip
    good = workbook(tmp_path / "good.xlsx", [cells("H1")])
    with good.open("rb") as handle:
        done = api.post("/api/v1/measures/import", {"file": handle})
    assert done.json() == {"file": "good.xlsx", "measures": 1, "recorded": True}
    assert Measure.objects.count() == 1
    with good.open("rb") as handle:
        inspector = client(posts.inspector).post("/api/v1/measures/import", {"file": handle})
    assert inspector.status_code == 403 and Measure.objects.count() == 1


def test_the_ledger_and_gaps_are_counted_in_the_readers_region(posts: Posts) -> None:  # noqa: F811
    covered, theirs = poor("H1"), poor("H2", village=OTHER_VILLAGE)
    poor("H3")
    record(covered, posts.cadre)
    record(theirs, posts.township, measure_type="training")
    township = client(posts.township).get(f"/api/v1/measures?year={YEAR}").json()
    assert township == [
        {"measure_type": "health", "households": 1, "measures": 1, "value": "800.00"},
        {"measure_type": "training", "households": 1, "measures": 1, "value": "800.00"},
    ]
    village = client(posts.cadre).get(f"/api/v1/measures?year={YEAR}").json()
    assert [row["measure_type"] for row in village] == ["health"]
    gaps = client(posts.township).get(f"/api/v1/measures/gaps?year={YEAR}").json()
    assert gaps == [
        {"village_code": OTHER_VILLAGE, "households": 1},  # training does not answer illness
        {"village_code": VILLAGE, "households": 1},  # H3
    ]
