"""The registry's API routes: households, their members, assessments and history.

Every read starts from `core.access.restrict` for the request's user; a household is
fetched with `access_get` (missing and out of scope: the same 404). ID numbers, phones,
bank accounts and health are masked for roles that do not need them; a full read of a
household's members is itself audited (`household.read_full`). Writes go through
`registry.services.household_save` once the user is found to keep the register there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Status
from pydantic import StringConstraints

from fupin.core.access import (
    access_get,
    access_rule,
    health_visible,
    personal_data_visible,
    restrict,
    roles_at,
)
from fupin.core.api import (
    ObjectId,
    PageIn,
    PageOut,
    RegionPrefix,
    Text,
    api_actor,
    api_user,
    error_response,
    page_of,
    responses,
)
from fupin.core.audit import Actor
from fupin.core.masking import mask_bank_account, mask_id_number, mask_phone
from fupin.regions.queries import code_prefix_q
from fupin.registry import kernels
from fupin.registry.choices import Category, Cause, HouseholdStatus, Relation
from fupin.registry.models import Assessment, Household, Member, StatusTransition
from fupin.registry.schemas import (
    AssessmentOut,
    HouseholdCreateIn,
    HouseholdListOut,
    HouseholdOut,
    HouseholdSavedOut,
    HouseholdUpdateIn,
    Year,
)
from fupin.registry.services import (
    RegistryValidationError,
    household_full_read_record,
    household_save,
)
from fupin.targeting.models import Case

router = Router(tags=["households"])


class HouseholdFilters(PageIn):
    """The household list's filters, as on the list page, and its page."""

    q: Annotated[Text, StringConstraints(max_length=50)] | None = Field(
        None, description="head's name (part), an ID number (exact) or a household number"
    )
    status: HouseholdStatus | None = None
    category: Category | None = None
    cause: Cause | None = Field(None, description="main cause of poverty (主要致贫原因)")
    year: Year | None = Field(None, description="assessed in this year")
    region: RegionPrefix | None = Field(None, description="region code prefix")


class HouseholdPageOut(PageOut):
    """A page of households and how many match in all."""

    items: list[HouseholdListOut]


class Visibility:
    """What the user may see unmasked, asked once per village within one request."""

    def __init__(self, user: AbstractBaseUser):
        self.user = user
        self._personal: dict[str, bool] = {}
        self._health: dict[str, bool] = {}

    def personal(self, code: str) -> bool:
        """ID numbers, phones and bank accounts in full in village `code`."""
        if code not in self._personal:
            self._personal[code] = personal_data_visible(self.user, code)
        return self._personal[code]

    def health(self, code: str) -> bool:
        """Health data in village `code`."""
        if code not in self._health:
            self._health[code] = health_visible(self.user, code)
        return self._health[code]


def households_filtered(
    queryset: QuerySet[Household], filters: HouseholdFilters
) -> QuerySet[Household]:
    """`queryset` narrowed by the list's filters."""
    if filters.q:
        q = filters.q.strip()
        active = Member.objects.filter(household=OuterRef("pk"), is_active=True)
        queryset = queryset.filter(
            Q(household_no=q)
            | Exists(active.filter(id_number=q.upper()))
            | Exists(active.filter(relation=Relation.HEAD, name__contains=q))
        )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.cause:
        queryset = queryset.filter(main_cause=filters.cause)
    if filters.year:
        queryset = queryset.filter(
            Exists(Assessment.objects.filter(household=OuterRef("pk"), year=filters.year))
        )
    if filters.region:
        queryset = queryset.filter(code_prefix_q(filters.region, "village_id"))
    return queryset


def _with_head(queryset: QuerySet[Household]) -> QuerySet[Household]:
    head = Member.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD, is_active=True)
    return queryset.annotate(
        head_name=Subquery(head.values("name")[:1]),
        head_id_number=Subquery(head.values("id_number")[:1]),
    )


def household_list_item(household: Household, visibility: Visibility) -> dict[str, Any]:
    """A household as a list shows it, the head's ID masked where not visible."""
    id_number = getattr(household, "head_id_number", None) or ""
    if not visibility.personal(household.village_id):
        id_number = mask_id_number(id_number)
    return {
        "id": household.pk, "household_no": household.household_no,
        "village_code": household.village_id, "status": household.status,
        "category": household.category, "main_cause": household.main_cause,
        "head_name": getattr(household, "head_name", None) or "", "head_id_number": id_number,
    }  # fmt: skip


@router.get("/households", response=responses({200: HouseholdPageOut}), summary="Households")
def household_list(request: HttpRequest, filters: Query[HouseholdFilters]) -> dict[str, Any]:
    """The households in your scope, filtered, a page at a time (by household number)."""
    user = api_user(request)
    queryset = households_filtered(restrict(Household.objects.all(), user, "view"), filters)
    items, count = page_of(
        _with_head(queryset).order_by("household_no"),
        page=filters.page, page_size=filters.page_size, request=request,
    )  # fmt: skip
    visibility = Visibility(user)
    return {
        "items": [household_list_item(household, visibility) for household in items],
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
    }


def _member_item(member: Member, *, personal: bool, health: bool) -> dict[str, Any]:
    return {
        "id": member.pk, "name": member.name,
        "id_number": member.id_number if personal else mask_id_number(member.id_number),
        "relation": member.relation, "sex": member.sex,
        # The birth date is in the ID number: hidden where the ID is masked.
        "birth_date": member.birth_date if personal else None,
        "ethnicity": member.ethnicity, "education": member.education,
        "in_school": member.in_school, "health": member.health if health else None,
        "labor": member.labor, "migrant_months": member.migrant_months,
        "medical_insured": member.medical_insured,
        "critical_illness_insured": member.critical_illness_insured,
        "pension_insured": member.pension_insured, "is_active": member.is_active,
    }  # fmt: skip


def household_detail_view(
    household: Household, user: AbstractBaseUser, actor: Actor
) -> dict[str, Any]:
    """A household with its members, assessments, transitions and cases, masked for `user`."""
    code = household.village_id
    personal, health = personal_data_visible(user, code), health_visible(user, code)
    members = restrict(Member.objects.filter(household=household), user, "view")
    member_rows = [
        _member_item(member, personal=personal, health=health)
        for member in members.order_by("-is_active", "id")
    ]
    if personal and member_rows:
        household_full_read_record(household=household, actor=actor, health=health)
    assessments = restrict(Assessment.objects.filter(household=household), user, "view")
    transitions = restrict(StatusTransition.objects.filter(household=household), user, "view")
    cases = restrict(Case.objects.filter(household=household), user, "view")
    return {
        "id": household.pk, "household_no": household.household_no, "village_code": code,
        "status": household.status, "category": household.category,
        "main_cause": household.main_cause, "second_cause": household.second_cause,
        "third_cause": household.third_cause,
        "phone": household.phone if personal else mask_phone(household.phone),
        "bank_account": (
            household.bank_account if personal else mask_bank_account(household.bank_account)
        ),
        "address": household.address,
        "personal_data_masked": not personal, "health_masked": not health,
        "members": member_rows,
        "assessments": list(assessments.order_by("year")),
        "transitions": list(transitions.order_by("date", "id")),
        "cases": list(cases.order_by("opened_on", "id")),
    }  # fmt: skip


@router.get(
    "/households/{household_id}", response=responses({200: HouseholdOut}), summary="A household"
)
def household_detail(request: HttpRequest, household_id: ObjectId) -> dict[str, Any]:
    """A household with members, assessments by year, status transitions and cases."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    return household_detail_view(household, user, api_actor(request))


@router.get(
    "/households/{household_id}/assessments",
    response=responses({200: list[AssessmentOut]}),
    summary="A household's assessments",
)
def household_assessments(request: HttpRequest, household_id: ObjectId) -> list[Assessment]:
    """The household's yearly assessments (年度信息采集), by year."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "view", pk=household_id)
    return list(
        restrict(Assessment.objects.filter(household=household), user, "view").order_by("year")
    )


def _keeps_register_in(user: AbstractBaseUser, village_code: str) -> bool:
    """Whether `user` holds a role over the village that may change households there: the
    rule `restrict(Household..., "change")` applies, asked of a household yet to exist."""
    return bool(roles_at(user, village_code) & access_rule(Household).roles("change"))


HOUSEHOLD_FIELDS = ["category", "main_cause", "second_cause", "third_cause", "phone",
                    "bank_account", "address"]  # fmt: skip
MEMBER_FIELDS = [name for name in kernels.MEMBER_FIELDS if name != "household_no"]
ASSESSMENT_FIELDS = ["wage_income", "business_income", "business_cost", "property_income",
                     "transfer_income", "food_ok", "clothing_ok", "education_ok", "medical_ok",
                     "housing_grade", "water_ok"]  # fmt: skip
# Blank in the database, missing to the checks (as an empty cell of an import is).
BLANK_AS_MISSING = ("education", "labor")


def _saved(household_no: str, user: AbstractBaseUser, changes: Mapping[str, int]) -> dict[str, Any]:
    household = access_get(Household.objects.all(), user, "view", household_no=household_no)
    return {"id": household.pk, "household_no": household.household_no,
            "village_code": household.village_id, "status": household.status,
            "changes": dict(changes)}  # fmt: skip


@router.post(
    "/households",
    response=responses({201: HouseholdSavedOut}, 409),
    summary="Register a household",
)
def household_create(request: HttpRequest, payload: HouseholdCreateIn) -> Status[dict[str, Any]]:
    """Register a household with its members and the year's assessment (建档); for the
    posts that keep the register of its village. The import's rules apply."""
    user = api_user(request)
    if not _keeps_register_in(user, payload.village_code):
        raise Http404("no village here")
    if Household.objects.filter(household_no=payload.household_no).exists():
        raise HouseholdExists(payload.household_no)
    household = {"household_no": payload.household_no, "village_code": payload.village_code,
                 **{name: getattr(payload, name) or "" for name in HOUSEHOLD_FIELDS}}  # fmt: skip
    result = household_save(
        household=household, members=[member.dict() for member in payload.members],
        assessment=payload.assessment.dict(), year=payload.year, actor=api_actor(request),
        reason=payload.reason or "registered through the API",
    )  # fmt: skip
    return Status(201, _saved(payload.household_no, user, result.counts()))


@router.patch(
    "/households/{household_id}",
    response=responses({200: HouseholdSavedOut}),
    summary="Update a household",
)
def household_update(
    request: HttpRequest, household_id: ObjectId, payload: HouseholdUpdateIn
) -> dict[str, Any]:
    """Change a household's fields, members (matched by ID number) or the year's assessment;
    what is not sent stays as it is. For the posts that keep the register there."""
    user = api_user(request)
    household = access_get(Household.objects.all(), user, "change", pk=household_id)
    given = payload.dict(exclude_unset=True)
    fields = {name: given[name] if given.get(name) is not None else getattr(household, name)
              for name in HOUSEHOLD_FIELDS}  # fmt: skip
    members = _members_merged(household, payload)
    assessment = _assessment_for(household, payload)
    result = household_save(
        household={"household_no": household.household_no,
                   "village_code": household.village_id, **fields},
        members=members, assessment=assessment, year=payload.year, actor=api_actor(request),
        reason=payload.reason or "updated through the API",
    )  # fmt: skip
    return _saved(household.household_no, user, result.counts())


def _members_merged(household: Household, payload: HouseholdUpdateIn) -> list[dict[str, Any]]:
    """The active members as stored, each replaced by the one sent with its ID number;
    members sent with a new ID number are added."""
    stored = household.members.filter(is_active=True).order_by("id").values(*MEMBER_FIELDS)
    merged: dict[str, dict[str, Any]] = {}
    for row in stored:
        merged[row["id_number"]] = {
            key: (None if key in BLANK_AS_MISSING and value == "" else value)
            for key, value in row.items()
        }
    for member in payload.members or []:
        values = member.dict()
        merged[str(values["id_number"]).upper()] = values
    return list(merged.values())


def _assessment_for(household: Household, payload: HouseholdUpdateIn) -> dict[str, Any]:
    if payload.assessment is not None:
        return payload.assessment.dict()
    stored = household.assessments.filter(year=payload.year).values(*ASSESSMENT_FIELDS).first()
    if stored is None:
        raise RegistryInputMissing(
            _("%(year)s 年没有年度信息：请一并提交 assessment") % {"year": payload.year}
        )
    return dict(stored)


class HouseholdExists(Exception):
    """A household number already taken (so a create cannot overwrite another household)."""


class RegistryInputMissing(Exception):
    """A write lacks data the register needs (e.g. the year's assessment)."""


def errors_install(api: NinjaAPI) -> None:
    """Answer the registry's refusals as JSON errors with stable codes."""

    @api.exception_handler(RegistryValidationError)
    def invalid(request: HttpRequest, exc: RegistryValidationError) -> HttpResponse:
        issues = [
            {"row": row.get("row"), "column": row.get("column"), "code": row.get("code"),
             "value": row.get("value"), "message": row.get("message_zh") or row.get("code")}
            for row in exc.issues.iter_rows(named=True)
        ]  # fmt: skip
        return error_response(api, request, 422, "invalid", _("户信息未通过校验"), errors=issues)

    @api.exception_handler(HouseholdExists)
    def exists(request: HttpRequest, exc: HouseholdExists) -> HttpResponse:
        message = _("户编号 %(number)s 已存在") % {"number": exc.args[0]}
        return error_response(api, request, 409, "household_exists", message)

    @api.exception_handler(RegistryInputMissing)
    def missing(request: HttpRequest, exc: RegistryInputMissing) -> HttpResponse:
        return error_response(api, request, 422, "invalid", str(exc))
