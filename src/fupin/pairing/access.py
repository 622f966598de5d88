"""The paired cadre's own rows, for `core.access.restrict` (see `core.rules.paired`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from fupin.core.access import roles_at
from fupin.core.choices import Role
from fupin.core.rules import KEEPERS
from fupin.pairing.models import Assignment


def paired_households(user: AbstractBaseUser, field: str) -> Q:
    """Rows whose household (`field`) the user answers for today by an open assignment."""
    households = Assignment.objects.filter(cadre__user_id=user.pk, ended_on__isnull=True)
    return Q(**{f"{field}__in": households.values("household_id")})


def printer_allowed(user: AbstractBaseUser, village: str, household_ids: Iterable[int]) -> bool:
    """Whether the user prints these households' contact cards: the keepers of the village
    print its cards; a paired cadre prints the cards of their own households."""
    roles = roles_at(user, village)
    if roles & KEEPERS:
        return True
    if Role.PAIRED_CADRE not in roles:
        return False
    wanted = set(household_ids)
    own = Assignment.objects.filter(
        cadre__user_id=user.pk, ended_on__isnull=True, household_id__in=wanted
    ).values_list("household_id", flat=True)
    return set(own) >= wanted
