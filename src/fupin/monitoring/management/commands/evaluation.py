"""`fupin evaluation scorecards|score|recommend|appeal|decide`: the evaluation of cadres and
units (考核评价) from the command line.

Every subcommand acts for a user (`--as USERNAME`) and reads and writes through the same
access choke point and services as the pages: a user sees and does only what their posts
allow.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.core.cli import BAD_INPUT, day_argument, user_actor
from fupin.monitoring.evaluation import queries, services
from fupin.monitoring.evaluation.choices import (
    AppealOutcome,
    Grade,
    NoticeMethod,
    RecommendationKind,
)


def _subject_options(parser: CommandParser) -> None:
    subject = parser.add_mutually_exclusive_group(required=True)
    subject.add_argument("--cadre", type=int, help="the cadre's id")
    subject.add_argument("--unit", help="the region code of a village, township or county")
    parser.add_argument("--year", type=int, required=True)


class Command(BaseCommand):
    help = "Scorecards of cadres and units; enter a score, a recommendation, an appeal, a decision."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        cards = commands.add_parser("scorecards", help="the scorecards of a region, by score")
        cards.add_argument("--region", default="", help="region code prefix")
        cards.add_argument("--year", type=int, help="default this year")
        cards.add_argument("--level", choices=queries.LEVELS, default=queries.CADRES)
        score = commands.add_parser("score", help="score a cadre or a unit")
        _subject_options(score)
        score.add_argument("--score", type=int, help="out of 100")
        score.add_argument("--grade", choices=Grade.values, default="")
        score.add_argument("--comments", default="")
        recommend = commands.add_parser("recommend", help="record what an evaluation leads to")
        _subject_options(recommend)
        recommend.add_argument("--kind", choices=RecommendationKind.values, required=True)
        recommend.add_argument("--reasons", required=True, help="the written reasons")
        recommend.add_argument("--notice", choices=NoticeMethod.values,
                               default=NoticeMethod.IN_WRITING)  # fmt: skip
        recommend.add_argument("--on", type=day_argument, help="the day notified (default today)")
        appeal = commands.add_parser("appeal", help="appeal a recommendation (its subject)")
        appeal.add_argument("--recommendation", type=int, required=True)
        appeal.add_argument("--grounds", required=True)
        appeal.add_argument("--on", type=day_argument, help="default today")
        decide = commands.add_parser("decide", help="decide an appeal (the office above)")
        decide.add_argument("--recommendation", type=int, required=True)
        decide.add_argument("--outcome", choices=AppealOutcome.values, required=True)
        decide.add_argument("--reasons", required=True)
        decide.add_argument("--on", type=day_argument, help="default today")
        for sub in (cards, score, recommend, appeal, decide):
            sub.add_argument("--as", dest="username", required=True, help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = user_actor(options["username"])
        try:
            getattr(self, f"_{options['command']}")(actor, options)
        except services.EvaluationError as exc:
            raise CommandError(f"{exc.code}: {exc}", returncode=BAD_INPUT) from None
        except Http404:
            raise CommandError("not found in your scope", returncode=BAD_INPUT) from None

    def _scorecards(self, actor: Actor, options: dict[str, Any]) -> None:
        region, year = options["region"], options["year"] or timezone.localdate().year
        if region and not (region.isdigit() and len(region) <= 12):
            raise CommandError(f"--region: a code prefix, not {region!r}", returncode=BAD_INPUT)
        rows = queries.scorecards(user=actor.user, prefix=region, year=year,
                                  level=options["level"])  # fmt: skip
        self.stdout.write(f"scorecards {year}, {options['level']}, {region or 'all'}:")
        for row in rows:
            named = row.get("cadre") or row["unit"]
            score = "—" if row["score"] is None else f"{row['score']:.1f}"
            visits = f"{row['on_time']}/{row['paired']}"
            households = row["households"]
            self.stdout.write(
                f"  {row['subject']:<12}  {score:>5}  households {households:>4}  "
                f"on time {visits}  {named.name}"
            )

    def _subject(self, actor: Actor, options: dict[str, Any]) -> dict[str, Any]:
        if options["cadre"] is not None:
            return {"cadre": queries.access_cadre(actor.user, options["cadre"])}
        queries.access_unit(actor.user, options["unit"])
        return {"region_code": options["unit"]}

    def _score(self, actor: Actor, options: dict[str, Any]) -> None:
        made = services.evaluation_enter(
            year=options["year"], actor=actor, score=options["score"], grade=options["grade"],
            comments=options["comments"], **self._subject(actor, options),
        )  # fmt: skip
        self.stdout.write(f"score {made.pk} entered: {made.get_direction_display()} "
                          f"{made.score} ({made.get_grade_display()})")  # fmt: skip

    def _recommend(self, actor: Actor, options: dict[str, Any]) -> None:
        made = services.recommendation_record(
            year=options["year"], kind=options["kind"], reasons=options["reasons"],
            notice_method=options["notice"], on=options["on"], actor=actor,
            **self._subject(actor, options),
        )  # fmt: skip
        self.stdout.write(f"recommendation {made.pk} recorded: {made.kind}, score "
                          f"{made.figures.get('score')}, appeal until "
                          f"{made.appeal_until.isoformat()}")  # fmt: skip

    def _appeal(self, actor: Actor, options: dict[str, Any]) -> None:
        row = queries.access_recommendation(actor.user, options["recommendation"])
        appeal = services.appeal_lodge(recommendation=row, grounds=options["grounds"],
                                       on=options["on"], actor=actor)  # fmt: skip
        self.stdout.write(f"appeal lodged on recommendation {row.pk}: decide by "
                          f"{appeal.decide_by.isoformat()}")  # fmt: skip

    def _decide(self, actor: Actor, options: dict[str, Any]) -> None:
        row = queries.access_recommendation(actor.user, options["recommendation"])
        appeal = queries.recommendation_appeal(row)
        if appeal is None:
            raise CommandError("the recommendation has no appeal", returncode=BAD_INPUT)
        services.appeal_decide(appeal=appeal, outcome=options["outcome"], on=options["on"],
                               reasons=options["reasons"], actor=actor)  # fmt: skip
        self.stdout.write(f"appeal on recommendation {row.pk} decided: {options['outcome']}")
