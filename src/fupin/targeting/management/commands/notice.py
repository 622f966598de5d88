"""`fupin notice --village CODE --kind KIND --step STEP --on DATE --out FILE.pdf`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.cli import BAD_INPUT
from fupin.targeting.notices import notice_pdf
from fupin.targeting.queries import NOTICE_OF_STEP, village_notice


class Command(BaseCommand):
    help = "Print a village's public notice (公示/公告) of one procedure step as an A4 PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--village", required=True, help="12-digit village code")
        parser.add_argument("--kind", required=True, choices=sorted({k for k, _ in NOTICE_OF_STEP}))
        parser.add_argument("--step", required=True, help="the notice step, e.g. first_notice")
        parser.add_argument("--on", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = village_notice(village=options["village"], case_kind=options["kind"],
                                      step=options["step"], on=options["on"])  # fmt: skip
        except LookupError as exc:
            raise CommandError(str(exc).strip("'\""), returncode=BAD_INPUT) from None
        options["out"].write_bytes(notice_pdf(document=document))
        self.stdout.write(f"{options['out']}: {document.title}, {len(document.rows)} households")
