"""`fupin pairing assign|show|apply|discard|gaps`: automatic pairing of unpaired households
to cadres (自动结对), proposed for approval, and the gaps left to pair."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from fupin.core.access import access_get
from fupin.core.audit import Actor
from fupin.core.cli import BAD_INPUT, operator_actor, user_actor
from fupin.pairing.models import AssignmentProposal
from fupin.pairing.proposals import proposal_apply, proposal_discard, proposal_make
from fupin.pairing.queries import pairing_gaps
from fupin.pairing.services import PairingError
from fupin.regions.models import Region

LEVELS = {"township": 9, "county": 6}
FIGURES = (
    ("unpaired", "households unpaired"),
    ("village", "matched in the same village (同村)"),
    ("township", "matched in the same township (同乡镇)"),
    ("county", "matched in the same county (同县)"),
    ("unmatched", "left unmatched"),
)


class Command(BaseCommand):
    help = (
        "Propose cadres for the unpaired households of a region (自动结对), show, apply or "
        "discard a proposal, or list the households still to pair."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        propose = sub.add_parser("assign", help="propose cadres for the unpaired households")
        propose.add_argument("--region", required=True, help="region code, e.g. 522727")
        propose.add_argument("--on", help="the day the assignments start, YYYY-MM-DD; today")
        self._add_as(propose, required=True)
        show = sub.add_parser("show", help="a proposal's summary")
        show.add_argument("id", type=int)
        self._add_as(show, required=False)
        for name, text in (("apply", "open the proposed assignments"),
                           ("discard", "set the proposal aside")):  # fmt: skip
            decide = sub.add_parser(name, help=text)
            decide.add_argument("id", type=int)
            self._add_as(decide, required=True)
        gaps = sub.add_parser("gaps", help="unpaired households by township or county")
        gaps.add_argument("--region", default="", help="region code prefix")
        gaps.add_argument("--level", choices=list(LEVELS), default="township")
        self._add_as(gaps, required=True)

    def _add_as(self, parser: CommandParser, *, required: bool) -> None:
        parser.add_argument(
            "--as", dest="as_user", required=required, metavar="USERNAME",
            help="the user of the county or township office acting",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = user_actor(options["as_user"]) if options["as_user"] else operator_actor()
        try:
            if action == "assign":
                self._assign(options["region"].strip(), _day(options["on"]), actor)
            elif action == "show":
                self._show(_proposal(options["id"], actor, "view"))
            elif action == "apply":
                self._apply(_proposal(options["id"], actor, "change"), actor)
            elif action == "discard":
                proposal = proposal_discard(
                    proposal=_proposal(options["id"], actor, "change"), actor=actor
                )
                self.stdout.write(f"proposal {proposal.pk} discarded; nothing was paired")
            else:
                self._gaps(options["region"].strip(), LEVELS[options["level"]], actor)
        except PairingError as exc:
            raise CommandError(f"{exc} ({exc.code})", returncode=BAD_INPUT) from exc

    def _assign(self, region: str, on: date, actor: Actor) -> None:
        proposal = proposal_make(region_code=region, starts_on=on, actor=actor)
        self._show(proposal)
        username = actor.label if actor.user is not None else "USERNAME"
        self.stdout.write(
            f"apply it: fupin pairing apply {proposal.pk} --as {username}\n"
            f"or set it aside: fupin pairing discard {proposal.pk} --as {username}"
        )

    def _apply(self, proposal: AssignmentProposal, actor: Actor) -> None:
        applied = proposal_apply(proposal=proposal, actor=actor)
        self.stdout.write(
            f"proposal {proposal.pk} applied: {applied.opened:,} assignments opened from "
            f"{proposal.starts_on}; skipped {applied.skipped_paired:,} households paired or "
            f"off the register meanwhile, {applied.skipped_cap:,} over a cadre's cap now"
        )

    def _show(self, proposal: AssignmentProposal) -> None:
        summary = proposal.summary
        region = _name(proposal.region_code)
        self.stdout.write(
            f"proposal {proposal.pk} for {proposal.region_code} {region}, assignments from "
            f"{proposal.starts_on}: {proposal.get_status_display()} ({proposal.status})"
        )
        self.stdout.write(
            f"cadres with room: {summary['cadres_with_room']:,}, "
            f"free capacity: {summary['free_capacity']:,}"
        )
        totals = {"unpaired": summary["households_unpaired"], **summary["matched"],
                  "unmatched": summary["unmatched"]}  # fmt: skip
        for key, label in FIGURES:
            self.stdout.write(f"  {label:<{40 - _wide(label)}} {totals[key]:>10,}")
        counties = summary["counties"]
        names = dict(
            Region.objects.filter(code__in=[row["region"] for row in counties]).values_list(
                "code", "name"
            )
        )
        header = "".join(f"{key:>11}" for key, _ in FIGURES)
        self.stdout.write(f"  {'county':<8}{'':<14}{header}")
        for row in counties:
            figures = "".join(f"{row[key]:>11,}" for key, _ in FIGURES)
            name = names.get(row["region"], "")
            self.stdout.write(f"  {row['region']:<8}{name:<{14 - _wide(name)}}{figures}")
        if "applied" in summary:
            applied = summary["applied"]
            self.stdout.write(
                f"applied: {applied['opened']:,} opened, {applied['skipped_paired']:,} skipped "
                f"(paired meanwhile), {applied['skipped_cap']:,} skipped (cap reached)"
            )

    def _gaps(self, region: str, length: int, actor: Actor) -> None:
        gaps = pairing_gaps(user=actor.user, prefix=region, level_length=length)
        names = dict(
            Region.objects.filter(code__in=[code for code, _ in gaps]).values_list("code", "name")
        )
        for code, households in gaps:
            self.stdout.write(f"{code:<10} {households:>9,}  {names.get(code, '')}")
        self.stdout.write(f"{sum(count for _, count in gaps):,} unpaired households in all")


def _proposal(pk: int, actor: Actor, action: str) -> AssignmentProposal:
    """The proposal, if the `--as` user may take `action` on it; missing and forbidden
    read alike. Without `--as`, the operator of this machine reads any."""
    queryset = AssignmentProposal.objects.all()
    try:
        if actor.user is None:
            return queryset.get(pk=pk)
        return access_get(queryset, actor.user, action, pk=pk)
    except (AssignmentProposal.DoesNotExist, Http404):
        raise CommandError(f"no proposal {pk} here", returncode=BAD_INPUT) from None


def _day(text: str | None) -> date:
    if text is None:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--on: a date as YYYY-MM-DD, not {text!r}", returncode=BAD_INPUT
        ) from None


def _name(code: str) -> str:
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or ""


def _wide(text: str) -> int:
    """How many more columns than characters `text` takes (a Chinese character takes two)."""
    return sum(1 for char in text if ord(char) > 0x2E80)
