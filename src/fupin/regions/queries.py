"""Reads over the division tree; a scope is a code prefix (ARCHITECTURE.md, idea 1)."""

from __future__ import annotations

from django.db.models import Q


def prefix_upper_bound(prefix: str) -> str:
    """Return the smallest string above every code that starts with the digit string `prefix`.

    `code >= prefix AND code < prefix_upper_bound(prefix)` is a half-open range that an
    ordinary btree index serves, the same on SQLite and PostgreSQL. The empty prefix is the
    nation: every code lies below ':'.
    """
    if not prefix:
        return ":"
    if not prefix.isdigit():
        raise ValueError(f"a region prefix is digits only: {prefix!r}")
    # Codes are ASCII digits, so ':' (the character after '9') bounds every continuation.
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def code_prefix_q(prefix: str, field: str = "code") -> Q:
    """A filter for rows whose `field` (a region code) lies under `prefix`."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix_upper_bound(prefix)})
