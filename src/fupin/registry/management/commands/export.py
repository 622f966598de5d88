"""`fupin export households --region PREFIX --year YEAR -o FILE.{csv,xlsx}`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.cli import BAD_INPUT
from fupin.registry.export import households_export


class Command(BaseCommand):
    help = "Export households under a region with one year's assessment, in the import layout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"])
        parser.add_argument("--region", required=True, help="region code prefix, e.g. 522727")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--chinese-headers", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        region: str = options["region"]
        output: Path = options["output"]
        if not region.isdigit() or len(region) > 12:
            raise CommandError(
                f"--region must be a code prefix of digits: {region!r}", returncode=2
            )
        if output.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError(f"{output}: write .csv or .xlsx", returncode=BAD_INPUT)
        rows = households_export(
            region=region, year=options["year"], path=output,
            chinese_headers=options["chinese_headers"],
        )  # fmt: skip
        self.stdout.write(f"{output}: {rows} member rows")
