"""Reads of the pairing app: the households that lack a paired cadre (结对缺口)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Substr

from fupin.core.access import UserLike, restrict
from fupin.pairing.models import Assignment
from fupin.pairing.services import PAIRED_STATUSES
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household


def unpaired_households(*, user: UserLike, prefix: str = "") -> QuerySet[Household]:
    """Households on the register (the exited through the transition) under `prefix` that the
    user may view and that have no open primary assignment."""
    paired = Assignment.objects.filter(
        household=OuterRef("pk"), primary=True, ended_on__isnull=True
    )
    households = restrict(Household.objects.all(), user, "view").filter(
        code_prefix_q(prefix, "village_id"), status__in=PAIRED_STATUSES
    )
    return households.filter(~Exists(paired))


def pairing_gaps(
    *, user: UserLike, prefix: str = "", level_length: int = 9
) -> list[tuple[str, int]]:
    """(region, unpaired households) at one level (9: township, 6: county), most first:
    what a township or county office must still pair."""
    gaps = (
        unpaired_households(user=user, prefix=prefix)
        .annotate(region=Substr("village_id", 1, level_length))
        .values("region")
        .annotate(households=Count("id"))
        .order_by("-households", "region")
    )
    return [(row["region"], row["households"]) for row in gaps]
