"""Procedure cases: every step in order, by the right post, with its evidence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fupin.core.audit import Actor, audit_chain_verify
from fupin.core.models import AuditEvent
from fupin.regions.models import PoorAreaDesignation
from fupin.registry.models import Household, StatusTransition
from fupin.stats.queries import region_stats
from fupin.targeting import procedures as p
from fupin.targeting.models import Case, CaseStep, Monitoring
from fupin.targeting.services import (
    CaseError,
    case_objection_record,
    case_open,
    case_reject,
    case_reverify,
    case_step_take,
    case_withdraw,
)
from tests.targeting.conftest import (
    POSTS,
    VILLAGE,
    Posts,
    assess,
    evidence_for,
    household_make,
)

POSTS_ROLE = {name: role for name, (role, _) in POSTS.items()}

pytestmark = pytest.mark.django_db
START = date(2016, 10, 8)


def walk(case: Case, posts: Posts, *, until: str | None = None, start: date = START) -> Case:
    """Take the case's steps in order (each after the previous notice), up to `until`."""
    procedure = p.PROCEDURES[case.kind]
    on = start
    for step in procedure.steps[procedure.index(case.step) + 1 if case.step else 0 :]:
        if step.slug == until:
            break
        case = case_step_take(
            case=case, step=step.slug, on=on, actor=posts.for_step(step),
            evidence=evidence_for(step),
        )  # fmt: skip
        on = (case.notice_ends or on) + timedelta(days=1)
    return case


def opened(kind: str, posts: Posts, household: Household | None = None, **kw: object) -> Case:
    """A case opened by the village cadre; the household gets a 2016 assessment that
    supports the kind (poor for identification and return, above the line for exit)."""
    if household is not None and not household.assessments.filter(year=2016).exists():
        assess(household, 2016, 5000 if kind == "exit" else 2000)
    return case_open(
        kind=kind, year=2016, on=START, actor=posts.cadre, trigger="application",
        household=household, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_identification_walks_eight_steps_and_registers(posts: Posts) -> None:
    # given a household that applies
    household = household_make("5227271002180001")
    case = opened("identification", posts, household)
    # when every step is taken in order by its post
    case = walk(case, posts)
    # then it is registered, with the case on the transition and every step on record
    household.refresh_from_db()
    assert case.outcome == "approved" and household.status == "registered"
    transition = StatusTransition.objects.get(household=household)
    assert (transition.from_status, transition.to_status, transition.year) == (
        "not_registered", "registered", 2016,
    )  # fmt: skip
    assert transition.case_ref == f"identification:{case.pk}"
    history = list(case.steps.values_list("step", "role"))
    assert [step for step, _ in history] == [s.slug for s in p.IDENTIFICATION.steps]
    assert dict(history)["county_approval"] == "county"
    assert dict(history)["township_review"] == "township"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.open", "case.step", "case.approved", "household.status"} <= actions
    assert audit_chain_verify() is None
    # and the decision is in the rollups of the village and every level above it
    for region in (VILLAGE, "522727100", "522727", "5227", "52", ""):
        measures = region_stats(region=region, year=2016)["measures"]
        assert (measures["registered_households"], measures["new_households"]) == (1, 1), region


def test_notice_lasts_the_policy_days_and_blocks_the_next_step(posts: Posts) -> None:
    case = walk(
        opened("identification", posts, household_make("1")), posts, until="township_review"
    )
    assert case.step == "first_notice"
    posted = case.steps.get(step="first_notice").on
    assert case.notice_ends == posted + timedelta(days=6)  # seven days, the posting day included
    with pytest.raises(CaseError) as refused:
        case_step_take(case=case, step="township_review", on=case.notice_ends, actor=posts.township,
                       evidence=evidence_for(p.IDENTIFICATION.step("township_review")))  # fmt: skip
    assert refused.value.code == "notice_running"
    case_step_take(case=case, step="township_review", on=case.notice_ends + timedelta(days=1),
                   actor=posts.township,
                   evidence=evidence_for(p.IDENTIFICATION.step("township_review")))  # fmt: skip


@pytest.mark.parametrize(
    ("step", "actor_name", "evidence", "code"),
    [
        ("county_approval", "county", None, "out_of_order"),
        ("village_appraisal", "township", None, "role_not_allowed"),
        ("village_appraisal", "other_cadre", None, "role_not_allowed"),
        ("village_appraisal", "inspector", None, "role_not_allowed"),
        ("village_appraisal", "cadre", {"minutes": "会议记录"}, "evidence_missing"),
        ("village_appraisal", "cadre", {"minutes": "  ", "votes": {"for": 3}}, "evidence_missing"),
        ("village_appraisal", "cadre", {"minutes": "记录", "votes": "many"}, "evidence_invalid"),
        (
            "village_appraisal",
            "cadre",
            {"minutes": "记录", "votes": {"for": -1}},
            "evidence_invalid",
        ),
        ("no_such_step", "cadre", None, "unknown_step"),
    ],
)
def test_a_refused_step_writes_nothing(
    posts: Posts, step: str, actor_name: str, evidence: dict | None, code: str
) -> None:
    # given an identification case whose application is in
    case = walk(
        opened("identification", posts, household_make("1")), posts, until="village_appraisal"
    )
    before = (CaseStep.objects.count(), AuditEvent.objects.count())
    # when a step is tried out of order, by a wrong post or without its evidence
    with pytest.raises(CaseError) as refused:
        case_step_take(
            case=case, step=step, on=START, actor=getattr(posts, actor_name),
            evidence=evidence if evidence is not None else evidence_for(
                p.IDENTIFICATION.step("village_appraisal")),
        )  # fmt: skip
    # then it is refused with its code and a message, and nothing is written
    assert refused.value.code == code and str(refused.value)
    assert (CaseStep.objects.count(), AuditEvent.objects.count()) == before
    case.refresh_from_db()
    assert case.step == "application" and case.outcome == "open"


def test_a_system_actor_cannot_take_a_step(posts: Posts) -> None:
    case = opened("identification", posts, household_make("1"))
    with pytest.raises(CaseError) as refused:
        case_step_take(case=case, step="application", on=START, actor=Actor(None, "batch"),
                       evidence=evidence_for(p.IDENTIFICATION.steps[0]))  # fmt: skip
    assert refused.value.code == "role_not_allowed"


def test_a_step_dated_before_the_last_entry_is_refused(posts: Posts) -> None:
    case = walk(opened("identification", posts, household_make("1")), posts, until="first_notice")
    with pytest.raises(CaseError) as refused:
        case_step_take(case=case, step="first_notice", on=START - timedelta(days=1),
                       actor=posts.cadre, evidence={"notice_place": "村务公开栏"})  # fmt: skip
    assert refused.value.code == "date_before_history"


def test_objection_sends_the_case_back_and_the_notice_is_posted_again(posts: Posts) -> None:
    # given a first notice running
    case = walk(
        opened("identification", posts, household_make("1")), posts, until="township_review"
    )
    ends = case.notice_ends
    assert ends is not None
    # when a villager objects, no step can be taken until the objection is re-verified
    case_objection_record(case=case, on=ends, actor=posts.cadre, objection="该户有小汽车")
    later = ends + timedelta(days=1)
    with pytest.raises(CaseError) as refused:
        case_step_take(case=case, step="township_review", on=later, actor=posts.township,
                       evidence=evidence_for(p.IDENTIFICATION.step("township_review")))  # fmt: skip
    assert refused.value.code == "reverification_pending"
    with pytest.raises(CaseError) as wrong_post:
        case_reverify(case=case, on=later, actor=posts.township, upheld=False,
                      evidence={"visit_record": "核实"})  # fmt: skip
    assert wrong_post.value.code == "role_not_allowed"
    # and an objection dismissed on re-verification sends the case back before the notice
    case = case_reverify(case=case, on=later, actor=posts.cadre, upheld=False,
                         evidence={"visit_record": "车辆为亲属所有"}, note="异议不成立")  # fmt: skip
    assert case.step == "village_appraisal" and case.notice_ends is None
    with pytest.raises(CaseError) as skipped:
        case_step_take(case=case, step="township_review", on=later, actor=posts.township,
                       evidence=evidence_for(p.IDENTIFICATION.step("township_review")))  # fmt: skip
    assert skipped.value.code == "out_of_order"
    case = walk(case, posts, start=later)
    assert case.outcome == "approved"
    notices = case.steps.filter(step="first_notice", action="taken")
    assert [n.standing for n in notices] == [False, True]
    assert list(case.steps.values_list("action", flat=True)).count("objection") == 1


def test_objection_upheld_rejects_with_the_reason(posts: Posts) -> None:
    case = walk(
        opened("identification", posts, household_make("1")), posts, until="township_review"
    )
    case_objection_record(case=case, on=START + timedelta(days=2), actor=posts.team,
                          objection="家庭成员为财政供养人员")  # fmt: skip
    case = case_reverify(case=case, on=START + timedelta(days=3), actor=posts.secretary,
                         upheld=True, evidence={"visit_record": "属实"}, note="成员在乡镇任职")  # fmt: skip
    assert case.outcome == "rejected" and "成员在乡镇任职" in case.reason
    assert Household.objects.get().status == "not_registered"


def test_objection_outside_a_notice_is_refused(posts: Posts) -> None:
    case = opened("identification", posts, household_make("1"))
    with pytest.raises(CaseError) as refused:
        case_objection_record(case=case, on=START, actor=posts.cadre, objection="异议")
    assert refused.value.code == "no_notice"
    case = walk(case, posts, until="township_review")
    assert case.notice_ends is not None
    with pytest.raises(CaseError) as late:
        case_objection_record(case=case, on=case.notice_ends + timedelta(days=1),
                              actor=posts.cadre, objection="异议")  # fmt: skip
    assert late.value.code == "notice_over"


def test_a_failed_appraisal_vote_rejects(posts: Posts) -> None:
    case = walk(
        opened("identification", posts, household_make("1")), posts, until="village_appraisal"
    )
    case = case_step_take(
        case=case, step="village_appraisal", on=START, actor=posts.cadre,
        evidence={"minutes": "第3次村民代表大会", "votes": {"for": 10, "against": 12}},
    )  # fmt: skip
    assert case.outcome == "rejected" and "appraisal" in case.reason
    assert case.decided_on == START


def test_rejection_needs_the_deciding_post_and_a_reason(posts: Posts) -> None:
    case = walk(
        opened("identification", posts, household_make("1")), posts, until="township_review"
    )
    later = START + timedelta(days=30)
    with pytest.raises(CaseError) as wrong:
        case_reject(case=case, on=later, actor=posts.cadre, reason="收入超标")
    assert wrong.value.code == "role_not_allowed"
    with pytest.raises(CaseError) as silent:
        case_reject(case=case, on=later, actor=posts.township, reason=" ")
    assert silent.value.code == "reason_missing"
    case = case_reject(case=case, on=later, actor=posts.township, reason="抽查发现收入超标")
    assert (case.outcome, case.reason) == ("rejected", "抽查发现收入超标")
    assert case.steps.last().action == "rejected"  # type: ignore[union-attr]
    with pytest.raises(CaseError) as closed:
        walk(case, posts)
    assert closed.value.code == "case_closed"


def test_withdrawal(posts: Posts) -> None:
    case = opened("identification", posts, household_make("1"))
    case = case_withdraw(case=case, on=START, actor=posts.cadre, reason="农户撤回申请")
    assert case.outcome == "withdrawn"
    # a new application can be opened once the first is closed
    assert opened("identification", posts, Household.objects.get()).outcome == "open"


def test_one_open_case_per_household_and_kind(posts: Posts) -> None:
    household = household_make("1")
    opened("identification", posts, household)
    with pytest.raises(CaseError) as twice:
        opened("identification", posts, household)
    assert twice.value.code == "case_open_already"


def test_opening_needs_a_post_of_the_procedure_in_the_region(posts: Posts) -> None:
    with pytest.raises(CaseError) as refused:
        case_open(kind="identification", year=2016, on=START, actor=posts.other_cadre,
                  trigger="application", household=household_make("1"))  # fmt: skip
    assert refused.value.code == "role_not_allowed"


def test_exit_walks_to_exited_but_not_in_the_registration_year(posts: Posts) -> None:
    fresh = household_make("1", status="registered", registered_year=2016)
    with pytest.raises(CaseError) as same_year:
        opened("exit", posts, fresh)
    assert same_year.value.code == "registered_this_year"
    with pytest.raises(CaseError) as wrong_status:
        opened("exit", posts, household_make("2"))
    assert wrong_status.value.code == "wrong_status"
    household = household_make("3", status="registered", registered_year=2015)
    case = walk(opened("exit", posts, household), posts)
    household.refresh_from_db()
    assert case.outcome == "approved" and household.status == "exited"
    assert household.transitions.order_by("date").last().case_ref == case.ref  # type: ignore[union-attr]


def test_return_and_removal(posts: Posts) -> None:
    exited = household_make("1", status="exited", registered_year=2014)
    walk(opened("return", posts, exited), posts)
    exited.refresh_from_db()
    assert exited.status == "returned"
    registered = household_make("2", status="registered", registered_year=2014)
    with pytest.raises(CaseError) as no_reason:
        opened("removal", posts, registered)
    assert no_reason.value.code == "reason_missing"
    case = walk(
        opened("removal", posts, registered, detail={"reason": "家庭成员为公职人员"}), posts
    )
    registered.refresh_from_db()
    assert registered.status == "removed" and case.detail["reason"] == "家庭成员为公职人员"


def test_monitoring_case_and_risk_elimination(posts: Posts) -> None:
    household = household_make("1", status="exited", registered_year=2014)
    with pytest.raises(CaseError) as bad:
        opened("monitoring", posts, household, detail={"monitoring_type": "unstable", "risks": []})
    assert bad.value.code == "detail_invalid"
    with pytest.raises(CaseError) as marginal:
        opened("monitoring", posts, household,
               detail={"monitoring_type": "marginal", "risks": ["illness"]})  # fmt: skip
    assert marginal.value.code == "wrong_status"
    case = opened("monitoring", posts, household,
                  detail={"monitoring_type": "unstable", "risks": ["illness", "disaster"]})  # fmt: skip
    walk(case, posts)
    watch = Monitoring.objects.get(household=household)
    assert watch.monitoring_type == "unstable" and watch.risks == ["illness", "disaster"]
    assert watch.eliminated_on is None
    with pytest.raises(CaseError) as twice:
        opened("monitoring", posts, household,
               detail={"monitoring_type": "unstable", "risks": ["illness"]})  # fmt: skip
    assert twice.value.code == "monitored_already"
    elimination = opened("risk_elimination", posts, household)
    walk(elimination, posts, start=date(2017, 6, 1))
    watch.refresh_from_db()
    assert watch.eliminated_case_id == elimination.pk and watch.elimination_way == "assistance"
    with pytest.raises(CaseError) as gone:
        opened("risk_elimination", posts, household)
    assert gone.value.code == "not_monitored"


def designate(kind: str, code: str) -> None:
    PoorAreaDesignation.objects.create(region_id=code, kind=kind, designated_year=2014)


def test_village_exit_lifts_the_designation(posts: Posts) -> None:
    with pytest.raises(CaseError) as undesignated:
        opened("village_exit", posts, region_code=VILLAGE)
    assert undesignated.value.code == "not_designated"
    designate("village", VILLAGE)
    case = walk(opened("village_exit", posts, region_code=VILLAGE), posts)
    assert case.outcome == "approved"
    assert PoorAreaDesignation.objects.get(region_id=VILLAGE).lifted_year == 2016


def test_village_exit_fails_on_incidence_or_an_indicator(posts: Posts) -> None:
    designate("village", VILLAGE)
    case = walk(
        opened("village_exit", posts, region_code=VILLAGE), posts, until="village_application"
    )
    # 平塘 is in the west: the bar is 3%, so 2.9% passes and 3% fails
    step = p.VILLAGE_EXIT.step("village_application")
    case = case_step_take(case=case, step=step.slug, on=START, actor=posts.cadre,
                          evidence=evidence_for(step, incidence="0.029"))  # fmt: skip
    assert case.outcome == "open"
    case = walk(case, posts, until="county_verification")
    step = p.VILLAGE_EXIT.step("county_verification")
    case = case_step_take(
        case=case, step=step.slug, on=START, actor=posts.county,
        evidence=evidence_for(step, indicators={
            **evidence_for(step)["indicators"], "collective_income": False}),
    )  # fmt: skip
    assert case.outcome == "rejected" and "collective_income" in case.reason
    second = walk(
        opened("village_exit", posts, region_code=VILLAGE), posts, until="village_application"
    )
    step = p.VILLAGE_EXIT.step("village_application")
    second = case_step_take(case=second, step=step.slug, on=START, actor=posts.cadre,
                            evidence=evidence_for(step, incidence="0.03"))  # fmt: skip
    assert second.outcome == "rejected" and "incidence" in second.reason
    assert PoorAreaDesignation.objects.get(region_id=VILLAGE).lifted_year is None


@pytest.mark.parametrize(
    ("measure", "value", "passes"),
    [
        ("wrong_exit_rate", "0.0199", True),
        ("wrong_exit_rate", "0.02", False),
        ("omission_rate", "0.025", False),
        ("satisfaction", "0.90", True),
        ("satisfaction", "0.899", False),
        ("incidence", "0.031", False),
    ],
)
def test_county_exit_third_party_evaluation_single_veto(
    posts: Posts, measure: str, value: str, passes: bool
) -> None:
    designate("county", "522727")
    case = case_open(kind="county_exit", year=2016, on=START, actor=posts.county,
                     trigger="office", region_code="522727")  # fmt: skip
    case = walk(case, posts, until="third_party_evaluation")
    step = p.COUNTY_EXIT.step("third_party_evaluation")
    results = {"incidence": "0.012", "wrong_exit_rate": "0.005", "omission_rate": "0.004",
               "satisfaction": "0.95", measure: value}  # fmt: skip
    on = START + timedelta(days=60)
    case = case_step_take(case=case, step=step.slug, on=on, actor=posts.evaluator,
                          evidence=evidence_for(step, **results))  # fmt: skip
    if passes:
        assert case.outcome == "open"
        case = walk(case, posts, start=on)
        assert case.outcome == "approved"
        assert PoorAreaDesignation.objects.get(region_id="522727").lifted_year == 2016
    else:
        assert case.outcome == "rejected" and measure in case.reason
        assert PoorAreaDesignation.objects.get(region_id="522727").lifted_year is None


def subject_of(kind: str, posts: Posts) -> Case:
    """An open case of `kind` on a subject that qualifies for it."""
    if kind in ("village_exit", "county_exit"):
        code = VILLAGE if kind == "village_exit" else "522727"
        designate(kind.removesuffix("_exit"), code)
        return case_open(kind=kind, year=2016, on=START, actor=posts.county, trigger="office",
                         region_code=code)  # fmt: skip
    status = {"identification": "not_registered", "exit": "registered", "return": "exited",
              "removal": "registered", "monitoring": "exited",
              "risk_elimination": "exited"}[kind]  # fmt: skip
    household = household_make("9", status=status, registered_year=2014)
    detail: dict[str, object] = {"reason": "核实为公职人员家庭"} if kind == "removal" else {}
    if kind in ("monitoring", "risk_elimination"):
        detail = {"monitoring_type": "unstable", "risks": ["illness"]}
    if kind == "risk_elimination":
        walk(opened("monitoring", posts, household, detail=detail), posts)
        detail = {}
    return opened(kind, posts, household, detail=detail)


@pytest.mark.parametrize("kind", sorted(p.PROCEDURES))
def test_every_procedure_refuses_order_role_and_missing_evidence(posts: Posts, kind: str) -> None:
    # given a fresh case of each kind
    case = subject_of(kind, posts)
    procedure = p.PROCEDURES[kind]
    first, second = procedure.steps[0], procedure.steps[1]
    outsider = next(name for name in ("township", "cadre", "prefecture", "inspector")
                    if not {POSTS_ROLE[name]} & first.roles)  # fmt: skip
    attempts = [
        (second.slug, posts.for_step(second), evidence_for(second), "out_of_order"),
        (first.slug, getattr(posts, outsider), evidence_for(first), "role_not_allowed"),
        (first.slug, posts.for_step(first), {}, "evidence_missing"),
    ]
    before = CaseStep.objects.count()
    for step, actor, evidence, code in attempts:
        # when a step is tried out of order, by a post not allowed, or without evidence
        with pytest.raises(CaseError) as refused:
            case_step_take(case=case, step=step, on=START + timedelta(days=200), actor=actor,
                           evidence=evidence)  # fmt: skip
        # then it is refused with that code and a message naming the step, and nothing written
        assert refused.value.code == code, (kind, step, code)
        assert step in str(refused.value)
    assert CaseStep.objects.count() == before
    # and the right post with the evidence may take the first step
    case_step_take(case=case, step=first.slug, on=START + timedelta(days=200),
                   actor=posts.for_step(first), evidence=evidence_for(first))  # fmt: skip


def test_village_exit_needs_a_result_for_every_indicator_the_province_sets(
    posts: Posts, actor: Actor
) -> None:
    from fupin.policy.services import exit_indicator_set

    designate("village", VILLAGE)
    step = p.VILLAGE_EXIT.step("county_verification")
    seeded = evidence_for(step)["indicators"]
    # Guizhou switches the clinic indicator off and adds one of its own
    common = {"year": None, "province": "52", "actor": actor, "verified": True, "source": "x"}
    exit_indicator_set(level="village", code="clinic", label="", active=False, **common)
    exit_indicator_set(level="village", code="industry", label="有主导产业", active=True,
                       **common)  # fmt: skip
    case = walk(opened("village_exit", posts, region_code=VILLAGE), posts,
                until="county_verification")  # fmt: skip
    results = {code: True for code in seeded if code != "clinic"}
    with pytest.raises(CaseError) as missing:
        case_step_take(case=case, step=step.slug, on=START + timedelta(days=30),
                       actor=posts.county, evidence=evidence_for(step, indicators=results))  # fmt: skip
    assert missing.value.code == "evidence_invalid" and "industry (有主导产业)" in str(
        missing.value
    )
    assert "clinic" not in str(missing.value)
    case = case_step_take(
        case=case, step=step.slug, on=START + timedelta(days=30), actor=posts.county,
        evidence=evidence_for(step, indicators={**results, "industry": True}),
    )  # fmt: skip
    assert case.outcome == "open" and case.step == "county_verification"


@pytest.mark.parametrize(
    ("kind", "status", "per_capita", "facts", "code"),
    [
        ("identification", "not_registered", 3100, {}, "not_eligible"),
        ("identification", "not_registered", 2000, {"owns_car": True}, "excluded"),
        ("identification", "not_registered", None, {}, "not_assessed"),
        ("return", "exited", 3100, {}, "not_eligible"),
        ("exit", "registered", 2900, {}, "not_exit_ready"),
        ("exit", "registered", 5000, {"housing_grade": "C"}, "not_exit_ready"),
    ],
)
def test_a_case_by_hand_must_meet_the_years_rules(
    posts: Posts, kind: str, status: str, per_capita: int | None, facts: dict, code: str
) -> None:
    # given a household whose 2016 facts do not support the case (2016 line: 2,952)
    from fupin.registry.models import HouseholdFact

    household = household_make("1", status=status, registered_year=2014)
    if per_capita is not None:
        assess(household, 2016, per_capita, housing_grade=facts.get("housing_grade", "B"))
    if facts.get("owns_car"):
        HouseholdFact.objects.create(household=household, year=2016, fact="owns_car",
                                     recorded_at=household.created_at)  # fmt: skip
    # when a cadre opens it, then it is refused with the rule's reasons and nothing is written
    with pytest.raises(CaseError) as refused:
        case_open(kind=kind, year=2016, on=START, actor=posts.cadre, trigger="application",
                  household=household)  # fmt: skip
    assert refused.value.code == code
    assert not Case.objects.exists()


def test_a_case_by_hand_records_its_policy_and_reasons(posts: Posts) -> None:
    case = opened("identification", posts, household_make("1"))
    assert case.detail["reasons"] == ["income_below_line"]
    assert case.policy_snapshot is not None
    assert (case.policy_snapshot.year, case.policy_snapshot.province) == (2016, "52")


def test_the_evaluation_bars_come_from_the_policy_tables(posts: Posts, actor: Actor) -> None:
    from fupin.policy.services import policy_set

    # given a province that asks 95% public recognition instead of 90%
    policy_set(name="satisfaction_min", value=Decimal("0.95"), year=None, province="52",
               actor=actor, verified=False, source="a test")  # fmt: skip
    designate("county", "522727")
    case = case_open(kind="county_exit", year=2016, on=START, actor=posts.county,
                     trigger="office", region_code="522727")  # fmt: skip
    case = walk(case, posts, until="third_party_evaluation")
    step = p.COUNTY_EXIT.step("third_party_evaluation")
    # when the evaluation finds 93%, then that is a veto there
    case = case_step_take(case=case, step=step.slug, on=START + timedelta(days=60),
                          actor=posts.evaluator,
                          evidence=evidence_for(step, incidence="0.01", wrong_exit_rate="0",
                                                omission_rate="0", satisfaction="0.93"))  # fmt: skip
    assert case.outcome == "rejected" and "satisfaction" in case.reason
