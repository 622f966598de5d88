"""API tokens: created once, stored hashed, listed and revoked by their owner alone."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from fupin.core.models import ApiToken, AuditEvent
from tests.api.conftest import ApiClient
from tests.targeting.conftest import Posts

pytestmark = pytest.mark.django_db


def test_token_lifecycle_and_hashing(api_client: ApiClient, posts: Posts) -> None:
    # given a county user authenticated with a first token
    county = api_client("county")

    # when they create a second token
    created = county.post("/api/v1/tokens", {"name": "报表脚本"}, content_type="application/json")

    # then the token is shown once, only its hash is stored, and it authenticates
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert body["prefix"] == raw[:8] == stored.prefix
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(stored.pk)).exists()
    second = Client(headers={"Authorization": f"Bearer {raw}"})
    listed = second.get("/api/v1/tokens")
    assert listed.status_code == 200
    assert "token" not in listed.json()[0]
    assert {row["name"] for row in listed.json()} == {"county test", "报表脚本"}

    # when it is revoked, it no longer authenticates and is no longer listed
    assert county.delete(f"/api/v1/tokens/{stored.pk}").status_code == 204
    assert second.get("/api/v1/tokens").status_code == 401
    assert [row["name"] for row in county.get("/api/v1/tokens").json()] == ["county test"]
    assert ApiToken.objects.get(pk=stored.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(stored.pk)).exists()


def test_another_users_token_is_not_found(api_client: ApiClient) -> None:
    cadre = api_client("cadre")
    county = api_client("county")
    theirs = cadre.get("/api/v1/tokens").json()[0]["id"]

    other = county.delete(f"/api/v1/tokens/{theirs}")
    missing = county.delete("/api/v1/tokens/987654321")

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert other.json()["code"] == "not_found"
    assert ApiToken.objects.get(pk=theirs).revoked_at is None


@pytest.mark.parametrize(
    "header",
    [None, "Bearer not-a-token", "Token abc", "Bearer "],
)
def test_without_a_valid_token_401_as_json(posts: Posts, header: str | None) -> None:
    client = Client(headers={"Authorization": header} if header else {})
    response = client.get("/api/v1/households")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_does_not_authenticate(api_client: ApiClient) -> None:
    county = api_client("county")
    raw = county.post("/api/v1/tokens", {"name": "short", "expires_in_days": 1},
                      content_type="application/json").json()["token"]  # fmt: skip
    ApiToken.objects.filter(name="short").update(expires_at="2001-01-01T00:00:00Z")
    assert (
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/tokens").status_code == 401
    )


def test_a_blank_token_name_is_invalid(api_client: ApiClient) -> None:
    response = api_client("county").post(
        "/api/v1/tokens", {"name": "  "}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["loc"][-1] == "name"
