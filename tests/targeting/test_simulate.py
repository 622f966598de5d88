"""The simulation: a synthetic county's cases driven through their procedures, year by year."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model

from fupin.core.access import roles_at
from fupin.core.audit import Actor, audit_chain_verify
from fupin.registry.models import Household, StatusTransition
from fupin.synth.services import synth_generate
from fupin.targeting import procedures as p
from fupin.targeting.models import Case, CaseStep
from fupin.targeting.simulate import simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(villages: list[str], actor: Actor) -> str:
    synth_generate(region="522727", households=3000, years=(2014, 2020), seed=3, actor=actor,
                   transitions=False)  # fmt: skip
    return "522727"


def poor_stock(year: int) -> int:
    """Households whose latest transition up to `year` leaves them registered or returned."""
    latest: dict[int, tuple[date, int, str]] = {}
    for t in StatusTransition.objects.filter(year__lte=year).order_by("date", "id"):
        latest[t.household_id] = (t.date, t.pk, t.to_status)
    return sum(1 for *_, status in latest.values() if status in ("registered", "returned"))


def test_the_poor_stock_falls_every_year_to_zero(county: str, actor: Actor) -> None:
    # given a synthetic county with facts only: nobody is registered yet
    assert not Household.objects.exclude(status="not_registered").exists()
    # when seven years are simulated
    simulate(prefix=county, years=range(2014, 2021), seed=1, actor=actor)
    # then the register grows at identification and falls every year after, to zero in 2020
    stock = [poor_stock(year) for year in range(2014, 2021)]
    assert stock[0] > 0.1 * Household.objects.count()
    assert all(later < earlier for earlier, later in pairwise(stock)), stock
    assert stock[-1] == 0
    assert not Case.objects.filter(outcome="open").exists()
    # every household's cached status is its latest transition's
    for household in Household.objects.exclude(status="not_registered")[:300]:
        last = household.transitions.order_by("date", "id").last()
        assert last is not None and last.to_status == household.status
    assert audit_chain_verify() is None


def test_the_simulated_history_obeys_the_procedures(county: str, actor: Actor) -> None:
    # given two simulated years
    simulate(prefix=county, years=range(2014, 2016), seed=2, actor=actor)
    users = get_user_model().objects.in_bulk()
    roles_cache: dict[tuple[int, str], set[str]] = {}
    history: dict[int, list[CaseStep]] = defaultdict(list)
    for entry in CaseStep.objects.order_by("case_id", "seq"):
        history[entry.case_id].append(entry)
    kinds = defaultdict(int)
    # when each case's history is replayed through the same checks the step services make
    for case in Case.objects.all():
        procedure = p.PROCEDURES[case.kind]
        state = p.CaseState(kind=case.kind, done=(), open=True)
        last_on = case.opened_on
        outcome = "approved"
        for entry in history[case.pk]:
            assert entry.on >= last_on, (case.pk, entry.seq)
            last_on = entry.on
            key = (entry.actor_id, case.region_code)
            if key not in roles_cache:
                roles_cache[key] = roles_at(users[entry.actor_id], case.region_code)
            roles = roles_cache[key]
            assert entry.role in roles
            if entry.action == "objection":
                assert state.notice_ends is not None and entry.on <= state.notice_ends
                state = p.CaseState(kind=case.kind, done=state.done, open=True,
                                    awaiting_reverification=True, notice_ends=state.notice_ends)  # fmt: skip
                continue
            if entry.action == "reverified":
                verifier = procedure.steps[procedure.index(entry.step) - 1]
                assert roles & verifier.roles and entry.evidence["visit_record"]
                if entry.evidence["upheld"]:
                    outcome = "rejected"
                    break
                state = p.CaseState(kind=case.kind, done=state.done[:-1], open=True)
                continue
            p.step_check(procedure, state, slug=entry.step, roles=roles,
                         evidence=entry.evidence, on=entry.on)  # fmt: skip
            step = procedure.step(entry.step)
            votes = entry.evidence.get("votes")
            if votes and not p.appraisal_passed(votes):
                outcome = "rejected"
                break
            state = p.CaseState(
                kind=case.kind, done=(*state.done, entry.step), open=True,
                notice_ends=entry.notice_ends if step.notice else None,
            )  # fmt: skip
        # then every case ends as its history says, and approved ones moved the register
        assert case.outcome == outcome, case.pk
        if outcome == "approved":
            assert len(state.done) == len(procedure.steps)
            assert StatusTransition.objects.filter(case_ref=case.ref).count() == 1
        kinds[(case.kind, case.outcome)] += 1
    assert kinds[("identification", "approved")] > 0 and kinds[("exit", "approved")] > 0
    assert kinds[("identification", "rejected")] > 0


def test_a_second_simulation_of_the_same_years_changes_nothing(county: str, actor: Actor) -> None:
    simulate(prefix=county, years=range(2014, 2016), seed=2, actor=actor)
    counts = (Case.objects.count(), CaseStep.objects.count(), StatusTransition.objects.count())
    simulate(prefix=county, years=range(2014, 2016), seed=2, actor=actor)
    assert (Case.objects.count(), CaseStep.objects.count(),
            StatusTransition.objects.count()) == counts  # fmt: skip
