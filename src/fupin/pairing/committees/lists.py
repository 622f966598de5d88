"""Scores and the reward and penalty lists (红黑榜): the committee scores households on the
policy's criteria, puts some on the month's red list (a reward, recorded as support the
household received) and some on the black list.

A black-list entry carries written reasons and is notified to the household in writing;
from the notice the household has the policy's period (`blacklist_appeal_days`) to appeal
to the township, which decides with its reasons (within `blacklist_decision_days`). The
entry's consequences apply once it is final. No consequence may touch minimum living
support (低保), extreme-poverty support (特困供养) or medical insurance: they are statutory,
not the village's to withhold, and are refused by name (the database refuses them too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fupin.core.audit import Actor
from fupin.pairing.choices import (
    PROTECTED_BENEFITS,
    AppealOutcome,
    Benefit,
    BlackListStatus,
    ConsequenceKind,
    NoticeMethod,
    RewardKind,
)
from fupin.pairing.committees.base import (
    CommitteeError,
    audit,
    check_day,
    check_month,
    check_role,
    lock_active,
    text,
    whole,
)
from fupin.pairing.models import (
    APPEAL_DECIDERS,
    COMMITTEE_KEEPERS,
    BlackListAppeal,
    BlackListConsequence,
    BlackListEntry,
    Committee,
    HouseholdScore,
    RedListEntry,
)
from fupin.policy.models import Parameter, ScoringCriterionValue
from fupin.registry.models import Household
from fupin.support.choices import MeasureForm, MeasureType, ProviderKind
from fupin.support.models import Measure

SCORE_MAX = Decimal(100)
CENT = Decimal("0.01")
TOWNSHIP_ONLY = "the township decides appeals against the black list"


@dataclass(frozen=True)
class Consequence:
    """What a black-list entry does to a village benefit once final (`Benefit`)."""

    kind: str
    benefit: str
    note: str = ""


# ---- scores ------------------------------------------------------------------------------


def scoring_criteria(*, year: int, province: str = "") -> list[ScoringCriterionValue]:
    """The scoring criteria in force for `year` in `province`, by code: of each code, the
    latest version of the most specific row (province and year, province, national and
    year, national) where it is active, as for the exclusion rules."""
    rows = ScoringCriterionValue.objects.filter(
        Q(year=year) | Q(year__isnull=True), Q(province=province) | Q(province="")
    )
    winners: dict[str, ScoringCriterionValue] = {}
    for row in rows:
        best = winners.get(row.code)
        if best is None or _rank(row) > _rank(best):
            winners[row.code] = row
    return [winners[code] for code in sorted(winners) if winners[code].active]


def weighted_total(scores: Mapping[str, Decimal], weights: Mapping[str, Decimal]) -> Decimal:
    """The weighted mean of the scores, to the cent (half up)."""
    total = sum((weights[code] * scores[code] for code in weights), Decimal(0))
    return (total / sum(weights.values(), Decimal(0))).quantize(CENT, rounding=ROUND_HALF_UP)


def household_score(
    *,
    committee: Committee,
    household: Household,
    year: int,
    month: int,
    scores: Mapping[str, Decimal | int],
    actor: Actor,
    note: str = "",
) -> HouseholdScore:
    """Score a household for a month on each criterion in force (0 to 100); the total is
    their weighted mean, and the row keeps the criterion versions it used."""
    village = committee.village_id
    check_role(actor, village)
    _check_household(household, village)
    criteria = scoring_criteria(year=year, province=village[:2])
    if not criteria:
        raise CommitteeError("policy_missing", f"no scoring criteria for {year}")
    codes = {criterion.code for criterion in criteria}
    if unknown := sorted(set(scores) - codes):
        raise CommitteeError("criterion_unknown", f"not criteria in force: {', '.join(unknown)}")
    if missing := sorted(codes - set(scores)):
        raise CommitteeError("score_missing", f"no score for: {', '.join(missing)}")
    values = {code: _score(code, value) for code, value in scores.items()}
    total = weighted_total(values, {criterion.code: criterion.weight for criterion in criteria})
    with transaction.atomic():
        committee = lock_active(committee)
        check_month(year, month, committee=committee)
        if HouseholdScore.objects.filter(household=household, year=year, month=month).exists():
            raise CommitteeError(
                "scored_already", f"the household is scored for {year}-{month:02d}"
            )
        row = HouseholdScore.objects.create(
            committee=committee, household=household, year=year, month=month,
            scores={code: str(value) for code, value in sorted(values.items())},
            criteria=[{"id": c.pk, "code": c.code, "weight": str(c.weight)} for c in criteria],
            total=total, note=note.strip(), scored_at=timezone.now(), scored_by_id=actor.user_id,
        )  # fmt: skip
        audit(actor, "committee.score", row, village=village, object_type="household_score",
              after={"household": household.pk, "year": year, "month": month,
                     "scores": row.scores, "total": total})  # fmt: skip
    return row


# ---- the red list ------------------------------------------------------------------------


# Who provides a red-list reward, as the ledger names it.
REWARD_PROVIDER = "村扶贫工作委员会"


def reward_description(month: int, reward: str) -> str:
    """A red-list reward as the ledger (and the contact card) describes it."""
    return f"红榜奖励（{month}月）：{reward}"[:200]


def redlist_enter(
    *,
    committee: Committee,
    household: Household,
    year: int,
    month: int,
    reasons: str,
    reward_kind: str,
    reward: str,
    listed_on: date,
    actor: Actor,
    amount: Decimal = Decimal(0),
    score: HouseholdScore | None = None,
) -> RedListEntry:
    """Put a household on the month's red list with the reasons and its reward, recorded as
    support the household received (see `RedListEntry`)."""
    village = committee.village_id
    check_role(actor, village)
    _check_household(household, village)
    reasons = text(reasons, code="reasons_missing", message="a red-list entry states its reasons")
    reward = text(reward, code="value_missing", message="say what the reward is")
    if reward_kind not in RewardKind.values:
        raise CommitteeError("reward_kind", f"reward: one of {', '.join(RewardKind.values)}")
    if amount < 0:
        raise CommitteeError("amount_invalid", "a reward's value is not negative")
    _check_score(score, household, year, month)
    with transaction.atomic():
        committee = lock_active(committee)
        _check_listing(committee, household, year, month, listed_on, black=False)
        now = timezone.now()
        measure = Measure.objects.create(
            household=household, year=year, given_on=min(listed_on, date(year, 12, 31)),
            measure_type=MeasureType.OTHER, description=reward_description(month, reward),
            form=MeasureForm.MONEY if reward_kind == RewardKind.CASH else MeasureForm.IN_KIND,
            value=amount, provider_kind=ProviderKind.VILLAGE, provider_name=REWARD_PROVIDER,
            recorded_at=now, recorded_by_id=actor.user_id,
        )  # fmt: skip
        entry = RedListEntry.objects.create(
            committee=committee, household=household, year=year, month=month, reasons=reasons,
            reward_kind=reward_kind, reward=reward, amount=amount, score=score,
            listed_on=listed_on, recorded_at=now, recorded_by_id=actor.user_id,
            measure=measure,
        )  # fmt: skip
        audit(actor, "committee.red_list", entry, village=village, object_type="red_list",
              after={"household": household.pk, "year": year, "month": month,
                     "reward_kind": reward_kind, "reward": reward, "amount": amount,
                     "measure": measure.pk},
              reason=reasons)  # fmt: skip
    return entry


# ---- the black list ----------------------------------------------------------------------


def blacklist_enter(
    *,
    committee: Committee,
    household: Household,
    year: int,
    month: int,
    reasons: str,
    listed_on: date,
    actor: Actor,
    consequences: Sequence[Consequence] = (),
    score: HouseholdScore | None = None,
) -> BlackListEntry:
    """Put a household on the month's black list with written reasons and the consequences
    that apply once final; never one on 低保, 特困供养 or medical insurance."""
    village = committee.village_id
    check_role(actor, village)
    _check_consequences(consequences)
    _check_household(household, village)
    reasons = text(reasons, code="reasons_missing",
                   message="a black-list entry needs written reasons")  # fmt: skip
    _check_score(score, household, year, month)
    with transaction.atomic():
        committee = lock_active(committee)
        _check_listing(committee, household, year, month, listed_on, black=True)
        entry = BlackListEntry.objects.create(
            committee=committee, household=household, year=year, month=month, reasons=reasons,
            score=score, listed_on=listed_on, recorded_at=timezone.now(),
            recorded_by_id=actor.user_id,
        )  # fmt: skip
        BlackListConsequence.objects.bulk_create(
            BlackListConsequence(entry=entry, kind=c.kind, benefit=c.benefit, note=c.note.strip())
            for c in consequences
        )
        audit(actor, "committee.black_list", entry, village=village, object_type="black_list",
              after={"household": household.pk, "year": year, "month": month,
                     "consequences": [[c.kind, c.benefit] for c in consequences]},
              reason=reasons)  # fmt: skip
    return entry


def blacklist_notify(
    *, entry: BlackListEntry, on: date, method: str, receiver: str, actor: Actor
) -> BlackListEntry:
    """Record the written notice of the entry to the household on `on`, and who received it;
    the appeal period (policy) runs from that day."""
    village = entry.committee.village_id
    check_role(actor, village)
    if method not in NoticeMethod.values:
        raise CommitteeError("notice_method", f"notice: one of {', '.join(NoticeMethod.values)}")
    receiver = text(receiver, code="value_missing", message="say who received the notice")
    with transaction.atomic():
        entry = BlackListEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != BlackListStatus.ENTERED:
            raise CommitteeError("notified_already", f"the household was notified on "
                                 f"{entry.notified_on}")  # fmt: skip
        check_day(on, after=entry.listed_on, what="a notice")
        days = whole(Parameter.BLACKLIST_APPEAL_DAYS, village=village, year=on.year)
        entry.status, entry.notified_on = BlackListStatus.NOTIFIED, on
        entry.notice_method, entry.notice_receiver = method, receiver
        entry.appeal_until = on + timedelta(days=days)
        entry.save(update_fields=["status", "notified_on", "notice_method", "notice_receiver",
                                  "appeal_until"])  # fmt: skip
        audit(actor, "committee.black_list_notify", entry, village=village,
              object_type="black_list", after={"on": on, "method": method,
                                               "appeal_until": entry.appeal_until})  # fmt: skip
    return entry


def appeal_lodge(*, entry: BlackListEntry, on: date, grounds: str, actor: Actor) -> BlackListAppeal:
    """Record the household's appeal to the township, lodged on `on` within the period; the
    township decides by the policy's deadline."""
    village = entry.committee.village_id
    check_role(actor, village, COMMITTEE_KEEPERS | APPEAL_DECIDERS,
               "an appeal is handed to the township or the village posts")  # fmt: skip
    grounds = text(grounds, code="grounds_missing", message="an appeal states its grounds")
    with transaction.atomic():
        entry = BlackListEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.notified_on is None or entry.appeal_until is None:
            raise CommitteeError("not_notified", "the appeal period starts with the written "
                                 "notice, which is not recorded")  # fmt: skip
        if entry.status != BlackListStatus.NOTIFIED:
            raise CommitteeError("appealed_already", "the entry has been appealed")
        check_day(on, after=entry.notified_on, what="an appeal")
        if on > entry.appeal_until:
            raise CommitteeError("appeal_late", f"the period to appeal ended on "
                                 f"{entry.appeal_until}")  # fmt: skip
        days = whole(Parameter.BLACKLIST_DECISION_DAYS, village=village, year=on.year)
        appeal = BlackListAppeal.objects.create(
            entry=entry, lodged_on=on, grounds=grounds, decide_by=on + timedelta(days=days),
            recorded_at=timezone.now(), recorded_by_id=actor.user_id,
        )  # fmt: skip
        entry.status = BlackListStatus.APPEALED
        entry.save(update_fields=["status"])
        facts = {"entry": entry.pk, "lodged_on": on, "decide_by": appeal.decide_by}
        audit(actor, "committee.appeal_lodge", appeal, village=village,
              object_type="black_list_appeal", after=facts)  # fmt: skip
    return appeal


def appeal_decide(
    *, appeal: BlackListAppeal, outcome: str, reasons: str, on: date, actor: Actor
) -> BlackListAppeal:
    """The township's decision on an appeal, with its reasons: the entry upheld (final) or
    overturned (it and its consequences lapse)."""
    village = appeal.entry.committee.village_id
    check_role(actor, village, APPEAL_DECIDERS, TOWNSHIP_ONLY)
    if outcome not in AppealOutcome.values:
        raise CommitteeError("outcome", f"outcome: one of {', '.join(AppealOutcome.values)}")
    reasons = text(reasons, code="reasons_missing", message="a decision states its reasons")
    with transaction.atomic():
        appeal = BlackListAppeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decided_on is not None:
            raise CommitteeError("decided_already", f"decided on {appeal.decided_on}")
        check_day(on, after=appeal.lodged_on, what="a decision")
        appeal.outcome, appeal.decision_reasons, appeal.decided_on = outcome, reasons, on
        appeal.decided_by_id = actor.user_id
        appeal.save(update_fields=["outcome", "decision_reasons", "decided_on", "decided_by"])
        BlackListEntry.objects.filter(pk=appeal.entry_id).update(status=outcome)
        audit(actor, "committee.appeal_decide", appeal, village=village,
              object_type="black_list_appeal",
              after={"entry": appeal.entry_id, "outcome": outcome, "on": on,
                     "late": on > appeal.decide_by}, reason=reasons)  # fmt: skip
    return appeal


def blacklist_final(entry: BlackListEntry, *, on: date) -> bool:
    """Whether the entry's consequences apply on `on`: notified and the appeal period over
    with no appeal, or the appeal turned down."""
    if entry.status == BlackListStatus.UPHELD:
        return True
    return (entry.status == BlackListStatus.NOTIFIED and entry.appeal_until is not None
            and on > entry.appeal_until)  # fmt: skip


# ---- helpers -----------------------------------------------------------------------------


def _rank(row: ScoringCriterionValue) -> tuple[bool, bool, int]:
    return (row.province != "", row.year is not None, row.version)


def _score(code: str, value: Decimal | int) -> Decimal:
    try:
        score = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise CommitteeError("score_range", f"{code}: not a number: {value!r}") from None
    if not score.is_finite() or not 0 <= score <= SCORE_MAX:
        raise CommitteeError("score_range", f"{code}: a score is 0 to {SCORE_MAX}, not {value}")
    return score


def _check_consequences(consequences: Sequence[Consequence]) -> None:
    """Refuse, before anything else, a consequence on statutory support, by its name."""
    protected = sorted({c.benefit for c in consequences if c.benefit in PROTECTED_BENEFITS})
    if protected:
        names = "、".join(str(Benefit(benefit).label) for benefit in protected)
        raise CommitteeError("protected_benefit", f"a black-list entry never cuts statutory "
                             f"support: {names} is not the village's to withhold")  # fmt: skip
    for consequence in consequences:
        if consequence.benefit not in Benefit.values:
            raise CommitteeError("benefit", f"benefit: one of {', '.join(Benefit.values)}")
        if consequence.kind not in ConsequenceKind.values:
            raise CommitteeError("consequence_kind", f"consequence: one of "
                                 f"{', '.join(ConsequenceKind.values)}")  # fmt: skip
    benefits = [c.benefit for c in consequences]
    if len(set(benefits)) != len(benefits):
        raise CommitteeError("benefit_twice", "a benefit is named twice")


def _check_household(household: Household, village: str) -> None:
    if household.village_id != village:
        raise CommitteeError("household_elsewhere", f"household {household.household_no} is not "
                             f"of {village}")  # fmt: skip


def _check_score(score: HouseholdScore | None, household: Household, year: int, month: int) -> None:
    if score is not None and (score.household_id, score.year, score.month) != (
        household.pk, year, month,
    ):  # fmt: skip
        raise CommitteeError("score_mismatch", "the score is of another household or month")


def _check_listing(
    committee: Committee, household: Household, year: int, month: int, listed_on: date,
    *, black: bool,
) -> None:  # fmt: skip
    """A household is on one list a month at most; a black-list entry overturned on appeal
    leaves room for the red list, not for a second black-list entry."""
    check_month(year, month, committee=committee)
    check_day(listed_on, after=committee.formed_on, what="a listing")
    period = {"household": household, "year": year, "month": month}
    if RedListEntry.objects.filter(**period).exists():
        raise CommitteeError("listed_already", f"on the red list of {year}-{month:02d}")
    entries = BlackListEntry.objects.filter(**period)
    if not black:
        entries = entries.exclude(status=BlackListStatus.OVERTURNED)
    if entries.exists():
        raise CommitteeError("listed_already", f"on the black list of {year}-{month:02d}")
