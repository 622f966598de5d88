"""Reads over the registry."""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db.models import Exists, OuterRef, QuerySet

from fupin.core.bulk import quote_name, read_frame
from fupin.regions.queries import prefix_upper_bound
from fupin.registry.choices import JOIN_EVENTS, LEAVE_EVENTS, ExclusionFactKind
from fupin.registry.models import Household, HouseholdFact, Member, MemberEvent


def household_members_on(household: Household, on: date) -> QuerySet[Member]:
    """The members of `household` on date `on`, from the dated composition events.

    A member counts from their joining event (or from registration when they have none)
    until their leaving event.
    """
    events = MemberEvent.objects.filter(member=OuterRef("pk"), household=household)
    joined_later = events.filter(kind__in=JOIN_EVENTS, date__gt=on)
    left_by_then = events.filter(kind__in=LEAVE_EVENTS, date__lte=on)
    return (
        Member.objects.filter(household=household)
        .exclude(Exists(joined_later))
        .exclude(Exists(left_by_then))
        .order_by("id")
    )


def exclusion_fact_frame(*, year: int, village_prefix: str) -> pl.DataFrame:
    """Every household under `village_prefix` with one boolean column per exclusion fact
    (true where the fact holds in `year`), sorted by household number.

    The columns are the fact slugs, the names the exclusion rules read, so the frame
    joins straight onto the rule kernel's household frame.
    """
    facts = list(ExclusionFactKind.values)
    # One pass: each household's fact rows of the year, folded into columns.
    flags = ", ".join(f"MAX(CASE WHEN f.fact = %s THEN 1 ELSE 0 END) AS {quote_name(fact)}"
                      for fact in facts)  # fmt: skip
    sql = (
        f"SELECT h.household_no, {flags} "
        f"FROM {quote_name(Household._meta.db_table)} h "
        f"LEFT JOIN {quote_name(HouseholdFact._meta.db_table)} f "
        "ON f.household_id = h.id AND f.year = %s "
        "WHERE h.village_code >= %s AND h.village_code < %s "
        "GROUP BY h.id, h.household_no ORDER BY h.household_no"
    )
    params = [*facts, year, village_prefix, prefix_upper_bound(village_prefix)]
    schema = {"household_no": pl.String, **dict.fromkeys(facts, pl.Int8)}
    return read_frame(sql, params, schema=schema).with_columns(
        pl.col(fact).cast(pl.Boolean) for fact in facts
    )
