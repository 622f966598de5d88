"""Audit events: an append-only, hash-chained log of every write."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fupin.core.choices import Department, Role
from fupin.core.fields import CodeField
from fupin.core.rules import AUDITORS, AccessRule


class AuditEvent(models.Model):
    """One write to the system of record (审计事件): who, when, what, before, after, why.

    Events are chained: `hash` covers the event's content and the previous event's hash,
    so an edited or deleted row breaks the chain (see `core.audit.audit_chain_verify`).
    """

    ACCESS = AccessRule("region_code", view=AUDITORS)

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=150, help_text="username or system process")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    region_code = models.CharField(max_length=12, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_id}"


class AuditChainHead(models.Model):
    """The single row that serialises appends to the audit chain and holds its last hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]

    def __str__(self) -> str:
        return f"audit chain head at event {self.last_event_id}"


class Grant(models.Model):
    """A user's post (授权): a role over a region prefix, and a department for departments.

    A grant on a prefix covers every region below it ('' is the nation). A revoked grant
    stays, with its end date, so that past steps can be checked against the posts of the day.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    region_prefix = CodeField(max_length=12, blank=True)
    department = models.CharField(max_length=16, choices=Department.choices, blank=True)
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "role"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region_prefix", "department"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_active_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.DEPARTMENT) | ~models.Q(department=""),
                name="grant_department_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} {self.region_prefix or 'nation'}"


class ApiToken(models.Model):
    """A token a machine client authenticates with (API令牌), owned by one user.

    Only the SHA-256 of the token is stored, with its first characters to tell tokens
    apart; the token itself is shown once, when it is created (`core.tokens`).
    """

    # A token belongs to its owner alone: no grant reaches it through `restrict` (no role
    # may view it there); `core.tokens` serves a user their own tokens.
    ACCESS = AccessRule("", view=frozenset())

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="what the owner calls it")
    prefix = models.CharField(max_length=12, help_text="the token's first characters")
    key_hash = models.CharField(max_length=64, unique=True, help_text="sha256 hex of the token")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_active")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.prefix}… {self.name}"
