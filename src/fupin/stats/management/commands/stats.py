"""`fupin stats show --region CODE --year Y [--json]` and `fupin stats refresh --years Y[-Y]`."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.cli import BAD_INPUT, parse_year_range
from fupin.core.timing import Steps
from fupin.regions.models import Region
from fupin.registry.vocabulary import CATEGORY, CAUSE
from fupin.stats.choices import Measure
from fupin.stats.kernels import LEVEL_OF_LENGTH, UNSPECIFIED
from fupin.stats.queries import RollupMissing, region_series, region_stats
from fupin.stats.services import RollupError, rollups_refresh_years

NATION = "全国"
INCIDENCE_LABEL = "贫困发生率"
KEY_LABELS = {**CATEGORY, **CAUSE, UNSPECIFIED: "未填写"}
SLUG_WIDTH = 36


class Command(BaseCommand):
    help = "Show the rollups of a region (totals, breakdowns, incidence) or refresh them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="a region's figures for a year or a range of years")
        show.add_argument("--region", default="", help="region code, e.g. 5227; omit for 全国")
        when = show.add_mutually_exclusive_group(required=True)
        when.add_argument("--year", type=int, help="one year, with breakdowns")
        when.add_argument("--years", help="a range such as 2014-2020: the totals by year")
        show.add_argument("--json", action="store_true", help="a JSON object instead of a table")
        refresh = sub.add_parser("refresh", help="recompute rollups from the registry")
        refresh.add_argument("--years", required=True, help="a year or a range, 2016 or 2014-2020")
        refresh.add_argument("--region", default="", help="code prefix; omit for the nation")

    def handle(self, *args: Any, **options: Any) -> None:
        region = options["region"].strip()
        if options["action"] == "refresh":
            self._refresh(region, options["years"])
            return
        _check_region(region)
        if options["years"] is not None:
            first, last = parse_year_range(options["years"])
            series = region_series(region=region, years=range(first, last + 1))
            if not series:
                self._missing(region, f"{first}-{last}")
            self._show_series(region, series, as_json=options["json"])
            return
        try:
            stats = region_stats(region=region, year=options["year"])
        except RollupMissing:
            self._missing(region, str(options["year"]))
        self._show_year(region, stats, as_json=options["json"])

    def _refresh(self, region: str, years_text: str) -> None:
        first, last = parse_year_range(years_text)
        steps = Steps(f"stats refresh {region or 'nation'} {years_text}")
        started = time.perf_counter()
        try:
            rows = rollups_refresh_years(years=range(first, last + 1), prefix=region, steps=steps)
        except RollupError as exc:
            raise CommandError(f"{exc} (--region / --years)", returncode=BAD_INPUT) from exc
        self.stdout.write(
            f"refreshed {years_text} under {region or NATION}: {rows:,} rollup rows in "
            f"{time.perf_counter() - started:.1f}s ({steps})"
        )

    def _missing(self, region: str, years: str) -> Any:
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"--region {region}: no region has this code", returncode=BAD_INPUT)
        raise CommandError(
            f"no rollups for {_name(region)} ({region or 'nation'}) in {years}; "
            f"run `fupin stats refresh --years {years}` first",
            returncode=BAD_INPUT,
        )

    def _show_year(self, region: str, stats: dict[str, Any], *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(_json({"name": _name(region), **_jsonable(stats)}))
            return
        labels = dict(Measure.choices)
        self.stdout.write(f"{_name(region)} ({region or 'nation'}) {stats['year']}")
        self.stdout.write(f"{'measure':<{SLUG_WIDTH}}{'value':>14}  指标")
        for measure, value in stats["measures"].items():
            self.stdout.write(f"{measure:<{SLUG_WIDTH}}{value:>14,}  {labels[measure]}")
        share = _percent(stats["incidence"])
        self.stdout.write(f"{'incidence':<{SLUG_WIDTH}}{share:>14}  {INCIDENCE_LABEL}")
        for measure, keys in stats["breakdowns"].items():
            self.stdout.write(f"{measure}  {labels[measure]}")
            for key, value in keys.items():
                slug = f"  {key}"
                label = KEY_LABELS.get(key, key)
                self.stdout.write(f"{slug:<{SLUG_WIDTH}}{value:>14,}  {label}")

    def _show_series(self, region: str, series: list[dict[str, Any]], *, as_json: bool) -> None:
        if as_json:
            items = [_jsonable(stats) for stats in series]
            self.stdout.write(_json({"region": region, "name": _name(region), "series": items}))
            return
        labels = dict(Measure.choices)
        years = [stats["year"] for stats in series]
        self.stdout.write(f"{_name(region)} ({region or 'nation'}) {years[0]}-{years[-1]}")
        header = "".join(f"{year:>12}" for year in years)
        self.stdout.write(f"{'measure':<{SLUG_WIDTH}}{header}  指标")
        for measure in series[0]["measures"]:
            cells = "".join(f"{stats['measures'][measure]:>12,}" for stats in series)
            self.stdout.write(f"{measure:<{SLUG_WIDTH}}{cells}  {labels[measure]}")
        cells = "".join(f"{_percent(stats['incidence']):>12}" for stats in series)
        self.stdout.write(f"{'incidence':<{SLUG_WIDTH}}{cells}  {INCIDENCE_LABEL}")


def _check_region(region: str) -> None:
    if region and not (region.isdigit() and region.isascii() and len(region) in LEVEL_OF_LENGTH):
        raise CommandError(
            f"--region must be a region code of 2, 4, 6, 9 or 12 digits (omit it for the "
            f"nation), not {region!r}",
            returncode=BAD_INPUT,
        )


def _name(region: str) -> str:
    if not region:
        return NATION
    name = Region.objects.filter(code=region).values_list("name", flat=True).first()
    return name or region


def _percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    """The stats with the incidence as a JSON number (it has exactly 4 places)."""
    share = stats["incidence"]
    return {**stats, "incidence": None if share is None else float(share)}


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
