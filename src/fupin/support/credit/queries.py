"""Reads of microcredit: a household's loans, one loan, and a region's portfolio on a day
with its overdue and default rates (逾期率, 违约率) by households and by amounts.

Every read starts from `restrict`. Rates are asked of a region the reader's posts cover
whole, so that they are never a silent part of the picture; a region outside them reads as
missing. The operator at the command line reads every region (`OPERATOR`). The states are
computed for the day asked from the repayments made by then (`kernels.loan_states`), not
read from the loans' cached status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fupin.policy.models import Parameter
from fupin.policy.queries import policy_value
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household
from fupin.support.credit import kernels
from fupin.support.models import Loan, LoanRepayment
from fupin.support.readers import OPERATOR, Reader, readable, readable_one, region_covered

__all__ = ["OPERATOR", "CreditRates", "Reader"]
LEVELS = (0, 2, 4, 6, 9, 12)
SHOWN = 100


@dataclass(frozen=True)
class CreditRates:
    """A region's portfolio on day `on` (`total`), its sub-regions' (`parts`), the loans
    past due (most days overdue first, the first `SHOWN`) and the default days per province."""

    region: str
    on: date
    total: dict[str, Any]
    parts: list[dict[str, Any]]
    past_due: list[dict[str, Any]]
    default_days: dict[str, int]


def year_end(year: int) -> date:
    """The day a year's rates are taken on: its last day, or today in the current year."""
    return min(date(year, 12, 31), timezone.localdate())


def credit_rates(*, user: Reader, region: str, on: date) -> CreditRates:
    """The loans issued by `on` under `region`, their states on `on`, and the rates of the
    region and of each region one level below it."""
    region_covered(user, region, levels=LEVELS, model=Loan, what="loans")
    states, days = loan_states(user=user, region=region, on=on)
    level = len(region)
    total = kernels.credit_rates(states, level=level)
    below = next((length for length in LEVELS if length > level), None)
    parts = kernels.credit_rates(states, level=below).to_dicts() if below is not None else []
    late = (
        states.filter(pl.col("status").is_in(kernels.PAST_DUE))
        .sort(["days_overdue", "loan_id"], descending=[True, False])
        .head(SHOWN)
    )
    return CreditRates(region, on, _first(total, region), parts, late.to_dicts(), days)


def loan_states(*, user: Reader, region: str, on: date) -> tuple[pl.DataFrame, dict[str, int]]:
    """Each loan the reader may see under `region` issued by `on`, with its state on `on`
    (each province by its own default days), and the days used."""
    money = DecimalField(max_digits=12, decimal_places=2)
    repaid = (
        LoanRepayment.objects.filter(loan=OuterRef("pk"), paid_on__lte=on)
        .order_by()
        .values("loan")
        .annotate(total=Sum("principal"))
        .values("total")
    )
    loans = (
        readable(Loan.objects.all(), user)
        .filter(code_prefix_q(region, "household__village_id"), issued_on__lte=on)
        .annotate(repaid_by=Coalesce(Subquery(repaid, output_field=money), Value(Decimal(0)),
                                     output_field=money))
        .values_list("pk", "household_id", "household__village_id", "amount", "issued_on",
                     "due_on", "repaid_by", "written_off_on")
    )  # fmt: skip
    frame = pl.DataFrame(list(loans), schema=kernels.LOAN_SCHEMA, orient="row")
    provinces = sorted(set(frame["village_code"].str.slice(0, 2).unique().to_list()))
    days = {province: default_days(on=on, province=province) for province in provinces}
    parts = [
        kernels.loan_states(
            frame.filter(pl.col("village_code").str.starts_with(province)),
            on=on, default_days=days[province],
        )
        for province in provinces
    ]  # fmt: skip
    if not parts:
        return kernels.loan_states(frame, on=on, default_days=0), days
    return pl.concat(parts), days


def default_days(*, on: date, province: str = "") -> int:
    """The days overdue after which a loan counts as defaulted, in force on `on`."""
    return int(policy_value(Parameter.CREDIT_DEFAULT_DAYS, year=on.year, province=province).value)


def household_loans(*, user: Reader, household: Household) -> QuerySet[Loan]:
    """The household's loans the reader may see, newest first."""
    return readable(Loan.objects.filter(household=household), user).order_by("-issued_on", "-id")


def access_loan(user: Reader, loan_id: int) -> Loan:
    """One loan the reader may see, with its household; missing and forbidden alike 404."""
    loans = Loan.objects.select_related("household", "household__village")
    return readable_one(loans, user, what="loan", pk=loan_id)


def _first(frame: pl.DataFrame, region: str) -> dict[str, Any]:
    if frame.height:
        return frame.row(0, named=True)
    row: dict[str, Any] = dict.fromkeys(frame.columns, 0)
    row.update(region_code=region, **dict.fromkeys(kernels.RATE_COLUMNS))
    for name in ("lent", "balance", "overdue_balance", "defaulted_balance", "written_off"):
        row[name] = Decimal("0.00")
    return row
