"""API schemas of funds and projects (扶贫资金和项目): the reconciliation and its flags,
allocations, projects with their steps and beneficiaries, and payments. Money is yuan as
a decimal string with two places."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from fupin.core.api import PageIn, PageOut, RegionPrefix, Text
from fupin.support.choices import FundSource, ProjectKind, ProjectStatus

# A region that holds funds: '' the nation, or a province, prefecture or county code.
FundsRegion = Annotated[str, StringConstraints(pattern=r"^([0-9]{2}){0,3}$")]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Year = Annotated[int, Field(ge=2013, le=2100)]
Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
BENEFICIARIES_MAX = 10_000


def _one_of(values: list[str]) -> str:
    return "^(" + "|".join(values) + ")$"


class FundsFilters(Schema):
    """Which region's funds, of which year, with money counted idle as of which day."""

    region: FundsRegion = Field("", description="'' the nation, or a 2, 4 or 6-digit code")
    year: Year
    on: Day | None = Field(None, description="the day idle money is counted on (today)")


class FundsRowOut(Schema):
    """A region's row of the reconciliation: the region and everything below it, or, with
    `own_level`, the money of its parent's own level (本级). Flows across its border
    (received, passed_out), its own budget lines, what was paid, and the flags."""

    level: int
    code: str
    year: int
    own_level: bool
    received: Decimal
    own_funds: Decimal
    passed_out: Decimal
    integrated: Decimal
    available: Decimal
    to_projects: Decimal
    to_households: Decimal
    disbursed: Decimal
    households_paid: int
    undisbursed: Decimal
    idle: Decimal
    overspent: Decimal


class FundsNodeOut(Schema):
    """A region's own figures (not those below it): allocated into it, passed down, paid,
    and what is idle or overspent."""

    code: str
    year: int
    allocated: Decimal
    own_funds: Decimal
    integrated: Decimal
    passed_down: Decimal
    available: Decimal
    to_projects: Decimal
    to_households: Decimal
    disbursed: Decimal
    households_paid: int
    undisbursed: Decimal
    idle: Decimal
    overspent: Decimal


class FundsReconciliationOut(Schema):
    """A region's funds for a year (资金对账): its row, its parts (its sub-regions and its
    own level), and its own figures."""

    region: str
    year: int
    total: FundsRowOut
    parts: list[FundsRowOut]
    node: FundsNodeOut


class AllocationFilters(PageIn):
    """Which allocations: into a region's part of the tree, in a year."""

    region: RegionPrefix = Field("", description="receiving region code prefix")
    year: Year | None = None


class AllocationIn(Schema):
    """Funds to allocate from a level ('' the centre) to a region below it, or a region's
    own budget line when both codes are the same."""

    year: Year
    source: str = Field(pattern=_one_of(FundSource.values))
    from_region_code: FundsRegion = Field(description="'' for the centre")
    to_region_code: Annotated[str, StringConstraints(pattern=r"^([0-9]{2}){1,3}$")]
    amount: Money
    document_no: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    allocated_on: Day
    department: Annotated[Text, StringConstraints(max_length=50)] = ""
    integrated: bool = False


class AllocationOut(Schema):
    """An allocation recorded."""

    id: int
    year: int
    source: str
    from_region_code: str
    to_region_code: str
    amount: Decimal
    document_no: str
    allocated_on: date
    department: str
    integrated: bool
    recorded_at: datetime


class AllocationPageOut(PageOut):
    """A page of allocations and how many match in all."""

    items: list[AllocationOut]


class ProjectFilters(PageIn):
    """Which projects: under a region, of a year, in a status."""

    region: RegionPrefix = Field("", description="region code prefix")
    year: Year | None = None
    status: str | None = Field(None, pattern=_one_of(ProjectStatus.values))


class ProjectIn(Schema):
    """A project to put into the county's project bank: in a village, or county-wide."""

    region_code: str = Field(pattern=r"^([0-9]{6}|[0-9]{12})$")
    year: Year
    kind: str = Field(pattern=_one_of(ProjectKind.values))
    name: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    budget: Decimal = Field(ge=0, max_digits=14, decimal_places=2)


class ProjectOut(Schema):
    """A project with what was paid to it and how many households it benefits."""

    id: int
    region_code: str
    year: int
    kind: str
    name: str
    budget: Decimal
    status: str
    approved_on: date | None
    started_on: date | None
    completed_on: date | None
    accepted_on: date | None
    paid: Decimal
    households: int


class ProjectPageOut(PageOut):
    """A page of projects and how many match in all."""

    items: list[ProjectOut]


class ProjectTransitionIn(Schema):
    """The next step of a project, on the day it was taken."""

    to_status: str = Field(pattern=_one_of(ProjectStatus.values))
    on: Day
    reason: Annotated[Text, StringConstraints(max_length=200)] = ""


class ProjectTransitionOut(Schema):
    """One step of a project."""

    from_status: str
    to_status: str
    on: date
    reason: str
    recorded_at: datetime


class FundsPaymentOut(Schema):
    """A county's payment to a project or a household."""

    id: int
    year: int
    source: str
    amount: Decimal
    paid_on: date
    region_code: str
    project_id: int | None
    household_id: int | None
    measure_id: int | None
    voucher_no: str
    recorded_at: datetime


class ProjectDetailOut(ProjectOut):
    """A project with its steps and its payments (the latest 500)."""

    transitions: list[ProjectTransitionOut]
    payments: list[FundsPaymentOut]


class ProjectBeneficiariesIn(Schema):
    """Households to add to a project's beneficiaries, by id."""

    household_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        min_length=1, max_length=BENEFICIARIES_MAX
    )


class ProjectBeneficiariesAddedOut(Schema):
    """How many households were added, and how many the project benefits now."""

    added: int
    households: int


class ProjectBeneficiaryOut(Schema):
    """A household a project benefits."""

    household_id: int
    household_no: str
    village_code: str
    added_at: datetime


class ProjectBeneficiaryPageOut(PageOut):
    """A page of a project's beneficiaries."""

    items: list[ProjectBeneficiaryOut]


class FundsPaymentIn(Schema):
    """A payment to one of the county's projects (`project_id`) or to a household
    (`household_id`, with the ledger measure it paid when there is one)."""

    year: Year
    source: str = Field(pattern=_one_of(FundSource.values))
    amount: Money
    paid_on: Day
    project_id: int | None = Field(None, ge=1, le=2**63 - 1)
    household_id: int | None = Field(None, ge=1, le=2**63 - 1)
    measure_id: int | None = Field(None, ge=1, le=2**63 - 1)
    voucher_no: Annotated[Text, StringConstraints(max_length=50)] = ""
