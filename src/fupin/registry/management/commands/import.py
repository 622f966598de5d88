"""`fupin import households FILE --year YEAR [--apply-valid] [--report ERRORS.csv]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.cli import BAD_INPUT, operator_actor
from fupin.registry.importer import ImportReport, household_file_import

SHOWN_ISSUES = 20


class Command(BaseCommand):
    help = "Import a household file (CSV or XLSX, one row per member) for one year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True, help="assessment year")
        parser.add_argument(
            "--apply-valid",
            action="store_true",
            help="write the households whose rows are all valid and report the rest",
        )
        parser.add_argument("--report", type=Path, help="write every issue to this CSV file")
        parser.add_argument("--dry-run", action="store_true", help="validate only")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file", returncode=BAD_INPUT)
        if not 2000 <= options["year"] <= 2100:
            raise CommandError(f"--year {options['year']} is not a plausible year", returncode=2)
        report = household_file_import(
            path=path,
            year=options["year"],
            actor=operator_actor(),
            apply_valid=options["apply_valid"],
            dry_run=options["dry_run"],
        )
        if options["report"]:
            report.write(options["report"])
        self._print(report, options["report"])
        if report.errors.height:
            raise CommandError(
                f"{path.name}: {report.errors.height} errors"
                + (", valid households applied" if report.applied else ", nothing written"),
                returncode=BAD_INPUT,
            )

    def _print(self, report: ImportReport, report_path: Path | None) -> None:
        out = self.stdout
        out.write(f"{report.path.name}: {report.rows} rows, {report.households} households")
        for row in report.counts_by_code().iter_rows(named=True):
            out.write(
                f"  {row['severity']:<7} {row['code']:<34} {row['count']:>8}  {row['message_zh']}"
            )
        for row in report.errors.head(SHOWN_ISSUES).iter_rows(named=True):
            self.stderr.write(
                f"{report.path.name}: row {row['row']}, column {row['column']}: "
                f"{row['code']}: {row['message_zh']} / {row['message_en']} ({row['value']})"
            )
        if report.errors.height > SHOWN_ISSUES and not report_path:
            self.stderr.write("... use --report FILE.csv for the full list")
        if report.result is not None:
            r = report.result
            out.write(
                f"written in {r.seconds:.1f}s: households +{r.households_inserted} "
                f"~{r.households_updated}, members +{r.members_inserted} ~{r.members_updated}, "
                f"assessments +{r.assessments_inserted} ~{r.assessments_updated}"
            )
            if report.skipped_households:
                out.write(f"skipped {report.skipped_households} households with errors")
        elif not report.errors.height and report.applied:
            out.write("nothing to write")
        out.write(f"steps: {report.steps}")
