"""`fupin report --region CODE --year Y --as USERNAME --out FILE`: a region's yearly report
(PDF, or XLSX by the file's suffix or `--format`), as the user's posts may read it.

The same report the report page starts as a background job, made here in the foreground.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from fupin.core.cli import BAD_INPUT, user_actor
from fupin.jobs.kinds import REPORT_FORMATS
from fupin.stats.reports import report_file


class Command(BaseCommand):
    help = "Write a region's yearly report (PDF or XLSX) with charts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="", help="region code ('' the nation)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=REPORT_FORMATS, help="default: by --out's suffix")
        parser.add_argument("--out", type=Path, required=True, help="the file to write")
        parser.add_argument("--as", dest="username", required=True, help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        region, out = options["region"], options["out"]
        if region and not (region.isdigit() and len(region) in (2, 4, 6, 9, 12)):
            raise CommandError(f"--region: a region code, not {region!r}", returncode=BAD_INPUT)
        form = options["format"] or ("xlsx" if out.suffix.lower() == ".xlsx" else "pdf")
        user = user_actor(options["username"]).user
        try:
            _, content = report_file(user=user, region=region, year=options["year"], format=form)
        except Http404:
            message = f"no region {region!r} in your posts"
            raise CommandError(message, returncode=BAD_INPUT) from None
        out.write_bytes(content)
        self.stdout.write(f"wrote {out} ({len(content):,} bytes)")
