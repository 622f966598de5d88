"""`fupin postings coverage|flags`: the villages that lack a first secretary or a work team
(驻村覆盖缺口), and the members under the attendance share for a month (驻村考勤).

Both act for a user (`--as USERNAME`) and read through the same access choke point as the
pages: a user sees only what their posts cover. A bad argument is one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fupin.core.cli import BAD_INPUT, user_actor
from fupin.pairing.choices import PostingKind
from fupin.pairing.postings import attendance_flags, coverage_gaps, working_days
from fupin.policy.queries import PolicyMissing
from fupin.regions.models import Region

KINDS = {PostingKind.FIRST_SECRETARY: "first secretary", PostingKind.WORK_TEAM: "work team"}


def _region(text: str) -> str:
    if not re.fullmatch("[0-9]{0,12}", text):
        raise CommandError(f"--region: a code prefix of digits, not {text!r}", returncode=BAD_INPUT)
    return text


def _day(text: str | None) -> date:
    if text is None:
        return timezone.localdate()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise CommandError(f"--on: a date like 2016-11-20, not {text!r}", returncode=BAD_INPUT)
    return day


def _number(name: str, text: str, low: int, high: int) -> int:
    if not re.fullmatch("[0-9]{1,4}", text) or not low <= int(text) <= high:
        raise CommandError(f"--{name}: a whole number from {low} to {high}, not {text!r}",
                           returncode=BAD_INPUT)  # fmt: skip
    return int(text)


class Command(BaseCommand):
    help = (
        "Villages lacking a first secretary or a work team, per county; members under the "
        "attendance share for a month."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        coverage = commands.add_parser("coverage", help="villages without full cover")
        coverage.add_argument("--region", default="", help="region code prefix")
        coverage.add_argument("--on", help="the day to look on, YYYY-MM-DD (default today)")
        coverage.add_argument("--as", dest="username", required=True, help="act as this user")
        flags = commands.add_parser("flags", help="members under the attendance share")
        flags.add_argument("--region", default="", help="region code prefix")
        flags.add_argument("--year", required=True)
        flags.add_argument("--month", required=True)
        flags.add_argument("--as", dest="username", required=True, help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        region = _region(options["region"].strip())
        if options["command"] == "coverage":
            on = _day(options["on"])
            self._coverage(user_actor(options["username"]).user, region, on)
        else:
            year = _number("year", options["year"].strip(), 2000, 2100)
            month = _number("month", options["month"].strip(), 1, 12)
            self._flags(user_actor(options["username"]).user, region, year, month)

    def _coverage(self, user: Any, region: str, on: date) -> None:
        counties = coverage_gaps(user=user, prefix=region, on=on)
        self.stdout.write(f"villages without full cover on {on.isoformat()}:")
        for county in counties:
            self.stdout.write(f"{county.code}  {county.name}  {len(county.villages)} villages")
            for village in county.villages:
                missing = ", ".join(KINDS[PostingKind(kind)] for kind in village.missing)
                self.stdout.write(f"  {village.code}  {village.standing:<10}  lacks {missing}"
                                  f"  {village.name}")  # fmt: skip
        total = sum(len(county.villages) for county in counties)
        self.stdout.write(f"{total} villages in all")

    def _flags(self, user: Any, region: str, year: int, month: int) -> None:
        try:
            flags = attendance_flags(user=user, prefix=region, year=year, month=month)
        except PolicyMissing as exc:
            raise CommandError(f"policy_missing: {exc}", returncode=BAD_INPUT) from None
        self.stdout.write(f"members under the attendance share in {year}-{month:02d} "
                          f"({working_days(year, month)} working days):")  # fmt: skip
        names = dict(
            Region.objects.filter(code__in={f.village for f in flags}).values_list("code", "name")
        )
        for flag in flags:
            self.stdout.write(
                f"  {flag.village}  {KINDS[PostingKind(flag.kind)]:<15}  "
                f"{flag.days_present:>2}/{flag.days_required:>2} days  {flag.name}  "
                f"{names.get(flag.village, '')}"
            )
        self.stdout.write(f"{len(flags)} members flagged")
