"""Reading policy values: the most specific current version wins."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet

from fupin.policy.models import Parameter, PolicyValue


class PolicyMissing(LookupError):
    """No value of a parameter applies to that year and province."""


def policy_value(name: Parameter | str, *, year: int, province: str = "") -> PolicyValue:
    """The value in force for `year` in `province`: the latest version of the most specific
    row, in the order province and year, province, national and year, national."""
    rows = PolicyValue.objects.filter(
        Q(year=year) | Q(year__isnull=True), Q(province=province) | Q(province=""), name=name
    )
    best = sorted(rows, key=lambda r: (r.province != "", r.year is not None, r.version))
    if not best:
        raise PolicyMissing(f"no {name} for {year} in {province or 'the nation'}")
    return best[-1]


def policy_table(*, year: int, province: str = "") -> list[PolicyValue]:
    """Every parameter's value in force for `year` in `province`, in parameter order."""
    found = []
    for name in Parameter:
        try:
            found.append(policy_value(name, year=year, province=province))
        except PolicyMissing:
            continue
    return found


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
