"""Writes of funds and projects (扶贫资金和项目): allocations, payments, projects, their steps
and beneficiaries.

Each service checks the actor's posts (an office over the allocating region; the county
office over a project or payment), runs in one transaction and writes its audit event
inside it. A payment beyond the funds allocated is recorded all the same, since it was
made: the reconciliation flags it (`funds.queries.funds_flags`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.bulk import copy_frame
from fupin.pairing.services import PAIRED_STATUSES
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.support.choices import FundSource, MeasureForm, ProjectKind, ProjectStatus
from fupin.support.models import (
    Allocation,
    Disbursement,
    Measure,
    Project,
    ProjectBeneficiary,
    ProjectTransition,
)
from fupin.support.models.funds import COUNTY_OFFICE, FUND_OFFICES

FIRST_YEAR = 2013
# The level at which a source's money starts: provincial funds are a province's own, and
# so on. Sector and other funds may start at any level.
ORIGIN_LENGTH = {FundSource.CENTRAL: 0, FundSource.PROVINCIAL: 2, FundSource.CITY: 4,
                 FundSource.COUNTY: 6}  # fmt: skip
FUND_LEVELS = (2, 4, 6)
STEPS = list(ProjectStatus.values)
# The date field a project's step sets.
STEP_DATE = {
    ProjectStatus.APPROVED: "approved_on",
    ProjectStatus.UNDER_CONSTRUCTION: "started_on",
    ProjectStatus.COMPLETED: "completed_on",
    ProjectStatus.ACCEPTED: "accepted_on",
}
AMOUNT_DIGITS = 12  # before the point: Decimal(14, 2)


class FundsError(ValueError):
    """A funds or project write refused; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def allocation_record(
    *,
    year: int,
    source: str,
    from_region_code: str,
    to_region_code: str,
    amount: Decimal,
    document_no: str,
    allocated_on: date,
    actor: Actor,
    department: str = "",
    integrated: bool = False,
) -> Allocation:
    """Record funds allocated (资金下达) from a level ('' the centre) to a region below it,
    or a region's own budget line (本级安排) when both codes are the same region."""
    giver, receiver = from_region_code.strip(), to_region_code.strip()
    _check_allocation_codes(giver, receiver)
    _check_source(source, giver, receiver, department.strip(), integrated)
    _check_year(year)
    if allocated_on > timezone.localdate() or allocated_on.year not in (year - 1, year):
        raise FundsError("date_invalid", "funds are allocated in their year or the year before "
                         "(提前下达), and not in the future")  # fmt: skip
    if not document_no.strip():
        raise FundsError("document_missing", "an allocation names its document (文号)")
    _check_role(actor, giver, FUND_OFFICES, "funds are allocated by the office that gives them")
    with transaction.atomic():
        allocation = Allocation.objects.create(
            year=year, source=source, from_region_code=giver, to_region_code=receiver,
            amount=_amount(amount), document_no=document_no.strip(), allocated_on=allocated_on,
            department=department.strip(), integrated=integrated,
            recorded_by_id=actor.user_id, recorded_at=timezone.now(),
        )  # fmt: skip
        _audit(actor, "allocation.record", "allocation", allocation.pk, receiver,
               {"year": year, "source": source, "from": giver, "to": receiver,
                "amount": allocation.amount, "document_no": allocation.document_no})  # fmt: skip
    return allocation


def disbursement_record(
    *,
    year: int,
    source: str,
    amount: Decimal,
    paid_on: date,
    actor: Actor,
    project: Project | None = None,
    household: Household | None = None,
    measure: Measure | None = None,
    voucher_no: str = "",
) -> Disbursement:
    """Record a county's payment (资金支出) to one of its projects or to a household, with the
    ledger measure it paid when there is one."""
    if (project is None) == (household is None):
        raise FundsError("payee_invalid", "a payment goes to a project or to a household")
    if source not in FundSource.values:
        raise FundsError("source_unknown", f"source: one of {', '.join(FundSource.values)}")
    _check_year(year)
    if paid_on > timezone.localdate() or paid_on.year < year:
        raise FundsError("date_invalid", "a payment is recorded once made, from its funds' year")
    place = _payee_place(project, household, measure)
    _check_role(actor, place[:6], COUNTY_OFFICE, "payments are recorded by the county office")
    with transaction.atomic():
        if project is not None:
            project = Project.objects.select_for_update().get(pk=project.pk)
            if project.status == ProjectStatus.PLANNED:
                raise FundsError("project_not_approved", "a project is paid once approved")
        if measure is not None and Disbursement.objects.filter(measure=measure).exists():
            raise FundsError("measure_paid_already", "the measure has its payment already")
        payment = Disbursement.objects.create(
            year=year, source=source, amount=_amount(amount), paid_on=paid_on,
            region_code=place, project=project, household=household, measure=measure,
            voucher_no=voucher_no.strip(), recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )  # fmt: skip
        payee = {"project": project.pk} if project else {"household": household.pk}  # type: ignore[union-attr]
        _audit(actor, "disbursement.record", "disbursement", payment.pk, place,
               {"year": year, "source": source, "amount": payment.amount, "paid_on": paid_on,
                "measure": measure.pk if measure else None, **payee})  # fmt: skip
    return payment


def project_create(
    *, region_code: str, year: int, kind: str, name: str, budget: Decimal, actor: Actor
) -> Project:
    """Put a project into the county's project bank (项目库): in a village, or county-wide
    when `region_code` is the county."""
    code = region_code.strip()
    if len(code) not in (6, 12) or not Region.objects.filter(code=code).exists():
        raise FundsError("region_invalid", f"a project lies in a known county or village, "
                         f"not {code!r}")  # fmt: skip
    if kind not in ProjectKind.values:
        raise FundsError("kind_unknown", f"kind: one of {', '.join(ProjectKind.values)}")
    if not name.strip() or len(name.strip()) > 200:
        raise FundsError("name_invalid", "a project has a name of at most 200 characters")
    _check_year(year)
    _check_role(actor, code[:6], COUNTY_OFFICE, "projects are kept by the county office")
    with transaction.atomic():
        project = Project.objects.create(
            region_code=code, year=year, kind=kind, name=name.strip(),
            budget=_amount(budget, zero=True), created_by_id=actor.user_id,
            created_at=timezone.now(),
        )  # fmt: skip
        _audit(actor, "project.create", "project", project.pk, code,
               {"year": year, "kind": kind, "name": project.name,
                "budget": project.budget})  # fmt: skip
    return project


def project_status_change(
    *, project: Project, to_status: str, on: date, actor: Actor, reason: str = ""
) -> Project:
    """Move a project one step on (入库 → 批复 → 在建 → 完工 → 验收), on the day it happened."""
    _check_role(actor, project.county_code, COUNTY_OFFICE, "projects are kept by the county office")
    if to_status not in STEPS:
        raise FundsError("status_unknown", f"status: one of {', '.join(STEPS)}")
    if on > timezone.localdate():
        raise FundsError("date_invalid", "a step is recorded once taken")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        current = STEPS.index(project.status)
        if STEPS.index(to_status) != current + 1:
            following = STEPS[current + 1] if current + 1 < len(STEPS) else "nothing"
            raise FundsError("step_invalid", f"a {project.status} project moves on to {following}")
        last = project.transitions.order_by("-on").values_list("on", flat=True).first()
        if last is not None and on < last:
            raise FundsError("date_invalid", f"the step falls before the last one ({last})")
        ProjectTransition.objects.create(
            project=project, from_status=project.status, to_status=to_status, on=on,
            reason=reason.strip(), recorded_by_id=actor.user_id, recorded_at=timezone.now(),
        )  # fmt: skip
        before = project.status
        project.status = to_status
        setattr(project, STEP_DATE[ProjectStatus(to_status)], on)
        project.save(update_fields=["status", STEP_DATE[ProjectStatus(to_status)]])
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="project.status_change", object_type="project",
                object_id=str(project.pk), region_code=project.region_code,
                before={"status": before}, after={"status": to_status, "on": on},
                reason=reason.strip(),
            ),
        )  # fmt: skip
    return project


def beneficiaries_add(*, project: Project, household_ids: Iterable[int], actor: Actor) -> int:
    """Add the households a project benefits (受益户), set-wise; those on it already are
    left as they are. Returns how many were added."""
    _check_role(actor, project.county_code, COUNTY_OFFICE, "projects are kept by the county office")
    wanted = pl.DataFrame(
        {"household_id": sorted(set(household_ids))}, schema={"household_id": pl.Int64}
    )
    if wanted.is_empty():
        raise FundsError("households_missing", "name the households the project benefits")
    found = _frame(
        Household.objects.filter(pk__in=wanted["household_id"].to_list()).values_list(
            "pk", "village_id"
        ),
        {"household_id": pl.Int64, "village_id": pl.String},
    )
    unknown = wanted.join(found, on="household_id", how="anti")["household_id"].to_list()
    if unknown:
        raise FundsError("household_unknown", f"no household with id {_listed(unknown)}")
    outside = found.filter(~pl.col("village_id").str.starts_with(project.region_code))
    if not outside.is_empty():
        listed = _listed(outside["household_id"].to_list())
        raise FundsError("outside_project", f"households {listed} lie outside the project's "
                         f"area {project.region_code}")  # fmt: skip
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        present = _frame(
            project.beneficiaries.values_list("household_id"), {"household_id": pl.Int64}
        )
        added = wanted.join(present, on="household_id", how="anti").with_columns(
            project_id=pl.lit(project.pk, pl.Int64),
            added_at=pl.lit(timezone.now(), pl.Datetime("us", "UTC")),
        )
        count = copy_frame(ProjectBeneficiary._meta.db_table, added,
                           ["project_id", "household_id", "added_at"])  # fmt: skip
        _audit(actor, "project.beneficiaries_add", "project", project.pk, project.region_code,
               {"added": count, "households": added["household_id"].to_list()[:1000]})  # fmt: skip
    return count


def _check_allocation_codes(giver: str, receiver: str) -> None:
    if not (receiver.isdigit() and len(receiver) in FUND_LEVELS):
        raise FundsError("region_invalid", f"funds go to a province, prefecture or county code, "
                         f"not {receiver!r}")  # fmt: skip
    if giver and not (giver.isdigit() and len(giver) in FUND_LEVELS):
        raise FundsError("region_invalid", f"funds come from the centre (blank) or a province, "
                         f"prefecture or county code, not {giver!r}")  # fmt: skip
    if not receiver.startswith(giver) or (giver != receiver and len(receiver) <= len(giver)):
        raise FundsError("direction_invalid", "funds go to a region below the giver, or stay "
                         "with it as its own budget line")  # fmt: skip
    known = set(Region.objects.filter(code__in=[giver, receiver]).values_list("code", flat=True))
    missing = [code for code in (giver, receiver) if code and code not in known]
    if missing:
        raise FundsError("region_unknown", f"no region {', '.join(missing)}; load the divisions?")


def _check_source(
    source: str, giver: str, receiver: str, department: str, integrated: bool
) -> None:
    if source not in FundSource.values:
        raise FundsError("source_unknown", f"source: one of {', '.join(FundSource.values)}")
    origin = ORIGIN_LENGTH.get(FundSource(source))
    if origin is not None and (len(giver) < origin or (giver == receiver and len(giver) != origin)):
        label = FundSource(source).label
        raise FundsError("source_not_here", f"{label} start at the level that budgets them "
                         "and go down from there")  # fmt: skip
    if (source == FundSource.SECTOR) != bool(department):
        raise FundsError(
            "department_invalid", "sector funds name their department, and only they do"
        )
    if integrated and len(receiver) != 6:
        raise FundsError("integrated_outside_county", "funds are integrated (统筹整合) by a county")


def _payee_place(
    project: Project | None, household: Household | None, measure: Measure | None
) -> str:
    if project is not None:
        if measure is not None:
            raise FundsError("measure_for_household", "a ledger measure is paid to its household")
        return project.region_code
    assert household is not None
    if household.status not in PAIRED_STATUSES:
        raise FundsError("not_on_register", "payments go to households on the register")
    if measure is not None:
        if measure.household_id != household.pk:
            raise FundsError("measure_other_household", "the measure belongs to another household")
        if measure.form != MeasureForm.MONEY:
            raise FundsError("measure_in_kind", "a measure given in kind is not paid in money")
    return household.village_id


def _check_year(year: int) -> None:
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= last:
        raise FundsError("year_out_of_range", f"the year lies between {FIRST_YEAR} and {last}")


def _check_role(actor: Actor, code: str, roles: frozenset[str], message: str) -> None:
    if actor.user is not None and not roles_at(actor.user, code) & roles:
        raise FundsError("role_not_allowed", message)


def _amount(value: Decimal | str | int, *, zero: bool = False) -> Decimal:
    """Yuan with at most two decimals and twelve digits before the point."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise FundsError("amount_invalid", f"an amount in yuan, not {value!r}") from None
    exponent = amount.as_tuple().exponent
    whole = len(str(abs(int(amount)))) if amount.is_finite() else AMOUNT_DIGITS + 1
    if (
        not amount.is_finite()
        or not isinstance(exponent, int)
        or exponent < -2
        or whole > AMOUNT_DIGITS
    ):
        raise FundsError(
            "amount_invalid", "yuan, at most two decimals and twelve digits before the point"
        )
    if amount < 0 or (amount == 0 and not zero):
        raise FundsError("amount_invalid", "an amount is above zero")
    return amount.quantize(Decimal("0.01"))


def _frame(rows: Iterable[Any], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _listed(values: list[Any], shown: int = 10) -> str:
    more = f" and {len(values) - shown} more" if len(values) > shown else ""
    return ", ".join(str(value) for value in values[:shown]) + more


def _audit(
    actor: Actor, action: str, kind: str, pk: int, region: str, after: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(action=action, object_type=kind, object_id=str(pk), region_code=region,
                       after=after),
    )  # fmt: skip
