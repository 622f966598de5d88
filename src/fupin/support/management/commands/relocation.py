"""`fupin relocation progress|sites|target|plan|hand-over|move-in`: relocation (易地扶贫搬迁)
from the shell.

With `--as USERNAME` a command acts and reads as that user, through the same services and
access choke point as the pages; without it, the operator of this machine acts and reads
every region. A refusal prints its stable code (exit status 2).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from fupin.core.audit import Actor
from fupin.core.cli import (
    BAD_INPUT,
    day_argument,
    decimal_argument,
    operator_actor,
    share_text,
    user_actor,
)
from fupin.registry.models import Household
from fupin.support.readers import OPERATOR, Reader, readable_one
from fupin.support.relocation import services
from fupin.support.relocation.queries import (
    access_move,
    access_site,
    relocation_progress,
    site_list,
)


class Command(BaseCommand):
    help = "Relocation: progress against targets, sites, and a move's steps."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        progress = sub.add_parser("progress", help="moves of a plan year against the targets")
        progress.add_argument("--region", default="", help="region code; omit for the nation")
        progress.add_argument("--year", type=int, required=True)
        sites = sub.add_parser("sites", help="the resettlement sites with how full they are")
        sites.add_argument("--region", default="", help="region code prefix")
        target = sub.add_parser("target", help="set a region's target for a year")
        target.add_argument("--region", required=True)
        target.add_argument("--year", type=int, required=True)
        target.add_argument("--households", type=int, required=True)
        target.add_argument("--persons", type=int, required=True)
        plan = sub.add_parser("plan", help="put a household into a year's plan")
        plan.add_argument("--household", required=True, help="household number (户编号)")
        plan.add_argument("--site", type=int, required=True, help="site id")
        plan.add_argument("--year", type=int, required=True)
        plan.add_argument("--on", type=day_argument, required=True)
        plan.add_argument("--persons", type=int)
        hand = sub.add_parser("hand-over", help="hand a move's new home over")
        hand.add_argument("move", type=int)
        hand.add_argument("--on", type=day_argument, required=True)
        hand.add_argument("--area", type=decimal_argument, required=True, help="m²")
        hand.add_argument("--grade", required=True, help="safety grade A-D")
        moved = sub.add_parser("move-in", help="the household moved in")
        moved.add_argument("move", type=int)
        moved.add_argument("--on", type=day_argument, required=True)
        for verb in sub.choices.values():
            verb.add_argument("--as", dest="as_user", metavar="USERNAME",
                              help="act as this user; omit to act as the operator")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        actor = user_actor(options["as_user"]) if options["as_user"] else operator_actor()
        reader: Reader = actor.user if actor.user is not None else OPERATOR
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(reader, actor, options)
        except services.RelocationError as exc:
            raise CommandError(f"{exc.code}: {exc}", returncode=BAD_INPUT) from None
        except Http404:
            raise CommandError("not found within your posts", returncode=BAD_INPUT) from None

    def _progress(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        found = relocation_progress(user=reader, region=options["region"], year=options["year"])
        self.stdout.write(f"{'region':<14}{'target':>8}{'planned':>9}{'handed':>8}{'moved':>7}"
                          f"{'persons':>9}{'handed%':>9}{'moved%':>8}")  # fmt: skip
        for row in [*found.parts, found.total]:
            code = row["region_code"] or "全国"
            target = "—" if row["target_households"] is None else row["target_households"]
            self.stdout.write(
                f"{code:<14}{target:>8}{row['planned_households']:>9}"
                f"{row['handed_over_households']:>8}{row['moved_households']:>7}"
                f"{row['moved_persons']:>9}{share_text(row['handed_over_share']):>9}"
                f"{share_text(row['moved_share']):>8}"
            )

    def _sites(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        count = 0
        for site in site_list(user=reader, region=options["region"]):
            count += 1
            self.stdout.write(
                f"{site.pk:>6} {site.village_code} {site.kind:<12} capacity {site.capacity:>5} "
                f"planned {site.households_planned:>5} moved {site.households_moved:>5}  "  # type: ignore[attr-defined]
                f"{site.name}"
            )
        self.stdout.write(f"{count} site(s)")

    def _target(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        target = services.target_set(region_code=options["region"], year=options["year"],
                                     households=options["households"],
                                     persons=options["persons"], actor=actor)  # fmt: skip
        self.stdout.write(f"target of {target.region_code} for {target.year}: "
                          f"{target.households} households, {target.persons} persons")  # fmt: skip

    def _plan(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        household = readable_one(Household.objects.all(), reader, what="household",
                                 household_no=options["household"])  # fmt: skip
        site = access_site(reader, options["site"])
        move = services.move_plan(household=household, site=site, plan_year=options["year"],
                                  planned_on=options["on"], persons=options["persons"],
                                  actor=actor)  # fmt: skip
        self.stdout.write(f"move {move.pk}: {household.household_no} to {site.name} "
                          f"in {move.plan_year}")  # fmt: skip

    def _hand_over(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        move = services.move_hand_over(move=self._found(reader, options["move"]),
                                       handed_over_on=options["on"], home_area=options["area"],
                                       home_grade=options["grade"], actor=actor)  # fmt: skip
        self.stdout.write(f"move {move.pk}: home handed over on {move.handed_over_on}")

    def _move_in(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        move = services.move_in(move=self._found(reader, options["move"]),
                                moved_on=options["on"], actor=actor)  # fmt: skip
        self.stdout.write(f"move {move.pk}: moved in on {move.moved_on}")

    def _found(self, reader: Reader, move_id: int) -> Any:
        return access_move(reader, move_id)
