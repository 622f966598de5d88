"""`fupin regions load|designate`: load an edition of the division codes, apply designations."""

from __future__ import annotations

import getpass
from argparse import SUPPRESS, ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fupin.core.audit import Actor
from fupin.regions import services

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Load the statistical division codes (统计用区划代码) or poor-area designations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="load the five level files of one edition")
        load.add_argument(
            "path",
            nargs="?",
            type=Path,
            help="directory holding provinces, cities, areas, streets and villages"
            " (.csv or .csv.xz); default: the shipped national edition",
        )
        load.add_argument("--only", metavar="PREFIX", help="load this subtree and its ancestors")
        load.add_argument(
            "--edition",
            type=int,
            metavar="YEAR",
            help=f"edition year (default {services.SHIPPED_EDITION} for the shipped files)",
        )
        designate = actions.add_parser(
            "designate", help="apply poor counties and villages from a CSV file"
        )
        designate.add_argument(
            "file", type=Path, help="CSV with columns code, kind, designated_year, lifted_year"
        )
        for subcommand in (load, designate):
            # Also accept -v after the subcommand, where operators tend to type it.
            subcommand.add_argument(
                "-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=SUPPRESS
            )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor(None, _operator_label())
        try:
            if options["action"] == "load":
                self._load(options, actor)
            else:
                self._designate(options["file"], actor)
        except services.InputError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc

    def _load(self, options: dict[str, Any], actor: Actor) -> None:
        path, edition = options["path"], options["edition"]
        if edition is None:
            if path is not None:
                raise CommandError("--edition is required with PATH", returncode=BAD_INPUT)
            edition = services.SHIPPED_EDITION
        result = services.regions_load(
            source=path, only=options["only"], edition=edition, actor=actor
        )
        self.stdout.write(
            f"edition {result.edition}: {result.inserted} inserted, {result.updated} updated,"
            f" {result.retired} retired, {result.unchanged} unchanged"
            f" ({result.refreshed} seen again) in {result.seconds:.1f} s"
        )
        if result.prefix_mismatches:
            self.stderr.write(
                f"warning: {result.prefix_mismatches} codes do not start with their parent's"
                " code; prefix scopes will not find them"
            )
        if options["verbosity"] > 1:
            steps = str(result.steps)
            self.stdout.write(f"steps: {steps}")

    def _designate(self, path: Path, actor: Actor) -> None:
        result = services.poor_areas_import(path=path, actor=actor)
        self.stdout.write(
            f"{result.created} designated, {result.changed} changed, {result.unchanged} unchanged"
        )


def _operator_label() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        # A container may run as a uid with no passwd entry.
        return "cli"
