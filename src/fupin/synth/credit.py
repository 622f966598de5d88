"""Synthetic microcredit (合成扶贫小额信贷) for the households of a synthetic region.

About a third of the poor households borrow once in the loan years: 10,000 to 50,000 yuan
in steps of 5,000, for one to three years, at the benchmark rate with the interest fully
subsidised. Interest is paid each year and the principal at the due date. Most loans are
repaid on time; a few are repaid late, a few are still owed past their due date, and a
few of those the risk compensation fund (风险补偿金) has covered. Loans not yet due are
current. Amounts are whole yuan; statuses are the kernel's as of today.

`credit_frames` is a pure function of its arguments (numpy's seeded generator draws,
Polars assembles); `synth_credit` reads the region's households and writes set-wise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone

from fupin.core import bulk
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.regions.queries import code_prefix_q, prefix_upper_bound
from fupin.support.choices import LoanPurpose
from fupin.support.credit.kernels import LOAN_SCHEMA, loan_states
from fupin.support.credit.services import months_after
from fupin.support.models import Loan, LoanRepayment

BORROWER_SHARE = 0.33
LENDERS = ("农村信用合作联社", "中国农业银行", "中国邮政储蓄银行", "农村商业银行")
RATES = {12: Decimal("0.0435"), 24: Decimal("0.0475"), 36: Decimal("0.0475")}
# How a loan past its due date ends: on time, late, still owed, covered by the fund.
OUTCOMES = {"on_time": 0.88, "late": 0.05, "owed": 0.04, "written_off": 0.03}
DEFAULT_DAYS = 90
MONEY = pl.Decimal(12, 2)
ON_REGISTER = ("registered", "returned", "exited")


class CreditSynthError(ValueError):
    """A microcredit synthesis that cannot be met (no households, loans there already)."""


@dataclass(frozen=True)
class CreditFrames:
    """The generated loans (keyed by `loan_key`) and their repayments."""

    loans: pl.DataFrame
    repayments: pl.DataFrame


def credit_frames(
    households: pl.DataFrame, *, years: Sequence[int], seed: int, today: date
) -> CreditFrames:
    """Loans issued in `years` (up to `today`) to `households` (household_id, village_code,
    poor) and their repayments by `today`."""
    rng = np.random.default_rng(seed)
    poor = households.filter(pl.col("poor")).sort("household_id")
    borrowers = poor.filter(pl.Series(rng.random(poor.height) < BORROWER_SHARE))
    n = borrowers.height
    terms = rng.choice([12, 24, 36], n, p=[0.2, 0.3, 0.5])
    issued = [min(date(int(year), 1, 1) + timedelta(days=int(day)), today) for year, day in
              zip(rng.choice(list(years), n), rng.integers(0, 365, n), strict=True)]  # fmt: skip
    outcome = rng.choice(list(OUTCOMES), n, p=list(OUTCOMES.values()))
    loans, repayments = [], []
    for index, row in enumerate(borrowers.iter_rows(named=True)):
        amount = Decimal(int(rng.integers(2, 11)) * 5000)
        term = int(terms[index])
        due = months_after(issued[index], term)
        rate = RATES[term]
        paid, written_off, paid_rows = _history(
            rng, key=index, amount=amount, rate=rate, issued=issued[index], due=due,
            outcome=str(outcome[index]), today=today,
        )  # fmt: skip
        repayments += paid_rows
        loans.append({
            "loan_key": index, "household_id": row["household_id"],
            "village_code": row["village_code"], "amount": amount, "term_months": term,
            "annual_rate": rate, "subsidy_share": Decimal(1),
            "lender": LENDERS[int(rng.integers(0, len(LENDERS)))],
            "purpose": LoanPurpose.values[int(rng.integers(0, len(LoanPurpose.values)))],
            "issued_on": issued[index], "due_on": due, "principal_repaid": paid,
            "interest_paid": sum((Decimal(str(r["interest"])) for r in paid_rows), Decimal(0)),
            "written_off_on": written_off,
        })  # fmt: skip
    loan_frame = pl.DataFrame(loans, schema_overrides={
        "amount": MONEY, "annual_rate": pl.Decimal(6, 4), "subsidy_share": pl.Decimal(5, 4),
        "principal_repaid": MONEY, "interest_paid": MONEY, "written_off_on": pl.Date,
    }) if loans else pl.DataFrame()  # fmt: skip
    repayment_frame = pl.DataFrame(repayments, schema_overrides={
        "principal": MONEY, "interest": MONEY, "subsidy": MONEY,
    }) if repayments else pl.DataFrame()  # fmt: skip
    return CreditFrames(_with_status(loan_frame, today), repayment_frame)


def _history(
    rng: np.random.Generator, *, key: int, amount: Decimal, rate: Decimal, issued: date,
    due: date, outcome: str, today: date,
) -> tuple[Decimal, date | None, list[dict[str, object]]]:  # fmt: skip
    """A loan's repayments by `today`: yearly interest, the principal at (or after) its due
    date by `outcome`; the principal repaid and the write-off date."""
    rows: list[dict[str, object]] = []
    yearly = (amount * rate).quantize(Decimal("0.01"))
    anniversary = months_after(issued, 12)
    while anniversary < due and anniversary <= today:
        rows.append(_paid(key, anniversary, Decimal(0), yearly))
        anniversary = months_after(anniversary, 12)
    if due > today or outcome == "owed":
        return Decimal(0), None, rows
    if outcome == "written_off":
        covered = due + timedelta(days=int(rng.integers(DEFAULT_DAYS + 30, DEFAULT_DAYS + 400)))
        return Decimal(0), (covered if covered <= today else None), rows
    day = due if outcome == "on_time" else due + timedelta(days=int(rng.integers(10, 200)))
    if day > today:
        return Decimal(0), None, rows
    rows.append(_paid(key, day, amount, yearly))
    return amount, None, rows


def _paid(key: int, day: date, principal: Decimal, interest: Decimal) -> dict[str, object]:
    return {"loan_key": key, "paid_on": day, "principal": principal, "interest": interest,
            "subsidy": interest}  # fmt: skip


def _with_status(loans: pl.DataFrame, today: date) -> pl.DataFrame:
    """The loans with their status, repaid date and amount written off, as of `today`."""
    if loans.is_empty():
        return loans
    states = loan_states(
        loans.select(loan_id="loan_key", household_id="household_id",
                     village_code="village_code", amount="amount", issued_on="issued_on",
                     due_on="due_on", principal_repaid="principal_repaid",
                     written_off_on="written_off_on").cast(LOAN_SCHEMA),  # type: ignore[arg-type]
        on=today, default_days=DEFAULT_DAYS,
    ).select(loan_key="loan_id", status="status")  # fmt: skip
    paid_in_full = pl.col("principal_repaid") == pl.col("amount")
    return loans.join(states, on="loan_key").with_columns(
        written_off_amount=pl.when(pl.col("written_off_on").is_not_null())
        .then(pl.col("amount") - pl.col("principal_repaid")).cast(MONEY),
    ).with_columns(
        repaid_on=pl.lit(None, pl.Date),
        repaid_full=paid_in_full,
    )  # fmt: skip


@dataclass(frozen=True)
class CreditResult:
    """What one microcredit synthesis wrote."""

    loans: int
    repayments: int


def synth_credit(*, region: str, years: tuple[int, int], seed: int, actor: Actor) -> CreditResult:
    """Generate and write the loans of `years` for the households under `region`, set-wise,
    with one audit event."""
    households = bulk.read_frame(
        "SELECT id AS household_id, village_code, status FROM registry_household "
        "WHERE village_code >= %s AND village_code < %s ORDER BY id",
        [region, prefix_upper_bound(region)],
        {"household_id": pl.Int64, "village_code": pl.String, "status": pl.String},
    ).with_columns(poor=pl.col("status").is_in(ON_REGISTER))
    if not households["poor"].any():
        raise CreditSynthError(f"no household on the register under {region}")
    if Loan.objects.filter(code_prefix_q(region, "household__village_id")).exists():
        raise CreditSynthError(f"loans exist under {region} already")
    span = list(range(years[0], years[1] + 1))
    frames = credit_frames(households, years=span, seed=seed, today=timezone.localdate())
    with transaction.atomic():
        result = _write(frames)
        audit_record(
            actor=actor,
            spec=EventSpec(action="loan.synth", object_type="loan", region_code=region,
                           after={"years": span, "seed": seed, **result.__dict__}),
        )  # fmt: skip
    return result


def _write(frames: CreditFrames) -> CreditResult:
    if frames.loans.is_empty():
        return CreditResult(0, 0)
    now = pl.lit(timezone.now(), pl.Datetime("us", "UTC"))
    repaid_on = (
        frames.repayments.filter(pl.col("principal") > 0)
        .group_by("loan_key")
        .agg(paid_day=pl.col("paid_on").max())
    )
    loans = frames.loans.join(repaid_on, on="loan_key", how="left").with_columns(
        repaid_on=pl.when(pl.col("repaid_full")).then(pl.col("paid_day"))
    )
    before = Loan.objects.order_by("-id").values_list("id", flat=True).first() or 0
    bulk.copy_frame(Loan._meta.db_table, loans.select(
        "household_id", "amount", "term_months", "annual_rate", "subsidy_share", "lender",
        "purpose", "issued_on", "due_on", "principal_repaid", "interest_paid", "repaid_on",
        "written_off_on", "written_off_amount", "status", purpose_note=pl.lit(""),
        policy_values=pl.lit("{}"), recorded_at=now,
    ))  # fmt: skip
    # The loans get their ids in the order they were written.
    ids = pl.DataFrame({"loan_id": list(Loan.objects.filter(id__gt=before).order_by("id")
                                        .values_list("id", flat=True))})  # fmt: skip
    if ids.height != loans.height:
        raise CreditSynthError("the loans written do not match those generated")
    keyed = loans.select("loan_key").with_columns(ids["loan_id"])
    repayments = bulk.copy_frame(
        LoanRepayment._meta.db_table,
        frames.repayments.join(keyed, on="loan_key").select(
            "loan_id", "paid_on", "principal", "interest", "subsidy", recorded_at=now
        ),
    ) if not frames.repayments.is_empty() else 0  # fmt: skip
    return CreditResult(loans.height, repayments)
