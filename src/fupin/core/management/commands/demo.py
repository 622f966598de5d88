"""`fupin demo`: set up the demo on a fresh machine, reusing whatever already exists.

Migrates, loads the national divisions, generates the demo county (平塘县, 522727), runs
its seven years of procedures (2014-2020) and creates an admin account whose password is
kept in var/admin_password.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import Actor
from fupin.core.cli import operator_actor

DEMO_COUNTY = "522727"
DEMO_HOUSEHOLDS = 70_000
DEMO_YEARS = (2014, 2020)
DEMO_SEED = 522727
NATIONAL_REGIONS = 665_276  # 31 + 342 + 2,978 + 41,352 + 620,573 in the 2023 edition


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
        self.stdout.write(
            "\nfupin demo is ready: http://127.0.0.1:8000/admin/\n"
            f"  login: admin / {password}   (kept in {settings.VAR_DIR / 'admin_password'})\n"
        )

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
