"""Reads of the pairing app: the households that lack a paired cadre (结对缺口), a
household's pairing and card, the objections raised from cards."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.core.access import UserLike, restrict, roles_at
from fupin.core.rules import KEEPERS
from fupin.pairing.access import printer_allowed
from fupin.pairing.models import Assignment, Cadre, CardObjection, CardRating, ContactCard
from fupin.pairing.services import PAIRED_STATUSES, caps_by_level
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


@dataclass(frozen=True)
class HouseholdPairing:
    """A household's paired cadres (the open one first, then the past), its current contact
    card, its ratings and objections, as the reader may see them; and whether the reader may
    print a new card."""

    assignments: list[Assignment]
    card: ContactCard | None
    ratings: list[CardRating]
    objections: list[CardObjection]
    may_print: bool
    may_pair: bool = False
    open_assignment: Assignment | None = None
    candidates: tuple[Cadre, ...] = ()


def household_pairing(*, user: UserLike, household: Household) -> HouseholdPairing:
    """The pairing block of a household's page, each part through restrict."""
    assignments = list(
        restrict(Assignment.objects.filter(household=household), user, "view")
        .select_related("cadre")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-id")
    )
    card = (
        restrict(ContactCard.objects.filter(household=household), user, "view")
        .filter(revoked_at__isnull=True)
        .first()
    )
    ratings = list(
        restrict(CardRating.objects.filter(household=household), user, "view")
        .select_related("cadre")
        .order_by("-year", "-quarter")[:12]
    )
    objections = list(
        restrict(CardObjection.objects.filter(household=household), user, "view").order_by(
            "-created_at"
        )[:20]
    )
    may_pair = restrict(Household.objects.filter(pk=household.pk), user, "change").exists()
    current = next((a for a in assignments if a.primary and a.ended_on is None), None)
    candidates: tuple[Cadre, ...] = ()
    if may_pair and current is None and household.status in PAIRED_STATUSES:
        year = timezone.localdate().year
        candidates = tuple(cadres_near(user=user, household=household, year=year, limit=100))
    return HouseholdPairing(
        assignments=assignments,
        card=card,
        ratings=ratings,
        objections=objections,
        may_print=may_print_cards(user, household),
        may_pair=may_pair and household.status in PAIRED_STATUSES,
        open_assignment=current,
        candidates=candidates,
    )


def may_print_cards(user: UserLike, household: Household) -> bool:
    """Keepers of the village print its cards; the paired cadre prints their own household's."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    if roles_at(user, household.village_id) & KEEPERS:
        return household.status in PAIRED_STATUSES
    return printer_allowed(user, household.village_id, [household.pk])


def objections_list(*, user: UserLike, status: str = "") -> QuerySet[CardObjection]:
    """Objections raised from contact cards that the user may view, the open ones first."""
    objections = restrict(CardObjection.objects.all(), user, "view")
    if status:
        objections = objections.filter(status=status)
    return objections.select_related("household", "household__village").order_by(
        "-status", "created_at", "id"
    )


def cadres_list(*, user: UserLike, region: str = "", name: str = "") -> QuerySet[Cadre]:
    """Cadres serving in the user's scope, with `households` (open assignments today)."""
    cadres = restrict(Cadre.objects.all(), user, "view").annotate(
        households=Count("assignments", filter=Q(assignments__ended_on__isnull=True))
    )
    if region:
        cadres = cadres.filter(code_prefix_q(region, "region_code"))
    if name:
        cadres = cadres.filter(name__startswith=name)
    return cadres.order_by("region_code", "name", "id")


def cadres_near(
    *, user: UserLike, household: Household, year: int, limit: int = 200
) -> list[Cadre]:
    """Cadres who could take the household: serving in its village, township or county (the
    nearest first), with room under their cap; each with `households` and `cap`."""
    village = household.village_id
    homes = [village, village[:9], village[:6]]
    cadres = list(
        restrict(Cadre.objects.filter(region_code__in=homes), user, "view")
        .annotate(households=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
        .order_by("-region_code", "name", "id")[: limit * 2]
    )
    caps = caps_by_level(province=village[:2], year=year)
    room: list[Cadre] = []
    for cadre in cadres:
        cadre.cap = caps[cadre.unit_level]  # type: ignore[attr-defined]
        if cadre.households < cadre.cap:  # type: ignore[attr-defined]
            room.append(cadre)
    return room[:limit]


def successors_for(*, user: UserLike, cadre: Cadre, year: int, limit: int = 100) -> list[Cadre]:
    """Cadres in the user's view serving in the cadre's county with room under their cap
    for all of the cadre's open households (a rotation hands them over at once)."""
    needed = Assignment.objects.filter(cadre=cadre, ended_on__isnull=True).count()
    candidates = cadres_list(user=user, region=cadre.region_code[:6]).exclude(pk=cadre.pk)[
        : limit * 5
    ]
    caps = caps_by_level(province=cadre.region_code[:2], year=year)
    room = [c for c in candidates if c.households + needed <= caps[c.unit_level]]  # type: ignore[attr-defined]
    return room[:limit]
