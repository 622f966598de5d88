"""Who reads the support app's figures: a user through the access choke point, or the
operator at the command line, who reads every region (`fupin funds|credit|relocation`
without `--as`).

The region figures (a reconciliation, rates, progress) are given only for a region the
reader's posts cover whole, never a silently partial sum; anything else is the same 404
as a region that does not exist.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.http import Http404

from fupin.core.access import ModelT, UserLike, access_get, access_rule, restrict, roles_at


class Operator:
    """The operator of this machine at the command line: reads every region."""


OPERATOR = Operator()
Reader = UserLike | Operator


def readable(queryset: QuerySet[ModelT], user: Reader) -> QuerySet[ModelT]:
    """`queryset` as the reader may see it (`restrict` for a user, all for the operator)."""
    return queryset if isinstance(user, Operator) else restrict(queryset, user, "view")


def readable_one(queryset: QuerySet[ModelT], user: Reader, *, what: str, **lookup: Any) -> ModelT:
    """The one row of `lookup` the reader may see; missing and forbidden alike answer 404."""
    if not isinstance(user, Operator):
        return access_get(queryset, user, "view", **lookup)
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(f"no {what} here")
    return found


def region_covered(
    user: Reader, region: str, *, levels: Collection[int], model: type[Model], what: str
) -> None:
    """Http404 unless `region` is a code of one of `levels` (its length) and the reader's
    posts cover it whole with a role that reads `model`."""
    if len(region) not in levels or (region and not region.isdigit()):
        raise Http404(f"{what} are counted for a region code of {sorted(levels)} digits")
    if isinstance(user, Operator):
        return
    holder = user if isinstance(user, AbstractBaseUser) else None
    if not roles_at(holder, region) & access_rule(model).view:
        raise Http404(f"no {what} here")
