"""Reading policy values and exclusion rules: the most specific current version wins."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from django.db.models import Max, Q, QuerySet

from fupin.policy.models import (
    CauseMeasureValue,
    ExclusionRuleValue,
    ExitIndicatorValue,
    Parameter,
    PolicySnapshot,
    PolicyValue,
)

Versioned = TypeVar(
    "Versioned", PolicyValue, ExclusionRuleValue, ExitIndicatorValue, CauseMeasureValue
)
Switchable = TypeVar("Switchable", ExclusionRuleValue, ExitIndicatorValue)


class PolicyMissing(LookupError):
    """No value of a parameter applies to that year and province."""


def _in_scope(*, year: int, province: str) -> Q:
    """Rows that may apply to `year` in `province`: its own or every year, its own or national."""
    return (Q(year=year) | Q(year__isnull=True)) & (Q(province=province) | Q(province=""))


def most_specific(rows: Iterable[Versioned]) -> Versioned | None:
    """The row that wins among versions of one parameter or rule that all apply: the latest
    version of the most specific row, in the order province and year, province, national
    and year, national."""
    return max(rows, key=lambda r: (r.province != "", r.year is not None, r.version), default=None)


def policy_value(name: Parameter | str, *, year: int, province: str = "") -> PolicyValue:
    """The value in force for `year` in `province` (see `most_specific`)."""
    best = most_specific(
        PolicyValue.objects.filter(_in_scope(year=year, province=province), name=name)
    )
    if best is None:
        raise PolicyMissing(f"no {name} for {year} in {province or 'the nation'}")
    return best


def policy_table(*, year: int, province: str = "") -> list[PolicyValue]:
    """Every parameter's value in force for `year` in `province`, in parameter order."""
    by_name: dict[str, list[PolicyValue]] = defaultdict(list)
    for row in PolicyValue.objects.filter(_in_scope(year=year, province=province)):
        by_name[row.name].append(row)
    found = (most_specific(by_name[name]) for name in Parameter)
    return [row for row in found if row is not None]


def policy_history(name: str, *, year: int | None, province: str) -> QuerySet[PolicyValue]:
    """Every version of one row, newest first."""
    return PolicyValue.objects.filter(name=name, year=year, province=province).order_by("-version")


def next_version(name: str, *, year: int | None, province: str) -> int:
    """The version number the next value of this row gets."""
    latest = policy_history(name, year=year, province=province).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def poverty_lines(years: range, *, province: str = "") -> dict[int, float]:
    """The identification line in force for each year (yuan per person and year)."""
    return {
        year: float(policy_value(Parameter.IDENTIFICATION_LINE, year=year, province=province).value)
        for year in years
    }


def rules_in_force(rows: Iterable[Switchable]) -> list[Switchable]:
    """Of rule versions that all apply, the winner of each code where it is active, by code.

    Ordered by code rather than by age so that the list, and the rule a decision reports
    when several exclude a household, do not depend on the order rows were added.
    """
    by_code: dict[str, list[Switchable]] = defaultdict(list)
    for row in rows:
        by_code[row.code].append(row)
    winners = (most_specific(by_code[code]) for code in sorted(by_code))
    return [row for row in winners if row is not None and row.active]


def cause_measures(*, year: int, province: str = "") -> dict[str, frozenset[str]]:
    """The measure types that answer each main cause of poverty in `year` in `province`
    (因户施策): of each (cause, type) pair the most specific version, where it is active."""
    by_pair: dict[tuple[str, str], list[CauseMeasureValue]] = defaultdict(list)
    for row in CauseMeasureValue.objects.filter(_in_scope(year=year, province=province)):
        by_pair[(row.cause, row.measure_type)].append(row)
    answers: dict[str, set[str]] = defaultdict(set)
    for (cause, measure_type), rows in sorted(by_pair.items()):
        winner = most_specific(rows)
        if winner is not None and winner.active:
            answers[cause].add(measure_type)
    return {cause: frozenset(types) for cause, types in answers.items()}


def exclusion_rules(*, year: int, province: str = "") -> list[ExclusionRuleValue]:
    """The exclusion rules (X不评) in force for `year` in `province`, ordered by code."""
    return rules_in_force(
        ExclusionRuleValue.objects.filter(_in_scope(year=year, province=province))
    )


def exit_indicators(*, level: str, year: int, province: str = "") -> list[ExitIndicatorValue]:
    """The extra exit indicators (退出指标) in force for a village or county exit, by code."""
    return rules_in_force(
        ExitIndicatorValue.objects.filter(_in_scope(year=year, province=province), level=level)
    )


def exclusion_history(
    code: str, *, year: int | None, province: str
) -> QuerySet[ExclusionRuleValue]:
    """Every version of one rule row, newest first."""
    return ExclusionRuleValue.objects.filter(code=code, year=year, province=province).order_by(
        "-version"
    )


def snapshot_values(snapshot: PolicySnapshot) -> dict[str, Decimal]:
    """The parameter values a snapshot recorded, by parameter name, in parameter order."""
    ids: dict[str, int] = snapshot.value_ids
    rows = PolicyValue.objects.in_bulk(list(ids.values()))
    if missing := sorted(name for name, pk in ids.items() if pk not in rows):
        raise PolicyMissing(f"{snapshot} names policy values that are gone: {missing}")
    order = {name: index for index, name in enumerate(Parameter.values)}
    names = sorted(ids, key=lambda name: (order.get(name, len(order)), name))
    return {name: rows[ids[name]].value for name in names}


def snapshot_exclusions(snapshot: PolicySnapshot) -> list[tuple[str, str]]:
    """The exclusion rules a snapshot recorded, as (code, fact), in rule order."""
    ids: list[int] = snapshot.exclusion_rule_ids
    rows = ExclusionRuleValue.objects.in_bulk(ids)
    if missing := [pk for pk in ids if pk not in rows]:
        raise PolicyMissing(f"{snapshot} names exclusion rules that are gone: {missing}")
    return [(rows[pk].code, rows[pk].fact) for pk in ids]
