"""Reads of the procedures: a case's next steps, overdue monitoring cases, printable notices."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q, QuerySet

from fupin.core.access import roles_at
from fupin.regions.models import Region
from fupin.regions.queries import prefix_upper_bound
from fupin.registry.models import Member
from fupin.targeting import notices as n
from fupin.targeting import procedures as p
from fupin.targeting.choices import MonitoringType
from fupin.targeting.models import Case, CaseStep

# (case kind, notice step) -> the notice printed for it.
NOTICE_OF_STEP = {
    ("identification", "first_notice"): "identification_first",
    ("identification", "second_notice"): "identification_second",
    ("identification", "announcement"): "identification_announcement",
    ("exit", "notice"): "exit_notice",
    ("exit", "announcement"): "exit_announcement",
    ("return", "notice"): "return_notice",
    ("removal", "notice"): "removal_notice",
    ("monitoring", "notice"): "monitoring_notice",
    ("risk_elimination", "notice"): "risk_elimination_notice",
}


def case_next_steps(case: Case, user: AbstractBaseUser | None) -> list[p.Step]:
    """The steps `user` may take next on `case` (none once closed or awaiting re-verification)."""
    if case.outcome != "open" or case.awaiting_reverification:
        return []
    procedure = p.PROCEDURES[case.kind]
    done = len(case.steps.filter(action="taken", standing=True))
    if done >= len(procedure.steps):
        return []
    step = procedure.steps[done]
    return [step] if roles_at(user, case.region_code) & step.roles else []


def cases_overdue(*, on: date, prefix: str = "") -> QuerySet[Case]:
    """Cases with a deadline (防返贫: 15 days from clue to decision) that ran past it:
    open ones older than the deadline on `on`, and ones decided late."""
    late = []
    for kind, procedure in p.PROCEDURES.items():
        if procedure.deadline_days is None:
            continue
        days = timedelta(days=procedure.deadline_days)
        late.append(
            Q(kind=kind, outcome="open", clue_on__lt=on - days)
            | Q(kind=kind, decided_on__gt=F("clue_on") + days)
        )
    if not late:
        return Case.objects.none()
    query = late[0]
    for more in late[1:]:
        query |= more
    return Case.objects.filter(
        query, region_code__gte=prefix, region_code__lt=prefix_upper_bound(prefix)
    ).order_by("clue_on")


def village_notice(*, village: str, case_kind: str, step: str, on: date) -> n.NoticeDocument:
    """The notice a village posted on `on` for the `step` of its `case_kind` cases."""
    kind = NOTICE_OF_STEP.get((case_kind, step))
    if kind is None:
        raise LookupError(f"{case_kind} has no notice step {step!r}")
    entries = (
        CaseStep.objects.filter(
            case__region_code=village, case__kind=case_kind, step=step, action="taken", on=on
        )
        .select_related("case", "case__household")
        .order_by("case__household__household_no")
    )
    if not entries:
        raise LookupError(f"no {step} of {case_kind} cases in {village} on {on.isoformat()}")
    region = Region.objects.get(code=village)
    households = [_notice_facts(entry.case) for entry in entries]
    ends = max((entry.notice_ends for entry in entries if entry.notice_ends), default=None)
    return n.NoticeDocument(
        kind=kind, title=f"{region.name}{n.NOTICE_KINDS[kind]}", issuer=region.name, issued_on=on,
        columns=n.notice_columns(kind=kind), rows=n.notice_rows(kind=kind, households=households),
        body=n.notice_body(kind=kind), complaint_contact="村民委员会或乡镇人民政府",
        period_start=on if ends else None, period_end=ends,
    )  # fmt: skip


def _notice_facts(case: Case) -> dict[str, object]:
    household = case.household
    assert household is not None
    members = Member.objects.filter(household=household, is_active=True)
    head = members.filter(relation="head").first()
    size = members.aggregate(size=Count("id"))["size"]
    monitoring = case.detail.get("monitoring_type")
    return {
        "head_name": head.name if head else "",
        "head_id_number": head.id_number if head else "",
        "household_size": size,
        "category_label": household.get_category_display(),
        "cause_label": household.get_main_cause_display(),
        "reason": case.detail.get("reason") or case.detail.get("excluded_by") or "",
        "monitoring_type_label": MonitoringType(monitoring).label if monitoring else "",
    }
