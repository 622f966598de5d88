"""Writes to the registry, one household at a time (the bulk path is `registry.bulk`).

Every service validates with the same rules as the import (`registry.checks`), checks ID
numbers with python-stdnum, runs in one transaction and leaves its audit events in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.registry import kernels
from fupin.registry.bulk import BulkResult, registry_bulk_write
from fupin.registry.checks import check_households
from fupin.registry.choices import (
    JOIN_EVENTS,
    LEAVE_EVENTS,
    ExclusionFactKind,
    MemberEventKind,
    Relation,
)
from fupin.registry.idnumber import IdNumberError, id_birth_date, id_normalize, id_sex
from fupin.registry.importer import registry_issues
from fupin.registry.issues import describe, empty_issues
from fupin.registry.models import Household, HouseholdFact, Member, MemberEvent
from fupin.registry.validation import split_frames


class RegistryValidationError(Exception):
    """A write was refused; `issues` lists every problem (column, code, messages)."""

    def __init__(self, issues: pl.DataFrame):
        self.issues = describe(issues)
        lines = [
            f"{row['column']}: {row['code']} {row['message_en']} ({row['value']})"
            for row in self.issues.filter(pl.col("severity") == "error").iter_rows(named=True)
        ]
        super().__init__("; ".join(lines) or "invalid")


def _typed_rows(household: Mapping[str, Any], members: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """One typed row per member, household fields on the head's row, IDs checked by stdnum."""
    rows, id_issues = [], []
    for index, member in enumerate(members, start=1):
        row = {"_row": index, **member, "household_no": household["household_no"]}
        try:
            row["id_number"] = id_normalize(str(member.get("id_number", "")))
            row["id_sex"] = id_sex(row["id_number"])
            row["id_birth_date"] = id_birth_date(row["id_number"])
        except IdNumberError as exc:
            id_issues.append({"row": index, "column": "id_number", "code": exc.code,
                              "value": str(member.get("id_number"))})  # fmt: skip
        if member.get("relation") == Relation.HEAD:
            row.update(household)
        rows.append(row)
    if id_issues:
        raise RegistryValidationError(pl.DataFrame(id_issues, schema=empty_issues().schema))
    return pl.DataFrame(rows, infer_schema_length=None)


def household_save(
    *,
    household: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    assessment: Mapping[str, Any],
    year: int,
    actor: Actor,
    reason: str = "",
) -> BulkResult:
    """Register or update one household (户) with its members and `year`'s assessment.

    `household` holds household_no, village_code and the household fields; `members` one
    mapping per person (typed values: slugs, dates, booleans); `assessment` the year's
    income components and indicators.
    """
    typed = _typed_rows({**household, **assessment}, members)
    issues = check_households(typed, year=year)
    with transaction.atomic():
        issues = pl.concat([issues, registry_issues(typed)])
        errors = describe(issues).filter(pl.col("severity") == "error")
        if errors.height:
            raise RegistryValidationError(errors.drop("severity", "message_zh", "message_en"))
        return registry_bulk_write(
            **split_frames(typed, year=year),
            actor=actor,
            reason=reason or "household saved",
            source=f"household {household['household_no']}",
        )


def member_event_record(
    *,
    household: Household,
    kind: MemberEventKind,
    on: date,
    actor: Actor,
    member: Member | None = None,
    person: Mapping[str, Any] | None = None,
    note: str = "",
) -> Member:
    """Record a birth, marriage or move into a household, or a death or departure from it.

    Joining events take `person` (the new member's fields); leaving events take `member`.
    The head cannot leave: record the new head first.
    """
    with transaction.atomic():
        if kind in JOIN_EVENTS:
            if person is None:
                raise ValueError(f"{kind} needs the person who joins")
            member = _member_join(household, person, on)
        elif kind in LEAVE_EVENTS:
            if member is None or member.household_id != household.pk or not member.is_active:
                raise ValueError(f"{kind} needs an active member of household {household}")
            if member.relation == Relation.HEAD:
                raise ValueError("the head cannot leave; record the new head first")
            Member.objects.filter(pk=member.pk).update(is_active=False)
            member.is_active = False
        else:
            raise ValueError(f"unknown member event {kind!r}")
        event = MemberEvent.objects.create(
            member=member, household=household, kind=kind, date=on, note=note
        )
        audit_record(
            actor=actor,
            spec=EventSpec(
                action=f"member.{kind}",
                object_type="member",
                object_id=str(member.pk),
                region_code=household.village_id,
                after={"household_no": household.household_no, "kind": str(kind),
                       "date": on, "event_id": event.pk},
                reason=note,
            ),
        )  # fmt: skip
        return member


def household_fact_set(
    *,
    household: Household,
    year: int,
    fact: str,
    holds: bool,
    note: str,
    actor: Actor,
) -> HouseholdFact | None:
    """Record whether an exclusion fact (不评情形) holds for a household in `year`.

    Adds or removes the fact's row (or changes its note); a call that changes nothing
    writes nothing. Returns the row when the fact holds.
    """
    if fact not in ExclusionFactKind.values:
        raise ValueError(f"unknown fact {fact!r}; one of {', '.join(ExclusionFactKind.values)}")
    if not 2000 <= year <= 2100:
        raise ValueError(f"{year} is not a plausible year")
    with transaction.atomic():
        row = (
            HouseholdFact.objects.select_for_update()
            .filter(household=household, year=year, fact=fact)
            .first()
        )
        before = _fact_state(row)
        if not holds:
            if row is None:
                return None
            row.delete()
            row = None
        elif row is None:
            row = HouseholdFact.objects.create(
                household=household, year=year, fact=fact, note=note, recorded_at=timezone.now()
            )
        elif row.note != note:
            row.note = note
            row.save(update_fields=["note"])
        else:
            return row
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="household.fact_set",
                object_type="household",
                object_id=str(household.pk),
                region_code=household.village_id,
                before={"household_no": household.household_no, "year": year, "fact": fact,
                        **before},
                after={"household_no": household.household_no, "year": year, "fact": fact,
                       **_fact_state(row)},
                reason=note,
            ),
        )  # fmt: skip
        return row


def _fact_state(row: HouseholdFact | None) -> dict[str, object]:
    return {"holds": row is not None, "note": row.note if row is not None else ""}


def _member_join(household: Household, person: Mapping[str, Any], on: date) -> Member:
    """Add a member after checking them with the import's rules, in their household."""
    if person.get("relation") == Relation.HEAD:
        raise ValueError("a joining member cannot be the head; record a change of head")
    fields = [name for name in kernels.MEMBER_FIELDS if name != "household_no"]
    present = list(household.members.filter(is_active=True).values(*fields))
    typed = _typed_rows({"household_no": household.household_no}, [*present, person])
    new_row = len(present) + 1
    issues = check_households(typed, year=on.year)
    issues = issues.filter((pl.col("row") == new_row) & pl.col("code").is_in(_MEMBER_CODES))
    issues = pl.concat([issues, registry_issues(typed.filter(pl.col("_row") == new_row))])
    errors = describe(issues).filter(pl.col("severity") == "error")
    if errors.height:
        raise RegistryValidationError(errors.drop("severity", "message_zh", "message_en"))
    values = kernels.conform(typed.filter(pl.col("_row") == new_row), kernels.MEMBER_FIELDS)
    return Member.objects.create(
        household=household, is_active=True, **values.drop("household_no").row(0, named=True)
    )


# Findings about the joining person themselves (household-level rules need the year's data).
_MEMBER_CODES = [
    "value.missing", "id.sex_mismatch", "id.birth_mismatch", "id.duplicate_in_file",
    "member.education_missing", "member.in_school_missing", "member.labor_missing",
    "member.healthy_lost_labor",
]  # fmt: skip


def household_full_read_record(*, household: Household, actor: Actor, health: bool) -> None:
    """Audit that `actor` opened the household's members unmasked (查看完整个人信息), and
    whether health data was shown; pages and API alike."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="household.read_full", object_type="household",
                object_id=str(household.pk), region_code=household.village_id,
                after={"household_no": household.household_no, "health": health},
            ),
        )  # fmt: skip
