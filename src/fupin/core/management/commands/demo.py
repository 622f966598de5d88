"""`fupin demo`: set up the demo on a fresh machine, reusing whatever already exists.

Migrates, loads the national divisions, generates the demo county (平塘县, 522727), runs
its seven years of procedures (2014-2020), creates an admin account whose password is
kept in var/admin_password, and one demo user per post (national office down to a
household) whose grants all cover the demo county, so that each post's view of the same
county can be seen. Their random passwords are kept in var/demo_users (mode 0600) and
reused when the command runs again; the logins are printed as a table at the end.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from fupin.core.audit import Actor
from fupin.core.choices import Department, Role
from fupin.core.cli import operator_actor

DEMO_COUNTY = "522727"
DEMO_HOUSEHOLDS = 70_000
DEMO_YEARS = (2014, 2020)
DEMO_SEED = 522727
NATIONAL_REGIONS = 665_276  # 31 + 342 + 2,978 + 41,352 + 620,573 in the 2023 edition
DEMO_VILLAGE = "522727100218"  # 京舟村, 平舟镇: the village posts' village, if it has households


@dataclass(frozen=True)
class DemoPost:
    """One demo user: a post (role) over a scope of the demo county's chain."""

    username: str
    role: Role
    scope: str  # "nation", "province", "prefecture", "county", "township", "village"
    department: str = ""
    is_staff: bool = False


DEMO_POSTS = (
    DemoPost("demo-national", Role.NATIONAL, "nation"),
    DemoPost("demo-province", Role.PROVINCE, "province"),
    DemoPost("demo-prefecture", Role.PREFECTURE, "prefecture"),
    DemoPost("demo-county", Role.COUNTY, "county"),
    DemoPost("demo-township", Role.TOWNSHIP, "township"),
    DemoPost("demo-village-cadre", Role.VILLAGE_CADRE, "village"),
    DemoPost("demo-first-secretary", Role.FIRST_SECRETARY, "village"),
    DemoPost("demo-work-team", Role.WORK_TEAM, "village"),
    DemoPost("demo-paired-cadre", Role.PAIRED_CADRE, "village"),
    DemoPost("demo-health", Role.DEPARTMENT, "county", department=Department.HEALTH),
    DemoPost("demo-inspector", Role.INSPECTOR, "county"),
    DemoPost("demo-evaluator", Role.EVALUATOR, "county"),
    DemoPost("demo-administrator", Role.ADMINISTRATOR, "nation", is_staff=True),
    DemoPost("demo-household", Role.HOUSEHOLD, "village"),
)


class Command(BaseCommand):
    help = "Prepare the demo: database, national divisions, demo county, admin account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=DEMO_HOUSEHOLDS)

    def handle(self, *args: Any, **options: Any) -> None:
        from fupin.regions.models import Region
        from fupin.regions.queries import code_prefix_q
        from fupin.regions.services import regions_load
        from fupin.registry.models import Household
        from fupin.synth.services import synth_generate

        actor = operator_actor()
        call_command("migrate", verbosity=0, interactive=False)
        if Region.objects.count() < NATIONAL_REGIONS:
            self.stdout.write("loading the national divisions (665,276 regions) ...")
            loaded = regions_load(source=None, only=None, edition=2023, actor=actor)
            self.stdout.write(f"  {loaded}")
        if not Household.objects.filter(code_prefix_q(DEMO_COUNTY, "village_id")).exists():
            self.stdout.write(f"generating {options['households']:,} households in 平塘县 ...")
            result = synth_generate(
                region=DEMO_COUNTY, households=options["households"], years=DEMO_YEARS,
                seed=DEMO_SEED, actor=actor, transitions=False,
            )  # fmt: skip
            self.stdout.write(f"  {result}")
        self._simulate(actor)
        password = self._admin_password()
        logins = demo_users_ensure(actor=actor)
        card_url = self._pairing(actor)
        self._support(actor)
        self.stdout.write(
            "\nfupin demo is ready: http://127.0.0.1:8000/ (back office: /admin/)\n"
            f"  login: admin / {password}   (kept in {settings.VAR_DIR / 'admin_password'})\n"
        )
        self._print_logins(logins)
        if card_url:
            self.stdout.write(
                "\nthe household's view (no login): the QR code of its contact card leads to\n"
                f"  {card_url}\n  (the village's cards: {demo_cards_path()})"
            )

    def _pairing(self, actor: Actor) -> str:
        """Cadres for the county's households paired by the automatic assignment, the demo
        village's first secretary and work team, a month of their attendance, visits, and
        the village's contact cards printed to var/demo_cards.pdf. Returns a card's URL."""
        from fupin.pairing.models import Cadre

        url_path = Path(settings.VAR_DIR) / "demo_card_url"
        if Cadre.objects.filter(region_code__startswith=DEMO_COUNTY).exists():
            return url_path.read_text().strip() if url_path.exists() else ""
        self.stdout.write("pairing the county's households with cadres ...")
        village = _demo_village()
        demo_pairing(village=village, out=self.stdout)
        url = demo_village_cards(village=village, path=demo_cards_path())
        url_path.write_text(url)
        return url

    def _support(self, actor: Actor) -> None:
        """The county's assistance ledger (a department's file among it), funds and
        projects, and its national exit check taken into its exit case."""
        from fupin.core.demo_support import demo_exit_check, demo_funds, demo_ledger
        from fupin.monitoring.models import ExitCheck
        from fupin.regions.queries import code_prefix_q
        from fupin.support.models import Allocation, Measure

        if not Measure.objects.filter(code_prefix_q(DEMO_COUNTY, "household__village_id")).exists():
            self.stdout.write("recording the assistance ledger (帮扶台账) ...")
            written = demo_ledger(county=DEMO_COUNTY, village=_demo_village(), actor=actor,
                                  department=Actor.of(_demo_user("demo-health")))  # fmt: skip
            self.stdout.write(f"  {written:,} measures")
        if not Allocation.objects.filter(to_region_code=DEMO_COUNTY).exists():
            self.stdout.write("recording funds and projects, relocation, microcredit ...")
            for line in demo_funds(county=DEMO_COUNTY, actor=actor):
                self.stdout.write(f"  {line}")
        if not ExitCheck.objects.filter(county_id=DEMO_COUNTY).exists():
            self.stdout.write("the county's national exit check (三率一度) ...")
            posts = {name: Actor.of(_demo_user(f"demo-{name}"))
                     for name in ("county", "prefecture", "province", "evaluator")}  # fmt: skip
            with transaction.atomic():  # all of it, or nothing to trip over next time
                done = demo_exit_check(county=DEMO_COUNTY, posts=posts)
            rates = ", ".join(
                f"{name} {done.results[name]['value']:.2%}"
                for name in ("wrong_exit_rate", "omission_rate", "recognition", "incidence")
                if done.results[name]["value"] is not None
            )
            self.stdout.write(f"  check {done.check_id}: {rates}; exit case {done.case_outcome}")

    def _simulate(self, actor: Actor) -> None:
        """Seven years of identification, exits and returns in the demo county."""
        from fupin.targeting.annual import AnnualRunError
        from fupin.targeting.models import Case
        from fupin.targeting.simulate import simulate

        if Case.objects.filter(region_code__startswith=DEMO_COUNTY, year=DEMO_YEARS[1]).exists():
            return
        self.stdout.write("simulating 2014-2020: identification, exits, returns ...")
        try:
            result = simulate(prefix=DEMO_COUNTY, years=range(DEMO_YEARS[0], DEMO_YEARS[1] + 1),
                              seed=DEMO_SEED, actor=actor)  # fmt: skip
        except AnnualRunError as exc:
            raise CommandError(
                f"{exc}. The demo database predates the simulation: remove "
                f"{settings.VAR_DIR / 'fupin.sqlite3'} and run `make demo` again."
            ) from None
        for year, counts in result.years.items():
            self.stdout.write(f"  {year}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    def _admin_password(self) -> str:
        path = settings.VAR_DIR / "admin_password"
        user_model = get_user_model()
        if path.exists() and user_model.objects.filter(username="admin").exists():
            return path.read_text().strip()
        password = secrets.token_urlsafe(12)
        user, _ = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        user.set_password(password)
        user.save()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password)
        return password

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        """The demo users as a table: post, scope, username and password."""
        rows = [("post", "scope", "username", "password")]
        rows += [(login.post, login.scope, login.username, login.password) for login in logins]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write(f"\none demo user per post (kept in {demo_users_path()}):")
        for row in rows:
            cells = (_pad(cell, width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  " + "  ".join(cells).rstrip())


@dataclass(frozen=True)
class DemoLogin:
    """What the table shows of one demo user."""

    username: str
    password: str
    post: str
    scope: str


def demo_cards_path() -> Path:
    return Path(settings.VAR_DIR) / "demo_cards.pdf"


def _demo_user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def demo_pairing(*, village: str, out: Any) -> None:
    """Pair the demo county and staff the demo village (see `Command._pairing`)."""
    from datetime import date, timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    from fupin.monitoring.services import visit_log
    from fupin.pairing.models import Assignment, Cadre
    from fupin.pairing.postings import PostedPerson, attendance_log, posting_open
    from fupin.pairing.proposals import proposal_apply, proposal_make
    from fupin.registry.idnumber import id_make
    from fupin.synth.cadres import synth_cadres

    county = Actor.of(_demo_user("demo-county"))
    made = synth_cadres(region=DEMO_COUNTY, per_household=0.25, seed=DEMO_SEED)
    proposal = proposal_make(region_code=DEMO_COUNTY, starts_on=date(2016, 3, 1), actor=county)
    applied = proposal_apply(proposal=proposal, actor=county)
    out.write(f"  {made:,} cadres; {applied.opened:,} households paired "
              f"(by distance: {proposal.summary['matched']})")  # fmt: skip
    # The demo's paired cadre answers for the village's households of one cadre.
    own = Q(assignments__household__village_id=village, assignments__ended_on=None)
    busiest = (
        Cadre.objects.filter(own).annotate(n=Count("assignments", filter=own)).order_by("-n", "pk")
    ).first()
    if busiest is not None:
        busiest.user = _demo_user("demo-paired-cadre")
        busiest.save(update_fields=["user"])
    # The village's first secretary and work team, from 2021 (the transition).
    start = date(2021, 3, 1)
    secretary = PostedPerson("陈晓东", id_make("522701", date(1985, 2, 3), 51), "13700001234",
                             user=_demo_user("demo-first-secretary"))  # fmt: skip
    team = [
        PostedPerson("王志刚", id_make("522701", date(1979, 7, 9), 31), "13700002345",
                     user=_demo_user("demo-work-team"), is_leader=True),
        PostedPerson("李红梅", id_make("522727", date(1988, 11, 2), 42), "13700003456"),
        PostedPerson("杨文军", id_make("522727", date(1991, 4, 17), 53), "13700004567"),
    ]  # fmt: skip
    posting_open(village=village, kind="first_secretary", sending_unit="黔南州财政局",
                 unit_level="city", term_start=start, term_years=3, members=[secretary],
                 duties="建强村党组织，推动产业发展，巩固脱贫成果", actor=county)  # fmt: skip
    posting = posting_open(village=village, kind="work_team", sending_unit="平塘县农业农村局",
                           unit_level="county", term_start=start, term_years=3, members=team,
                           duties="驻村帮扶，防返贫监测，为民办事服务", actor=county)  # fmt: skip
    # Last month's attendance of the team, logged by the township (so confirmed at once).
    township = Actor.of(_demo_user("demo-township"))
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    workdays = [first + timedelta(days=n) for n in range(31)
                if (first + timedelta(days=n)).month == first.month
                and (first + timedelta(days=n)).weekday() < 5]  # fmt: skip
    for index, member in enumerate(posting.members.order_by("pk")):
        present = workdays if index != 2 else workdays[: len(workdays) // 2]  # one falls short
        attendance_log(member=member, days=present, actor=township)
    _demo_committee(village=village, today=today)
    # Visits to two of three of the village's households within the last month.
    cadre_actor = Actor(None, "demo")
    paired = Assignment.objects.filter(household__village_id=village, ended_on=None, primary=True)
    for index, assignment in enumerate(paired.select_related("household", "cadre")):
        if index % 3 == 2:
            continue
        visit_log(household=assignment.household, cadre=assignment.cadre, actor=cadre_actor,
                  on=today - timedelta(days=1 + index % 25), found="家中生活正常，收入稳定",
                  agreed="继续落实产业帮扶，下月回访")  # fmt: skip


def _demo_committee(*, village: str, today: Any) -> None:
    """The village's committee for poverty alleviation: seats by policy, every household in
    one member's charge, last week's internal meeting and last month's public one."""
    from datetime import date, timedelta

    from fupin.pairing.committees.committee import (
        CommitteePerson,
        committee_form,
        committee_seats,
        households_divide,
        meeting_record,
    )
    from fupin.registry.idnumber import id_make
    from fupin.registry.models import Household

    keeper = Actor.of(_demo_user("demo-village-cadre"))
    formed = today.replace(day=1) - timedelta(days=60)
    seats = committee_seats(Household.objects.filter(village_id=village).count(),
                            village=village, year=formed.year)  # fmt: skip
    people = [
        ("罗正华", "production", True, "village_cadre"),
        ("王秀兰", "life", True, "village_cadre"),
        ("杨国强", "public_security", False, "group_leader"),
        ("陈玉梅", "propaganda", True, "villager_rep"),
        ("周明德", "member", True, "respected_elder"),
        ("吴志勇", "member", False, "capable_person"),
        ("韦金花", "member", False, "poor_household"),
    ]
    members = [
        CommitteePerson(name, id_make(village[:6], date(1970 + n, 3, 1 + n), 70 + n),
                        f"1398540{n:04d}", party, background, role=role)
        for n, (name, role, party, background) in enumerate(people[:seats])
    ]  # fmt: skip
    committee = committee_form(village=village, formed_on=formed, members=members, actor=keeper)
    households_divide(committee=committee, on=formed, actor=keeper)
    present = list(committee.members.values_list("pk", flat=True))
    monday = today - timedelta(days=today.weekday() + 7)
    meeting_record(committee=committee, kind="internal", held_on=monday, attendees=present,
                   minutes="逐户过一遍本周走访情况", decisions=["两户申请公益岗位，下周入户核实"],
                   actor=keeper)  # fmt: skip
    last_month = today.replace(day=1) - timedelta(days=20)
    meeting_record(committee=committee, kind="public", held_on=last_month, attendees=present,
                   minutes="公开本月帮扶资金和公益岗位安排", decisions=["红黑榜评议下月进行"],
                   villagers_present=46, actor=keeper)  # fmt: skip


def demo_village_cards(*, village: str, path: Path) -> str:
    """Print the demo village's contact cards into `path`; return the first card's URL."""
    from django.utils import timezone

    from fupin.pairing.card_pdf import cards_pdf
    from fupin.pairing.cards import cards_print, village_households_to_print

    households = village_households_to_print(village)
    if not households:
        return ""
    printed = cards_print(households=households, on=timezone.localdate(),
                          actor=Actor.of(_demo_user("demo-village-cadre")))  # fmt: skip
    path.write_bytes(cards_pdf([card.print for card in printed]))
    return printed[0].print.verify_url


def demo_users_path() -> Path:
    return Path(settings.VAR_DIR) / "demo_users"


def demo_users_ensure(*, actor: Actor) -> list[DemoLogin]:
    """Create (or keep) one user per post with its grant over the demo county's chain; a
    password kept in var/demo_users is reused, a missing one is made and kept there."""
    from fupin.core.access import grant_add
    from fupin.regions.models import Region

    village = _demo_village()
    prefixes = {"nation": "", "province": village[:2], "prefecture": village[:4],
                "county": village[:6], "township": village[:9], "village": village}  # fmt: skip
    names = dict(Region.objects.filter(code__in=prefixes.values()).values_list("code", "name"))
    names[""] = "全国"
    kept = _read_passwords(demo_users_path())
    user_model = get_user_model()
    logins = []
    for post in DEMO_POSTS:
        password = kept.get(post.username) or secrets.token_urlsafe(12)
        user = user_model.objects.filter(username=post.username).first()
        if user is None or kept.get(post.username) is None:
            user = user or user_model(username=post.username)
            user.is_staff = post.is_staff
            user.set_password(password)
            user.save()
        prefix = prefixes[post.scope]
        grant_add(user=user, role=post.role, region_prefix=prefix, department=post.department,
                  actor=actor)  # fmt: skip
        kept[post.username] = password
        label = str(post.role.label)
        if post.department:
            label += f"（{Department(post.department).label}）"
        logins.append(
            DemoLogin(post.username, password, label, f"{names.get(prefix, prefix)} {prefix}")
        )
    _write_passwords(demo_users_path(), kept)
    return logins


def _demo_village() -> str:
    """The village of the village posts: 京舟村 if it has households, else the busiest."""
    from django.db.models import Count

    from fupin.regions.queries import code_prefix_q
    from fupin.registry.models import Household

    in_county = Household.objects.filter(code_prefix_q(DEMO_COUNTY, "village_id"))
    if in_county.filter(village_id=DEMO_VILLAGE).exists():
        return DEMO_VILLAGE
    busiest = (
        in_county.values("village_id").annotate(n=Count("id")).order_by("-n", "village_id").first()
    )
    return busiest["village_id"] if busiest else DEMO_VILLAGE


def _read_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("\t", 1) for line in path.read_text().splitlines() if "\t" in line)
    return {username: password for username, password in pairs}


def _write_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{username}\t{password}\n" for username, password in passwords.items())
    os.chmod(path, 0o600)  # an older file keeps its mode through O_CREAT


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _width(text: str) -> int:
    """Columns a terminal gives `text`: two for each CJK character."""
    return sum(2 if "\u2e80" <= char <= "\ufe4f" or "\uff00" <= char <= "\uffef" else 1
               for char in text)  # fmt: skip
