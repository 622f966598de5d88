"""Reads of the assistance ledger: a household's measures, which measures answer which cause
of poverty (policy data), and the coverage gaps.

A household is a coverage gap in a year when it keeps its support that year (poor on the
register, or exited within the transition: `targeting.transition.households_supported`)
and has no measure of that year whose type answers its main cause of poverty. A household
with no main cause recorded cannot be answered, so it is a gap too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from fupin.core.access import UserLike, restrict
from fupin.policy.models import CauseMeasureValue
from fupin.policy.queries import cause_measures
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household
from fupin.support.models import Measure
from fupin.targeting.transition import households_supported

Answers = dict[str, frozenset[str]]


@dataclass(frozen=True)
class CoverageGaps:
    """The households not covered, and their count per village (most first)."""

    households: QuerySet[Household]
    by_village: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_village)


def household_measures(*, user: UserLike, household: Household) -> QuerySet[Measure]:
    """The household's measures the user may see, newest first."""
    return restrict(Measure.objects.filter(household=household), user, "view").order_by(
        "-given_on", "-id"
    )


def answering_types(*, year: int, province: str = "") -> Answers:
    """The measure types that answer each main cause in `year` in `province` (policy data,
    `policy.queries.cause_measures`)."""
    return cause_measures(year=year, province=province)


def _answered(*, year: int, prefix: str) -> Q:
    """Over measures: those whose type answers their household's main cause, by the mapping
    of the household's province (a province with rows of its own has its own mapping)."""
    own = sorted(
        set(
            CauseMeasureValue.objects.exclude(province="")
            .filter(Q(year=year) | Q(year__isnull=True))
            .values_list("province", flat=True)
        )
    )
    own = [p for p in own if p.startswith(prefix[:2]) or prefix.startswith(p)]
    scopes = [(code_prefix_q(p, "household__village_id"), answering_types(year=year, province=p))
              for p in own]  # fmt: skip
    others = ~Q(*[code_prefix_q(p, "household__village_id") for p in own], _connector=Q.OR)
    scopes.append((others if own else Q(), answering_types(year=year)))
    answered = Q(pk__in=[])
    for scope, answers in scopes:
        pairs = [Q(household__main_cause=cause, measure_type__in=sorted(types))
                 for cause, types in sorted(answers.items())]  # fmt: skip
        if pairs:
            answered |= scope & Q(*pairs, _connector=Q.OR)
    return answered


def coverage_gaps(*, user: UserLike, prefix: str, year: int) -> CoverageGaps:
    """Households in the user's view under `prefix` that keep their support in `year` and
    have no measure that year answering their main cause; listed, and counted per village."""
    covering = Measure.objects.filter(household=OuterRef("pk"), year=year).filter(
        _answered(year=year, prefix=prefix)
    )
    supported = households_supported(year=year, prefix=prefix)
    households = (
        restrict(supported, user, "view")
        .filter(~Exists(covering))
        .order_by("village_id", "household_no")
    )
    rows = (
        households.order_by()
        .values("village_id")
        .annotate(households=Count("id"))
        .order_by("-households", "village_id")
    )
    return CoverageGaps(households, [(row["village_id"], row["households"]) for row in rows])
