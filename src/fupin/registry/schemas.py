"""API schemas of the registry: households, members, assessments, status transitions.

Personal numbers (ID, phone, bank account) and health come out masked, or empty, for
the roles that do not need them (`registry.api`); the schemas only say what is sent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from fupin.core.api import Text
from fupin.registry.choices import (
    Category,
    Cause,
    Education,
    Health,
    HousingGrade,
    Labor,
    Relation,
    Sex,
)
from fupin.registry.parsing import MONEY_MAX

HouseholdNo = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{1,32}$")]
VillageCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
IdNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{15}$|^[0-9]{17}[0-9Xx]$")]
Money = Annotated[int, Field(ge=0, le=MONEY_MAX)]
# '' clears an attribute or a cause.
CategoryOrBlank = Category | Literal[""]
CauseOrBlank = Cause | Literal[""]


class MemberOut(Schema):
    """A member of a household; ID number masked and health empty where not visible."""

    id: int
    name: str
    id_number: str
    relation: str
    sex: str
    birth_date: date | None
    ethnicity: str
    education: str
    in_school: bool
    health: str | None
    labor: str
    migrant_months: int
    medical_insured: bool | None
    critical_illness_insured: bool | None
    pension_insured: bool | None
    is_active: bool


class AssessmentOut(Schema):
    """A household's facts for one year (年度信息采集)."""

    year: int
    wage_income: int
    business_income: int
    business_cost: int
    property_income: int
    transfer_income: int
    household_size: int
    net_income_per_capita: Decimal
    food_ok: bool
    clothing_ok: bool
    education_ok: bool
    medical_ok: bool
    housing_grade: str
    water_ok: bool


class TransitionOut(Schema):
    """A change of register status."""

    from_status: str
    to_status: str
    year: int
    date: date
    reason: str
    case_ref: str


class HouseholdCaseOut(Schema):
    """A procedure case of the household, in brief."""

    id: int
    kind: str
    year: int
    outcome: str
    step: str
    opened_on: date
    decided_on: date | None


class HouseholdListOut(Schema):
    """A household in a list: its number, place, status and head."""

    id: int
    household_no: str
    village_code: str
    status: str
    category: str
    main_cause: str
    head_name: str
    head_id_number: str


class HouseholdOut(Schema):
    """A household with its members, yearly assessments, status history and cases."""

    id: int
    household_no: str
    village_code: str
    status: str
    category: str
    main_cause: str
    second_cause: str
    third_cause: str
    phone: str
    bank_account: str
    address: str
    personal_data_masked: bool
    health_masked: bool
    members: list[MemberOut]
    assessments: list[AssessmentOut]
    transitions: list[TransitionOut]
    cases: list[HouseholdCaseOut]


class HouseholdFieldsIn(Schema):
    """The household's own fields (户): attribute, causes, contacts, address."""

    model_config = ConfigDict(use_enum_values=True)

    category: CategoryOrBlank | None = None
    main_cause: CauseOrBlank | None = None
    second_cause: CauseOrBlank | None = None
    third_cause: CauseOrBlank | None = None
    phone: Annotated[Text, StringConstraints(max_length=20)] = ""
    bank_account: Annotated[Text, StringConstraints(max_length=32)] = ""
    address: Annotated[Text, StringConstraints(max_length=200)] = ""


class MemberIn(Schema):
    """A person of the household, as the import's member row holds them."""

    model_config = ConfigDict(use_enum_values=True)

    name: Annotated[Text, StringConstraints(min_length=1, max_length=50)]
    id_number: IdNumber
    relation: Relation
    sex: Sex
    birth_date: date = Field(..., ge=date(1890, 1, 1), le=date(2100, 12, 31))
    ethnicity: Annotated[Text, StringConstraints(min_length=1, max_length=20)]
    education: Education | None = None
    in_school: bool | None = None
    health: Health
    labor: Labor | None = None
    migrant_months: int = Field(0, ge=0, le=12)
    medical_insured: bool | None = None
    critical_illness_insured: bool | None = None
    pension_insured: bool | None = None


class AssessmentIn(Schema):
    """The year's income components (yuan) and the two-no-worries, three-guarantees facts."""

    model_config = ConfigDict(use_enum_values=True)

    wage_income: Money
    business_income: Money
    business_cost: Money
    property_income: Money
    transfer_income: Money
    food_ok: bool
    clothing_ok: bool
    education_ok: bool
    medical_ok: bool
    housing_grade: HousingGrade
    water_ok: bool


Year = Annotated[int, Field(ge=2000, le=2100)]
Reason = Annotated[Text, StringConstraints(max_length=200)]


class HouseholdCreateIn(HouseholdFieldsIn):
    """A household to register with its members and the year's assessment."""

    household_no: HouseholdNo
    village_code: VillageCode
    year: Year
    members: list[MemberIn] = Field(..., min_length=1, max_length=30)
    assessment: AssessmentIn
    reason: Reason = ""


class HouseholdUpdateIn(Schema):
    """Changes to a household: fields given replace the stored ones; members are matched by
    ID number (new ones are added, none is removed: a departure is a member event)."""

    model_config = ConfigDict(use_enum_values=True)

    year: Year
    category: CategoryOrBlank | None = None
    main_cause: CauseOrBlank | None = None
    second_cause: CauseOrBlank | None = None
    third_cause: CauseOrBlank | None = None
    phone: Annotated[Text, StringConstraints(max_length=20)] | None = None
    bank_account: Annotated[Text, StringConstraints(max_length=32)] | None = None
    address: Annotated[Text, StringConstraints(max_length=200)] | None = None
    members: list[MemberIn] | None = Field(None, max_length=30)
    assessment: AssessmentIn | None = None
    reason: Reason = ""


class HouseholdSavedOut(Schema):
    """A household saved: where it stands now and what the write changed."""

    id: int
    household_no: str
    village_code: str
    status: str
    changes: dict[str, int]
