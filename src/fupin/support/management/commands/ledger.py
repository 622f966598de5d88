"""`fupin ledger import|template|show|gaps`: the assistance ledger (帮扶台账) from the shell.

`import` records a department's file whole or nothing, every problem printed by file, row
and field (exit status 2). It acts as the operator, like `fupin import households`, or for
a user (`--as USERNAME`), whose posts then bound it as on the upload page. `show` and
`gaps` read for a user, through the same access choke point as the pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Sum

from fupin.core.access import restrict
from fupin.core.cli import BAD_INPUT, operator_actor, user_actor
from fupin.regions.models import Region
from fupin.regions.queries import code_prefix_q
from fupin.support import ledger_file
from fupin.support.models import Measure
from fupin.support.queries import coverage_gaps
from fupin.support.services import MeasureError

SHOWN = 50


class Command(BaseCommand):
    help = "Import a department's measures, write the template, show the ledger and its gaps."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        imported = commands.add_parser("import", help="record a file of measures, whole")
        imported.add_argument("file", type=Path, help="an .xlsx or .csv ledger file")
        imported.add_argument("--check-only", action="store_true", help="check, record nothing")
        imported.add_argument("--as", dest="username", help="act as this user (default: operator)")
        template = commands.add_parser("template", help="write the .xlsx template")
        template.add_argument("file", type=Path)
        for name, text in (("show", "the ledger by measure type"), ("gaps", "coverage gaps")):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--region", default="", help="region code prefix")
            sub.add_argument("--year", type=int, required=True)
            sub.add_argument("--as", dest="username", required=True, help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        if command == "template":
            ledger_file.write_template(options["file"])
            self.stdout.write(f"wrote {options['file']}")
            return
        if command == "import":
            self._import(options)
            return
        region = options["region"]
        if region and not (region.isdigit() and len(region) <= 12):
            raise CommandError(f"--region: a code prefix, not {region!r}", returncode=BAD_INPUT)
        user = user_actor(options["username"]).user
        if command == "show":
            self._show(user, region, options["year"])
        else:
            self._gaps(user, region, options["year"])

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        actor = user_actor(options["username"]) if options["username"] else operator_actor()
        try:
            count = ledger_file.measures_file_import(
                path=path, actor=actor, dry_run=options["check_only"]
            )
        except MeasureError as exc:
            for issue in exc.issues:
                where = f"row {issue.row}, " if issue.row else ""
                self.stderr.write(f"{path.name}: {where}{issue.field}: {issue.message}")
            raise CommandError(
                f"{path.name}: {len(exc.issues) or 1} problem(s), nothing recorded"
                + ("" if exc.issues else f": {exc}"),
                returncode=BAD_INPUT,
            ) from None
        verb = "would record" if options["check_only"] else "recorded"
        self.stdout.write(f"{path.name}: {verb} {count} measures")

    def _show(self, user: Any, region: str, year: int) -> None:
        measures = restrict(Measure.objects.filter(year=year), user, "view").filter(
            code_prefix_q(region, "household__village_id")
        )
        rows = (
            measures.order_by()
            .values("measure_type")
            .annotate(households=Count("household_id", distinct=True), n=Count("id"),
                      value=Sum("value"))
            .order_by("measure_type")
        )  # fmt: skip
        self.stdout.write(f"measures in {region or 'the nation'}, {year}:")
        self.stdout.write(f"  {'type':<16}{'households':>11}{'measures':>10}{'yuan':>16}")
        for row in rows:
            self.stdout.write(
                f"  {row['measure_type']:<16}{row['households']:>11}{row['n']:>10}"
                f"{row['value'] or 0:>16.2f}"
            )

    def _gaps(self, user: Any, region: str, year: int) -> None:
        found = coverage_gaps(user=user, prefix=region, year=year)
        codes = [code for code, _ in found.by_village[:SHOWN]]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        self.stdout.write(f"coverage gaps in {region or 'the nation'}, {year}: {found.total}")
        for code, households in found.by_village[:SHOWN]:
            self.stdout.write(f"  {code}  {households:>6}  {names.get(code, '')}")
        if len(found.by_village) > SHOWN:
            self.stdout.write(f"  ... and {len(found.by_village) - SHOWN} more villages")
