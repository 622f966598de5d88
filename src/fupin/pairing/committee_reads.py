"""What the committee pages and API routes (村扶贫工作委员会) read alike: the village as the
user reaches it, its active committee, personal numbers as the user's post shows them, and
the appeals awaiting the township's decision.

Every read starts from `core.access` (`access_get`, `restrict`): a village out of scope
answers the same 404 as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import Http404

from fupin.core.access import UserLike, access_get, access_rule, restrict, roles_at
from fupin.core.masking import mask_id_number, mask_phone
from fupin.pairing.committees.base import CommitteeError
from fupin.pairing.models import BlackListAppeal, Committee
from fupin.regions.models import Level, Region
from fupin.regions.queries import code_prefix_q


def committee_village(user: UserLike, code: str) -> Region:
    """The village `code` if the user reads its committee; missing, not a village and out of
    scope alike raise Http404."""
    village = access_get(Region.objects.filter(level=Level.VILLAGE), user, "view", code=code)
    holder = user if user is not None and user.is_authenticated else None
    if not roles_at(holder, code) & access_rule(Committee).roles("view"):
        raise Http404("no village here")
    return village


def committee_active(user: UserLike, code: str) -> Committee | None:
    """The village's active committee as the user reads it, if there is one."""
    found = Committee.objects.filter(village_id=code, ended_on__isnull=True)
    return restrict(found, user, "view").first()


def committee_required(user: UserLike, code: str) -> Committee:
    """The village's active committee, or a refusal (`no_committee`) to write to it."""
    committee = committee_active(user, code)
    if committee is None:
        raise CommitteeError("no_committee", f"village {code} has no active committee")
    return committee


def shown(value: str, *, full: bool, phone: bool = False) -> str:
    """An ID number (or a phone) in full or masked by the viewer's post."""
    if full:
        return value
    return mask_phone(value) if phone else mask_id_number(value)


def percent(share: Decimal) -> str:
    """A share (0 to 1) as a percentage to one place."""
    return f"{share * 100:.1f}%"


@dataclass(frozen=True)
class AwaitingAppeal:
    """An appeal against a black-list entry the township has not decided."""

    appeal_id: int
    entry_id: int
    village: str
    household_no: str
    year: int
    month: int
    lodged_on: date
    decide_by: date
    days_overdue: int  # 0 while not yet due


def appeals_awaiting(
    *, user: UserLike, prefix: str, on: date, overdue: bool = False
) -> list[AwaitingAppeal]:
    """The appeals under `prefix` the user may view with no decision yet, the most urgent
    first; `overdue`: only those past the day to decide by."""
    rows = restrict(BlackListAppeal.objects.all(), user, "view").filter(
        code_prefix_q(prefix, "entry__committee__village_id"), decided_on__isnull=True
    )
    if overdue:
        rows = rows.filter(decide_by__lt=on)
    found = rows.order_by("decide_by", "pk").values_list(
        "pk", "entry_id", "entry__committee__village_id", "entry__household__household_no",
        "entry__year", "entry__month", "lodged_on", "decide_by",
    )  # fmt: skip
    return [AwaitingAppeal(*row, max((on - row[-1]).days, 0)) for row in found]
