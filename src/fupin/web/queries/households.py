"""Reads of the household pages (农户): the searched list and one household's record,
masked for the reader's role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from fupin.core.access import (
    access_get,
    health_visible,
    personal_data_visible,
    restrict,
    roles_at,
    user_prefixes,
)
from fupin.core.masking import mask_bank_account, mask_id_number, mask_phone
from fupin.core.rules import PERSONAL_DATA_ROLES
from fupin.monitoring.models import Visit
from fupin.monitoring.queries import household_visits
from fupin.pairing.queries import HouseholdPairing, household_pairing
from fupin.regions.queries import code_prefix_q
from fupin.registry.idnumber import IdNumberError, id_normalize
from fupin.registry.models import Assessment, Household, Member, StatusTransition
from fupin.support.models import MEASURE_KEEPERS, Measure
from fupin.support.queries import household_measures
from fupin.targeting.models import Case

PER_PAGE = 50
VISITS_SHOWN = 20
MEASURES_SHOWN = 50
ID_LENGTHS = (15, 18)
HIDDEN = "***"  # what a reader sees in place of data their role does not show

UserLike = AbstractBaseUser | AnonymousUser


def _holder(user: UserLike) -> AbstractBaseUser | None:
    return None if isinstance(user, AnonymousUser) else user


def _id_query(text: str) -> str | None:
    """The ID number a query names, if it looks like one (15 or 18 characters)."""
    compact = text.replace(" ", "").upper()
    if len(compact) not in ID_LENGTHS or not compact[:-1].isdigit():
        return None
    try:
        return id_normalize(compact)
    except IdNumberError:
        return compact


def households_search(*, user: UserLike, filters: dict[str, Any]) -> QuerySet[Household]:
    """The households the user may view that match the search `filters` (see
    `forms.HouseholdSearchForm`), by village and household number."""
    households = restrict(Household.objects.all(), user, "view")
    if region := filters.get("region"):
        households = households.filter(code_prefix_q(region, "village_id"))
    for name, column in (("status", "status"), ("category", "category"), ("cause", "main_cause")):
        if value := filters.get(name):
            households = households.filter(**{column: value})
    if year := filters.get("year"):
        assessed = Assessment.objects.filter(household=OuterRef("pk"), year=year)
        households = households.filter(Exists(assessed)).annotate(
            income=Subquery(assessed.values("net_income_per_capita")[:1])
        )
    if text := filters.get("q"):
        households = households.filter(_text_match(user, text))
    head = Member.objects.filter(household=OuterRef("pk"), relation="head", is_active=True)
    return (
        households.select_related("village")
        .annotate(head_name=Subquery(head.values("name")[:1]))
        .order_by("village_id", "household_no")
    )


def _text_match(user: UserLike, text: str) -> Q:
    """A household number, a member's name (from its start), or a member's full ID number;
    the ID matches only where the user sees ID numbers, so a search cannot confirm one."""
    members = Member.objects.filter(household=OuterRef("pk"))
    match = Q(household_no=text) | Q(Exists(members.filter(name__startswith=text)))
    id_number = _id_query(text)
    prefixes = user_prefixes(_holder(user), PERSONAL_DATA_ROLES)
    if id_number and prefixes:
        scope = reduce(or_, (code_prefix_q(prefix, "village_id") for prefix in prefixes))
        match |= scope & Q(Exists(members.filter(id_number=id_number)))
    return match


@dataclass(frozen=True)
class Page:
    """One page of a list paged on the server without a total count (cheap at any scale)."""

    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PER_PAGE + 1


def page_of(queryset: QuerySet[Any], number: int, per_page: int = PER_PAGE) -> Page:
    """Rows of page `number` (from 1): one more row is read to know if a next page exists."""
    number = max(1, number)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(rows[:per_page], number, len(rows) > per_page)


@dataclass(frozen=True)
class MemberRow:
    """A member as the reader may see them."""

    name: str
    relation: str
    sex: str
    birth_date: date
    id_number: str
    health: str
    education: str
    labor: str
    in_school: bool
    migrant_months: int
    medical_insured: bool | None
    is_active: bool


@dataclass(frozen=True)
class TransitionRow:
    """One status change, with its case if the reader may open it."""

    date: date
    year: int
    from_status: str
    to_status: str
    reason: str
    case_id: int | None


@dataclass
class HouseholdRecord:
    """One household's page: the record, masked for the reader."""

    household: Household
    full: bool
    health: bool
    phone: str
    bank_account: str
    members: list[MemberRow]
    assessments: list[Assessment]
    transitions: list[TransitionRow]
    cases: list[Case]
    pairing: HouseholdPairing
    visits: list[Visit]
    measures: list[Measure]
    may_record_measure: bool


def household_record(*, user: UserLike, household_id: int) -> HouseholdRecord:
    """The household `household_id` as `user` may see it; Http404 if missing or out of scope."""
    household = access_get(
        Household.objects.select_related("village"), user, "view", pk=household_id
    )
    village = household.village_id
    full = personal_data_visible(user, village)
    health = health_visible(user, village)
    members = restrict(Member.objects.filter(household=household), user, "view")
    assessments = restrict(Assessment.objects.filter(household=household), user, "view")
    cases = list(
        restrict(Case.objects.filter(household=household), user, "view").order_by(
            "-opened_on", "-id"
        )
    )
    return HouseholdRecord(
        household=household,
        full=full,
        health=health,
        phone=household.phone if full else mask_phone(household.phone),
        bank_account=household.bank_account if full else mask_bank_account(household.bank_account),
        members=[_member_row(m, full=full, health=health)
                 for m in members.order_by("-is_active", "id")],
        assessments=list(assessments.order_by("-year")),
        transitions=_transitions(user, household, {case.pk for case in cases}),
        cases=cases,
        pairing=household_pairing(user=user, household=household),
        visits=list(household_visits(user=user, household=household)[:VISITS_SHOWN]),
        measures=list(household_measures(user=user, household=household)[:MEASURES_SHOWN]),
        may_record_measure=bool(roles_at(_holder(user), village) & MEASURE_KEEPERS),
    )  # fmt: skip


def _member_row(member: Member, *, full: bool, health: bool) -> MemberRow:
    return MemberRow(
        name=member.name,
        relation=member.get_relation_display(),
        sex=member.get_sex_display(),
        birth_date=member.birth_date,
        id_number=member.id_number if full else mask_id_number(member.id_number),
        health=member.get_health_display() if health else HIDDEN,
        education=member.get_education_display(),
        labor=member.get_labor_display(),
        in_school=member.in_school,
        migrant_months=member.migrant_months,
        medical_insured=member.medical_insured,
        is_active=member.is_active,
    )


def _transitions(user: UserLike, household: Household, cases: set[int]) -> list[TransitionRow]:
    """The status changes in date order; a case reference links only to a case in view."""
    rows = restrict(StatusTransition.objects.filter(household=household), user, "view")
    return [
        TransitionRow(
            date=row.date,
            year=row.year,
            from_status=row.get_from_status_display(),
            to_status=row.get_to_status_display(),
            reason=row.reason,
            case_id=_case_id(row.case_ref, cases),
        )
        for row in rows.order_by("date", "id")
    ]


def _case_id(reference: str, visible: set[int]) -> int | None:
    """The case id of a reference 'kind:id', if the reader sees that case."""
    _kind, _, number = reference.partition(":")
    return int(number) if number.isdigit() and int(number) in visible else None
