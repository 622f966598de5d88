"""A cadre's own evaluation rows, for `core.access.restrict` (`Own` in the models' rules)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q


def own_cadre_rows(user: AbstractBaseUser, field: str) -> Q:
    """Rows about the cadre whose login is `user` (`field` holds that cadre's user id)."""
    return Q(**{field: user.pk})
