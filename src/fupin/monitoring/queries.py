"""Reads of monitoring: a household's visits, and the households whose visit is overdue.

A household on the register (the exited through the transition) with an open primary
assignment is overdue on a day when its last visit — or, never visited, the day
the assignment started — lies more than the policy's `visit_interval_days` before that
day (a month by default; a province may set its own).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, DateField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr

from fupin.core.access import UserLike, restrict
from fupin.monitoring.models import Visit
from fupin.pairing.models import Assignment
from fupin.pairing.services import PAIRED_STATUSES
from fupin.policy.models import PolicyValue
from fupin.policy.queries import policy_value
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household

INTERVAL = "visit_interval_days"
LEVEL_LENGTHS = {"county": 6, "township": 9, "village": 12}


def household_visits(*, user: UserLike, household: Household) -> QuerySet[Visit]:
    """The household's visits the user may see, newest first, with the cadre."""
    return (
        restrict(Visit.objects.filter(household=household), user, "view")
        .select_related("cadre")
        .prefetch_related("photos")
        .order_by("-visited_on", "-id")
    )


def visit_intervals(*, year: int, prefix: str = "") -> tuple[int, dict[str, int]]:
    """The national interval and the provinces' own, in days."""
    national = int(policy_value(INTERVAL, year=year).value)
    provinces = (
        PolicyValue.objects.filter(name=INTERVAL)
        .exclude(province="")
        .values_list("province", flat=True)
        .distinct()
    )
    own = {}
    for province in provinces:
        if prefix and not (province.startswith(prefix) or prefix.startswith(province)):
            continue
        own[province] = int(policy_value(INTERVAL, year=year, province=province).value)
    return national, own


def overdue_households(*, user: UserLike, on: date, prefix: str = "") -> QuerySet[Household]:
    """Households in the user's view under `prefix` whose paired cadre's visit is overdue on
    `on`, annotated with `last_visit`, `since` (the day counted from) and `cadre_id`."""
    national, provinces = visit_intervals(year=on.year, prefix=prefix)
    current = Assignment.objects.filter(household=OuterRef("pk"), primary=True, ended_on=None)
    last = Visit.objects.filter(household=OuterRef("pk"))
    households = (
        restrict(Household.objects.all(), user, "view")
        .filter(code_prefix_q(prefix, "village_id"), status__in=PAIRED_STATUSES)
        .annotate(
            cadre_id=Subquery(current.values("cadre_id")[:1]),
            started_on=Subquery(current.values("started_on")[:1]),
        )
        .filter(cadre_id__isnull=False)
        .annotate(
            last_visit=Subquery(
                last.order_by().values("household").annotate(day=Max("visited_on")).values("day")
            ),
        )
        .annotate(since=Coalesce("last_visit", "started_on", output_field=DateField()))
    )
    late = Q()
    for province, days in provinces.items():
        late |= code_prefix_q(province, "village_id") & Q(since__lt=on - timedelta(days=days))
    others = ~Q(*[code_prefix_q(p, "village_id") for p in provinces], _connector=Q.OR)
    late |= (others if provinces else Q()) & Q(since__lt=on - timedelta(days=national))
    return households.filter(late)


def overdue_counts(
    *, user: UserLike, on: date, prefix: str = "", by: str = "village"
) -> list[tuple[str, int]]:
    """(region, overdue households) per village, township or county; most first."""
    rows = (
        overdue_households(user=user, on=on, prefix=prefix)
        .annotate(region=Substr("village_id", 1, LEVEL_LENGTHS[by]))
        .values("region")
        .annotate(households=Count("id"))
        .order_by("-households", "region")
    )
    return [(row["region"], row["households"]) for row in rows]


def overdue_by_cadre(*, user: UserLike, on: date, prefix: str = "") -> list[tuple[int, int]]:
    """(cadre id, overdue households) for the cadres with any, most first."""
    rows = (
        overdue_households(user=user, on=on, prefix=prefix)
        .values("cadre_id")  # type: ignore[misc]  # an annotation the stubs cannot see
        .annotate(households=Count("id"))
        .order_by("-households", "cadre_id")
    )
    return [(row["cadre_id"], row["households"]) for row in rows]
