"""Reads of funds and projects: the reconciliation of a region's funds for a year (资金对账),
the flags (money idle or overspent), and the project list.

Every read starts from `restrict`: the allocations into a region's part of the tree and
the payments made in it that the reader may see. A reconciliation is asked of a region
the reader's posts cover whole, so that it is never a silent part of the picture; a
region outside them reads as missing. The operator at the command line, with no user,
reads every region (`OPERATOR`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from fupin.policy.models import Parameter, PolicyValue
from fupin.policy.queries import policy_value
from fupin.regions.queries import code_prefix_q
from fupin.support.funds import kernels
from fupin.support.models import Allocation, Disbursement, Project
from fupin.support.readers import Reader, readable, region_covered

FUND_LEVELS = (0, 2, 4, 6)


@dataclass(frozen=True)
class Reconciliation:
    """A region's funds for a year: its own row (the region and everything below it), its
    parts (its sub-regions and its own level, 本级), and its node (its own figures)."""

    region: str
    year: int
    total: dict[str, Any]
    parts: list[dict[str, Any]]
    node: dict[str, Any]


def funds_reconcile(
    *, user: Reader, region: str, year: int, on: date | None = None
) -> Reconciliation:
    """The reconciliation of `region` (nation '', province, prefecture or county) for `year`,
    with money counted idle as of `on` (default today)."""
    region_covered(user, region, levels=FUND_LEVELS, model=Allocation, what="funds")
    nodes, rollup = _computed(user, region, year, on or timezone.localdate())
    level = len(region)
    rows = rollup.filter(pl.col("year") == year)
    total = rows.filter((pl.col("level") == level) & (pl.col("code") == region))
    parts = rows.filter(
        (pl.col("level") == level + 2) & pl.col("code").str.starts_with(region)
    ) if level < 6 else rows.clear()  # fmt: skip
    node = nodes.filter((pl.col("code") == region) & (pl.col("year") == year))
    return Reconciliation(
        region=region,
        year=year,
        total={**_first(total), "level": level, "code": region, "year": year},
        parts=parts.to_dicts(),
        node={**_first(node), "code": region, "year": year},
    )


def funds_flags(
    *, user: Reader, region: str, year: int, on: date | None = None
) -> list[dict[str, Any]]:
    """The regions under `region` whose funds of `year` are idle (allocated by the cutoff of
    policy `fund_idle_months` and neither passed down nor paid) or overspent (passed down and
    paid beyond the allocation), the largest first."""
    region_covered(user, region, levels=FUND_LEVELS, model=Allocation, what="funds")
    nodes, _ = _computed(user, region, year, on or timezone.localdate())
    under = nodes.filter(pl.col("code").str.starts_with(region) & (pl.col("year") == year))
    return kernels.funds_flags(under).to_dicts()


def project_list(
    *, user: Reader, region: str = "", year: int | None = None, status: str | None = None
) -> QuerySet[Project]:
    """The projects under `region` the reader may see, with what was paid to them and how
    many households they benefit; newest first."""
    projects = readable(Project.objects.filter(code_prefix_q(region, "region_code")), user)
    if year is not None:
        projects = projects.filter(year=year)
    if status is not None:
        projects = projects.filter(status=status)
    money = DecimalField(max_digits=14, decimal_places=2)
    paid = (
        Disbursement.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return projects.annotate(
        paid=Coalesce(Subquery(paid, output_field=money), Value(0, output_field=money)),
        households=Count("beneficiaries", distinct=True),
    ).order_by("-year", "region_code", "id")


def idle_cutoffs(*, year: int, on: date) -> dict[str, date]:
    """The last allocation day whose unspent money counts as idle on `on`, for the nation
    ('') and each province with its own `fund_idle_months`."""
    provinces = set(
        PolicyValue.objects.filter(name=Parameter.FUND_IDLE_MONTHS).exclude(province="")
        .values_list("province", flat=True)
    )  # fmt: skip
    return {
        province: months_before(on, int(policy_value(Parameter.FUND_IDLE_MONTHS, year=year,
                                                     province=province).value))
        for province in ["", *sorted(provinces)]
    }  # fmt: skip


def months_before(on: date, months: int) -> date:
    """The day `months` months before `on` (the month's last day where it is shorter)."""
    index = on.year * 12 + on.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


def _computed(user: Reader, region: str, year: int, on: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The nodes and the rollup of `region`'s part of the tree in `year`."""
    allocations = readable(
        Allocation.objects.filter(code_prefix_q(region, "to_region_code"), year=year), user
    ).values_list("year", "from_region_code", "to_region_code", "amount", "allocated_on",
                  "integrated")  # fmt: skip
    allocated = pl.DataFrame(list(allocations), schema=kernels.ALLOCATION_SCHEMA, orient="row")
    nodes = kernels.funds_nodes(
        allocated, _spending(user, region, year), idle_cutoff=idle_cutoffs(year=year, on=on)
    )
    return nodes, kernels.funds_rollup(allocated, nodes)


def _spending(user: Reader, region: str, year: int) -> pl.DataFrame:
    """Each county's payments of `year` under `region`, summed by the database: a county's
    payments run to a row per household, so only their totals leave it."""
    paid = readable(
        Disbursement.objects.filter(code_prefix_q(region, "region_code"), year=year), user
    )
    rows = (
        paid.annotate(county_code=Substr("region_code", 1, 6))
        .values("year", "county_code")
        .annotate(
            to_projects=Sum("amount", filter=_to_project(True)),
            to_households=Sum("amount", filter=_to_project(False)),
            households_paid=Count("household", distinct=True),
        )
        .order_by()
    )
    return pl.DataFrame(
        [(row["year"], row["county_code"], row["to_projects"] or Decimal(0),
          row["to_households"] or Decimal(0), row["households_paid"]) for row in rows],
        schema=kernels.SPENDING_SCHEMA, orient="row",
    )  # fmt: skip


def _to_project(yes: bool) -> Q:
    return Q(project__isnull=not yes)


def _first(frame: pl.DataFrame) -> dict[str, Any]:
    """The frame's first row, or a row of zeros in its layout when it has none."""
    if frame.height:
        return frame.row(0, named=True)
    empty = pl.DataFrame([[None] * frame.width], schema=frame.schema, orient="row")
    return empty.with_columns(
        pl.col(name).fill_null(0) for name, dtype in frame.schema.items() if dtype.is_numeric()
    ).row(0, named=True)
