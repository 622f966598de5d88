"""`fupin annual-run --year Y [--region PREFIX] [--dry-run]`: open the year's cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fupin.core.cli import BAD_INPUT, operator_actor
from fupin.policy.queries import PolicyMissing
from fupin.targeting.annual import (
    CHUNK_LEVELS,
    AnnualRunError,
    AnnualRunResult,
    annual_run,
    annual_run_chunks,
)
from fupin.targeting.choices import CaseKind


class Command(BaseCommand):
    help = (
        "Run the rules over every household in scope for a year and open the cases their "
        "results call for (identification, exit, return, removal, monitoring). Idempotent: "
        "a rerun, or a rerun after a killed run, opens nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", default="", help="region code prefix; omit for all")
        parser.add_argument("--dry-run", action="store_true", help="count, open nothing")
        parser.add_argument("--on", type=date.fromisoformat, help="the cases' date (YYYY-MM-DD)")
        parser.add_argument(
            "--chunk", default="province", choices=list(CHUNK_LEVELS),
            help="regions committed one at a time (default: province)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        year, region = options["year"], options["region"]
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year: {year} is not a plausible year", returncode=BAD_INPUT)
        try:
            chunks = annual_run_chunks(region, options["chunk"])
        except AnnualRunError as exc:
            raise CommandError(f"--region: {exc}", returncode=BAD_INPUT) from None
        verbose = options["verbosity"] >= 2
        bar = tqdm(total=len(chunks), unit="region", disable=None, desc=f"annual run {year}")

        def progress(code: str, opened: int) -> None:
            bar.update(1)
            if verbose:
                self.stdout.write(f"committed {code}: {opened} cases")
                self.stdout.flush()

        try:
            result = annual_run(
                year=year, prefix=region, on=options["on"], actor=operator_actor(),
                dry_run=options["dry_run"], chunk_level=options["chunk"], progress=progress,
            )  # fmt: skip
        except (AnnualRunError, PolicyMissing) as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        finally:
            bar.close()
        self._report(result)

    def _report(self, result: AnnualRunResult) -> None:
        verb = "would open" if result.dry_run else "opened"
        self.stdout.write(
            f"{result.year} {result.prefix or 'nation'}: {result.households} households assessed, "
            f"{verb} {result.total_opened} cases, {result.already} already opened"
        )
        for kind in CaseKind:
            if result.opened.get(kind.value):
                self.stdout.write(f"  {kind.label} ({kind.value}): {result.opened[kind.value]}")
