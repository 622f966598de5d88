"""Writes of microcredit (扶贫小额信贷): a loan issued, a repayment, a write-off by the risk
compensation fund (风险补偿金), and the loans' states moved on with the calendar.

Each service checks the actor's post (the county or township office over the household's
village), runs in one transaction and writes its audit event inside it. A loan is checked
against the policy in force in its year and province (amount and term caps); the versions
it was checked against are kept on the loan.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.pairing.services import PAIRED_STATUSES
from fupin.policy.models import Parameter
from fupin.policy.queries import PolicyMissing, policy_value
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household
from fupin.support.choices import LoanPurpose, LoanStatus
from fupin.support.credit import kernels
from fupin.support.models import Loan, LoanRepayment
from fupin.support.models.credit import CLOSED, CREDIT_KEEPERS

FIRST_YEAR = 2014  # microcredit for registered households began in 2014
RATE_MAX = Decimal("0.2")
CENT = Decimal("0.01")
REFRESH_BATCH = 5000


class CreditError(ValueError):
    """A microcredit write refused; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def loan_issue(
    *,
    household: Household,
    amount: Decimal,
    term_months: int,
    annual_rate: Decimal,
    lender: str,
    purpose: str,
    issued_on: date,
    actor: Actor,
    subsidy_share: Decimal = Decimal(1),
    purpose_note: str = "",
) -> Loan:
    """Record a microcredit loan to a registered household, within the amount and term caps
    of the policy in force (the amount cap bounds all the household still owes)."""
    _check_role(actor, household.village_id)
    if household.status not in PAIRED_STATUSES:
        raise CreditError("not_on_register", "microcredit is lent to households on the register")
    principal = _money(amount, "amount")
    if principal <= 0:
        raise CreditError("amount_invalid", "a loan lends more than nothing")
    rate, share = _fraction(annual_rate, "annual_rate"), _fraction(subsidy_share, "subsidy_share")
    if rate > RATE_MAX:
        raise CreditError("rate_invalid", f"a yearly rate is at most {RATE_MAX}")
    if share > 1:
        raise CreditError("subsidy_invalid", "the treasury pays at most all of the interest")
    if purpose not in LoanPurpose.values:
        raise CreditError("purpose_unknown", f"purpose: one of {', '.join(LoanPurpose.values)}")
    if not lender.strip() or len(lender.strip()) > 100:
        raise CreditError("lender_invalid", "name the lender, in at most 100 characters")
    if len(purpose_note.strip()) > 200:
        raise CreditError("purpose_note_invalid", "a purpose note has at most 200 characters")
    _check_day(issued_on)
    caps = _caps(issued_on.year, household.village_id[:2])
    if not 1 <= term_months <= caps[Parameter.CREDIT_TERM_MAX_MONTHS].value:
        raise CreditError("term_over_cap", f"a term of 1 to "
                          f"{caps[Parameter.CREDIT_TERM_MAX_MONTHS].value:.0f} months")  # fmt: skip
    with transaction.atomic():
        owed = _owed(household)
        cap = caps[Parameter.CREDIT_AMOUNT_MAX].value
        if owed + principal > cap:
            raise CreditError("amount_over_cap", f"the household would owe {owed + principal} "
                              f"yuan, above the cap of {cap:.0f}")  # fmt: skip
        loan = Loan.objects.create(
            household=household, amount=principal, term_months=term_months, annual_rate=rate,
            subsidy_share=share, lender=lender.strip(), purpose=purpose,
            purpose_note=purpose_note.strip(), issued_on=issued_on,
            due_on=months_after(issued_on, term_months),
            policy_values={name: value.pk for name, value in caps.items()},
            recorded_by_id=actor.user_id, recorded_at=timezone.now(),
        )  # fmt: skip
        _set_status(loan)
        _audit(actor, "loan.issue", loan, {
            "household": household.pk, "amount": principal, "term_months": term_months,
            "annual_rate": rate, "subsidy_share": share, "issued_on": issued_on,
            "due_on": loan.due_on, "lender": loan.lender, "policy": loan.policy_values,
        })  # fmt: skip
    return loan


def loan_repay(
    *, loan: Loan, paid_on: date, principal: Decimal, interest: Decimal, actor: Actor
) -> LoanRepayment:
    """Record a repayment (还款) of principal and interest; the treasury's share of the
    interest (财政贴息) is the loan's subsidy share. A loan with nothing left owed is repaid."""
    _check_role(actor, loan.household.village_id)
    paid, charged = _money(principal, "principal"), _money(interest, "interest")
    if paid < 0 or charged < 0 or paid + charged == 0:
        raise CreditError("amount_invalid", "a repayment pays principal or interest, not less")
    _check_day(paid_on)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status in CLOSED:
            raise CreditError("loan_closed", f"the loan is {loan.status} already")
        if paid_on < loan.issued_on:
            raise CreditError("date_invalid", "a repayment comes after the loan was issued")
        last = loan.repayments.order_by("-paid_on").values_list("paid_on", flat=True).first()
        if last is not None and paid_on < last:
            raise CreditError("date_invalid", f"the repayment falls before the last one ({last})")
        if paid > loan.balance:
            raise CreditError("overpayment", f"only {loan.balance} yuan of principal is owed")
        repayment = LoanRepayment.objects.create(
            loan=loan, paid_on=paid_on, principal=paid, interest=charged,
            subsidy=(charged * loan.subsidy_share).quantize(CENT),
            recorded_by_id=actor.user_id, recorded_at=timezone.now(),
        )  # fmt: skip
        loan.principal_repaid += paid
        loan.interest_paid += charged
        if loan.principal_repaid == loan.amount:
            loan.repaid_on = paid_on
        before = loan.status
        _set_status(loan, fields=["principal_repaid", "interest_paid", "repaid_on"])
        _audit(actor, "loan.repay", loan, {
            "repayment": repayment.pk, "paid_on": paid_on, "principal": paid,
            "interest": charged, "subsidy": repayment.subsidy, "balance": loan.balance,
            "status": loan.status,
        }, before={"status": before})  # fmt: skip
    return repayment


def loan_write_off(*, loan: Loan, on: date, actor: Actor, reason: str = "") -> Loan:
    """Cover a defaulted loan's unpaid principal from the county's risk compensation fund
    (风险补偿金代偿); the loan is then closed."""
    _check_role(actor, loan.household.village_id)
    _check_day(on)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status in CLOSED:
            raise CreditError("loan_closed", f"the loan is {loan.status} already")
        if status_on(loan, on) != LoanStatus.DEFAULTED:
            raise CreditError("not_defaulted", "the fund covers a loan only once it defaulted")
        before = loan.status
        loan.written_off_on, loan.written_off_amount = on, loan.balance
        loan.status = LoanStatus.WRITTEN_OFF
        loan.save(update_fields=["written_off_on", "written_off_amount", "status"])
        _audit(actor, "loan.write_off", loan, {"on": on, "amount": loan.written_off_amount},
               before={"status": before}, reason=reason.strip())  # fmt: skip
    return loan


def loans_refresh(*, on: date | None = None, actor: Actor, region: str = "") -> int:
    """Move the cached status of the open loans under `region` on to `on` (default today):
    current loans fall overdue, overdue ones default. Set-wise, one audit event; returns how
    many loans changed."""
    day = on or timezone.localdate()
    if region and not (region.isdigit() and len(region) <= 12):
        raise CreditError("region_invalid", f"a region code prefix, not {region!r}")
    open_loans = Loan.objects.exclude(status__in=CLOSED).filter(
        code_prefix_q(region, "household__village_id")
    )
    cached = pl.DataFrame(
        list(open_loans.values_list("pk", "status")),
        schema={"loan_id": pl.Int64, "cached": pl.String}, orient="row",
    )  # fmt: skip
    provinces = sorted(
        open_loans.order_by().annotate(province=Substr("household__village_id", 1, 2))
        .values_list("province", flat=True).distinct()
    )  # fmt: skip
    states = pl.concat(
        [
            kernels.loan_states(
                _loan_frame(open_loans.filter(code_prefix_q(province, "household__village_id"))),
                on=day, default_days=_default_days(day, province),
            )
            for province in provinces
        ],
        how="vertical",
    ) if provinces else pl.DataFrame(schema={"loan_id": pl.Int64, "status": pl.String})  # fmt: skip
    changed = states.join(cached, on="loan_id").filter(pl.col("cached") != pl.col("status"))
    with transaction.atomic():
        for status, group in changed.group_by("status"):
            ids = group["loan_id"].to_list()
            for start in range(0, len(ids), REFRESH_BATCH):
                Loan.objects.filter(pk__in=ids[start : start + REFRESH_BATCH]).update(
                    status=status[0]
                )
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="loan.refresh", object_type="loan", region_code=region,
                after={"on": day, "changed": changed.height,
                       "by_status": dict(changed.group_by("status").len().rows())},
            ),
        )  # fmt: skip
    return changed.height


def status_on(loan: Loan, on: date) -> str:
    """Where `loan` stands on `on`, by the repayments made by then (`kernels.loan_states`)."""
    repaid = loan.repayments.filter(paid_on__lte=on).aggregate(total=Sum("principal"))["total"]
    frame = pl.DataFrame(
        [(loan.pk, loan.household_id, loan.household.village_id, loan.amount, loan.issued_on,
          loan.due_on, repaid or Decimal(0), loan.written_off_on)],
        schema=kernels.LOAN_SCHEMA, orient="row",
    )  # fmt: skip
    states = kernels.loan_states(
        frame, on=on, default_days=_default_days(on, loan.household.village_id[:2])
    )
    return str(states["status"][0]) if states.height else LoanStatus.CURRENT


def months_after(day: date, months: int) -> date:
    """The day `months` months after `day` (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _set_status(loan: Loan, fields: list[str] | None = None) -> None:
    """Cache the loan's status as of today, with `fields` saved alongside."""
    loan.status = status_on(loan, max(timezone.localdate(), loan.issued_on))
    loan.save(update_fields=[*(fields or []), "status"])


def _loan_frame(loans: Any) -> pl.DataFrame:
    rows = loans.values_list(
        "pk",
        "household_id",
        "household__village_id",
        "amount",
        "issued_on",
        "due_on",
        "principal_repaid",
        "written_off_on",
    )
    return pl.DataFrame(list(rows), schema=kernels.LOAN_SCHEMA, orient="row")


def _owed(household: Household) -> Decimal:
    """The principal the household still owes on its open loans."""
    open_loans = (
        Loan.objects.select_for_update().filter(household=household).exclude(status__in=CLOSED)
    )
    return sum((loan.balance for loan in open_loans), Decimal(0))


def _caps(year: int, province: str) -> dict[str, Any]:
    try:
        return {
            name: policy_value(name, year=year, province=province)
            for name in (Parameter.CREDIT_AMOUNT_MAX, Parameter.CREDIT_TERM_MAX_MONTHS)
        }
    except PolicyMissing as exc:
        raise CreditError("policy_missing", str(exc)) from None


def _default_days(on: date, province: str) -> int:
    try:
        return int(policy_value(Parameter.CREDIT_DEFAULT_DAYS, year=on.year,
                                province=province).value)  # fmt: skip
    except PolicyMissing as exc:
        raise CreditError("policy_missing", str(exc)) from None


def _check_role(actor: Actor, village: str) -> None:
    if actor.user is not None and not roles_at(actor.user, village) & CREDIT_KEEPERS:
        raise CreditError("role_not_allowed", "loans are recorded by the county or township office")


def _check_day(day: date) -> None:
    if day > timezone.localdate():
        raise CreditError("date_invalid", "a loan's events are recorded once they happened")
    if day.year < FIRST_YEAR:
        raise CreditError("date_invalid", f"microcredit for registered households began in "
                          f"{FIRST_YEAR}")  # fmt: skip


def _money(value: Decimal | str | int, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise CreditError("amount_invalid", f"{field}: yuan, not {value!r}") from None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or not isinstance(exponent, int) or exponent < -2:
        raise CreditError("amount_invalid", f"{field}: yuan with at most two decimals")
    if abs(amount) >= Decimal(10) ** 10:
        raise CreditError("amount_invalid", f"{field}: at most ten digits before the point")
    return amount.quantize(CENT)


def _fraction(value: Decimal | str | float, field: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        raise CreditError("rate_invalid", f"{field}: a fraction such as 0.0435") from None
    exponent = share.as_tuple().exponent
    if not share.is_finite() or not isinstance(exponent, int) or exponent < -4 or share < 0:
        raise CreditError("rate_invalid", f"{field}: a fraction of at most four decimals")
    return share


def _audit(
    actor: Actor,
    action: str,
    loan: Loan,
    after: dict[str, Any],
    *,
    before: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(action=action, object_type="loan", object_id=str(loan.pk),
                       region_code=loan.household.village_id, before=before, after=after,
                       reason=reason),
    )  # fmt: skip
