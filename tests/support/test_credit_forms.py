# ruff: noqa: F811
"""Microcredit's write forms (扶贫小额信贷): a loan issued to a household (one above the
policy's cap refused, nothing written), a repayment and a write-off on the loan page; each
form only for the posts the services let write, and another county's household and loan
answer 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.support.credit.services import loan_issue
from fupin.support.models import Loan, LoanRepayment
from tests.support.test_credit import lend
from tests.support.test_relocation_pages import far_household
from tests.targeting.conftest import Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def terms(**override: Any) -> dict[str, Any]:
    return {"amount": "30000", "term_months": 36, "annual_rate": "0.0475",
            "subsidy_share": "0.5", "lender": "平塘县农村信用合作联社", "purpose": "breeding",
            "purpose_note": "养牛 5 头", "issued_on": "2018-04-01", **override}  # fmt: skip


def test_a_loan_is_issued_from_the_household(posts: Posts) -> None:
    # given
    household = household_make("H1", status="registered")
    township = posts.client("township")
    panel = township.get(f"/households/{household.pk}/loans/").content.decode()
    assert f"/households/{household.pk}/loans/new/" in panel
    # when
    done = township.post(f"/households/{household.pk}/loans/new/", terms())
    # then
    loan = Loan.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/credit/loans/{loan.pk}/"
    assert (loan.household_id, loan.amount, loan.term_months, loan.annual_rate,
            loan.subsidy_share, loan.lender, loan.purpose, loan.purpose_note, loan.issued_on,
            loan.due_on) == (household.pk, Decimal("30000.00"), 36, Decimal("0.0475"),
                             Decimal("0.5"), "平塘县农村信用合作联社", "breeding", "养牛 5 头",
                             date(2018, 4, 1), date(2021, 4, 1))  # fmt: skip


@pytest.mark.parametrize(
    ("override", "status", "reason"),
    [
        ({"amount": "50000.01"}, 409, "贷款余额将超过每户上限"),
        ({"term_months": 61}, 400, "贷款期限超过政策上限"),
        ({"annual_rate": "0.25", "subsidy_share": "1"}, 400, "利率或贴息比例不对"),
    ],
)
def test_a_loan_above_the_caps_is_refused_with_nothing_written(
    posts: Posts, override: dict[str, Any], status: int, reason: str
) -> None:
    household = household_make("H1", status="registered")
    refused = posts.client("county").post(f"/households/{household.pk}/loans/new/",
                                          terms(**override))  # fmt: skip
    assert refused.status_code == status
    assert reason in refused.content.decode()
    assert not Loan.objects.exists() and not AuditEvent.objects.filter(action="loan.issue").exists()


def test_the_cap_counts_what_the_household_still_owes(posts: Posts) -> None:
    household = household_make("H1", status="registered")
    lend(posts.county, household, "30000", date(2018, 1, 5), 36)
    refused = posts.client("county").post(f"/households/{household.pk}/loans/new/",
                                          terms(amount="20000.01", issued_on="2018-06-05"))  # fmt: skip
    assert refused.status_code == 409 and "每户上限" in refused.content.decode()
    assert Loan.objects.count() == 1


def test_a_repayment_is_recorded_on_the_loan_page(posts: Posts) -> None:
    # given
    loan = lend(posts.county, household_make("H1", status="registered"), "20000",
                date(2018, 3, 1), 24, subsidy_share=Decimal("0.5"))  # fmt: skip
    county = posts.client("county")
    assert 'id="repay"' in county.get(f"/credit/loans/{loan.pk}/").content.decode()
    # when
    done = county.post(f"/credit/loans/{loan.pk}/", {"action": "repay", "paid_on": "2019-03-01",
                                                     "principal": "5000", "interest": "950"})  # fmt: skip
    # then
    assert done.status_code == 302
    repayment = LoanRepayment.objects.get()
    assert (repayment.paid_on, repayment.principal, repayment.interest, repayment.subsidy) == (
        date(2019, 3, 1),
        Decimal("5000.00"),
        Decimal("950.00"),
        Decimal("475.00"),
    )
    loan.refresh_from_db()
    assert (loan.principal_repaid, loan.balance) == (Decimal("5000.00"), Decimal("15000.00"))
    over = county.post(f"/credit/loans/{loan.pk}/", {"action": "repay", "paid_on": "2019-06-01",
                                                     "principal": "15000.01", "interest": "0"})  # fmt: skip
    assert over.status_code == 409 and "还款本金超过未还本金" in over.content.decode()
    assert LoanRepayment.objects.count() == 1


def test_a_defaulted_loan_is_written_off_and_a_current_one_is_not(posts: Posts) -> None:
    # given: long past due and never repaid, so defaulted by now
    defaulted = lend(posts.county, household_make("H1", status="registered"), "10000",
                     date(2016, 1, 10), 24)  # fmt: skip
    county = posts.client("county")
    assert 'id="write-off"' in county.get(f"/credit/loans/{defaulted.pk}/").content.decode()
    # when
    done = county.post(f"/credit/loans/{defaulted.pk}/",
                       {"action": "write_off", "on": "2019-06-30", "reason": "户主病故"})  # fmt: skip
    # then
    assert done.status_code == 302
    defaulted.refresh_from_db()
    assert (defaulted.status, defaulted.written_off_on, defaulted.written_off_amount) == (
        "written_off",
        date(2019, 6, 30),
        Decimal("10000.00"),
    )
    page = county.get(f"/credit/loans/{defaulted.pk}/").content.decode()
    assert 'id="repay"' not in page and 'id="write-off"' not in page
    early = lend(posts.county, household_make("H2", status="registered"), "10000",
                 date(2018, 1, 10), 36)  # fmt: skip
    refused = county.post(f"/credit/loans/{early.pk}/", {"action": "write_off",
                                                         "on": "2018-06-30"})  # fmt: skip
    assert refused.status_code == 409 and "违约后才能" in refused.content.decode()
    early.refresh_from_db()
    assert early.written_off_on is None


def test_a_post_that_may_not_write_sees_no_form_and_gets_403(posts: Posts) -> None:
    household = household_make("H1", status="registered")
    loan = lend(posts.county, household, "20000", date(2016, 1, 10), 24)
    checked = []
    for name in ("cadre", "inspector", "prefecture"):
        client = posts.client(name)
        page = client.get(f"/credit/loans/{loan.pk}/")
        checked.append((name, page.status_code))
        text = page.content.decode()
        assert 'id="repay"' not in text and 'id="write-off"' not in text, name
        assert (
            "/loans/new/" not in client.get(f"/households/{household.pk}/loans/").content.decode()
        )
        assert client.get(f"/households/{household.pk}/loans/new/").status_code == 403
        assert client.post(f"/households/{household.pk}/loans/new/", terms()).status_code == 403
        repaid = client.post(f"/credit/loans/{loan.pk}/", {"action": "repay",
                             "paid_on": "2017-01-10", "principal": "100", "interest": "0"})  # fmt: skip
        assert repaid.status_code == 403, name
    assert checked == [("cadre", 200), ("inspector", 200), ("prefecture", 200)]
    assert Loan.objects.count() == 1 and not LoanRepayment.objects.exists()


def test_another_countys_household_and_loan_answer_404(posts: Posts, actor: Actor) -> None:
    far = far_household()
    far_loan = loan_issue(household=far, amount=Decimal(10000), term_months=24,
                          annual_rate=Decimal("0.0475"), lender="罗甸县信用社",
                          purpose="planting", issued_on=date(2018, 1, 10), actor=actor)  # fmt: skip
    county = posts.client("county")
    assert county.get(f"/households/{far.pk}/loans/new/").status_code == 404
    assert county.post(f"/households/{far.pk}/loans/new/", terms()).status_code == 404
    assert county.get(f"/credit/loans/{far_loan.pk}/").status_code == 404
    repaid = county.post(f"/credit/loans/{far_loan.pk}/", {"action": "repay",
                         "paid_on": "2019-01-10", "principal": "100", "interest": "0"})  # fmt: skip
    assert repaid.status_code == 404
    assert Loan.objects.count() == 1 and not LoanRepayment.objects.exists()
