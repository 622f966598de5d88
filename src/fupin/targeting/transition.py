"""The transition after exit (四个不摘): an exited household, village or county keeps its
responsibility, policies, assistance and supervision until the transition's last year
(policy `transition_until`, 2025 nationally), and stays tracked: it is assessed every year,
checked for return and watched by the 防返贫 monitoring.

Pairing, support and coverage read these lists, so that nothing ends at exit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from fupin.policy.models import Parameter
from fupin.policy.queries import PolicyMissing, policy_value
from fupin.regions.models import PoorAreaDesignation, Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household

POOR = ("registered", "returned")


@dataclass(frozen=True)
class Standing:
    """Whether a household or an area keeps its policies in a year, until when and why."""

    kept: bool
    until: int | None
    reason: str


def transition_until(*, year: int, province: str) -> int | None:
    """The transition's last year in force for `year` in `province`; None if none is set."""
    try:
        return int(policy_value(Parameter.TRANSITION_UNTIL, year=year, province=province).value)
    except PolicyMissing:
        return None


def household_standing(household: Household, *, year: int) -> Standing:
    """Whether the household keeps its support in `year`."""
    if household.status in POOR:
        return Standing(True, None, "poor on the register: full support")
    if household.status != "exited":
        return Standing(False, None, "not on the register")
    until = transition_until(year=year, province=household.village_id[:2])
    if until is not None and year <= until:
        return Standing(True, until, f"exited: policies kept until {until} (四个不摘)")
    return Standing(False, until, "exited: the transition is over")


def households_supported(*, year: int, prefix: str = "") -> QuerySet[Household]:
    """Households under `prefix` that keep their support in `year`: the poor on the register
    and the exited within the transition. Provinces may set their own last year."""
    kept = Q(status__in=POOR)
    provinces = Region.objects.filter(level=1).filter(_provinces_under(prefix))
    for province in provinces.values_list("code", flat=True):
        until = transition_until(year=year, province=province)
        if until is not None and year <= until:
            kept |= Q(status="exited") & code_prefix_q(province, "village_id")
    return Household.objects.filter(code_prefix_q(prefix, "village_id")).filter(kept)


def area_standing(region_code: str, *, kind: str, year: int) -> Standing:
    """Whether a poor village or county (kind 'village' or 'county') keeps its policies."""
    designation = PoorAreaDesignation.objects.filter(region_id=region_code, kind=kind).first()
    if designation is None:
        return Standing(False, None, f"not a poor {kind}")
    if designation.lifted_year is None or year < designation.lifted_year:
        return Standing(True, None, f"a poor {kind}: full support")
    until = transition_until(year=year, province=region_code[:2])
    if until is not None and year <= until:
        return Standing(True, until, f"exited in {designation.lifted_year}: kept until {until}")
    return Standing(False, until, f"exited in {designation.lifted_year}: the transition is over")


def _provinces_under(prefix: str) -> Q:
    """The provinces a prefix touches: all for the nation, else the prefix's own."""
    return Q() if len(prefix) < 2 else Q(code=prefix[:2])
