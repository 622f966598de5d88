"""Every route, as every role, on an object inside its scope and one outside (NetBox's
generated permission tests). Routes are read from the URL resolver, so a route added
later is tested without a line here; a route whose parameters this file does not know
fails until it is taught how to make them.

What must hold, for each role and route: an object outside the user's scope answers
exactly as a missing one (same status, same body once the ids are set aside), and no
page or answer of any route shows a marker of the far household.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from fupin.core.access import grant_add
from fupin.core.audit import Actor
from fupin.core.choices import Role
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.targeting.models import Case

pytestmark = pytest.mark.django_db

HOME, FAR = "522727100218", "110101001001"
HOME_MARK, FAR_MARK = "522727100218FARAWAYNO", "110101001001FARAWAYNO"
MISSING_ID = 987654321
# Routes that are public by design, or served by Django's own permission system.
PUBLIC = ("login/", "logout/", "i18n/", "api/docs", "api/openapi.json", "static/")
# Routes reached without login by a contact card's token, which is the household's key to
# its own card: tested on their own below (an unknown token answers 404 to everybody).
BY_CARD_TOKEN = ("card/",)
OWN_SYSTEM = ("admin/",)
# The grant each role holds for the test: over the home village's region at its level.
PREFIX_OF_ROLE = {
    Role.NATIONAL: "",
    Role.PROVINCE: "52",
    Role.PREFECTURE: "5227",
    Role.COUNTY: "522727",
    Role.TOWNSHIP: "522727100",
    Role.INSPECTOR: "522727",
    Role.EVALUATOR: "52",
    Role.DEPARTMENT: "522727",
    Role.ADMINISTRATOR: "",
}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    """A URL pattern with its parameter names, e.g. 'api/v1/households/<int:household_id>'."""

    pattern: str
    names: tuple[str, ...]

    def url(self, values: dict[str, object]) -> str:
        return "/" + PARAMETER.sub(lambda m: str(values[m.group("name")]), self.pattern)


def _walk(patterns: list[Any], prefix: str) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield Route(route, tuple(m.group("name") for m in PARAMETER.finditer(route)))


def all_routes() -> list[Route]:
    """Every URL pattern the project serves, Django's and django-ninja's alike."""
    found = {route.pattern: route for route in _walk(get_resolver().url_patterns, "")}
    return [route for _, route in sorted(found.items())]


def routes() -> list[Route]:
    """The routes that act for a logged-in user (not the public, card or admin ones)."""
    return [
        route
        for route in all_routes()
        if not route.pattern.startswith((*OWN_SYSTEM, *PUBLIC, *BY_CARD_TOKEN))
    ]


@dataclass
class World:
    """The objects the routes are called on: one inside the home scope, one outside."""

    inside: dict[str, object]
    outside: dict[str, object]
    missing: dict[str, object]


def _region_chain(code: str) -> None:
    parent = None
    for length, level in ((2, 1), (4, 2), (6, 3), (9, 4), (12, 5)):
        parent, _ = Region.objects.get_or_create(
            code=code[:length],
            defaults={"name": f"region {code[:length]}", "level": level, "parent": parent,
                      "edition": 2023},
        )  # fmt: skip


def _household(village: str, number: str) -> Household:
    now = timezone.now()
    return Household.objects.create(household_no=number, village_id=village, status="registered",
                                    created_at=now, updated_at=now)  # fmt: skip


def _case(household: Household) -> Case:
    return Case.objects.create(kind="exit", household=household, region_code=household.village_id,
                               year=2016, trigger="annual_run", clue_on=date(2016, 9, 1),
                               opened_on=date(2016, 9, 1))  # fmt: skip


# name -> how to make (inside, outside, missing) values for a user.
Maker = Callable[[Household, Household, Any, Any], tuple[object, object, object]]
MAKERS: dict[str, Maker] = {
    "household_id": lambda home, far, user, other: (home.pk, far.pk, MISSING_ID),
    "case_id": lambda home, far, user, other: (_case(home).pk, _case(far).pk, MISSING_ID),
    "code": lambda home, far, user, other: (HOME, FAR, "999999999999"),
}


def _job_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    job = apps.get_model("jobs", "Job")
    inside = job.objects.create(kind="export", params={}, region_code=HOME, user=user,
                                created_at=timezone.now())  # fmt: skip
    outside = job.objects.create(kind="export", params={}, region_code=FAR, user=other,
                                 created_at=timezone.now())  # fmt: skip
    return inside.pk, outside.pk, MISSING_ID


def _token_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from fupin.core.tokens import token_create

    inside = token_create(user=user, name="mine", actor=Actor.of(user))
    outside = token_create(user=other, name="theirs", actor=Actor.of(other))
    return inside.token.pk, outside.token.pk, MISSING_ID


def _objection_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from fupin.pairing.models import Cadre, CardObjection, ContactCard

    now = timezone.now()
    made = []
    for number, household in enumerate((home, far)):
        cadre = Cadre.objects.create(
            name="干部", id_number=f"52272719800101{number:03d}X", phone="13800000000",
            unit="单位", unit_level="county", region_code=household.village_id[:6],
            created_at=now,
        )  # fmt: skip
        card = ContactCard.objects.create(
            household=household, cadre=cadre, year=2016, token_hash=f"{number:064d}",
            facts={}, printed_at=now,
        )  # fmt: skip
        objection = CardObjection.objects.create(
            household=household, card=card, text=f"objection {household.household_no}",
            created_at=now,
        )  # fmt: skip
        made.append(objection.pk)
    return made[0], made[1], MISSING_ID


def _cadre_pair(home: Household, far: Household) -> list[Any]:
    """An open assignment of a cadre to each household (made once per pair)."""
    from fupin.pairing.models import Assignment, Cadre

    made_already = list(Assignment.objects.filter(household__in=(home, far), ended_on=None))
    if len(made_already) == 2:
        return sorted(made_already, key=lambda a: a.household_id != home.pk)
    now = timezone.now()
    made = []
    for number, household in enumerate((home, far)):
        cadre = Cadre.objects.create(
            name="结对干部", id_number=f"52272719800202{number:03d}X", phone="13800000001",
            unit="单位", unit_level="county", region_code=household.village_id[:6],
            created_at=now,
        )  # fmt: skip
        made.append(
            Assignment.objects.create(
                household=household, cadre=cadre, started_on=date(2016, 3, 1), created_at=now
            )
        )
    return made


def _cadre_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    inside, outside = _cadre_pair(home, far)
    return inside.cadre_id, outside.cadre_id, MISSING_ID


def _assignment_values(
    home: Household, far: Household, user: Any, other: Any
) -> tuple[object, ...]:
    inside, outside = _cadre_pair(home, far)
    return inside.pk, outside.pk, MISSING_ID


def _photo_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from fupin.monitoring.models import Visit, VisitPhoto

    made = []
    for assignment in _cadre_pair(home, far):
        visit = Visit.objects.create(household_id=assignment.household_id,
                                     cadre_id=assignment.cadre_id, visited_on=date(2016, 5, 1),
                                     found="在家", created_at=timezone.now())  # fmt: skip
        photo = VisitPhoto.objects.create(visit=visit, image="2016/05/none.jpg",
                                          content_type="image/jpeg", size=1)  # fmt: skip
        made.append(photo.pk)
    return made[0], made[1], MISSING_ID


def _proposal_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from fupin.pairing.models import AssignmentProposal

    made = [
        AssignmentProposal.objects.create(
            region_code=household.village_id[:6], starts_on=date(2016, 3, 1),
            households_unpaired=1, households_matched=0,
            summary={"matched": {}, "counties": [{"region": household.village_id[:6]}]},
            created_at=timezone.now(),
        ).pk
        for household in (home, far)
    ]  # fmt: skip
    return made[0], made[1], MISSING_ID


MAKERS["proposal_id"] = _proposal_values
MAKERS["photo_id"] = _photo_values
MAKERS["cadre_id"] = _cadre_values
MAKERS["assignment_id"] = _assignment_values
MAKERS["job_id"] = _job_values
MAKERS["token_id"] = _token_values
MAKERS["objection_id"] = _objection_values


def _posting_pair(home: Household, far: Household) -> list[Any]:
    """An active work team in each household's village (made once per pair)."""
    from fupin.pairing.models import Posting, PostingMember

    villages = (home.village_id, far.village_id)
    made = sorted(Posting.objects.filter(village_id__in=villages, status="active"),
                  key=lambda posting: posting.village_id != home.village_id)  # fmt: skip
    if len(made) == 2:
        return made
    for number, village in enumerate(villages):
        posting = Posting.objects.create(
            village_id=village, kind="work_team", sending_unit="派出单位", unit_level="county",
            term_start=date(2016, 3, 1), term_end=date(2018, 2, 28), duties="驻村帮扶",
            created_at=timezone.now(),
        )  # fmt: skip
        PostingMember.objects.create(
            posting=posting, name="驻村干部", id_number=f"52272719850505{number:03d}X",
            phone="13900000000", is_leader=True, joined_on=date(2016, 3, 1),
        )  # fmt: skip
        made.append(posting)
    return made


def _posting_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    inside, outside = _posting_pair(home, far)
    return inside.pk, outside.pk, MISSING_ID


def _member_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    inside, outside = _posting_pair(home, far)
    return inside.members.get().pk, outside.members.get().pk, MISSING_ID


MAKERS["posting_id"] = _posting_values
MAKERS["member_id"] = _member_values


def _committee_pair(home: Household, far: Household) -> list[Any]:
    """An active committee in each household's village, with a member, a labour post, the
    household's application with consent and its black-list entry (made once per pair)."""
    from fupin.pairing.models import (
        BlackListEntry,
        Committee,
        CommitteeMember,
        LabourPost,
        PostApplication,
    )
    from fupin.registry.models import Member

    villages = (home.village_id, far.village_id)
    made = sorted(Committee.objects.filter(village_id__in=villages, ended_on=None),
                  key=lambda committee: committee.village_id != home.village_id)  # fmt: skip
    if len(made) == 2:
        return made
    now = timezone.now()
    for number, household in enumerate((home, far)):
        committee = Committee.objects.create(
            village_id=household.village_id, formed_on=date(2016, 3, 1), households_counted=1,
            seats=5, created_at=now,
        )  # fmt: skip
        CommitteeMember.objects.create(
            committee=committee, name="委员", id_number=f"52272719700101{number:03d}X",
            phone="13800000000", role="production", is_party_member=True,
            background="village_cadre", joined_on=date(2016, 3, 1),
        )  # fmt: skip
        post = LabourPost.objects.create(
            village_id=household.village_id, committee=committee, title="保洁员",
            duties="村道清扫", place="村委会", pay_amount=500, pay_unit="month", positions=1,
            opened_on=date(2016, 3, 10), created_at=now,
        )  # fmt: skip
        villager = Member.objects.create(
            household=household, name=f"村民{household.household_no}", relation="head", sex="M",
            id_number=f"52272719900303{number:03d}X", birth_date=date(1990, 3, 3),
            ethnicity="汉族", health="healthy",
        )  # fmt: skip
        PostApplication.objects.create(
            post=post, person=villager, applied_on=date(2016, 3, 12),
            consent_given_on=date(2016, 3, 12), consent_evidence="本人签字申请书", recorded_at=now,
        )  # fmt: skip
        BlackListEntry.objects.create(
            committee=committee, household=household, year=2016, month=3, reasons="损毁公共设施",
            listed_on=date(2016, 4, 2), recorded_at=now,
        )  # fmt: skip
        made.append(committee)
    return made


def _labour_post_values(
    home: Household, far: Household, user: Any, other: Any
) -> tuple[object, ...]:
    inside, outside = _committee_pair(home, far)
    return inside.posts.get().pk, outside.posts.get().pk, MISSING_ID


def _application_values(
    home: Household, far: Household, user: Any, other: Any
) -> tuple[object, ...]:
    from fupin.pairing.models import PostApplication

    inside, outside = _committee_pair(home, far)
    return (PostApplication.objects.get(post__committee=inside).pk,
            PostApplication.objects.get(post__committee=outside).pk, MISSING_ID)  # fmt: skip


def _entry_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from fupin.pairing.models import BlackListEntry

    inside, outside = _committee_pair(home, far)
    return (BlackListEntry.objects.get(committee=inside).pk,
            BlackListEntry.objects.get(committee=outside).pk, MISSING_ID)  # fmt: skip


MAKERS["post_id"] = _labour_post_values
MAKERS["application_id"] = _application_values
MAKERS["entry_id"] = _entry_values


def _exit_check_values(
    home: Household, far: Household, user: Any, other: Any
) -> tuple[object, ...]:
    from fupin.monitoring.models import CheckHousehold, ExitCheck

    made = []
    for household in (home, far):
        check = ExitCheck.objects.create(
            county_id=household.village_id[:6], year=2016, seed=1, drawn_by_label="evaluator",
            drawn_at=timezone.now(),
            parameters={"sizes": {}, "frame": {"villages": {"poor": 1}, "households": {"poor": 1}},
                        "drawn": {"villages": {"poor": 1}, "households": {"poor": 1}},
                        "populations": {"registered_poor": 1, "exited": 0, "non_registered": 0}},
        )  # fmt: skip
        CheckHousehold.objects.create(
            exit_check=check, household=household, village_id=household.village_id,
            village_kind="poor", stratum="poor", status="registered", persons=1,
        )  # fmt: skip
        made.append(check.pk)
    return made[0], made[1], MISSING_ID


MAKERS["check_id"] = _exit_check_values


def _recommendation_values(
    home: Household, far: Household, user: Any, other: Any
) -> tuple[object, ...]:
    from fupin.monitoring.models import Recommendation

    made = [
        Recommendation.objects.create(
            year=2016, kind="warning", region_code=household.village_id, reasons="走访不足",
            figures={"score": 50.0}, recorded_by=owner, recorder_role="township",
            recorder_region=household.village_id[:9], recorded_at=timezone.now(),
            notified_on=date(2016, 12, 1), notice_method="in_writing",
            appeal_until=date(2016, 12, 16),
        ).pk
        for household, owner in ((home, user), (far, other))
    ]  # fmt: skip
    return made[0], made[1], MISSING_ID


MAKERS["recommendation_id"] = _recommendation_values


def _site_pair(home: Household, far: Household) -> list[Any]:
    from fupin.support.models import ResettlementSite

    made = sorted(ResettlementSite.objects.filter(village_code__in=(HOME, FAR)),
                  key=lambda site: site.village_code != HOME)  # fmt: skip
    if len(made) == 2:
        return made
    return [ResettlementSite.objects.create(name=f"安置点{code}", county_code=code[:6],
                                            village_code=code, kind="centralised", capacity=10,
                                            created_at=timezone.now()) for code in (HOME, FAR)]  # fmt: skip


def _site_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    inside, outside = _site_pair(home, far)
    return inside.pk, outside.pk, MISSING_ID


def _move_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from fupin.support.models import RelocationMove

    made = [RelocationMove.objects.create(household=household, site=site, plan_year=2016,
                                          persons=3, planned_on=date(2016, 3, 1),
                                          recorded_at=timezone.now()).pk
            for household, site in zip((home, far), _site_pair(home, far), strict=True)]  # fmt: skip
    return made[0], made[1], MISSING_ID


def _loan_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from decimal import Decimal

    from fupin.support.models import Loan

    made = [Loan.objects.create(household=household, amount=Decimal(30000), term_months=36,
                                annual_rate=Decimal("0.0475"), subsidy_share=Decimal(1),
                                lender="信用社", purpose="breeding", issued_on=date(2016, 4, 1),
                                due_on=date(2019, 4, 1), recorded_at=timezone.now()).pk
            for household in (home, far)]  # fmt: skip
    return made[0], made[1], MISSING_ID


def _project_values(home: Household, far: Household, user: Any, other: Any) -> tuple[object, ...]:
    from fupin.support.models import Project

    made = [
        Project.objects.create(region_code=household.village_id, year=2016, kind="industry",
                               name=f"project {household.household_no}", budget=1,
                               created_at=timezone.now()).pk
        for household in (home, far)
    ]  # fmt: skip
    return made[0], made[1], MISSING_ID


MAKERS["project_id"] = _project_values
MAKERS["site_id"] = _site_values
MAKERS["move_id"] = _move_values
MAKERS["loan_id"] = _loan_values


def world_for(user: Any, other: Any, names: set[str]) -> World:
    home, far = _household(HOME, HOME_MARK), _household(FAR, FAR_MARK)
    inside, outside, missing = {}, {}, {}
    for name in sorted(names):
        inside[name], outside[name], missing[name] = MAKERS[name](home, far, user, other)
    return World(inside, outside, missing)


def logged_in_world(user: Any, other: Any) -> tuple[Client, World, list[Route]]:
    """A client logged in as `user`, the objects every route needs, and the routes."""
    _region_chain(FAR)
    every = routes()
    world = world_for(user, other, {name for route in every for name in route.names})
    client = Client()
    client.force_login(user)
    return client, world, every


def user_as(role: str, actor: Actor, name: str) -> Any:
    user = get_user_model().objects.create_user(username=name)
    prefix = PREFIX_OF_ROLE.get(Role(role), HOME)
    grant_add(user=user, role=role, region_prefix=prefix, actor=actor,
              department="health" if role == Role.DEPARTMENT else "")  # fmt: skip
    return user


def _normalized(body: bytes, *ids: object) -> str:
    text = body.decode("utf-8", "replace")
    for value in ids:
        text = text.replace(str(value), "<id>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


METHODS = ("get", "post", "put", "patch", "delete")


def test_every_route_parameter_is_known() -> None:
    unknown = {name for route in routes() for name in route.names} - set(MAKERS)
    assert not unknown, f"teach tests/test_route_access.py to make: {sorted(unknown)}"


# The national office's scope is the nation: nothing lies outside it.
SCOPED_ROLES = [role for role in Role.values if role != Role.NATIONAL]


def _body(response: Any) -> bytes:
    """A response's bytes, a file download's included."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_no_route_leaks_outside_the_scope(role: str, villages: list[str], actor: Actor) -> None:
    other = user_as(Role.COUNTY, actor, "far-county")
    client, world, every = logged_in_world(user_as(role, actor, f"as-{role}"), other)
    leaks = []
    for route in every:
        if not route.names:
            response = client.get(route.url({}))
            # The far village's code marks its household, its cases and its jobs alike.
            if FAR.encode() in _body(response):
                leaks.append(f"GET {route.pattern} lists something of the far village")
            continue
        for method in METHODS:
            call = getattr(client, method)
            far = call(route.url(world.outside), content_type="application/json")
            gone = call(route.url(world.missing), content_type="application/json")
            far_ids = world.outside.values()
            if far.status_code != gone.status_code or _normalized(
                far.content, *far_ids
            ) != _normalized(gone.content, *world.missing.values()):
                leaks.append(
                    f"{method.upper()} {route.pattern}: outside {far.status_code}, "
                    f"missing {gone.status_code}"
                )
            if FAR_MARK.encode() in far.content:
                leaks.append(f"{method.upper()} {route.pattern} shows the far household")
    assert leaks == []


def test_anonymous_gets_nothing(villages: list[str], actor: Actor) -> None:
    _region_chain(FAR)
    owner = user_as(Role.COUNTY, actor, "owner")
    every = routes()
    world = world_for(owner, owner, {name for route in every for name in route.names})
    client = Client()
    shown = []
    for route in every:
        response = client.get(route.url(world.inside))
        if response.status_code == 200 or HOME_MARK.encode() in _body(response):
            shown.append(f"{route.pattern}: {response.status_code}")
    assert shown == []


def test_routes_answer_inside_the_scope(villages: list[str], actor: Actor) -> None:
    """The leak test above would pass on routes that answer 404 to everyone: the county
    office must reach every object route inside its county."""
    county = user_as(Role.COUNTY, actor, "county")
    client, world, every = logged_in_world(county, county)
    unreached = []
    for route in every:
        if not route.names or route.pattern in EMPTY_INSIDE:
            continue
        statuses = {getattr(client, method)(route.url(world.inside)).status_code
                    for method in METHODS}  # fmt: skip
        if not statuses & {200, 204, 302, 400, 409, 422}:
            unreached.append(f"{route.pattern}: {sorted(statuses)}")
    assert unreached == []


# Routes whose test object has nothing to serve: the case has posted no notice yet, the
# job has written no file, the photo's file is not written here (tests/monitoring reads one).
# An exit check's survey names the sampled households: the county never reads it.
EMPTY_INSIDE = {"cases/<int:case_id>/notice.pdf", "jobs/<int:job_id>/download/",
                "visits/photos/<int:photo_id>/", "verify/<int:check_id>/survey.pdf",
                "verify/<int:check_id>/survey.xlsx"}  # fmt: skip


def card_routes() -> list[Route]:
    """The routes reached by a contact card's token."""
    return [route for route in all_routes() if route.pattern.startswith(BY_CARD_TOKEN)]


@pytest.mark.parametrize("role", [None, *SCOPED_ROLES])
def test_an_unknown_card_token_answers_404(role: str | None, villages: list[str],
                                           actor: Actor) -> None:  # fmt: skip
    client = Client()
    if role is not None:
        client.force_login(user_as(role, actor, f"as-{role}"))
    found = card_routes()
    assert {route.names for route in found} == {("token",)} and len(found) == 3
    answers = {
        (route.pattern, method): getattr(client, method)(route.url({"token": token})).status_code
        for route in found
        for method in METHODS
        for token in ("A" * 32, "x")
    }
    assert {status for status in answers.values()} <= {404, 405}
    assert any(status == 404 for status in answers.values())
