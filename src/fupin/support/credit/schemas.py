"""API schemas of microcredit: loans, repayments, write-offs and the rates by region."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import RegionPrefix, Text
from fupin.support.choices import LoanPurpose

Day = Annotated[date, Field(ge=date(2013, 1, 1), le=date(2100, 12, 31))]
Yuan = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class LoanIn(Schema):
    """A microcredit loan to record for a household."""

    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    term_months: int = Field(ge=1, le=600)
    annual_rate: Decimal = Field(ge=0, le=1, max_digits=6, decimal_places=4)
    subsidy_share: Decimal = Field(Decimal(1), ge=0, le=1, max_digits=5, decimal_places=4)
    lender: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    purpose: str = Field(pattern="^(" + "|".join(LoanPurpose.values) + ")$")
    purpose_note: Annotated[Text, StringConstraints(max_length=200)] = ""
    issued_on: Day


class LoanOut(Schema):
    """A loan with what is repaid and owed, and its cached status."""

    id: int
    household_id: int
    amount: Decimal
    term_months: int
    annual_rate: Decimal
    subsidy_share: Decimal
    lender: str
    purpose: str
    purpose_note: str
    issued_on: date
    due_on: date
    principal_repaid: Decimal
    interest_paid: Decimal
    balance: Decimal
    repaid_on: date | None
    written_off_on: date | None
    written_off_amount: Decimal | None
    status: str


class LoanRepaymentIn(Schema):
    """A repayment to record."""

    paid_on: Day
    principal: Yuan = Decimal(0)
    interest: Yuan = Decimal(0)


class LoanRepaymentOut(Schema):
    """A repayment, with the treasury's share of its interest."""

    id: int
    paid_on: date
    principal: Decimal
    interest: Decimal
    subsidy: Decimal


class LoanDetailOut(LoanOut):
    """A loan with its repayments."""

    repayments: list[LoanRepaymentOut]


class LoanWriteOffIn(Schema):
    """A defaulted loan covered by the risk compensation fund."""

    on: Day
    reason: Annotated[Text, StringConstraints(max_length=200)] = ""


class LoanRatesFilters(Schema):
    """Which region, as of the end of which year (today in the current year)."""

    region: RegionPrefix = Field("", description="region code")
    year: int = Field(ge=2014, le=2100)


class LoanRatesOut(Schema):
    """A region's portfolio and its overdue and default rates."""

    region_code: str
    loans: int
    households: int
    lent: Decimal
    households_outstanding: int
    households_overdue: int
    households_defaulted: int
    balance: Decimal
    overdue_balance: Decimal
    defaulted_balance: Decimal
    written_off: Decimal
    overdue_household_rate: float | None
    default_household_rate: float | None
    overdue_amount_rate: float | None
    default_amount_rate: float | None
