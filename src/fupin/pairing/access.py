"""The paired cadre's own rows, for `core.access.restrict` (see `core.rules.paired`)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from fupin.pairing.models import Assignment


def paired_households(user: AbstractBaseUser, field: str) -> Q:
    """Rows whose household (`field`) the user answers for today by an open assignment."""
    households = Assignment.objects.filter(cadre__user_id=user.pk, ended_on__isnull=True)
    return Q(**{f"{field}__in": households.values("household_id")})
