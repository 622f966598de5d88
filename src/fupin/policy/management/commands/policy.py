"""`fupin policy show --year Y [--province P]` and `fupin policy set NAME VALUE ...`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.cli import BAD_INPUT, operator_actor
from fupin.policy.models import Parameter
from fupin.policy.queries import policy_table
from fupin.policy.services import PolicyError, policy_set


class Command(BaseCommand):
    help = "Show or change the policy parameters (poverty lines, thresholds, notice days)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="the values in force for a year")
        show.add_argument("--year", type=int, required=True)
        show.add_argument("--province", default="", help="2-digit province code")
        change = sub.add_parser("set", help="add a new version of a value")
        change.add_argument("name", choices=Parameter.values)
        change.add_argument("value")
        change.add_argument("--year", type=int, help="omit for every year")
        change.add_argument("--province", default="", help="2-digit code; omit for national")
        change.add_argument("--source", required=True, help="the document the value comes from")
        change.add_argument("--unverified", action="store_true")
        change.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self._show(options["year"], options["province"])
            return
        try:
            value = Decimal(options["value"])
        except InvalidOperation as exc:
            raise CommandError(f"not a number: {options['value']!r}", returncode=2) from exc
        try:
            row = policy_set(
                name=options["name"], value=value, year=options["year"],
                province=options["province"], actor=operator_actor(),
                verified=not options["unverified"], source=options["source"],
                reason=options["reason"],
            )  # fmt: skip
        except PolicyError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        self.stdout.write(f"set {row}")

    def _show(self, year: int, province: str) -> None:
        labels = dict(Parameter.choices)
        for row in policy_table(year=year, province=province):
            scope = f"{row.province or '全国'} {row.year or '各年'}"
            flag = "" if row.verified else "  [unverified]"
            value = format(row.value.normalize(), "f")
            self.stdout.write(
                f"{row.name:<24} {value:>10}  v{row.version} {scope:<10} "
                f"{labels[row.name]}{flag}  ({row.source})"
            )
