"""`fupin simulate --region PREFIX --years 2014-2020`: drive the synthetic cases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fupin.core.cli import BAD_INPUT, operator_actor, parse_year_range
from fupin.policy.queries import PolicyMissing
from fupin.targeting.annual import AnnualRunError


class Command(BaseCommand):
    help = (
        "Year by year, run the rules over the synthetic households under a region and take "
        "every case they open through its procedure with simulated posts and dates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="region code prefix, e.g. 522727")
        parser.add_argument("--years", default="2014-2020")
        parser.add_argument("--seed", type=int, default=0, help="same seed, same history")

    def handle(self, *args: Any, **options: Any) -> None:
        from fupin.targeting.simulate import simulate

        first, last = parse_year_range(options["years"])
        bar = tqdm(total=last - first + 1, unit="year", disable=None, desc="simulate")

        def progress(year: int, counts: dict[str, int]) -> None:
            bar.update(1)
            summary = ", ".join(f"{name} {count:,}" for name, count in counts.items())
            bar.write(f"{year}: {summary}")

        try:
            simulate(prefix=options["region"].strip(), years=range(first, last + 1),
                     seed=options["seed"], actor=operator_actor(), progress=progress)  # fmt: skip
        except (AnnualRunError, PolicyMissing) as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        finally:
            bar.close()
