"""`fupin policy show --year Y [--province P]`, `fupin policy set NAME VALUE ...` and
`fupin policy set-exclusion CODE FACT ...`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.cli import BAD_INPUT, user_actor
from fupin.policy.models import Parameter
from fupin.policy.queries import exclusion_rules, exit_indicators, policy_table
from fupin.policy.services import (
    PolicyError,
    exclusion_rule_set,
    exit_indicator_set,
    policy_set,
)
from fupin.registry.choices import ExclusionFactKind


class Command(BaseCommand):
    help = (
        "Show or change the policy parameters (poverty lines, thresholds, notice days) "
        "and the exclusion rules (X不评)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="the values and exclusion rules in force for a year")
        show.add_argument("--year", type=int, required=True)
        show.add_argument("--province", default="", help="2-digit province code")
        change = sub.add_parser("set", help="add a new version of a value")
        change.add_argument("name", choices=Parameter.values)
        change.add_argument("value")
        self._add_version_arguments(change)
        rule = sub.add_parser("set-exclusion", help="add a new version of an exclusion rule")
        rule.add_argument("code", help="the rule's slug, e.g. owns_car")
        # Checked by the service, not argparse, so a bad fact fails like any bad input.
        rule.add_argument(
            "fact", help=f"the household fact it reads: {', '.join(ExclusionFactKind.values)}"
        )
        rule.add_argument("--off", action="store_true", help="switch the rule off in this scope")
        self._add_version_arguments(rule)
        indicator = sub.add_parser(
            "set-indicator", help="add a new version of an extra village or county exit indicator"
        )
        indicator.add_argument("level", help="village or county")
        indicator.add_argument("code", help="the indicator's slug, e.g. hardened_road")
        indicator.add_argument("--label", default="", help="its Chinese name")
        indicator.add_argument("--off", action="store_true", help="switch it off in this scope")
        self._add_version_arguments(indicator)

    def _add_version_arguments(self, parser: CommandParser) -> None:
        """The scope and provenance every new version carries."""
        parser.add_argument("--year", type=int, help="omit for every year")
        parser.add_argument("--province", default="", help="2-digit code; omit for national")
        parser.add_argument("--source", required=True, help="the document it comes from")
        parser.add_argument("--unverified", action="store_true")
        parser.add_argument("--reason", default="")
        parser.add_argument(
            "--as", dest="as_user", required=True, metavar="USERNAME",
            help="the national office's user the change is made by",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self._show(options["year"], options["province"])
        elif options["action"] == "set":
            self._set(options)
        elif options["action"] == "set-exclusion":
            self._set_exclusion(options)
        else:
            self._set_indicator(options)

    def _set(self, options: dict[str, Any]) -> None:
        try:
            value = Decimal(options["value"])
        except InvalidOperation as exc:
            raise CommandError(f"not a number: {options['value']!r}", returncode=BAD_INPUT) from exc
        try:
            row = policy_set(
                name=options["name"], value=value, year=options["year"],
                province=options["province"], actor=user_actor(options["as_user"]),
                verified=not options["unverified"], source=options["source"],
                reason=options["reason"],
            )  # fmt: skip
        except PolicyError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        self.stdout.write(f"set {row}")

    def _set_exclusion(self, options: dict[str, Any]) -> None:
        try:
            row = exclusion_rule_set(
                code=options["code"], fact=options["fact"], year=options["year"],
                province=options["province"], active=not options["off"],
                actor=user_actor(options["as_user"]), verified=not options["unverified"],
                source=options["source"], reason=options["reason"],
            )  # fmt: skip
        except PolicyError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        self.stdout.write(f"set {row}")

    def _set_indicator(self, options: dict[str, Any]) -> None:
        try:
            row = exit_indicator_set(
                level=options["level"], code=options["code"], label=options["label"],
                year=options["year"], province=options["province"], active=not options["off"],
                actor=user_actor(options["as_user"]), verified=not options["unverified"],
                source=options["source"], reason=options["reason"],
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
        rules = exclusion_rules(year=year, province=province)
        self.stdout.write(f"exclusion rules (X不评) in force: {len(rules)}")
        facts = dict(ExclusionFactKind.choices)
        for rule in rules:
            scope = f"{rule.province or '全国'} {rule.year or '各年'}"
            flag = "" if rule.verified else "  [unverified]"
            self.stdout.write(
                f"  {rule.code:<26} {rule.fact:<26} v{rule.version} {scope:<10} "
                f"{facts[rule.fact]}{flag}  ({rule.source})"
            )
        for level in ("village", "county"):
            indicators = exit_indicators(level=level, year=year, province=province)
            self.stdout.write(f"{level} exit indicators (退出指标) in force: {len(indicators)}")
            for item in indicators:
                scope = f"{item.province or '全国'} {item.year or '各年'}"
                flag = "" if item.verified else "  [unverified]"
                self.stdout.write(
                    f"  {item.code:<26} v{item.version} {scope:<10} {item.label}{flag}"
                    f"  ({item.source})"
                )
