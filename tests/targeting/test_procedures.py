"""The procedures as data: the pure step checks, property-tested."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core.choices import Role
from fupin.targeting import procedures as p
from tests.targeting.conftest import evidence_for

ROLES = st.sets(st.sampled_from(Role.values), max_size=3)


def test_every_step_names_known_roles_and_each_procedure_is_distinct() -> None:
    for procedure in p.PROCEDURES.values():
        slugs = [step.slug for step in procedure.steps]
        assert len(slugs) == len(set(slugs)), procedure.kind
        for step in procedure.steps:
            assert step.roles and step.roles <= set(Role.values), (procedure.kind, step.slug)
            assert step.evidence, f"{procedure.kind}.{step.slug} asks for no evidence"
        # a notice is never first: someone must have decided what to post
        assert not procedure.steps[0].notice


def test_identification_is_the_two_notices_one_announcement_procedure() -> None:
    assert [s.slug for s in p.IDENTIFICATION.steps] == [
        "application", "village_appraisal", "first_notice", "township_review",
        "second_notice", "county_approval", "announcement", "registration",
    ]  # fmt: skip
    assert [s.slug for s in p.IDENTIFICATION.steps if s.notice] == ["first_notice", "second_notice"]


@given(
    attempts=st.lists(
        st.tuples(
            st.sampled_from(sorted(p.PROCEDURES)),
            st.integers(0, 8),
            ROLES,
            st.booleans(),
            st.integers(0, 10),
        ),
        max_size=40,
    )
)
def test_random_attempts_only_ever_advance_one_allowed_step_at_a_time(attempts: list) -> None:
    states = {kind: p.CaseState(kind=kind, done=(), open=True) for kind in p.PROCEDURES}
    day = date(2016, 1, 1)
    for kind, index, roles, full_evidence, wait in attempts:
        procedure = p.PROCEDURES[kind]
        step = procedure.steps[min(index, len(procedure.steps) - 1)]
        state = states[kind]
        day += timedelta(days=wait)
        evidence = evidence_for(step) if full_evidence else {}
        try:
            p.step_check(procedure, state, slug=step.slug, roles=roles, evidence=evidence, on=day)
        except p.StepRefused as refused:
            assert refused.code in {
                "out_of_order", "role_not_allowed", "evidence_missing", "notice_running",
                "case_closed",
            }  # fmt: skip
            continue
        # accepted: it was exactly the next step, by an allowed role, with its evidence
        assert step == p.next_step(procedure, state)
        assert roles & step.roles and (full_evidence or not step.evidence)
        assert state.notice_ends is None or day > state.notice_ends
        done = (*state.done, step.slug)
        states[kind] = p.CaseState(
            kind=kind, done=done, open=len(done) < len(procedure.steps),
            notice_ends=day + timedelta(days=6) if step.notice else None,
        )  # fmt: skip
    for kind, state in states.items():
        expected = [s.slug for s in p.PROCEDURES[kind].steps[: len(state.done)]]
        assert list(state.done) == expected


@pytest.mark.parametrize(
    ("results", "vetoes"),
    [
        ({}, []),
        ({"incidence": "0.03"}, ["incidence"]),
        ({"wrong_exit_rate": "0.02", "satisfaction": "0.5"}, ["wrong_exit_rate", "satisfaction"]),
        ({"omission_rate": "0.0199"}, []),
    ],
)
def test_evaluation_vetoes(results: dict, vetoes: list) -> None:
    evidence = {"incidence": "0.01", "wrong_exit_rate": "0", "omission_rate": "0",
                "satisfaction": "0.97", **results}  # fmt: skip
    bars = p.EvaluationThresholds(
        incidence=Decimal("0.03"),
        wrong_exit=Decimal("0.02"),
        omission=Decimal("0.02"),
        satisfaction=Decimal("0.90"),
    )
    assert p.evaluation_vetoes(evidence, bars) == vetoes


@pytest.mark.parametrize("value", ["1.2", "-0.1", "abc", "NaN", "Infinity", "sNaN"])
def test_a_rate_outside_zero_to_one_is_invalid(value: str) -> None:
    step = p.COUNTY_EXIT.step("county_application")
    with pytest.raises(p.StepRefused) as refused:
        p.evidence_clean(step, {"application": "申请", "incidence": value})
    assert refused.value.code == "evidence_invalid"
