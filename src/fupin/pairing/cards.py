"""Contact cards (精准帮扶联系卡): printing, the page their QR code opens, ratings, objections.

A card is printed for a household on the register that has a paired cadre. Its QR code
carries `PUBLIC_URL/card/<token>/`; the token is `secrets.token_urlsafe`, only its SHA-256
is kept, and printing a new card for the household revokes the old one (one current card
per household is a database constraint). The card also carries four one-time rating
codes, one per quarter of its year: the household rates its cadre once a quarter by
entering that quarter's code on the card's page. Only a keyed hash of each code is kept
(`salted_hmac` with the site's secret key, so the table alone does not give the codes
away; rotating the key through SECRET_KEY_FALLBACKS keeps printed codes valid). After
`CODE_FAILURES_MAX` wrong codes the card takes no more codes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.masking import mask_id_number
from fupin.pairing.access import printer_allowed
from fupin.pairing.card_pdf import CardPrint
from fupin.pairing.choices import ObjectionStatus, PostingKind, PostingStatus, Satisfaction
from fupin.pairing.models import (
    ANSWERERS,
    Assignment,
    CardCode,
    CardObjection,
    CardRating,
    ContactCard,
    PostApplication,
    PostingMember,
)
from fupin.pairing.services import PAIRED_STATUSES, PairingError
from fupin.regions.models import Region
from fupin.registry.choices import Cause
from fupin.registry.models import Household, Member
from fupin.support.models import Measure

TOKEN_BYTES = 24
CODE_DIGITS = 8
CODE_FAILURES_MAX = 10
QUARTERS = (1, 2, 3, 4)
_CODE_SALT = "fupin.pairing.cards.rating_code"
REGION_LENGTHS = (2, 4, 6, 9, 12)


@dataclass(frozen=True)
class PrintedCard:
    """A card just printed: its row, and what goes on paper (the token and codes, once)."""

    card: ContactCard
    print: CardPrint


def token_hash(raw: str) -> str:
    """The stored form of a card's token: its SHA-256, hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def card_url(raw: str) -> str:
    """The address the card's QR code carries."""
    return f"{settings.PUBLIC_URL.rstrip('/')}/card/{raw}/"


def quarter_of(day: date) -> int:
    """The quarter (1-4) a day falls in."""
    return (day.month - 1) // 3 + 1


def _code_hash(card_id: int, quarter: int, code: str, secret: str | None = None) -> str:
    value = f"{card_id}:{quarter}:{code}"
    return salted_hmac(_CODE_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def _code_matches(card_id: int, quarter: int, code: str, stored: str) -> bool:
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(_code_hash(card_id, quarter, code, secret), stored)
        for secret in secrets_in_use
    )


# --- printing -------------------------------------------------------------------------


def card_print(*, household: Household, on: date, actor: Actor) -> PrintedCard:
    """Print a new card for one household (revoking its current card)."""
    return cards_print(households=[household], on=on, actor=actor)[0]


def cards_print(*, households: Sequence[Household], on: date, actor: Actor) -> list[PrintedCard]:
    """Print new cards for households, set-wise: the current cards revoked with one UPDATE,
    the new cards and their codes inserted in bulk, one audit event per village. Refused
    whole (nothing written) if any household has no paired cadre, is off the register, or
    lies outside what the actor may print."""
    if not households:
        return []
    ids = [household.pk for household in households]
    with transaction.atomic():
        rows = list(
            Household.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("village")
            .order_by("village_id", "household_no")
        )
        cadres = _current_cadres(ids)
        for village in {row.village_id for row in rows}:
            _check_printer(actor, village, [row.pk for row in rows if row.village_id == village])
        for row in rows:
            if row.status not in PAIRED_STATUSES:
                raise PairingError("not_on_register", f"household {row.household_no} is not on "
                                   "the register")  # fmt: skip
            if row.pk not in cadres:
                raise PairingError("no_cadre", f"household {row.household_no} has no paired "
                                   "cadre: pair it before printing its card")  # fmt: skip
        now = timezone.now()
        ContactCard.objects.filter(household_id__in=ids, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason="a new card was printed"
        )
        facts = _facts(rows, cadres, on)
        raws = {row.pk: secrets.token_urlsafe(TOKEN_BYTES) for row in rows}
        cards = ContactCard.objects.bulk_create(
            ContactCard(
                household_id=row.pk, cadre_id=cadres[row.pk].cadre_id, year=on.year,
                token_hash=token_hash(raws[row.pk]), facts=facts[row.pk], printed_at=now,
                printed_by_id=actor.user_id,
            )
            for row in rows
        )  # fmt: skip
        if not all(card.pk for card in cards):  # SQLite before 3.35 returns no ids
            by_hash = dict(
                ContactCard.objects.filter(
                    token_hash__in=[card.token_hash for card in cards]
                ).values_list("token_hash", "pk")
            )
            for card in cards:
                card.pk = by_hash[card.token_hash]
        codes = {card.pk: _new_codes() for card in cards}
        CardCode.objects.bulk_create(
            CardCode(card_id=card.pk, quarter=quarter,
                     code_hash=_code_hash(card.pk, quarter, codes[card.pk][quarter - 1]))
            for card in cards
            for quarter in QUARTERS
        )  # fmt: skip
        for village in sorted({row.village_id for row in rows}):
            printed = [
                card for card, row in zip(cards, rows, strict=True) if row.village_id == village
            ]
            audit_record(
                actor=actor,
                spec=EventSpec(
                    action="contact_card.print", object_type="village", object_id=village,
                    region_code=village,
                    after={"cards": [card.pk for card in printed],
                           "households": [card.household_id for card in printed],
                           "year": on.year},
                ),
            )  # fmt: skip
    return [
        PrintedCard(card, _card_print(card, raws[card.household_id], codes[card.pk], on))
        for card in cards
    ]


def village_households_to_print(village_code: str) -> list[Household]:
    """The households of a village that get a card: on the register, with a paired cadre."""
    paired = Assignment.objects.filter(primary=True, ended_on__isnull=True)
    return list(
        Household.objects.filter(
            village_id=village_code, status__in=PAIRED_STATUSES,
            pk__in=paired.values("household_id"),
        ).order_by("household_no")
    )  # fmt: skip


def _new_codes() -> tuple[str, ...]:
    return tuple(f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}" for _ in QUARTERS)


def _check_printer(actor: Actor, village: str, household_ids: list[int]) -> None:
    """Keepers of the village print its cards; a paired cadre prints their own households'."""
    if actor.user is None or printer_allowed(actor.user, village, household_ids):
        return
    raise PairingError(
        "role_not_allowed",
        "cards are printed by the village, township or county, or by the household's cadre",
    )


def _current_cadres(ids: Sequence[int]) -> dict[int, Assignment]:
    assignments = Assignment.objects.filter(
        household_id__in=ids, primary=True, ended_on__isnull=True
    ).select_related("cadre")
    return {assignment.household_id: assignment for assignment in assignments}


def _region_names(codes: set[str]) -> dict[str, str]:
    wanted = {code[:length] for code in codes for length in REGION_LENGTHS}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


def _place(village: str, names: dict[str, str]) -> str:
    parts = [names.get(village[:length], "") for length in REGION_LENGTHS]
    # A municipality repeats its name at the prefecture level (北京市 / 市辖区): keep one.
    return "".join(part for part in parts if part and part != "市辖区")


def _facts(
    rows: list[Household], cadres: dict[int, Assignment], on: date
) -> dict[int, dict[str, object]]:
    """What each card says, as printed (stored with the card)."""
    ids = [row.pk for row in rows]
    members = Member.objects.filter(household_id__in=ids, is_active=True)
    counts: dict[int, int] = {}
    heads: dict[int, tuple[str, str]] = {}
    for household_id, name, id_number, relation in members.values_list(
        "household_id", "name", "id_number", "relation"
    ):
        counts[household_id] = counts.get(household_id, 0) + 1
        if relation == "head":
            heads[household_id] = (name, id_number)
    names = _region_names({row.village_id for row in rows})
    contacts = _village_contacts({row.village_id for row in rows}, on)
    measures, totals = _measures(ids, on.year)
    facts: dict[int, dict[str, object]] = {}
    for row in rows:
        assignment = cadres[row.pk]
        cadre = assignment.cadre
        head_name, head_id = heads.get(row.pk, ("", ""))
        causes = [c for c in (row.main_cause, row.second_cause, row.third_cause) if c]
        facts[row.pk] = {
            "region": _place(row.village_id, names),
            "household_no": row.household_no,
            "head_name": head_name,
            "head_id_masked": mask_id_number(head_id),
            "members": counts.get(row.pk, 0),
            "category": row.get_category_display() if row.category else "",
            "causes": [str(Cause(cause).label) for cause in causes],
            "status": row.get_status_display(),
            "cadre_name": cadre.name,
            "cadre_unit": cadre.unit,
            "cadre_phone": cadre.phone,
            "cadre_since": assignment.started_on.isoformat(),
            "village_contact": contacts.get(row.village_id, ""),
            "measures": measures.get(row.pk, []),
            "support_total": _yuan(totals[row.pk]) if row.pk in totals else "",
            "printed_on": on.isoformat(),
        }
    return facts


def _number(amount: Decimal) -> str:
    """An amount of yuan as people write it: 1,600 or 12.50."""
    whole = amount == amount.to_integral()
    return f"{amount.quantize(Decimal(1)):,}" if whole else f"{amount:,.2f}"


def _yuan(amount: Decimal) -> str:
    return f"{_number(amount)}元"


def _measures(
    ids: Sequence[int], year: int
) -> tuple[dict[int, list[list[str]]], dict[int, Decimal]]:
    """This year's support the system records for each household, as card rows (kind,
    what, amount) and totals of value: labour posts held by a member (and the pay
    received) and the assistance ledger's measures (red-list rewards among them)."""
    rows: dict[int, list[list[str]]] = {}
    totals: dict[int, Decimal] = {}
    applications = (
        PostApplication.objects.filter(person__household_id__in=ids, assigned_on__isnull=False)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__year__gte=year), assigned_on__year__lte=year)
        .select_related("post", "person")
        .annotate(paid=Sum("work_months__amount_paid", filter=Q(work_months__year=year)))
        .order_by("assigned_on", "pk")
    )
    for application in applications:
        household = application.person.household_id
        post = application.post
        paid = application.paid or Decimal(0)
        rows.setdefault(household, []).append(
            [
                "公益岗位",
                f"{application.person.name}：{post.title}（{_number(post.pay_amount)}{post.get_pay_unit_display()}）",
                _yuan(paid) if paid else "",
            ]
        )
        totals[household] = totals.get(household, Decimal(0)) + paid
    ledger = Measure.objects.filter(household_id__in=ids, year=year).order_by("given_on", "pk")
    for measure in ledger:
        rows.setdefault(measure.household_id, []).append(
            [measure.get_measure_type_display(), measure.description,
             _yuan(measure.value) if measure.value else ""]
        )  # fmt: skip
        totals[measure.household_id] = totals.get(measure.household_id, Decimal(0)) + measure.value
    return rows, totals


def _village_contacts(villages: set[str], on: date) -> dict[str, str]:
    """The first secretary in each village on `on` (name and phone), for the card."""
    members = PostingMember.objects.filter(
        posting__village_id__in=villages, posting__kind=PostingKind.FIRST_SECRETARY,
        posting__status=PostingStatus.ACTIVE, joined_on__lte=on, left_on__isnull=True,
    ).values_list("posting__village_id", "name", "phone")  # fmt: skip
    return {village: f"第一书记 {name} {phone}" for village, name, phone in members}


def _card_print(card: ContactCard, raw: str, codes: tuple[str, ...], on: date) -> CardPrint:
    facts = card.facts
    return CardPrint(
        year=card.year,
        region=str(facts["region"]),
        household_no=str(facts["household_no"]),
        head_name=str(facts["head_name"]),
        head_id_masked=str(facts["head_id_masked"]),
        members=int(facts["members"]),
        category=str(facts["category"]),
        causes=[str(cause) for cause in facts["causes"]],
        status_label=str(facts["status"]),
        measures=[(str(a), str(b), str(c)) for a, b, c in facts.get("measures", [])],
        support_total=str(facts.get("support_total", "")),
        cadre_name=str(facts["cadre_name"]),
        cadre_unit=str(facts["cadre_unit"]),
        cadre_phone=str(facts["cadre_phone"]),
        cadre_since=date.fromisoformat(str(facts["cadre_since"])),
        village_contact=str(facts.get("village_contact", "")),
        township_phone="",
        verify_url=card_url(raw),
        rating_codes=(codes[0], codes[1], codes[2], codes[3]),
        printed_on=on,
        card_no=f"{card.pk:08d}",
    )


# --- the card's page ------------------------------------------------------------------


@dataclass(frozen=True)
class CardStanding:
    """A card found by its token, and whether it is still the household's current card."""

    card: ContactCard
    current: bool
    why_not: str


def card_by_token(raw: str) -> CardStanding | None:
    """The card a token belongs to, or None for a token that matches no card."""
    if not raw or len(raw) > 100:
        return None
    card = (
        ContactCard.objects.select_related("household", "household__village", "cadre")
        .filter(token_hash=token_hash(raw))
        .first()
    )
    if card is None:
        return None
    if card.revoked_at is not None:
        return CardStanding(card, False, "a newer card has been printed for this household")
    paired = Assignment.objects.filter(
        household_id=card.household_id, primary=True, ended_on__isnull=True
    ).values_list("cadre_id", flat=True)
    if card.cadre_id not in set(paired):
        return CardStanding(card, False, "the household's paired cadre has changed")
    if card.household.status not in PAIRED_STATUSES:
        return CardStanding(card, False, "the household is no longer on the register")
    return CardStanding(card, True, "")


def card_rate(*, raw: str, code: str, satisfaction: str, comment: str = "", on: date) -> CardRating:
    """The household rates its cadre for the quarter of `on` with that quarter's code."""
    if satisfaction not in Satisfaction.values:
        raise PairingError("satisfaction", "choose 满意, 基本满意 or 不满意")
    standing = _current_card(raw)
    card = standing.card
    if card.year != on.year:
        raise PairingError("card_year", f"this card is for {card.year}; ask for this year's card")
    quarter = quarter_of(on)
    code = "".join(char for char in code if char.isdigit())
    with transaction.atomic():
        locked = ContactCard.objects.select_for_update().get(pk=card.pk)
        if locked.code_failures >= CODE_FAILURES_MAX:
            raise PairingError(
                "card_locked", "too many wrong codes: ask the village for a new card"
            )
        stored = CardCode.objects.select_for_update().get(card=card, quarter=quarter)
        right = _code_matches(card.pk, quarter, code, stored.code_hash)
        if not right:  # counted, and committed: the refusal comes after the transaction
            ContactCard.objects.filter(pk=card.pk).update(code_failures=F("code_failures") + 1)
        elif (
            stored.used_at is not None
            or CardRating.objects.filter(
                household_id=card.household_id, year=on.year, quarter=quarter
            ).exists()
        ):
            raise PairingError("rated_already", f"the household has rated quarter {quarter}")
        else:
            now = timezone.now()
            stored.used_at = now
            stored.save(update_fields=["used_at"])
            rating = CardRating.objects.create(
                household_id=card.household_id, card=card, cadre_id=card.cadre_id,
                year=on.year, quarter=quarter, satisfaction=satisfaction,
                comment=comment.strip()[:500], created_at=now,
            )  # fmt: skip
            audit_record(
                actor=Actor(None, "household"),
                spec=EventSpec(
                    action="contact_card.rate", object_type="household",
                    object_id=str(card.household_id), region_code=card.household.village_id,
                    after={"card": card.pk, "cadre": card.cadre_id, "year": on.year,
                           "quarter": quarter, "satisfaction": satisfaction},
                ),
            )  # fmt: skip
    if not right:
        raise PairingError("code_wrong", f"the rating code for quarter {quarter} is not right")
    return rating


def card_object(*, raw: str, text: str, contact_phone: str = "") -> CardObjection:
    """The household raises an objection from its card; it reaches the township."""
    standing = card_by_token(raw)
    if standing is None:
        raise PairingError("card_unknown", "no such card")
    text = text.strip()
    if not 5 <= len(text) <= 1000:
        raise PairingError("text_length", "say what the objection is about (5 to 1000 characters)")
    card = standing.card
    with transaction.atomic():
        open_count = CardObjection.objects.filter(
            household_id=card.household_id, status=ObjectionStatus.OPEN
        ).count()
        if open_count >= 5:
            raise PairingError("objections_open", "five objections wait for an answer already")
        objection = CardObjection.objects.create(
            household_id=card.household_id, card=card, text=text,
            contact_phone=contact_phone.strip()[:20], created_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=Actor(None, "household"),
            spec=EventSpec(
                action="contact_card.object", object_type="household",
                object_id=str(card.household_id), region_code=card.household.village_id,
                after={"card": card.pk, "objection": objection.pk},
            ),
        )  # fmt: skip
    return objection


def objection_answer(
    *, objection: CardObjection, answer: str, upheld: bool, actor: Actor
) -> CardObjection:
    """The township (or county) answers an objection, saying whether it was found true
    (属实: it counts against the cadre's scorecard); the household reads it on its card."""
    village = objection.household.village_id
    if actor.user is not None and not roles_at(actor.user, village) & ANSWERERS:
        raise PairingError("role_not_allowed", "objections are answered by the township or county")
    answer = answer.strip()
    if not answer:
        raise PairingError("answer_missing", "an answer says what was found and done")
    with transaction.atomic():
        objection = CardObjection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise PairingError("answered_already", "the objection has been answered")
        objection.status = ObjectionStatus.ANSWERED
        objection.answer = answer[:1000]
        objection.upheld = upheld
        objection.answered_at = timezone.now()
        objection.answered_by_id = actor.user_id
        objection.save(
            update_fields=["status", "answer", "upheld", "answered_at", "answered_by_id"]
        )
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="card_objection.answer", object_type="household",
                object_id=str(objection.household_id), region_code=village,
                after={"objection": objection.pk, "upheld": upheld},
            ),
        )  # fmt: skip
    return objection


def _current_card(raw: str) -> CardStanding:
    standing = card_by_token(raw)
    if standing is None:
        raise PairingError("card_unknown", "no such card")
    if not standing.current:
        raise PairingError("card_not_current", f"this card is no longer valid: {standing.why_not}")
    return standing


def card_quarter_open(card: ContactCard, on: date) -> bool:
    """Whether the household may still rate this quarter with this card."""
    if card.year != on.year or card.code_failures >= CODE_FAILURES_MAX:
        return False
    return not CardRating.objects.filter(
        household_id=card.household_id, year=on.year, quarter=quarter_of(on)
    ).exists()


def objections_of(card: ContactCard) -> list[CardObjection]:
    """The household's objections raised from any of its cards, newest first."""
    return list(
        CardObjection.objects.filter(household_id=card.household_id).order_by("-created_at")[:20]
    )
