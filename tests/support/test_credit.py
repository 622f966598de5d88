# ruff: noqa: F811
"""Microcredit (扶贫小额信贷), the writes and the rates: loans issued within the policy's caps,
repayments, write-offs by the risk compensation fund, the cached status moved on with the
calendar, and the overdue and default rates of a township and its villages computed by
hand; each refusal with its stable code and nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.registry.models import Household
from fupin.support.credit.queries import access_loan, credit_rates
from fupin.support.credit.services import (
    CreditError,
    loan_issue,
    loan_repay,
    loan_write_off,
    loans_refresh,
)
from fupin.support.models import Loan, LoanRepayment
from fupin.support.readers import OPERATOR
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
ON = date(2019, 12, 31)


def lend(actor: Actor, household: Household, amount: str, issued_on: date, term: int,
         **override: Any) -> Loan:  # fmt: skip
    fields: dict[str, Any] = {
        "household": household, "amount": Decimal(amount), "term_months": term,
        "annual_rate": Decimal("0.0475"), "lender": "平塘县农村信用合作联社",
        "purpose": "breeding", "issued_on": issued_on, "actor": actor, **override,
    }  # fmt: skip
    return loan_issue(**fields)


def repay(actor: Actor, loan: Loan, on: date, principal: str, interest: str = "0") -> Any:
    return loan_repay(loan=loan, paid_on=on, principal=Decimal(principal),
                      interest=Decimal(interest), actor=actor)  # fmt: skip


@pytest.fixture
def portfolio(posts: Posts) -> dict[str, Loan]:
    """Five loans of 平舟镇 as of 2019-12-31 (default after 90 days):
    A repaid; B current (20,000 owed); C 60 days overdue (20,000 owed) in 京舟村;
    D 244 days overdue, defaulted (35,000 owed); E written off (10,000) in 拉全村."""
    county = posts.county
    h1, h2, h3 = (household_make(f"H{n}", status="registered") for n in (1, 2, 3))
    h4, h5 = (household_make(f"H{n}", status="registered", village=OTHER_VILLAGE)
              for n in (4, 5))  # fmt: skip
    a = lend(county, h1, "50000", date(2017, 3, 1), 24)
    repay(county, a, date(2019, 2, 20), "50000", "4750")
    b = lend(county, h2, "30000", date(2018, 6, 1), 36)
    repay(county, b, date(2019, 6, 1), "10000", "1425")
    c = lend(county, h3, "20000", date(2017, 11, 1), 24)
    d = lend(county, h4, "40000", date(2016, 5, 1), 36)
    repay(county, d, date(2018, 5, 1), "5000")
    e = lend(county, h5, "10000", date(2016, 1, 10), 24)
    loan_write_off(loan=e, on=date(2019, 6, 30), actor=county, reason="户主病故，无力偿还")
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_a_loan_is_issued_within_the_caps_with_its_audit_event(posts: Posts) -> None:
    # given
    household = household_make("H1", status="registered")
    # when
    loan = lend(posts.township, household, "50000", date(2018, 1, 31), 36)
    # then
    loan.refresh_from_db()
    assert loan.due_on == date(2021, 1, 31) and loan.subsidy_share == Decimal(1)
    assert set(loan.policy_values) == {"credit_amount_max", "credit_term_max_months"}
    # cached as of today, long after the due date has passed unpaid
    assert loan.status == ("defaulted" if timezone.localdate() > date(2021, 5, 1) else "current")
    event = AuditEvent.objects.get(action="loan.issue")
    assert event.region_code == VILLAGE and event.after["amount"] == "50000.00"


def test_a_repayment_carries_the_treasurys_share_and_a_paid_loan_is_repaid(
    posts: Posts,
) -> None:
    loan = lend(posts.county, household_make("H1", status="registered"), "20000",
                date(2018, 3, 1), 24, subsidy_share=Decimal("0.5"))  # fmt: skip
    first = repay(posts.county, loan, date(2019, 3, 1), "5000", "950")
    assert first.subsidy == Decimal("475.00")
    repay(posts.county, loan, date(2020, 3, 1), "15000", "950")
    loan.refresh_from_db()
    assert (loan.status, loan.balance, loan.repaid_on) == ("repaid", Decimal(0), date(2020, 3, 1))
    assert loan.interest_paid == Decimal("1900.00")
    assert AuditEvent.objects.filter(action="loan.repay").count() == 2


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"amount": Decimal("50000.01")}, "amount_over_cap"),
        ({"term": 37}, "term_over_cap"),
        ({"term": 0}, "term_over_cap"),
        ({"amount": Decimal("0")}, "amount_invalid"),
        ({"amount": Decimal("100.001")}, "amount_invalid"),
        ({"annual_rate": Decimal("0.25")}, "rate_invalid"),
        ({"subsidy_share": Decimal("1.5")}, "subsidy_invalid"),
        ({"purpose": "gambling"}, "purpose_unknown"),
        ({"lender": " "}, "lender_invalid"),
        ({"issued_on": date(2013, 6, 1)}, "date_invalid"),
        ({"issued_on": date.today() + timedelta(days=2)}, "date_invalid"),
    ],
)
def test_a_bad_loan_is_refused_and_nothing_written(
    posts: Posts,
    override: dict[str, Any],
    code: str,
) -> None:
    household = household_make("H1", status="registered")
    amount = str(override.pop("amount", "10000"))
    term = override.pop("term", 24)
    issued_on = override.pop("issued_on", date(2018, 1, 5))
    with pytest.raises(CreditError) as refused:
        lend(posts.county, household, amount, issued_on, term, **override)
    assert refused.value.code == code
    assert not Loan.objects.exists()
    assert not AuditEvent.objects.filter(action="loan.issue").exists()


def test_the_cap_bounds_all_a_household_owes_and_who_may_lend(posts: Posts) -> None:
    household = household_make("H1", status="registered")
    lend(posts.county, household, "30000", date(2018, 1, 5), 36)
    with pytest.raises(CreditError) as over:
        lend(posts.county, household, "20000.01", date(2018, 6, 5), 24)
    assert over.value.code == "amount_over_cap"
    lend(posts.county, household, "20000", date(2018, 6, 5), 24)
    with pytest.raises(CreditError) as cadre:
        lend(posts.cadre, household_make("H2", status="registered"), "1000", date(2018, 6, 5), 12)
    assert cadre.value.code == "role_not_allowed"
    with pytest.raises(CreditError) as unregistered:
        lend(posts.county, household_make("H3"), "1000", date(2018, 6, 5), 12)
    assert unregistered.value.code == "not_on_register"
    assert Loan.objects.count() == 2


def test_repayments_and_write_offs_refused_by_name(
    portfolio: dict[str, Loan], posts: Posts
) -> None:
    county = posts.county
    refusals = []
    for call in (
        lambda: repay(county, portfolio["A"], date(2019, 3, 1), "1"),  # repaid already
        lambda: repay(county, portfolio["B"], date(2019, 7, 1), "20000.01"),
        lambda: repay(county, portfolio["B"], date(2019, 5, 1), "100"),  # before the last
        lambda: repay(county, portfolio["B"], date(2019, 7, 1), "0"),
        lambda: loan_write_off(loan=portfolio["B"], on=date(2019, 12, 1), actor=county),
        lambda: loan_write_off(loan=portfolio["C"], on=date(2019, 12, 31), actor=county),
        lambda: loan_write_off(loan=portfolio["E"], on=date(2019, 12, 31), actor=county),
    ):
        with pytest.raises(CreditError) as refused:
            call()
        refusals.append(refused.value.code)
    assert refusals == ["loan_closed", "overpayment", "date_invalid", "amount_invalid",
                        "not_defaulted", "not_defaulted", "loan_closed"]  # fmt: skip
    assert LoanRepayment.objects.count() == 3


def test_the_rates_of_a_township_and_its_villages_by_hand(portfolio: dict[str, Loan]) -> None:
    # when
    rates = credit_rates(user=OPERATOR, region="522727100", on=ON)
    # then: outstanding B, C, D (75,000); past due C and D (55,000); defaulted D (35,000)
    total = rates.total
    assert (total["loans"], total["households"], total["lent"]) == (5, 5, Decimal("150000"))
    assert (total["households_outstanding"], total["households_overdue"],
            total["households_defaulted"]) == (3, 2, 1)  # fmt: skip
    assert (total["balance"], total["overdue_balance"], total["defaulted_balance"],
            total["written_off"]) == (Decimal(75000), Decimal(55000), Decimal(35000),
                                      Decimal(10000))  # fmt: skip
    assert total["overdue_household_rate"] == pytest.approx(2 / 3)
    assert total["default_household_rate"] == pytest.approx(1 / 3)
    assert total["overdue_amount_rate"] == pytest.approx(55000 / 75000)
    assert total["default_amount_rate"] == pytest.approx(35000 / 75000)
    villages = {part["region_code"]: part for part in rates.parts}
    jingzhou, laquan = villages[VILLAGE], villages[OTHER_VILLAGE]
    assert (jingzhou["overdue_household_rate"], jingzhou["default_household_rate"]) == (0.5, 0.0)
    assert (jingzhou["overdue_amount_rate"], jingzhou["default_amount_rate"]) == (0.5, 0.0)
    assert (laquan["overdue_amount_rate"], laquan["default_amount_rate"]) == (1.0, 1.0)
    assert laquan["written_off"] == Decimal(10000)
    assert [(row["loan_id"], row["days_overdue"]) for row in rates.past_due] == [
        (portfolio["D"].pk, 244), (portfolio["C"].pk, 60)]  # fmt: skip
    assert rates.default_days == {"52": 90}


def test_the_rates_as_of_an_earlier_day_see_only_what_was_paid_by_then(
    portfolio: dict[str, Loan],
) -> None:
    # on 2018-12-31: A, C current; B current; D current (due 2019-05-01); E defaulted
    rates = credit_rates(user=OPERATOR, region="522727100", on=date(2018, 12, 31)).total
    assert rates["loans"] == 5 and rates["households_outstanding"] == 5
    assert rates["households_defaulted"] == 1 and rates["defaulted_balance"] == Decimal(10000)
    assert rates["balance"] == Decimal(50000 + 30000 + 20000 + 35000 + 10000)


def test_the_cached_status_moves_on_with_the_calendar(
    portfolio: dict[str, Loan], actor: Actor
) -> None:
    # given: cached as of today, when every loan of the portfolio is long past due
    Loan.objects.filter(pk=portfolio["C"].pk).update(status="current")
    # when
    changed = loans_refresh(on=ON, actor=actor)
    # then: C is overdue on 2019-12-31, and B (due 2021) falls back to current
    statuses = dict(Loan.objects.values_list("pk", "status"))
    assert statuses[portfolio["C"].pk] == "overdue" and statuses[portfolio["D"].pk] == "defaulted"
    assert statuses[portfolio["B"].pk] == "current" and statuses[portfolio["A"].pk] == "repaid"
    assert changed >= 1
    assert AuditEvent.objects.filter(action="loan.refresh").count() == 1


def test_rates_and_loans_outside_the_posts_read_as_missing(
    portfolio: dict[str, Loan],
    posts: Posts,
) -> None:
    from django.http import Http404

    cadre = posts.other_cadre.user
    with pytest.raises(Http404):
        credit_rates(user=cadre, region="522727100", on=ON)
    with pytest.raises(Http404):
        access_loan(cadre, portfolio["A"].pk)
    assert access_loan(cadre, portfolio["D"].pk).pk == portfolio["D"].pk
    own = credit_rates(user=cadre, region=OTHER_VILLAGE, on=ON)
    assert own.total["loans"] == 2
