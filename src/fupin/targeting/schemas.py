"""API schemas of the procedures: cases, their history, the steps a user may take next."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints, field_validator

from fupin.core.api import PageIn, PageOut, RegionPrefix, Text
from fupin.targeting.choices import CaseKind, Outcome

MAX_EVIDENCE_DEPTH = 4


class CaseListOut(Schema):
    """A case in a list."""

    id: int
    kind: str
    household_id: int | None
    region_code: str
    year: int
    outcome: str
    step: str
    trigger: str
    opened_on: date
    decided_on: date | None


class CaseStepOut(Schema):
    """One entry of a case's history."""

    seq: int
    step: str
    action: str
    on: date
    notice_ends: date | None
    standing: bool
    actor_label: str
    role: str
    evidence: dict[str, Any]
    note: str


class EvidenceItemOut(Schema):
    """A piece of evidence a step needs: its key, Chinese label and kind of value."""

    key: str
    label: str
    kind: str


class NextStepOut(Schema):
    """A step the user may take next, with what it needs."""

    slug: str
    label: str
    roles: list[str]
    evidence: list[EvidenceItemOut]
    notice: bool


class CaseOut(CaseListOut):
    """A case with its history and the steps the user may take next."""

    household_no: str | None
    clue_on: date
    notice_ends: date | None
    awaiting_reverification: bool
    reason: str
    detail: dict[str, Any]
    steps: list[CaseStepOut]
    next_steps: list[NextStepOut]


class CaseFilters(PageIn):
    """The case list's filters and its page."""

    kind: CaseKind | None = None
    outcome: Outcome | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    region: RegionPrefix | None = Field(None, description="region code prefix")


class CasePageOut(PageOut):
    """A page of cases and how many match in all."""

    items: list[CaseListOut]


class StepIn(Schema):
    """A step to take: its slug, the day it was taken (today if not said) and its evidence."""

    step: Annotated[Text, StringConstraints(min_length=1, max_length=32)]
    on: date | None = Field(None, ge=date(2000, 1, 1))
    evidence: dict[Annotated[Text, StringConstraints(max_length=64)], Any] = Field(
        default_factory=dict, max_length=40
    )
    note: Annotated[Text, StringConstraints(max_length=2000)] = ""

    @field_validator("evidence")
    @classmethod
    def evidence_storable(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Evidence is stored as JSON: no NUL characters, no deep nesting."""
        _storable(value, depth=0)
        return value


def _storable(value: Any, *, depth: int) -> None:
    if depth > MAX_EVIDENCE_DEPTH:
        raise ValueError("evidence is nested too deep")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("evidence text cannot contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _storable(key, depth=depth + 1)
            _storable(item, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable(item, depth=depth + 1)
