"""`fupin verify sample|form|import|results`: a county's national exit check (第三方评估):
draw the sample, print the survey (PDF and workbook), import the filled workbook, and
give the three rates and one degree (三率一度) with their intervals and vetoes.

Run by the operator, or for a user with `--as USERNAME` (an evaluator or the national
office over the county), through the same access choke point and services as the pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.core.cli import BAD_INPUT, operator_actor, user_actor
from fupin.monitoring.models import ExitCheck
from fupin.monitoring.verification.kernels import SampleSizes
from fupin.monitoring.verification.queries import (
    ResultsIncomplete,
    access_exit_check,
    exit_check_evidence,
    exit_check_results,
    survey_header,
    survey_rows,
)
from fupin.monitoring.verification.services import (
    CheckError,
    exit_check_complete,
    exit_check_draw,
    exit_check_send,
    findings_import,
)
from fupin.monitoring.verification.survey_pdf import survey_pdf
from fupin.monitoring.verification.workbook import FindingsError, survey_workbook
from fupin.policy.queries import PolicyMissing

MEASURES = (
    ("wrong_exit_rate", "错退率 wrong-exit rate", "wrongly exited / exited persons"),
    ("omission_rate", "漏评率 omission rate", "omitted / non-registered persons"),
    ("recognition", "群众认可度 public recognition", "approving / surveyed households"),
    ("incidence", "综合贫困发生率 comprehensive incidence", "persons / rural persons"),
)


class Command(BaseCommand):
    help = "A county's exit check (第三方评估): sample, survey forms, import, results."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sample = sub.add_parser("sample", help="draw the county's sample and store it")
        sample.add_argument("--county", required=True, help="the county's 6-digit code")
        sample.add_argument("--year", type=int, required=True, help="the year checked")
        sample.add_argument("--seed", type=int, help="random seed (default: a fresh one)")
        defaults = SampleSizes()
        for name, text in (
            ("poor-villages", "poor villages"),
            ("non-poor-villages", "non-poor villages"),
            ("registered-per-village", "registered households a village"),
            ("non-registered-per-village", "non-registered households a village"),
        ):
            key = name.replace("-", "_")  # fmt: skip
            sample.add_argument(f"--{name}", type=int, default=getattr(defaults, key),
                                help=f"{text} (default %(default)s)")  # fmt: skip
        sample.add_argument(
            "--replace", action="store_true", help="draw again while the forms have not gone out"
        )
        form = sub.add_parser("form", help="write the survey PDF and workbook")
        form.add_argument("--check", type=int, required=True, help="the check's number")
        form.add_argument("--out", type=Path, required=True, help="directory to write to")
        load = sub.add_parser("import", help="import the filled survey workbook")
        load.add_argument("file", type=Path)
        load.add_argument("--check", type=int, required=True, help="the check's number")
        results = sub.add_parser("results", help="the three rates and one degree")
        results.add_argument("--check", type=int, required=True, help="the check's number")
        results.add_argument("--complete", action="store_true",
                             help="fix the results and close the check")  # fmt: skip
        for command in (sample, form, load, results):
            command.add_argument("--as", dest="as_user", metavar="USERNAME",
                                 help="act as this user (default: the operator)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        actor = user_actor(options["as_user"]) if options["as_user"] else operator_actor()
        action = options["action"]
        try:
            if action == "sample":
                self._sample(actor, options)
            elif action == "form":
                self._form(actor, _check(actor, options["check"], "change"), options["out"])
            elif action == "import":
                self._import(actor, _check(actor, options["check"], "change"), options["file"])
            else:
                level = "change" if options["complete"] else "view"
                self._results(actor, _check(actor, options["check"], level), options["complete"])
        except CheckError as exc:
            raise CommandError(f"{exc} ({exc.code})", returncode=BAD_INPUT) from exc
        except (FindingsError, ResultsIncomplete, PolicyMissing) as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc

    def _sample(self, actor: Actor, options: dict[str, Any]) -> None:
        try:
            sizes = SampleSizes(
                poor_villages=options["poor_villages"],
                non_poor_villages=options["non_poor_villages"],
                registered_per_village=options["registered_per_village"],
                non_registered_per_village=options["non_registered_per_village"],
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        check = exit_check_draw(county_code=options["county"].strip(), year=options["year"],
                                seed=options["seed"], sizes=sizes, replace=options["replace"],
                                actor=actor)  # fmt: skip
        drawn, frame = check.parameters["drawn"], check.parameters["frame"]
        self.stdout.write(f"exit check {check.pk}: county {check.county_id} {check.year}, "
                          f"seed {check.seed}")  # fmt: skip
        for key in ("poor", "non_poor"):
            self.stdout.write(f"  villages {key:<16} {drawn['villages'].get(key, 0):>6} "
                              f"of {frame['villages'][key]:>6}")  # fmt: skip
        for key in ("exited", "poor", "non_registered"):
            self.stdout.write(f"  households {key:<14} {drawn['households'].get(key, 0):>6} "
                              f"of {frame['households'].get(key, 0):>6}")  # fmt: skip
        self.stdout.write(f"print the survey: fupin verify form --check {check.pk} --out DIR")

    def _form(self, actor: Actor, check: ExitCheck, out: Path) -> None:
        rows = survey_rows(check)
        header = survey_header(check)
        out.mkdir(parents=True, exist_ok=True)
        stem = f"exit_check_{check.pk}_{check.county_id}_{check.year}"
        pdf, xlsx = out / f"{stem}_survey.pdf", out / f"{stem}_survey.xlsx"
        pdf.write_bytes(survey_pdf(header, rows, printed_on=timezone.localdate()))
        xlsx.write_bytes(survey_workbook(header, rows))
        exit_check_send(exit_check=check, actor=actor)
        self.stdout.write(f"{len(rows)} households: {pdf}\n{len(rows)} households: {xlsx}")

    def _import(self, actor: Actor, check: ExitCheck, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"no file {path}", returncode=BAD_INPUT)
        written = findings_import(exit_check=check, path=path, actor=actor)
        self.stdout.write(f"{written} households' findings written to exit check {check.pk}")

    def _results(self, actor: Actor, check: ExitCheck, complete: bool) -> None:
        if complete:
            check = exit_check_complete(exit_check=check, actor=actor)
        results = check.results or exit_check_results(exit_check=check).as_dict()
        fixed = "fixed" if check.results is not None else "so far (not completed)"
        self.stdout.write(f"exit check {check.pk}: county {check.county_id} {check.year}, "
                          f"results {fixed}")  # fmt: skip
        surveyed, sampled = results["households_surveyed"], results["households_sampled"]
        self.stdout.write(f"  villages {results['villages']}, households surveyed {surveyed} "
                          f"of {sampled}")  # fmt: skip
        for key, label, ratio in MEASURES:
            estimate = results[key]
            totals = f"{estimate['numerator']:g} / {estimate['denominator']:g} {ratio}"
            self.stdout.write(f"  {label}: {_estimate(estimate)}  ({totals})")
        try:
            evaluation = exit_check_evidence(exit_check=check)
        except ResultsIncomplete as exc:
            self.stdout.write(f"  no verdict yet: {exc}")
            return
        bars = evaluation.bars
        self.stdout.write(
            f"  bars: incidence < {bars.incidence}, wrong exit < {bars.wrong_exit}, "
            f"omission < {bars.omission}, recognition >= {bars.satisfaction}"
        )
        verdict = ", ".join(evaluation.vetoes) if evaluation.vetoes else "none (passes)"
        self.stdout.write(f"  vetoes: {verdict}")


def _estimate(estimate: dict[str, Any]) -> str:
    if estimate["value"] is None:
        return "not measured (nobody surveyed)"
    return (f"{estimate['value']:.2%}  95% CI [{estimate['low']:.2%}, "
            f"{estimate['high']:.2%}]")  # fmt: skip


def _check(actor: Actor, pk: int, action: str) -> ExitCheck:
    if actor.user is None:
        check = ExitCheck.objects.select_related("county").filter(pk=pk).first()
        if check is None:
            raise CommandError(f"no exit check {pk}", returncode=BAD_INPUT)
        return check
    try:
        return access_exit_check(actor.user, pk, action)
    except Http404:
        raise CommandError(f"no exit check {pk} in your scope", returncode=BAD_INPUT) from None
