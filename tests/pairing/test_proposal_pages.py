"""Automatic pairing proposals through the pages and the API: proposed for approval by the
county or township, applied or discarded there, read by the village, unseen elsewhere."""

from __future__ import annotations

import json

import pytest

from fupin.pairing.models import Assignment, AssignmentProposal
from tests.pairing.test_api import client as api_client
from tests.pairing.test_proposals import cadre, poor
from tests.targeting.conftest import VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_township_proposes_reads_and_applies(posts: Posts) -> None:  # noqa: F811
    helper = cadre(posts, 1, "village", VILLAGE)
    households = [poor(f"P{n}") for n in range(3)]
    township = posts.client("township")
    made = township.post("/pairing/proposals/", {"region": "522727100", "starts_on": "2016-04-01"})
    assert made.status_code == 302
    proposal = AssignmentProposal.objects.get()
    page = township.get(f"/pairing/proposals/{proposal.pk}/").content.decode()
    assert households[0].household_no in page and helper.name in page and "批准并执行" in page
    assert not Assignment.objects.exists()  # nothing is paired before approval
    county = posts.client("county").get(f"/pairing/proposals/{proposal.pk}/").content.decode()
    assert helper.name in county  # the county above reads it
    # a proposal covers the township: a village post sees its households' assignments once
    # applied, not the township's proposal
    assert posts.client("cadre").get(f"/pairing/proposals/{proposal.pk}/").status_code == 404
    assert (
        posts.client("cadre")
        .post(f"/pairing/proposals/{proposal.pk}/decision/", {"decision": "apply"})
        .status_code
        == 404
    )
    assert posts.client("other_cadre").get(f"/pairing/proposals/{proposal.pk}/").status_code == 404
    township.post(f"/pairing/proposals/{proposal.pk}/decision/", {"decision": "apply"})
    assert Assignment.objects.filter(cadre=helper, ended_on=None).count() == 3
    assert "已结对 3 户" in township.get(f"/pairing/proposals/{proposal.pk}/").content.decode()


def test_a_refused_proposal_is_explained_in_the_page(posts: Posts) -> None:  # noqa: F811
    answer = posts.client("township").post("/pairing/proposals/", {"region": "522727100"})
    assert answer.status_code == 400 and "every household under 522727100 is paired" in (
        answer.content.decode()
    )
    village = posts.client("cadre").post("/pairing/proposals/", {"region": VILLAGE})
    assert village.status_code == 400 and not AssignmentProposal.objects.exists()


def test_the_api_proposes_and_discards(posts: Posts) -> None:  # noqa: F811
    cadre(posts, 1, "village", VILLAGE)
    poor("P1")
    api = api_client(posts, "county")
    made = api.post("/api/v1/pairing/proposals", json.dumps({"region": "522727",
                    "starts_on": "2016-04-01"}), content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["households_matched"] == 1 and body["summary"]["matched"]["village"] == 1
    read = api.get(f"/api/v1/pairing/proposals/{body['id']}").json()
    assert read["status"] == "proposed"
    gone = api.post(f"/api/v1/pairing/proposals/{body['id']}/discard")
    assert gone.status_code == 200 and gone.json()["status"] == "discarded"
    again = api.post(f"/api/v1/pairing/proposals/{body['id']}/apply")
    assert again.status_code == 409 and again.json()["code"] == "not_proposed"
    assert not Assignment.objects.exists()
