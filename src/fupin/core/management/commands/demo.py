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
        self.stdout.write(
            "\nfupin demo is ready: http://127.0.0.1:8000/ (back office: /admin/)\n"
            f"  login: admin / {password}   (kept in {settings.VAR_DIR / 'admin_password'})\n"
        )
        self._print_logins(logins)

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
