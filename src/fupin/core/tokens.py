"""API tokens (API令牌) for machine clients: created, listed and revoked by their owner.

A token is `secrets.token_urlsafe(32)`; only its SHA-256 is stored, with its first
characters (`prefix`) so that the owner can tell tokens apart. The token itself is
returned once, by `token_create`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.models import ApiToken

TOKEN_BYTES = 32
PREFIX_LENGTH = 8
# Writing last_used_at on every request would turn each read into a write; once a minute
# is enough to tell a live token from a forgotten one.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenCreated:
    """A token just created: its row, and the token itself (`raw`), shown this once."""

    token: ApiToken
    raw: str


def token_create(
    *, user: AbstractBaseUser, name: str, actor: Actor, expires_at: datetime | None = None
) -> TokenCreated:
    """Create a token for `user`; the token itself is returned once and never stored."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=user.pk, name=name.strip(), prefix=raw[:PREFIX_LENGTH],
            key_hash=token_hash(raw), created_at=timezone.now(), expires_at=expires_at,
        )  # fmt: skip
        audit_record(actor=actor, spec=_token_event("api_token.create", token))
    return TokenCreated(token, raw)


def token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Revoke a token; it stays on record with its end date and no longer authenticates."""
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, spec=_token_event("api_token.revoke", token))
    return token


def tokens_active(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's own tokens that still authenticate, newest first."""
    return (
        ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by("-created_at", "-id")
    )


def token_user(*, raw: str) -> AbstractBaseUser | None:
    """The active user a presented token belongs to, or None (unknown, revoked, expired)."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _token_event(action: str, token: ApiToken) -> EventSpec:
    return EventSpec(
        action=action, object_type="api_token", object_id=str(token.pk),
        after={"user": token.user_id, "name": token.name, "prefix": token.prefix},
    )  # fmt: skip
