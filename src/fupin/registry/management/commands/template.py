"""`fupin template households -o FILE.xlsx`: the import template with drop-down lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.registry.fileformats import write_template


class Command(BaseCommand):
    help = "Write the household import template (both header rows, drop-down lists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"])
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        write_template(options["output"])
        self.stdout.write(f"{options['output']}: template written")
