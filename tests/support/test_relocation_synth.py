"""Synthetic relocation and microcredit on a small synthetic county: reproducible, written
whole, within the database's rules, and read back by the progress and the rates."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.support.credit.queries import credit_rates
from fupin.support.models import Loan, LoanRepayment, RelocationMove, ResettlementSite
from fupin.support.readers import OPERATOR
from fupin.support.relocation.queries import relocation_progress
from fupin.synth.credit import CreditSynthError, credit_frames, synth_credit
from fupin.synth.relocation import RelocationSynthError, relocation_frames, synth_relocation
from fupin.synth.services import synth_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(villages: list[str], actor: Actor) -> None:
    synth_generate(region="522727", households=400, years=(2014, 2020), seed=7, actor=actor)


def households_frame() -> pl.DataFrame:
    return pl.DataFrame({"household_id": list(range(1, 201)),
                         "village_code": ["522727100218"] * 100 + ["522727100212"] * 100,
                         "poor": [index % 2 == 0 for index in range(200)],
                         "persons": [1 + index % 5 for index in range(200)]})  # fmt: skip


def test_the_generators_are_reproducible() -> None:
    years = [2016, 2017, 2018]
    first = relocation_frames(households_frame(), years=years, seed=3)
    assert first.moves.equals(relocation_frames(households_frame(), years=years, seed=3).moves)
    assert set(first.moves["household_id"]) <= set(range(1, 201, 2)) | set(range(0, 201, 2))
    loans = credit_frames(households_frame(), years=years, seed=3, today=date(2020, 6, 30))
    again = credit_frames(households_frame(), years=years, seed=3, today=date(2020, 6, 30))
    assert loans.loans.equals(again.loans) and loans.repayments.equals(again.repayments)
    assert (loans.loans["amount"] <= 50000).all()


def test_synthetic_relocation_and_loans_are_written_and_read_back(
    county: None, actor: Actor
) -> None:
    # when
    moved = synth_relocation(region="522727", years=(2016, 2019), seed=5, actor=actor)
    lent = synth_credit(region="522727", years=(2015, 2019), seed=5, actor=actor)
    # then
    assert moved.moves == RelocationMove.objects.count() > 0
    assert moved.sites == ResettlementSite.objects.count() == 2
    assert (
        lent.loans == Loan.objects.count() > 0 and lent.repayments == LoanRepayment.objects.count()
    )
    progress = relocation_progress(user=OPERATOR, region="522727", year=2016).total
    assert progress["target_households"] >= progress["planned_households"] > 0
    assert 0 < progress["moved_share"] <= 1
    rates = credit_rates(user=OPERATOR, region="522727", on=date(2019, 12, 31)).total
    assert rates["loans"] > 0 and 0 <= (rates["overdue_household_rate"] or 0) <= 1
    assert AuditEvent.objects.filter(action__in=["relocation.synth", "loan.synth"]).count() == 2
    with pytest.raises(RelocationSynthError):
        synth_relocation(region="522727", years=(2016, 2019), seed=6, actor=actor)
    with pytest.raises(CreditSynthError):
        synth_credit(region="522727", years=(2015, 2019), seed=6, actor=actor)
