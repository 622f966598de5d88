"""`fupin synth`: generate a synthetic registry for the rural villages under a region."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.cli import BAD_INPUT, operator_actor, parse_year_range


class Command(BaseCommand):
    help = (
        "Generate synthetic rural households, members, yearly assessments and status "
        "transitions for the villages under a region code prefix, calibrated to the "
        "official poverty incidence."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="region code prefix, e.g. 522727")
        parser.add_argument("--households", type=int, required=True, help="how many households")
        parser.add_argument("--years", default="2014-2020", help="assessment years, 2014-2020")
        parser.add_argument("--seed", type=int, default=0, help="same seed, same registry")
        parser.add_argument(
            "--dry-run", action="store_true", help="generate and count, write nothing"
        )
        parser.add_argument(
            "--facts-only", action="store_true",
            help="no status transitions: everyone starts unregistered, for `fupin simulate`",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        from fupin.synth.services import SynthError, synth_generate

        years = parse_year_range(options["years"])
        try:
            result = synth_generate(
                region=options["region"].strip(),
                households=options["households"],
                years=years,
                seed=options["seed"],
                actor=operator_actor(),
                dry_run=options["dry_run"],
                transitions=not options["facts_only"],
            )
        except SynthError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        self.stdout.write(str(result))
