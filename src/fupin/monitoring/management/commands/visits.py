"""`fupin visits overdue|log`: the overdue visits, and logging a visit from the paper log.

Both act for a user (`--as USERNAME`) and read and write through the same access choke
point and services as the pages: a user sees only what their posts cover.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from fupin.core.access import access_get
from fupin.core.cli import BAD_INPUT, day_argument, user_actor
from fupin.monitoring.queries import overdue_by_cadre, overdue_counts
from fupin.monitoring.services import VisitError, visit_log
from fupin.pairing.models import Cadre
from fupin.regions.models import Region
from fupin.registry.models import Household


class Command(BaseCommand):
    help = "Overdue visits by township, village or cadre; log a visit from the paper log."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        overdue = commands.add_parser("overdue", help="households whose visit is overdue")
        overdue.add_argument("--region", default="", help="region code prefix")
        overdue.add_argument("--by", choices=["county", "township", "village", "cadre"],
                             default="township")  # fmt: skip
        overdue.add_argument("--on", type=day_argument, help="the day to count on (default today)")
        overdue.add_argument("--as", dest="username", required=True, help="act as this user")
        log = commands.add_parser("log", help="log a visit (from a cadre's paper log)")
        log.add_argument("--household", type=int, required=True, help="the household's id")
        log.add_argument("--cadre", type=int, help="the cadre's id (the village enters it)")
        log.add_argument("--on", type=day_argument, required=True)
        log.add_argument("--found", required=True, help="what was found")
        log.add_argument("--agreed", default="", help="what was agreed")
        log.add_argument("--as", dest="username", required=True, help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = user_actor(options["username"])
        if options["command"] == "overdue":
            self._overdue(actor.user, options)
        else:
            self._log(actor, options)

    def _overdue(self, user: Any, options: dict[str, Any]) -> None:
        on = options["on"] or timezone.localdate()
        region = options["region"]
        if region and not (region.isdigit() and len(region) <= 12):
            raise CommandError(f"--region: a code prefix, not {region!r}", returncode=BAD_INPUT)
        if options["by"] == "cadre":
            rows = overdue_by_cadre(user=user, on=on, prefix=region)
            cadres = Cadre.objects.filter(pk__in=[pk for pk, _ in rows])
            cadre_names = dict(cadres.values_list("pk", "name"))
            lines = [(str(pk), cadre_names.get(pk, ""), n) for pk, n in rows]
        else:
            counted = overdue_counts(user=user, on=on, prefix=region, by=options["by"])
            codes = [code for code, _ in counted]
            names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
            lines = [(code, names.get(code, ""), n) for code, n in counted]
        self.stdout.write(f"overdue visits on {on.isoformat()}, by {options['by']}:")
        for key, name, households in lines:
            self.stdout.write(f"  {key:<12}  {households:>6}  {name}")
        self.stdout.write(f"  total         {sum(n for _, _, n in lines):>6}")

    def _log(self, actor: Any, options: dict[str, Any]) -> None:
        try:
            household = access_get(Household.objects.all(), actor.user, "view",
                                   pk=options["household"])  # fmt: skip
        except Http404:
            raise CommandError(f"no household {options['household']} in your scope",
                               returncode=BAD_INPUT) from None  # fmt: skip
        cadre = None
        if options["cadre"] is not None:
            cadre = Cadre.objects.filter(
                pk=options["cadre"], assignments__household=household
            ).first()
            if cadre is None:
                raise CommandError("that cadre was never paired with the household",
                                   returncode=BAD_INPUT)  # fmt: skip
        try:
            visit = visit_log(household=household, on=options["on"], found=options["found"],
                              agreed=options["agreed"], actor=actor, cadre=cadre)  # fmt: skip
        except VisitError as exc:
            raise CommandError(f"{exc.code}: {exc}", returncode=BAD_INPUT) from None
        self.stdout.write(f"visit {visit.pk} logged: household {household.household_no}, "
                          f"{visit.visited_on.isoformat()}, cadre {visit.cadre.name}")  # fmt: skip
