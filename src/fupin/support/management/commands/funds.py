"""`fupin funds reconcile|flags|projects`: the reconciliation of a region's funds for a year
(资金对账), the money idle or overspent, and the projects.

With `--as USERNAME` a command reads what that user's posts cover, through the same access
choke point as the pages; without it, the operator of this machine reads every region.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from fupin.core.cli import BAD_INPUT, day_argument, user_actor
from fupin.regions.models import Region
from fupin.support.choices import ProjectStatus
from fupin.support.funds.queries import funds_flags, funds_reconcile, project_list
from fupin.support.readers import OPERATOR, Reader

NATION = "全国"
OWN_LEVEL = "本级"
COLUMNS = (
    ("received", "上级下达"),
    ("own_funds", "本级安排"),
    ("passed_out", "下达下级"),
    ("available", "可用资金"),
    ("to_projects", "支出到项目"),
    ("to_households", "支出到户"),
    ("undisbursed", "结余"),
    ("idle", "闲置"),
    ("overspent", "超支"),
)
WIDTH = 16


class Command(BaseCommand):
    help = (
        "Reconcile a region's funds for a year, list the money idle or overspent, or the projects."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("reconcile", "allocated, passed down, paid and reached, by level"),
                           ("flags", "money idle or overspent, the largest first")):  # fmt: skip
            verb = sub.add_parser(name, help=text)
            verb.add_argument("--region", default="", help="region code; omit for 全国")
            verb.add_argument("--year", type=int, required=True)
            verb.add_argument(
                "--on", type=day_argument, help="the day idle money is counted on (today)"
            )
            self._add_as(verb)
        projects = sub.add_parser("projects", help="the projects, with what was paid to them")
        projects.add_argument("--region", default="", help="region code prefix")
        projects.add_argument("--year", type=int)
        projects.add_argument("--status", choices=ProjectStatus.values)
        self._add_as(projects)

    def _add_as(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as", dest="as_user", metavar="USERNAME",
            help="read as this user (only what their posts cover); omit to read as the operator",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        reader: Reader = user_actor(options["as_user"]).user if options["as_user"] else OPERATOR
        region = options["region"].strip()
        if region and not (region.isdigit() and len(region) <= 12):
            raise CommandError(f"--region: a code prefix, not {region!r}", returncode=BAD_INPUT)
        try:
            if options["action"] == "reconcile":
                self._reconcile(reader, region, options["year"], options["on"])
            elif options["action"] == "flags":
                self._flags(reader, region, options["year"], options["on"])
            else:
                self._projects(reader, region, options["year"], options["status"])
        except Http404 as exc:
            raise CommandError(f"no funds for {region or NATION} here: {exc}",
                               returncode=BAD_INPUT) from None  # fmt: skip

    def _reconcile(self, reader: Reader, region: str, year: int, on: date | None) -> None:
        result = funds_reconcile(user=reader, region=region, year=year, on=on)
        names = _names([region, *[part["code"] for part in result.parts]])
        title = " ".join(part for part in (region, names.get(region, "")) if part) or NATION
        self.stdout.write(f"{title} {year} 资金对账 (yuan)")
        header = "".join(f"{label:>{WIDTH - _wide(label)}}" for _, label in COLUMNS)
        self.stdout.write(f"{'':<22}{header}{'到户户数':>{WIDTH - 4}}")
        self._row("合计", result.total)
        for part in result.parts:
            name = OWN_LEVEL if part["own_level"] else names.get(part["code"], "")
            self._row(f"{part['code']} {name}", part)
        node = result.node
        self.stdout.write(
            f"{region or NATION} itself: allocated {_money(node['allocated'])}, passed down "
            f"{_money(node['passed_down'])}, paid {_money(node['disbursed'])}"
        )

    def _row(self, label: str, row: dict[str, Any]) -> None:
        figures = "".join(f"{_money(row[key]):>{WIDTH}}" for key, _ in COLUMNS)
        self.stdout.write(
            f"{label:<{22 - _wide(label)}}{figures}{row['households_paid']:>{WIDTH},}"
        )

    def _flags(self, reader: Reader, region: str, year: int, on: date | None) -> None:
        flagged = funds_flags(user=reader, region=region, year=year, on=on)
        names = _names([row["code"] for row in flagged])
        for row in flagged:
            code = row["code"] or NATION
            name = names.get(row["code"], "")
            self.stdout.write(
                f"{code:<8} {name:<{14 - _wide(name)}} idle {_money(row['idle']):>16}  "
                f"overspent {_money(row['overspent']):>16}"
            )
        self.stdout.write(f"{len(flagged)} region(s) flagged for {year}")

    def _projects(self, reader: Reader, region: str, year: int | None, status: str | None) -> None:
        projects = project_list(user=reader, region=region, year=year, status=status)
        count = 0
        for project in projects:
            count += 1
            paid, households = project.paid, project.households  # type: ignore[attr-defined]
            self.stdout.write(
                f"{project.pk:>6} {project.region_code:<12} {project.year} "
                f"{project.get_kind_display()} {project.get_status_display()} "
                f"budget {_money(project.budget)} paid {_money(paid)} "
                f"households {households}  {project.name}"
            )
        self.stdout.write(f"{count} project(s)")


def _names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _money(amount: Decimal | int) -> str:
    return f"{Decimal(amount):,.2f}"


def _wide(text: str) -> int:
    """How many more columns than characters `text` takes (a Chinese character takes two)."""
    return sum(1 for char in text if ord(char) > 0x2E80)
