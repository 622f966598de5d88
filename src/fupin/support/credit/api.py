"""Microcredit's API routes (扶贫小额信贷): a household's loans, recording one, one loan with
its repayments, a repayment, a write-off, and the overdue and default rates by region.

Reads start from `core.access.restrict` (missing and out of scope, the same 404); writes
go through `credit.services`, whose refusals are answered as JSON with their stable code
(`errors_install`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Router, Status

from fupin.core.access import access_get
from fupin.core.api import ObjectId, api_actor, api_user, refusals_install, responses
from fupin.registry.models import Household
from fupin.support.credit import services
from fupin.support.credit.queries import access_loan, credit_rates, household_loans, year_end
from fupin.support.credit.schemas import (
    LoanDetailOut,
    LoanIn,
    LoanOut,
    LoanRatesFilters,
    LoanRatesOut,
    LoanRepaymentIn,
    LoanRepaymentOut,
    LoanWriteOffIn,
)
from fupin.support.models import Loan

router = Router(tags=["microcredit"])
# Refusals about what the request says (400) and the user's post (403); the rest (over the
# cap, a closed or not defaulted loan, an overpayment) are the state of things (409).
BAD_REQUEST_CODES = frozenset({"amount_invalid", "rate_invalid", "subsidy_invalid",
                               "purpose_unknown", "lender_invalid", "purpose_note_invalid",
                               "date_invalid", "term_over_cap", "region_invalid"})  # fmt: skip
FORBIDDEN_CODES = frozenset({"role_not_allowed"})
LOANS_MAX = 500


def _detail(loan: Loan) -> dict[str, Any]:
    fields = {name: getattr(loan, name) for name in LoanOut.model_fields}
    return {**fields, "repayments": list(loan.repayments.order_by("paid_on", "id"))}


@router.get("/households/{household_id}/loans", response=responses({200: list[LoanOut]}),
            summary="A household's loans")  # fmt: skip
def loans(request: HttpRequest, household_id: ObjectId) -> list[Loan]:
    """The household's loans, newest first."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    return list(household_loans(user=user, household=household)[:LOANS_MAX])


@router.post("/households/{household_id}/loans", response=responses({201: LoanOut}, 409),
             summary="Record a loan")  # fmt: skip
def loan_issue(request: HttpRequest, household_id: ObjectId, payload: LoanIn) -> Status[Loan]:
    """Record a microcredit loan to the household, within the policy's caps."""
    household = access_get(Household.objects.all(), api_user(request), "view", pk=household_id)
    loan = services.loan_issue(household=household, actor=api_actor(request), **payload.dict())
    return Status(201, loan)


@router.get("/loans/{loan_id}", response=responses({200: LoanDetailOut}), summary="A loan")
def loan_detail(request: HttpRequest, loan_id: ObjectId) -> dict[str, Any]:
    """One loan with its repayments."""
    return _detail(access_loan(api_user(request), loan_id))


@router.post("/loans/{loan_id}/repayments", response=responses({201: LoanRepaymentOut}, 409),
             summary="Record a repayment")  # fmt: skip
def repayment(request: HttpRequest, loan_id: ObjectId, payload: LoanRepaymentIn) -> Status[Any]:
    """Record a repayment of principal and interest."""
    loan = access_loan(api_user(request), loan_id)
    made = services.loan_repay(loan=loan, actor=api_actor(request), **payload.dict())
    return Status(201, made)


@router.post("/loans/{loan_id}/write-off", response=responses({200: LoanDetailOut}, 409),
             summary="Write a loan off")  # fmt: skip
def write_off(request: HttpRequest, loan_id: ObjectId, payload: LoanWriteOffIn) -> dict[str, Any]:
    """Cover a defaulted loan from the risk compensation fund (风险补偿金)."""
    loan = access_loan(api_user(request), loan_id)
    done = services.loan_write_off(loan=loan, on=payload.on, reason=payload.reason,
                                   actor=api_actor(request))  # fmt: skip
    return _detail(done)


@router.get("/credit/rates", response=responses({200: list[LoanRatesOut]}),
            summary="Overdue and default rates")  # fmt: skip
def rates(request: HttpRequest, filters: Query[LoanRatesFilters]) -> list[dict[str, Any]]:
    """The region's portfolio at the end of the year (today in the current year) and its
    rates, then each sub-region's."""
    found = credit_rates(user=api_user(request), region=filters.region, on=year_end(filters.year))
    return [found.total, *found.parts]


def errors_install(api: NinjaAPI) -> None:
    """Answer a refused microcredit write as JSON with its stable code."""
    refusals_install(api, services.CreditError, bad_request=BAD_REQUEST_CODES,
                     forbidden=FORBIDDEN_CODES)  # fmt: skip


__all__ = ["errors_install", "router"]
