"""Writes of relocation (易地扶贫搬迁): a resettlement site, a region's target, a household's
move step by step (planned, new home handed over, moved in, or called off), and the
follow-up support after it (后续扶持: a member's job, a ledger measure).

Each service checks the actor's post (the county or township office over the household's
village or the site's; an office over a target's region), runs in one transaction and
writes its audit event inside it. Follow-up measures are ledger measures, recorded through
`support.services.measure_record` and held to the ledger's rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.pairing.services import PAIRED_STATUSES
from fupin.regions.models import Region
from fupin.registry.choices import HousingGrade
from fupin.registry.models import Household, Member
from fupin.support.choices import (
    MeasureForm,
    MeasureType,
    MoveStatus,
    ProviderKind,
    RelocationJobKind,
    ResettlementKind,
)
from fupin.support.models import (
    Measure,
    RelocationFollowUp,
    RelocationJob,
    RelocationMove,
    RelocationTarget,
    ResettlementSite,
)
from fupin.support.models.relocation import (
    RELOCATION_KEEPERS,
    SAFE_HOME_GRADES,
    TARGET_SETTERS,
)
from fupin.support.services import MeasureError, measure_record

FIRST_YEAR = 2013
AREA_MAX = Decimal(1000)  # m²: a typing error, not a home, beyond it
TARGET_LEVELS = (2, 4, 6)
# Who provided a job, for the ledger measure that records it.
JOB_PROVIDER = {
    RelocationJobKind.SITE_WORKSHOP: ProviderKind.ENTERPRISE,
    RelocationJobKind.LOCAL_ENTERPRISE: ProviderKind.ENTERPRISE,
    RelocationJobKind.WELFARE_POST: ProviderKind.DEPARTMENT,
    RelocationJobKind.MIGRANT: ProviderKind.OTHER,
    RelocationJobKind.SELF_EMPLOYED: ProviderKind.OTHER,
}


class RelocationError(ValueError):
    """A relocation write refused; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def site_create(
    *, name: str, village_code: str, kind: str, capacity: int, actor: Actor
) -> ResettlementSite:
    """Open a resettlement site (安置点) in a village of a county, for `capacity` households."""
    code, title = village_code.strip(), name.strip()
    if len(code) != 12 or not Region.objects.filter(code=code).exists():
        raise RelocationError("region_invalid", f"a site lies in a known village, not {code!r}")
    if not title or len(title) > 100:
        raise RelocationError("name_invalid", "a site has a name of at most 100 characters")
    if kind not in ResettlementKind.values:
        raise RelocationError("kind_unknown", f"kind: one of {', '.join(ResettlementKind.values)}")
    if capacity < 1:
        raise RelocationError("capacity_invalid", "a site houses at least one household")
    _check_role(actor, code, RELOCATION_KEEPERS, "sites are kept by the county office")
    with transaction.atomic():
        if ResettlementSite.objects.filter(county_code=code[:6], name=title).exists():
            raise RelocationError("site_name_taken", f"the county has a site named {title} already")
        site = ResettlementSite.objects.create(
            name=title, county_code=code[:6], village_code=code, kind=kind, capacity=capacity,
            created_by_id=actor.user_id, created_at=timezone.now(),
        )  # fmt: skip
        _audit(actor, "relocation.site_create", "resettlement_site", site.pk, code,
               {"name": title, "kind": kind, "capacity": capacity})  # fmt: skip
    return site


def target_set(
    *, region_code: str, year: int, households: int, persons: int, actor: Actor
) -> RelocationTarget:
    """Set a region's relocation target for a year (年度搬迁任务); a target set again is
    replaced, its former figures kept in the audit event."""
    code = region_code.strip()
    if len(code) not in TARGET_LEVELS or not Region.objects.filter(code=code).exists():
        raise RelocationError("region_invalid", f"a target is set for a known province, "
                              f"prefecture or county, not {code!r}")  # fmt: skip
    _check_year(year)
    if households < 0 or persons < households:
        raise RelocationError("target_invalid", "a target counts households, and at least as "
                              "many persons")  # fmt: skip
    _check_role(actor, code, TARGET_SETTERS, "targets are set by the offices above the villages")
    with transaction.atomic():
        target = (
            RelocationTarget.objects.select_for_update().filter(region_code=code, year=year).first()
        )
        before = None if target is None else {"households": target.households,
                                              "persons": target.persons}  # fmt: skip
        if target is None:
            target = RelocationTarget(region_code=code, year=year)
        target.households, target.persons = households, persons
        target.set_by_id, target.set_at = actor.user_id, timezone.now()
        target.save()
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="relocation.target_set", object_type="relocation_target",
                object_id=str(target.pk), region_code=code, before=before,
                after={"year": year, "households": households, "persons": persons},
            ),
        )  # fmt: skip
    return target


def move_plan(
    *,
    household: Household,
    site: ResettlementSite,
    plan_year: int,
    planned_on: date,
    actor: Actor,
    persons: int | None = None,
) -> RelocationMove:
    """Put a household into the relocation plan of a year, bound for a site of its
    province; `persons` defaults to its members on record."""
    village = household.village_id
    _check_role(actor, village, RELOCATION_KEEPERS, "moves are planned by the county office")
    if household.status not in PAIRED_STATUSES:
        raise RelocationError("not_on_register", "households on the register are relocated")
    if site.village_code[:2] != village[:2]:
        raise RelocationError("site_other_province", "a household moves within its province")
    _check_year(plan_year)
    _check_day(planned_on)
    if persons is None:
        persons = Member.objects.filter(household=household, is_active=True).count()
    if persons < 1:
        raise RelocationError("persons_invalid", "a move moves at least one person")
    with transaction.atomic():
        site = ResettlementSite.objects.select_for_update().get(pk=site.pk)
        if (
            RelocationMove.objects.filter(household=household)
            .exclude(status=MoveStatus.CANCELLED)
            .exists()
        ):
            raise RelocationError("move_open", "the household's relocation is planned already")
        if site.moves.exclude(status=MoveStatus.CANCELLED).count() >= site.capacity:
            raise RelocationError("site_full", f"{site.name} houses {site.capacity} households")
        move = RelocationMove.objects.create(
            household=household, site=site, plan_year=plan_year, persons=persons,
            planned_on=planned_on, recorded_by_id=actor.user_id, recorded_at=timezone.now(),
        )  # fmt: skip
        _audit(actor, "relocation.plan", "household", household.pk, village,
               {"move": move.pk, "site": site.pk, "plan_year": plan_year,
                "persons": persons, "planned_on": planned_on})  # fmt: skip
    return move


def move_hand_over(
    *,
    move: RelocationMove,
    handed_over_on: date,
    home_area: Decimal,
    home_grade: str,
    actor: Actor,
) -> RelocationMove:
    """Hand the new home over (交房), only when it holds the housing guarantee (住房安全有保障:
    a safe grade); its area and grade are recorded."""
    village = move.household.village_id
    _check_role(actor, village, RELOCATION_KEEPERS, "homes are handed over by the county office")
    area = _area(home_area)
    if home_grade not in HousingGrade.values:
        raise RelocationError("grade_unknown", f"grade: one of {', '.join(HousingGrade.values)}")
    if home_grade not in SAFE_HOME_GRADES:
        raise RelocationError("housing_not_guaranteed", f"a home of grade {home_grade} is not "
                              "safe housing (住房安全有保障) and is not handed over")  # fmt: skip
    _check_day(handed_over_on)
    with transaction.atomic():
        move = _locked(move, MoveStatus.PLANNED)
        if handed_over_on < move.planned_on:
            raise RelocationError("date_invalid", "a home is handed over after the move is planned")
        move.status, move.handed_over_on = MoveStatus.HANDED_OVER, handed_over_on
        move.home_area, move.home_grade = area, home_grade
        move.save(update_fields=["status", "handed_over_on", "home_area", "home_grade"])
        _step_audit(
            actor,
            "relocation.hand_over",
            move,
            MoveStatus.PLANNED,
            {"on": handed_over_on, "home_area": area, "home_grade": home_grade},
        )
    return move


def move_in(*, move: RelocationMove, moved_on: date, actor: Actor) -> RelocationMove:
    """Record that the household moved into its new home (搬迁入住)."""
    village = move.household.village_id
    _check_role(actor, village, RELOCATION_KEEPERS, "moves are recorded by the county office")
    _check_day(moved_on)
    with transaction.atomic():
        move = _locked(move, MoveStatus.HANDED_OVER)
        assert move.handed_over_on is not None
        if moved_on < move.handed_over_on:
            raise RelocationError(
                "date_invalid", "a household moves in once the home is handed over"
            )
        move.status, move.moved_on = MoveStatus.MOVED, moved_on
        move.save(update_fields=["status", "moved_on"])
        _step_audit(actor, "relocation.move_in", move, MoveStatus.HANDED_OVER, {"on": moved_on})
    return move


def move_cancel(*, move: RelocationMove, on: date, reason: str, actor: Actor) -> RelocationMove:
    """Call off a move not yet moved into (取消搬迁), saying why."""
    village = move.household.village_id
    _check_role(actor, village, RELOCATION_KEEPERS, "moves are kept by the county office")
    if not reason.strip() or len(reason.strip()) > 200:
        raise RelocationError("reason_missing", "say why, in at most 200 characters")
    _check_day(on)
    with transaction.atomic():
        move = _locked(move, MoveStatus.PLANNED, MoveStatus.HANDED_OVER)
        before = move.status
        move.status, move.cancelled_on, move.reason = MoveStatus.CANCELLED, on, reason.strip()
        move.save(update_fields=["status", "cancelled_on", "reason"])
        _step_audit(actor, "relocation.cancel", move, before, {"on": on}, reason=move.reason)
    return move


def job_record(
    *,
    move: RelocationMove,
    member: Member,
    kind: str,
    employer: str,
    started_on: date,
    actor: Actor,
    monthly_wage: Decimal | None = None,
) -> RelocationJob:
    """Record a job a member of a moved household found (搬迁后就业), with the employment
    measure (就业帮扶) it makes in the ledger."""
    # The post first: a post that may not record learns nothing of the member or the job.
    _check_role(actor, move.household.village_id, RELOCATION_KEEPERS,
                "follow-up support is kept by the county office")  # fmt: skip
    if kind not in RelocationJobKind.values:
        raise RelocationError("kind_unknown", f"kind: one of {', '.join(RelocationJobKind.values)}")
    if member.household_id != move.household_id or not member.is_active:
        raise RelocationError("member_other_household", "the member belongs to the household")
    if not employer.strip() or len(employer.strip()) > 100:
        raise RelocationError("employer_invalid", "name the employer, in at most 100 characters")
    wage = None if monthly_wage is None else _wage(monthly_wage)
    with transaction.atomic():
        move = _locked(move, MoveStatus.MOVED)
        assert move.moved_on is not None
        if started_on < move.moved_on:
            raise RelocationError("date_invalid", "a job after the move starts once moved in")
        job_kind = RelocationJobKind(kind)
        measure = _measure(
            move, actor, given_on=started_on, measure_type=MeasureType.EMPLOYMENT,
            description=f"搬迁后就业：{member.name}，{job_kind.label}，{employer.strip()}"[:200],
            form=MeasureForm.IN_KIND, value=Decimal(0), provider_kind=JOB_PROVIDER[job_kind],
            provider_name=employer.strip(),
        )  # fmt: skip
        job = RelocationJob.objects.create(
            move=move, member=member, kind=kind, employer=employer.strip(),
            started_on=started_on, monthly_wage=wage, measure=measure,
            recorded_by_id=actor.user_id, recorded_at=timezone.now(),
        )  # fmt: skip
        _audit(
            actor,
            "relocation.job_record",
            "household",
            move.household_id,
            move.household.village_id,
            {
                "move": move.pk,
                "job": job.pk,
                "member": member.pk,
                "kind": kind,
                "employer": job.employer,
                "started_on": started_on,
                "measure": measure.pk,
            },
        )
    return job


def follow_up_record(*, move: RelocationMove, actor: Actor, **measure: Any) -> RelocationFollowUp:
    """Record a follow-up measure (后续扶持) of a moved household in the ledger and link it to
    the move; `measure` holds `measure_record`'s fields (given_on, measure_type, ...)."""
    with transaction.atomic():
        move = _locked(move, MoveStatus.MOVED)
        recorded = _measure(move, actor, **measure)
        return _link(move, recorded, actor)


def follow_up_link(*, move: RelocationMove, measure: Measure, actor: Actor) -> RelocationFollowUp:
    """Link a measure the household already has in the ledger to its move as follow-up."""
    _check_role(actor, move.household.village_id, RELOCATION_KEEPERS,
                "follow-up support is kept by the county office")  # fmt: skip
    if measure.household_id != move.household_id:
        raise RelocationError("measure_other_household", "the measure is another household's")
    with transaction.atomic():
        move = _locked(move, MoveStatus.HANDED_OVER, MoveStatus.MOVED)
        if measure.given_on < move.planned_on:
            raise RelocationError("date_invalid", "follow-up support comes after the plan")
        return _link(move, measure, actor)


def _link(move: RelocationMove, measure: Measure, actor: Actor) -> RelocationFollowUp:
    if RelocationFollowUp.objects.filter(measure=measure).exists():
        raise RelocationError("measure_linked", "the measure follows a move already")
    follow_up = RelocationFollowUp.objects.create(
        move=move, measure=measure, linked_by_id=actor.user_id, linked_at=timezone.now()
    )
    _audit(actor, "relocation.follow_up", "household", move.household_id,
           move.household.village_id,
           {"move": move.pk, "measure": measure.pk, "type": measure.measure_type})  # fmt: skip
    return follow_up


def _measure(move: RelocationMove, actor: Actor, **fields: Any) -> Measure:
    """A ledger measure for the move's household, the ledger's refusal named as ours."""
    _check_role(actor, move.household.village_id, RELOCATION_KEEPERS,
                "follow-up support is kept by the county office")  # fmt: skip
    given_on = fields.get("given_on")
    if not isinstance(given_on, date):
        raise RelocationError("date_invalid", "a measure has its date")
    try:
        return measure_record(household=move.household, year=given_on.year, actor=actor, **fields)
    except MeasureError as exc:
        detail = "; ".join(str(issue) for issue in exc.issues) or str(exc)
        raise RelocationError("measure_invalid", detail) from None


def _locked(move: RelocationMove, *allowed: str) -> RelocationMove:
    """The move, locked, if it stands at one of `allowed`."""
    move = RelocationMove.objects.select_for_update().select_related("household").get(pk=move.pk)
    if move.status not in allowed:
        wanted = " or ".join(allowed)
        raise RelocationError("step_invalid", f"the move is {move.status}; this step needs "
                              f"it {wanted}")  # fmt: skip
    return move


def _check_role(actor: Actor, code: str, roles: frozenset[str], message: str) -> None:
    if actor.user is not None and not roles_at(actor.user, code) & roles:
        raise RelocationError("role_not_allowed", message)


def _check_year(year: int) -> None:
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= last:
        raise RelocationError("year_out_of_range", f"the year lies between {FIRST_YEAR} and {last}")


def _check_day(day: date) -> None:
    if day > timezone.localdate() or day.year < FIRST_YEAR:
        raise RelocationError("date_invalid", f"a step is recorded once taken, from {FIRST_YEAR}")


def _area(value: Decimal | str | float) -> Decimal:
    try:
        area = Decimal(str(value))
    except InvalidOperation:
        raise RelocationError("area_invalid", f"an area in m², not {value!r}") from None
    if not area.is_finite() or not 0 < area <= AREA_MAX:
        raise RelocationError("area_invalid", f"a home's area lies above 0 and up to {AREA_MAX} m²")
    return area.quantize(Decimal("0.01"))


def _wage(value: Decimal | str | float) -> Decimal:
    try:
        wage = Decimal(str(value))
    except InvalidOperation:
        raise RelocationError("wage_invalid", f"a monthly wage in yuan, not {value!r}") from None
    if not wage.is_finite() or not 0 <= wage < 10**7:
        raise RelocationError("wage_invalid", "a monthly wage in yuan, not negative")
    return wage.quantize(Decimal("0.01"))


def _step_audit(
    actor: Actor,
    action: str,
    move: RelocationMove,
    before: str,
    after: dict[str, Any],
    *,
    reason: str = "",
) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(
            action=action, object_type="household", object_id=str(move.household_id),
            region_code=move.household.village_id, before={"move": move.pk, "status": before},
            after={"move": move.pk, "status": move.status, **after}, reason=reason,
        ),
    )  # fmt: skip


def _audit(
    actor: Actor, action: str, kind: str, pk: int, region: str, after: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(action=action, object_type=kind, object_id=str(pk), region_code=region,
                       after=after),
    )  # fmt: skip
