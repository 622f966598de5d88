"""`fupin committee show|divide|missed`: a village's committee for poverty alleviation
(村扶贫工作委员会), the automatic division of its households among the members, and the
meetings missed in a region."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from fupin.core.access import access_get
from fupin.core.audit import Actor
from fupin.core.cli import BAD_INPUT, user_actor
from fupin.pairing.choices import CommitteeRole, MeetingKind, MemberBackground
from fupin.pairing.committees.committee import households_divide
from fupin.pairing.committees.queries import (
    MissedMeeting,
    committee_composition,
    committee_meetings_missed,
    division_coverage,
    meetings_missed,
)
from fupin.pairing.models import Committee
from fupin.pairing.services import PairingError
from fupin.regions.models import Region


class Command(BaseCommand):
    help = (
        "Show a village's committee for poverty alleviation (村扶贫工作委员会), divide its "
        "households among the members, or list the meetings missed in a region."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="members, roles, households, composition, missed")
        show.add_argument("--village", required=True, help="12-digit village code")
        show.add_argument("--on", help="the day missed meetings are counted to; today")
        divide = sub.add_parser("divide", help="divide the households among the members")
        divide.add_argument("--village", required=True, help="12-digit village code")
        divide.add_argument("--on", help="the day the division starts; today")
        missed = sub.add_parser("missed", help="meetings missed as of a day, by village")
        missed.add_argument("--region", required=True, help="region code prefix")
        missed.add_argument("--on", required=True, help="the day, YYYY-MM-DD")
        missed.add_argument("--since", help="count periods from this day only")
        for command in (show, divide, missed):
            command.add_argument(
                "--as", dest="as_user", required=True, metavar="USERNAME",
                help="the user of the village post, township or office acting",
            )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        actor = user_actor(options["as_user"])
        on = _day(options["on"], "--on")
        try:
            if options["action"] == "show":
                self._show(_committee(options["village"], actor, "view"), on)
            elif options["action"] == "divide":
                self._divide(_committee(options["village"], actor, "change"), on, actor)
            else:
                since = _day(options["since"], "--since") if options["since"] else None
                self._missed(options["region"].strip(), on, since, actor)
        except PairingError as exc:
            raise CommandError(f"{exc} ({exc.code})", returncode=BAD_INPUT) from exc

    def _show(self, committee: Committee, on: date) -> None:
        self.stdout.write(
            f"committee of {committee.village_id} {_name(committee.village_id)}, formed "
            f"{committee.formed_on}: {committee.seats} seats for "
            f"{committee.households_counted} households"
        )
        coverage = division_coverage(committee=committee, year=on.year)
        roles = dict(CommitteeRole.choices)
        backgrounds = dict(MemberBackground.choices)
        members = committee.members.filter(left_on__isnull=True).order_by("pk")
        for member in members:
            party = "党员" if member.is_party_member else "群众"
            load = coverage.loads.get(member.pk, 0)
            self.stdout.write(
                f"  {load:>4} households  {member.name}  {roles[member.role]}  {party}  "
                f"{backgrounds[member.background]}"
            )
        low, high = coverage.bounds
        state = "complete" if coverage.complete else "INCOMPLETE"
        self.stdout.write(
            f"division: {coverage.households} households, {len(coverage.uncovered)} in nobody's "
            f"charge, {len(coverage.twice)} in two; {state}; {low}-{high} a member, "
            f"{len(coverage.outside_bounds)} members outside"
        )
        composition = committee_composition(committee=committee)
        self.stdout.write(
            f"party members: {composition.party_members} of {composition.members} "
            f"({_percent(composition.party_share)})"
        )
        for key, count in composition.backgrounds.items():
            if count:
                share = _percent(composition.background_shares[key])
                self.stdout.write(f"  {backgrounds[key]}: {count} ({share})")
        missed = committee_meetings_missed(committee=committee, on=on)
        self.stdout.write(f"meetings missed as of {on}: {len(missed)}")
        for row in missed:
            self.stdout.write(f"  {_period(row)}")

    def _divide(self, committee: Committee, on: date, actor: Actor) -> None:
        division = households_divide(committee=committee, on=on, actor=actor)
        names = dict(committee.members.values_list("pk", "name"))
        low, high = division.bounds
        total = sum(division.loads.values())
        self.stdout.write(f"{total} households divided among {len(division.loads)} members "
                          f"from {on}:")  # fmt: skip
        for member, load in division.loads.items():
            self.stdout.write(f"  {load:>4}  {names[member]}")
        if not division.within_bounds:
            self.stdout.write(f"warning: {total} households cannot be {low}-{high} a member "
                              f"for {len(division.loads)} members; divided evenly")  # fmt: skip

    def _missed(self, region: str, on: date, since: date | None, actor: Actor) -> None:
        if region and not region.isdigit():
            raise CommandError(f"--region: digits, not {region!r}", returncode=BAD_INPUT)
        rows = meetings_missed(user=actor.user, prefix=region, on=on, since=since)
        names = dict(
            Region.objects.filter(code__in={row.village for row in rows}).values_list(
                "code", "name"
            )
        )
        for row in rows:
            self.stdout.write(f"{row.village} {names.get(row.village, '')}  {_period(row)}")
        villages = len({row.village for row in rows})
        self.stdout.write(f"{len(rows)} meetings missed as of {on} in {villages} villages")


def _committee(village: str, actor: Actor, action: str) -> Committee:
    """The village's active committee, if the `--as` user may take `action` on it; missing
    and forbidden read alike."""
    try:
        return access_get(Committee.objects.all(), actor.user, action,
                          village_id=village.strip(), ended_on__isnull=True)  # fmt: skip
    except Http404:
        raise CommandError(f"no active committee of village {village} here",
                           returncode=BAD_INPUT) from None  # fmt: skip


def _day(text: str | None, option: str) -> date:
    if text is None:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: a date as YYYY-MM-DD, not {text!r}",
                           returncode=BAD_INPUT) from None  # fmt: skip


def _period(row: MissedMeeting) -> str:
    kind = MeetingKind(row.kind).label
    return f"{kind} {row.period_start} to {row.period_end} (due by {row.due_by})"


def _percent(share: Decimal) -> str:
    return f"{share * 100:.1f}%"


def _name(code: str) -> str:
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or ""
