"""Taking procedure cases through their steps, one case at a time.

Each service locks its case, checks the step against the procedure (`procedures`), the
actor's roles over the case's region (`core.access`) and the evidence, writes the step and
its audit event in one transaction, and applies the decision when the last step is taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.policy.models import Parameter
from fupin.policy.queries import exit_indicators, policy_value
from fupin.policy.services import policy_snapshot
from fupin.regions.models import PoorAreaDesignation
from fupin.regions.services import poor_area_lift
from fupin.registry.models import Household, StatusTransition
from fupin.stats.services import rollups_refresh
from fupin.targeting import procedures as p
from fupin.targeting.choices import CaseKind, MonitoringType, Outcome, RiskType, StepAction
from fupin.targeting.decisions import HouseholdDecision, household_decision
from fupin.targeting.models import Case, CaseStep, Monitoring
from fupin.targeting.transition import transition_until


class CaseError(ValueError):
    """A case action refused; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def case_open(
    *,
    kind: str,
    year: int,
    on: date,
    actor: Actor,
    trigger: str,
    household: Household | None = None,
    region_code: str = "",
    clue_on: date | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Case:
    """Open a case of `kind` for a household (or a village or county) in `year`."""
    procedure = _procedure(kind)
    with transaction.atomic():
        if procedure.subject == "household":
            if household is None:
                raise CaseError("subject_missing", f"a {kind} case is opened for a household")
            household = Household.objects.select_for_update().get(pk=household.pk)
            region_code = household.village_id
        elif not region_code:
            raise CaseError("subject_missing", f"a {kind} case is opened for a {procedure.subject}")
        _check_opener(procedure, region_code=region_code, actor=actor)
        clean = _open_preconditions(procedure, household, region_code, year, dict(detail or {}))
        if _open_case(kind, household, region_code) is not None:
            raise CaseError("case_open_already", f"an open {kind} case exists for this subject")
        snapshot = policy_snapshot(year=year, province=region_code[:2])
        if household is not None and kind in RULED_KINDS:
            decision = _rules_check(kind, household, year)
            clean = {**clean, "reasons": list(decision.reasons)}
        case = Case.objects.create(
            kind=kind, household=household, region_code=region_code, year=year,
            trigger=trigger, clue_on=clue_on or on, opened_on=on, detail=clean,
            policy_snapshot=snapshot,
        )  # fmt: skip
        _audit(actor, case, "case.open", after={"trigger": trigger, "detail": clean})
    return case


def case_step_take(
    *,
    case: Case,
    step: str,
    on: date,
    actor: Actor,
    evidence: Mapping[str, Any],
    note: str = "",
) -> Case:
    """Take the case's next step; the last step approves it, a failed test rejects it."""
    procedure = _procedure(case.kind)
    with transaction.atomic():
        case = _locked(case, on)
        roles = roles_at(actor.user, case.region_code)
        try:
            clean = p.step_check(
                procedure, _state(case), slug=step, roles=roles, evidence=evidence, on=on
            )
        except p.StepRefused as refused:
            raise CaseError(refused.code, str(refused)) from None
        definition = procedure.step(step)
        if "indicators" in clean:
            _indicators_check(case, procedure, clean["indicators"])
        notice_ends = _notice_ends(case, on) if definition.notice else None
        _history_add(case, step=step, action=StepAction.TAKEN, on=on, actor=actor,
                     role=_role(roles, definition.roles), evidence=clean, note=note,
                     notice_ends=notice_ends)  # fmt: skip
        case.step, case.notice_ends = step, notice_ends
        _audit(actor, case, "case.step", after={"step": step, "on": on, "evidence": clean})
        failed = _failed_tests(
            case, definition, {item.key: clean[item.key] for item in definition.evidence}
        )
        if failed:
            _close(case, Outcome.REJECTED, on=on, actor=actor, reason=failed)
        elif procedure.steps[-1].slug == step:
            _close(case, Outcome.APPROVED, on=on, actor=actor, reason="")
            _apply(case, on=on, actor=actor, evidence=clean)
        case.save()
        if case.outcome == Outcome.APPROVED and procedure.to_status:
            rollups_refresh(year=case.year, prefix=case.region_code)
    return case


def case_objection_record(*, case: Case, on: date, actor: Actor, objection: str) -> Case:
    """Record an objection raised during a notice; the case waits for re-verification."""
    with transaction.atomic():
        case = _locked(case, on)
        procedure = _procedure(case.kind)
        if not case.step or not procedure.step(case.step).notice or case.notice_ends is None:
            raise CaseError("no_notice", "objections are raised while a notice is posted")
        if on > case.notice_ends:
            raise CaseError("notice_over", f"the notice ended on {case.notice_ends.isoformat()}")
        roles = roles_at(actor.user, case.region_code)
        if not roles:
            raise CaseError("role_not_allowed", "the objection is recorded by a post in the region")
        if not objection.strip():
            raise CaseError("evidence_missing", "say what the objection is")
        _history_add(case, step=case.step, action=StepAction.OBJECTION, on=on, actor=actor,
                     role=sorted(roles)[0], evidence={"objection": objection.strip()})  # fmt: skip
        case.awaiting_reverification = True
        case.save(update_fields=["awaiting_reverification"])
        _audit(actor, case, "case.objection", after={"step": case.step, "objection": objection})
    return case


def case_reverify(
    *,
    case: Case,
    on: date,
    actor: Actor,
    upheld: bool,
    evidence: Mapping[str, Any],
    note: str = "",
) -> Case:
    """Re-verify an objection: upheld rejects the case, dismissed has the notice posted again."""
    with transaction.atomic():
        case = _locked(case, on)
        if not case.awaiting_reverification:
            raise CaseError("no_objection", "there is no objection waiting for re-verification")
        procedure = _procedure(case.kind)
        notice = procedure.step(case.step)
        verifier = procedure.steps[procedure.index(case.step) - 1]
        roles = roles_at(actor.user, case.region_code)
        if not roles & verifier.roles:
            allowed = ", ".join(sorted(verifier.roles))
            raise CaseError("role_not_allowed", f"re-verification is done by: {allowed}")
        if not str(evidence.get("visit_record", "")).strip():
            raise CaseError("evidence_missing", "re-verification needs visit_record (核查记录)")
        _history_add(case, step=notice.slug, action=StepAction.REVERIFIED, on=on, actor=actor,
                     role=_role(roles, verifier.roles), note=note,
                     evidence={**dict(evidence), "upheld": upheld})  # fmt: skip
        case.awaiting_reverification = False
        if upheld:
            _close(case, Outcome.REJECTED, on=on, actor=actor, reason=f"objection upheld: {note}")
        else:
            case.steps.filter(step=notice.slug, action=StepAction.TAKEN, standing=True).update(
                standing=False
            )
            case.step, case.notice_ends = verifier.slug, None
        case.save()
        _audit(actor, case, "case.reverify", after={"upheld": upheld, "note": note})
    return case


def case_reject(*, case: Case, on: date, actor: Actor, reason: str) -> Case:
    """Refuse the case at its next step, by a role that may take that step, with a reason."""
    with transaction.atomic():
        case = _locked(case, on)
        procedure = _procedure(case.kind)
        upcoming = p.next_step(procedure, _state(case))
        if upcoming is None:
            raise CaseError("case_closed", "the case has no step left to refuse")
        roles = roles_at(actor.user, case.region_code)
        if not roles & upcoming.roles:
            allowed = ", ".join(sorted(upcoming.roles))
            raise CaseError("role_not_allowed", f"only {allowed} may refuse at {upcoming.slug!r}")
        if not reason.strip():
            raise CaseError("reason_missing", "a rejection records its reason")
        _history_add(case, step=upcoming.slug, action=StepAction.REJECTED, on=on, actor=actor,
                     role=_role(roles, upcoming.roles), note=reason)  # fmt: skip
        _close(case, Outcome.REJECTED, on=on, actor=actor, reason=reason.strip())
        case.save()
    return case


def case_withdraw(*, case: Case, on: date, actor: Actor, reason: str) -> Case:
    """Withdraw a case (the household withdraws its application), with a reason."""
    with transaction.atomic():
        case = _locked(case, on)
        roles = roles_at(actor.user, case.region_code)
        if not roles & (p.VILLAGE | p.WORK_TEAM | p.TOWNSHIP | p.COUNTY):
            raise CaseError("role_not_allowed", "a case is withdrawn by the village or an office")
        if not reason.strip():
            raise CaseError("reason_missing", "a withdrawal records its reason")
        upcoming = p.next_step(_procedure(case.kind), _state(case))
        _history_add(case, step=upcoming.slug if upcoming else "", action=StepAction.WITHDRAWN,
                     on=on, actor=actor, role=sorted(roles)[0], note=reason)  # fmt: skip
        _close(case, Outcome.WITHDRAWN, on=on, actor=actor, reason=reason.strip())
        case.save()
    return case


def _procedure(kind: str) -> p.Procedure:
    try:
        return p.PROCEDURES[kind]
    except KeyError:
        raise CaseError("unknown_kind", f"no procedure {kind!r}") from None


def _check_opener(procedure: p.Procedure, *, region_code: str, actor: Actor) -> None:
    """A case is opened by a system process (the annual run) or by a post of the procedure."""
    if actor.user is None:
        return
    allowed = frozenset().union(*(step.roles for step in procedure.steps))
    if not roles_at(actor.user, region_code) & allowed:
        raise CaseError("role_not_allowed", f"no post of the {procedure.label} procedure here")


def _open_case(kind: str, household: Household | None, region_code: str) -> Case | None:
    cases = Case.objects.filter(kind=kind, outcome=Outcome.OPEN)
    if household is not None:
        return cases.filter(household=household).first()
    return cases.filter(region_code=region_code, household__isnull=True).first()


def _open_preconditions(
    procedure: p.Procedure,
    household: Household | None,
    region_code: str,
    year: int,
    detail: dict[str, Any],
) -> dict[str, Any]:
    """Refuse a case its subject does not qualify for; return the detail to keep."""
    if procedure.subject != "household":
        _designation(procedure, region_code)
        return detail
    assert household is not None
    if procedure.from_statuses and household.status not in procedure.from_statuses:
        status = household.get_status_display()
        raise CaseError("wrong_status", f"a {status} household cannot enter {procedure.label}")
    registered_now = StatusTransition.objects.filter(
        household=household, to_status="registered", year=year
    )
    if procedure.kind == CaseKind.EXIT and registered_now.exists():
        raise CaseError("registered_this_year", "registered this year; it cannot exit this year")
    if procedure.kind == CaseKind.REMOVAL and not str(detail.get("reason", "")).strip():
        raise CaseError("reason_missing", "a removal states why the household was misidentified")
    if procedure.kind == CaseKind.MONITORING:
        return _monitoring_detail(household, detail)
    watched = Monitoring.objects.filter(household=household, eliminated_on__isnull=True)
    if procedure.kind == CaseKind.RISK_ELIMINATION and not watched.exists():
        raise CaseError("not_monitored", "the household is not under monitoring")
    return detail


# The kinds whose opening the rule kernel must support (the others rest on a reason or a
# reported risk that people establish).
RULED_KINDS = frozenset({CaseKind.IDENTIFICATION, CaseKind.EXIT, CaseKind.RETURN})


def _rules_check(kind: str, household: Household, year: int) -> HouseholdDecision:
    """Refuse a case the year's rules do not support; return the decision it rests on."""
    decision = household_decision(household=household, year=year)
    reasons = ", ".join(decision.reasons) or "none"
    if not decision.assessed:
        raise CaseError(
            "not_assessed", f"no {year} assessment: record the household's income first"
        )
    if kind in (CaseKind.IDENTIFICATION, CaseKind.RETURN) and not decision.eligible:
        code = "excluded" if decision.excluded_by else "not_eligible"
        raise CaseError(code, f"the {year} rules do not find the household poor ({reasons})")
    if kind == CaseKind.EXIT and not (decision.exit_ready and decision.stably_above):
        raise CaseError(
            "not_exit_ready",
            f"income not stably above the {year} exit line or a guarantee unmet ({reasons})",
        )
    return decision


def _monitoring_detail(household: Household, detail: dict[str, Any]) -> dict[str, Any]:
    if Monitoring.objects.filter(household=household, eliminated_on__isnull=True).exists():
        raise CaseError("monitored_already", "the household is already under monitoring")
    kind = detail.get("monitoring_type")
    if kind not in MonitoringType.values:
        raise CaseError("detail_invalid", f"monitoring_type: one of {', '.join(MonitoringType)}")
    if kind == MonitoringType.UNSTABLE and household.status != "exited":
        raise CaseError("wrong_status", "an unstable exited household (脱贫不稳定户) has exited")
    if kind == MonitoringType.MARGINAL and household.status != "not_registered":
        raise CaseError("wrong_status", "a marginal household (边缘易致贫户) was never registered")
    if kind == MonitoringType.SUDDEN_HARDSHIP and household.status in ("registered", "returned"):
        raise CaseError(
            "wrong_status", "a poor household on the register is supported, not monitored"
        )
    risks = list(detail.get("risks") or [])
    if not 1 <= len(risks) <= 5 or any(risk not in RiskType.values for risk in risks):
        raise CaseError("detail_invalid", f"risks: one to five of {', '.join(RiskType)}")
    return {**detail, "risks": risks}


def _designation(procedure: p.Procedure, region_code: str) -> PoorAreaDesignation:
    kind = "village" if procedure.subject == "village" else "county"
    designation = PoorAreaDesignation.objects.filter(region_id=region_code, kind=kind).first()
    if designation is None or designation.lifted_year is not None:
        raise CaseError("not_designated", f"{region_code} is not on the poor {kind} list")
    return designation


def _locked(case: Case, on: date) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.outcome != Outcome.OPEN:
        raise CaseError("case_closed", f"the case is {locked.get_outcome_display()}; it is closed")
    last = locked.steps.order_by("-seq").values_list("on", flat=True).first()
    floor = max(filter(None, [locked.opened_on, last]))
    if on < floor:
        raise CaseError("date_before_history", f"{on.isoformat()} is before the case's last entry")
    return locked


def _state(case: Case) -> p.CaseState:
    done = tuple(
        case.steps.filter(action=StepAction.TAKEN, standing=True)
        .order_by("seq")
        .values_list("step", flat=True)
    )
    return p.CaseState(
        kind=case.kind,
        done=done,
        open=case.outcome == Outcome.OPEN,
        awaiting_reverification=case.awaiting_reverification,
        notice_ends=case.notice_ends,
    )


def _notice_ends(case: Case, on: date) -> date:
    """The last day of a notice posted on `on`: the province's notice length for the year."""
    days = policy_value(Parameter.NOTICE_DAYS, year=case.year, province=case.region_code[:2])
    return on + timedelta(days=int(days.value) - 1)


def _role(roles: set[str], allowed: frozenset[str]) -> str:
    return sorted(roles & allowed)[0] if roles & allowed else ""


def _history_add(
    case: Case,
    *,
    step: str,
    action: str,
    on: date,
    actor: Actor,
    role: str,
    evidence: Mapping[str, Any] | None = None,
    note: str = "",
    notice_ends: date | None = None,
) -> CaseStep:
    seq = (case.steps.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return CaseStep.objects.create(
        case=case, seq=seq, step=step, action=action, on=on, notice_ends=notice_ends,
        actor_id=actor.user.pk if actor.user else None, actor_label=actor.label, role=role,
        evidence=dict(evidence or {}),
        note=note, recorded_at=timezone.now(),
    )  # fmt: skip


def _failed_tests(case: Case, step: p.Step, evidence: Mapping[str, Any]) -> str:
    """Why the evidence just recorded ends the case, or '' when it does not."""
    if "votes" in evidence and not p.appraisal_passed(evidence["votes"]):
        return "the democratic appraisal did not pass (votes for <= against)"
    failing = [name for name, passed in evidence.get("indicators", {}).items() if not passed]
    if failing:
        return f"exit indicators not met: {', '.join(sorted(failing))}"
    if "incidence" in evidence and case.kind in (CaseKind.VILLAGE_EXIT, CaseKind.COUNTY_EXIT):
        bars = _evaluation_bars(case)
        if step.slug == "third_party_evaluation":
            vetoes = p.evaluation_vetoes(evidence, bars)
            if vetoes:
                return f"third-party evaluation veto: {', '.join(vetoes)}"
        elif Decimal(evidence["incidence"]) >= bars.incidence:
            return f"poverty incidence {evidence['incidence']} is not below {bars.incidence}"
    return ""


def _indicators_check(case: Case, procedure: p.Procedure, results: Mapping[str, bool]) -> None:
    """The verification must give a result for every exit indicator the province has set."""
    required = exit_indicators(level=procedure.subject, year=case.year,
                               province=case.region_code[:2])  # fmt: skip
    missing = [f"{row.code} ({row.label})" for row in required if row.code not in results]
    if missing:
        raise CaseError("evidence_invalid", f"indicators: no result for {', '.join(missing)}")


def _evaluation_bars(case: Case) -> p.EvaluationThresholds:
    """The incidence bar of the case's exit and the evaluation's bars, from the policy tables."""
    incidence = (
        Parameter.VILLAGE_EXIT_INCIDENCE
        if case.kind == CaseKind.VILLAGE_EXIT
        else Parameter.COUNTY_EXIT_INCIDENCE
    )

    def value(name: str) -> Decimal:
        return policy_value(name, year=case.year, province=case.region_code[:2]).value

    return p.EvaluationThresholds(
        incidence=value(incidence),
        wrong_exit=value(Parameter.WRONG_EXIT_RATE_MAX),
        omission=value(Parameter.OMISSION_RATE_MAX),
        satisfaction=value(Parameter.SATISFACTION_MIN),
    )


def _close(case: Case, outcome: str, *, on: date, actor: Actor, reason: str) -> None:
    case.outcome, case.decided_on, case.reason = outcome, on, reason
    case.notice_ends = None
    _audit(actor, case, f"case.{outcome}", after={"on": on, "reason": reason})


def _apply(case: Case, *, on: date, actor: Actor, evidence: Mapping[str, Any]) -> None:
    """Carry an approved case into the register."""
    procedure = _procedure(case.kind)
    if case.household is not None and procedure.to_status:
        _status_change(case, procedure.to_status, on=on, actor=actor, label=procedure.label)
    elif case.kind == CaseKind.MONITORING and case.household is not None:
        Monitoring.objects.create(
            household=case.household, monitoring_type=case.detail["monitoring_type"],
            risks=case.detail["risks"], identified_case=case, identified_on=on,
        )  # fmt: skip
    elif case.kind == CaseKind.RISK_ELIMINATION:
        way = case.steps.get(step="home_visit", standing=True, action=StepAction.TAKEN)
        Monitoring.objects.filter(household=case.household, eliminated_on__isnull=True).update(
            eliminated_case=case, eliminated_on=on, elimination_way=way.evidence["elimination_way"]
        )
    elif procedure.subject in ("village", "county"):
        poor_area_lift(
            region_code=case.region_code, kind=procedure.subject, lifted_year=case.year, actor=actor
        )


def _status_change(case: Case, to_status: str, *, on: date, actor: Actor, label: str) -> None:
    assert case.household_id is not None
    household = Household.objects.select_for_update().get(pk=case.household_id)
    StatusTransition.objects.create(
        household=household, from_status=household.status, to_status=to_status, year=case.year,
        date=on, reason=label, case_ref=case.ref,
    )  # fmt: skip
    before = household.status
    household.status, household.updated_at = to_status, timezone.now()
    household.save(update_fields=["status", "updated_at"])
    after: dict[str, Any] = {"status": to_status, "case": case.ref}
    if to_status == "exited":  # 四个不摘: support goes on through the transition
        after["policies_kept_until"] = transition_until(
            year=case.year, province=household.village_id[:2]
        )
    audit_record(
        actor=actor,
        spec=EventSpec(
            action="household.status", object_type="household", object_id=str(household.pk),
            region_code=household.village_id, before={"status": before}, after=after,
            reason=label,
        ),
    )  # fmt: skip


def _audit(actor: Actor, case: Case, action: str, *, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(
            action=action, object_type="case", object_id=str(case.pk),
            region_code=case.region_code, after={"kind": case.kind, **after},
        ),
    )  # fmt: skip
