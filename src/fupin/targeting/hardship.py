"""Reported hardship (防返贫线索): rigid spending and sudden shocks, and the monitoring case
a clue opens at once when the year's rules call for one.

The 15 days from clue to decision run from the report, so a clue that qualifies opens its
case when it is reported; the annual run reads the same reports and opens what is left.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.registry.models import Household
from fupin.targeting import procedures as p
from fupin.targeting.choices import CaseKind, HardshipKind, Outcome, RiskType, Trigger
from fupin.targeting.decisions import household_monitoring
from fupin.targeting.models import Case, HardshipReport, Monitoring
from fupin.targeting.services import CaseError, case_open

# Who may record a clue: the village and its work team, the offices, the paired cadre, and a
# department whose screening raised it (部门筛查预警).
REPORTERS = p.VILLAGE | p.WORK_TEAM | p.TOWNSHIP | p.COUNTY | {"paired_cadre", "department"}
# The risks a report names: what the spending paid for, or what struck.
REPORTED_RISKS = frozenset(RiskType.values) - {RiskType.INCOME, RiskType.SPENDING}
TRIGGERS = frozenset({Trigger.APPLICATION, Trigger.CADRE_VISIT, Trigger.DEPARTMENT_ALERT})


def hardship_report(
    *,
    household: Household,
    kind: str,
    risk: str,
    occurred_on: date,
    on: date,
    actor: Actor,
    trigger: str = Trigger.CADRE_VISIT,
    amount: int | None = None,
    note: str = "",
) -> HardshipReport:
    """Record a clue of hardship; open the household's monitoring case if the rules of the
    year it occurred call for one and none is open or running."""
    _validate(kind=kind, risk=risk, amount=amount, occurred_on=occurred_on, on=on, trigger=trigger)
    if actor.user is not None and not roles_at(actor.user, household.village_id) & REPORTERS:
        raise CaseError("role_not_allowed", "a clue is recorded by a post over the household")
    year = occurred_on.year
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        report = HardshipReport.objects.create(
            household=household, year=year, kind=kind, risk=risk, amount=amount,
            occurred_on=occurred_on, reported_on=on, trigger=trigger, note=note.strip(),
            reported_by_id=actor.user.pk if actor.user else None, recorded_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="hardship.report", object_type="household", object_id=str(household.pk),
                region_code=household.village_id,
                after={"kind": kind, "risk": risk, "amount": amount, "year": year},
            ),
        )  # fmt: skip
        report.case = _case_for(household, year=year, on=on, trigger=trigger, actor=actor)
        if report.case is not None:
            report.save(update_fields=["case"])
    return report


def _validate(
    *, kind: str, risk: str, amount: int | None, occurred_on: date, on: date, trigger: str
) -> None:
    if kind not in HardshipKind.values:
        raise CaseError("detail_invalid", f"kind: one of {', '.join(HardshipKind.values)}")
    if risk not in REPORTED_RISKS:
        raise CaseError("detail_invalid", f"risk: one of {', '.join(sorted(REPORTED_RISKS))}")
    if kind == HardshipKind.RIGID_SPENDING and (amount is None or amount <= 0):
        raise CaseError("evidence_missing", "rigid spending states its amount in yuan")
    if amount is not None and amount < 0:
        raise CaseError("detail_invalid", "amount: yuan, not negative")
    if occurred_on > on:
        raise CaseError("date_invalid", "a clue is reported after it occurred")
    if trigger not in TRIGGERS:
        raise CaseError("detail_invalid", f"trigger: one of {', '.join(sorted(TRIGGERS))}")


def _case_for(
    household: Household, *, year: int, on: date, trigger: str, actor: Actor
) -> Case | None:
    """The monitoring case the clue opens, or None when it is not called for or one runs."""
    if Monitoring.objects.filter(household=household, eliminated_on__isnull=True).exists():
        return None
    running = Case.objects.filter(
        household=household, kind=CaseKind.MONITORING, outcome=Outcome.OPEN
    )
    if running.exists():
        return None
    call = household_monitoring(household=household, year=year)
    if not call.called:
        return None
    return case_open(
        kind=CaseKind.MONITORING, year=year, on=on, trigger=trigger, household=household,
        clue_on=on, actor=Actor(None, f"clue reported by {actor.label}"),
        detail={"monitoring_type": call.monitoring_type, "risks": list(call.risks)},
    )  # fmt: skip
