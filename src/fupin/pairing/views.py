"""The pairing pages: printing contact cards, the page a card's QR code opens (no login:
the card's token is the household's key to its own card), objections for the township,
and the pairing gaps.

Every page that acts for a logged-in user reads through `core.access` (`access_get`,
`restrict`); the card's page is reached only by a token that matches a card, and an
unknown token answers the same 404 as any missing page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.core.access import access_get, personal_data_visible, restrict, user_prefixes
from fupin.core.audit import Actor
from fupin.core.masking import mask_id_number
from fupin.core.rules import KEEPERS
from fupin.pairing import cards
from fupin.pairing.card_pdf import card_pdf, cards_pdf
from fupin.pairing.choices import ObjectionStatus, ProposalStatus, Satisfaction, UnitLevel
from fupin.pairing.models import (
    Assignment,
    AssignmentProposal,
    Cadre,
    CardObjection,
    CardRating,
    ContactCard,
    ProposalRow,
)
from fupin.pairing.proposals import proposal_apply, proposal_discard, proposal_make
from fupin.pairing.queries import cadres_list, objections_list, pairing_gaps, successors_for
from fupin.pairing.services import (
    PAIRED_STATUSES,
    PairingError,
    assignment_end,
    assignment_open,
    cadre_register,
    cadre_rotate,
)
from fupin.regions.models import Level, Region
from fupin.registry.models import Household
from fupin.web.views import page_number

OBJECTIONS_PER_PAGE = 50


def _private(response: HttpResponse) -> HttpResponse:
    """A card's page carries its token in the address: never cached, never sent on as a
    referrer to another site, never indexed. (Not "no-referrer": Chromium then sends the
    page's own form posts with `Origin: null`, which Django's CSRF check refuses.)"""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _standing(token: str) -> cards.CardStanding:
    standing = cards.card_by_token(token)
    if standing is None:
        raise Http404("no such card")
    return standing


def _card_context(standing: cards.CardStanding, **extra: Any) -> dict[str, Any]:
    card = standing.card
    today = timezone.localdate()
    rated = CardRating.objects.filter(household_id=card.household_id, year=today.year)
    return {
        "standing": standing,
        "card": card,
        "facts": card.facts,
        "quarter": cards.quarter_of(today),
        "may_rate": standing.current and cards.card_quarter_open(card, today),
        "rated": {rating.quarter: rating for rating in rated},
        "satisfactions": Satisfaction.choices,
        "objections": cards.objections_of(card),
        "code_digits": cards.CODE_DIGITS,
        **extra,
    }


@require_GET
def card_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page a card's QR code opens: what the card says, whether it is still the current
    card, the household's ratings and objections, and the forms to add one."""
    standing = _standing(token)
    return _private(render(request, "pairing/card.html", _card_context(standing)))


@require_POST
@csrf_protect
def card_rate(request: HttpRequest, token: str) -> HttpResponse:
    """The household rates its cadre for this quarter with the quarter's code."""
    _standing(token)
    try:
        cards.card_rate(
            raw=token, code=request.POST.get("code", ""),
            satisfaction=request.POST.get("satisfaction", ""),
            comment=request.POST.get("comment", ""), on=timezone.localdate(),
        )  # fmt: skip
    except PairingError as exc:
        context = _card_context(_standing(token), rate_error=str(exc))
        return _private(render(request, "pairing/card.html", context, status=400))
    messages.success(request, _("评价已收到，谢谢。"))
    return _private(redirect("pairing:card", token=token))


@require_POST
@csrf_protect
def card_object(request: HttpRequest, token: str) -> HttpResponse:
    """The household raises an objection; it reaches the township."""
    standing = _standing(token)
    try:
        cards.card_object(
            raw=token, text=request.POST.get("text", ""),
            contact_phone=request.POST.get("contact_phone", ""),
        )  # fmt: skip
    except PairingError as exc:
        text = request.POST.get("text", "")
        context = _card_context(standing, object_error=str(exc), object_text=text)
        return _private(render(request, "pairing/card.html", context, status=400))
    messages.success(request, _("意见已送达乡镇，答复后在本页显示。"))
    return _private(redirect("pairing:card", token=token))


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
def household_card_pdf(request: HttpRequest, household_id: int) -> HttpResponse:
    """Print a new contact card for one household (the old one stops being valid)."""
    household = access_get(Household.objects.all(), request.user, "view", pk=household_id)
    try:
        printed = cards.card_print(
            household=household, on=timezone.localdate(), actor=Actor.of(request.user)
        )
    except PairingError as exc:
        messages.error(request, str(exc))
        return redirect("web:household", household_id=household.pk)
    return _pdf(card_pdf(printed.print), f"card-{household.household_no}.pdf")


def _village(request: HttpRequest, code: str) -> Region:
    village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    households = restrict(Household.objects.filter(village_id=code), request.user, "view")
    if village is None or not households.exists():
        raise Http404("no such village")
    return village


@login_required
@require_GET
def village_cards(request: HttpRequest, code: str) -> HttpResponse:
    """A village's households on the register, their paired cadre and current card."""
    village = _village(request, code)
    households = (
        restrict(Household.objects.filter(village_id=code), request.user, "view")
        .filter(status__in=PAIRED_STATUSES)
        .order_by("household_no")
    )
    ids = list(households.values_list("pk", flat=True))
    paired = {
        a.household_id: a
        for a in restrict(Assignment.objects.filter(household_id__in=ids), request.user, "view")
        .filter(primary=True, ended_on__isnull=True)
        .select_related("cadre")
    }
    current = dict(
        restrict(ContactCard.objects.filter(household_id__in=ids), request.user, "view")
        .filter(revoked_at__isnull=True)
        .values_list("household_id", "printed_at")
    )
    rows = [(h, paired.get(h.pk), current.get(h.pk)) for h in households]
    return render(request, "pairing/village_cards.html", {
        "section": "pairing", "village": village, "rows": rows,
        "printable": sum(1 for _, assignment, _ in rows if assignment),
    })  # fmt: skip


@login_required
@require_POST
def village_cards_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Print new cards for every paired household of a village: one PDF, two cards an A4."""
    _village(request, code)
    readable = set(
        restrict(Household.objects.filter(village_id=code), request.user, "view").values_list(
            "pk", flat=True
        )
    )
    households = [h for h in cards.village_households_to_print(code) if h.pk in readable]
    if not households:
        messages.error(request, _("本村没有已结对的在册户，无卡可印。"))
        return redirect("pairing:village_cards", code=code)
    try:
        printed = cards.cards_print(
            households=households, on=timezone.localdate(), actor=Actor.of(request.user)
        )
    except PairingError as exc:
        messages.error(request, str(exc))
        return redirect("pairing:village_cards", code=code)
    return _pdf(cards_pdf([p.print for p in printed]), f"cards-{code}.pdf")


@login_required
@require_GET
def objection_list(request: HttpRequest) -> HttpResponse:
    """Objections raised from contact cards in the user's scope, the open ones first."""
    status = request.GET.get("status", "")
    if status not in ObjectionStatus.values:
        status = ""
    objections = objections_list(user=request.user, status=status)
    number = page_number(request)
    start = (number - 1) * OBJECTIONS_PER_PAGE
    rows = list(objections[start : start + OBJECTIONS_PER_PAGE + 1])
    answerable = set(
        restrict(CardObjection.objects.filter(pk__in=[o.pk for o in rows]), request.user, "change")
        .filter(status=ObjectionStatus.OPEN)
        .values_list("pk", flat=True)
    )
    return render(request, "pairing/objections.html", {
        "section": "objections", "objections": rows[:OBJECTIONS_PER_PAGE],
        "answerable": answerable, "status": status, "statuses": ObjectionStatus.choices,
        "page_number": number, "has_next": len(rows) > OBJECTIONS_PER_PAGE,
    })  # fmt: skip


@login_required
@require_POST
def objection_answer(request: HttpRequest, objection_id: int) -> HttpResponse:
    """The township or county answers an objection."""
    objection = access_get(
        CardObjection.objects.select_related("household"), request.user, "change",
        pk=objection_id,
    )  # fmt: skip
    upheld = request.POST.get("upheld", "")
    try:
        if upheld not in ("yes", "no"):
            raise PairingError("upheld_missing", _("请说明经核实是否属实。"))
        cards.objection_answer(
            objection=objection, answer=request.POST.get("answer", ""),
            upheld=upheld == "yes", actor=Actor.of(request.user),
        )  # fmt: skip
    except PairingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已答复。"))
    return redirect("pairing:objections")


@login_required
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    """Households on the register without a paired cadre, counted per township and county."""
    counties = pairing_gaps(user=request.user, level_length=6)
    townships = pairing_gaps(user=request.user, level_length=9)
    codes = {code for code, _ in counties} | {code for code, _ in townships}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return render(request, "pairing/gaps.html", {
        "section": "pairing",
        "counties": [(code, names.get(code, ""), count) for code, count in counties],
        "townships": [(code, names.get(code, ""), count) for code, count in townships],
    })  # fmt: skip


PROPOSAL_ROWS_SHOWN = 100


@login_required
@require_http_methods(["GET", "POST"])
def proposals(request: HttpRequest) -> HttpResponse:
    """The automatic pairing proposals in scope; a county or township office proposes one
    for a region it covers (shown for approval before anything is paired)."""
    error = ""
    if request.method == "POST":
        region = request.POST.get("region", "").strip()
        starts = request.POST.get("starts_on", "")
        try:
            starts_on = date.fromisoformat(starts) if starts else timezone.localdate()
            proposal = proposal_make(
                region_code=region, starts_on=starts_on, actor=Actor.of(request.user)
            )
        except ValueError as exc:  # PairingError is one; a malformed date is the other
            error = str(exc) if isinstance(exc, PairingError) else _("日期格式应为 2016-03-01")
        else:
            return redirect("pairing:proposal", proposal_id=proposal.pk)
    listed = restrict(AssignmentProposal.objects.all(), request.user, "view").order_by("-pk")
    return render(request, "pairing/proposals.html", {
        "section": "pairing", "proposals": listed[:50], "error": error,
        "today": timezone.localdate(),
    }, status=400 if error else 200)  # fmt: skip


@login_required
@require_GET
def proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """A proposal: households matched at each distance and per county, the first rows,
    and (to its county or township office, while it waits) apply or discard."""
    item = access_get(AssignmentProposal.objects.all(), request.user, "view", pk=proposal_id)
    rows = (
        restrict(ProposalRow.objects.filter(proposal=item), request.user, "view")
        .select_related("household", "cadre")
        .order_by("household__village_id", "household__household_no")[:PROPOSAL_ROWS_SHOWN]
    )
    may_decide = (
        item.status == ProposalStatus.PROPOSED
        and restrict(AssignmentProposal.objects.filter(pk=item.pk), request.user, "change").exists()
    )
    return render(request, "pairing/proposal.html", {
        "section": "pairing", "proposal": item, "rows": rows, "may_decide": may_decide,
        "shown": PROPOSAL_ROWS_SHOWN, "summary": item.summary,
    })  # fmt: skip


@login_required
@require_POST
def proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Apply a proposal (open its assignments) or discard it."""
    item = access_get(AssignmentProposal.objects.all(), request.user, "change", pk=proposal_id)
    actor = Actor.of(request.user)
    try:
        if request.POST.get("decision") == "apply":
            done = proposal_apply(proposal=item, actor=actor)
            messages.success(request, _("已结对 %(n)s 户。") % {"n": done.opened})
        elif request.POST.get("decision") == "discard":
            proposal_discard(proposal=item, actor=actor)
            messages.success(request, _("方案已放弃。"))
        else:
            messages.error(request, _("请选择执行或放弃。"))
    except PairingError as exc:
        messages.error(request, str(exc))
    return redirect("pairing:proposal", proposal_id=item.pk)


CADRES_PER_PAGE = 50


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PairingError("date_invalid", _("日期格式应为 2016-03-01")) from None


@login_required
@require_http_methods(["GET", "POST"])
def cadres(request: HttpRequest) -> HttpResponse:
    """The cadres serving in scope, searched by region and name, with the households each
    answers for today; the county, township and village posts register one here."""
    error, posted = "", request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            made = cadre_register(
                name=request.POST.get("name", ""), id_number=request.POST.get("id_number", ""),
                phone=request.POST.get("phone", ""), unit=request.POST.get("unit", ""),
                unit_level=request.POST.get("unit_level", ""),
                region_code=request.POST.get("region_code", "").strip(),
                actor=Actor.of(request.user),
            )  # fmt: skip
        except PairingError as exc:
            error = str(exc)
        else:
            messages.success(request, _("已登记帮扶责任人 %(name)s。") % {"name": made.name})
            return redirect("pairing:cadre", cadre_id=made.pk)
    region = request.GET.get("region", "")
    region = region if region.isdigit() and len(region) <= 12 else ""
    name = request.GET.get("q", "").strip()[:50]
    number = page_number(request)
    start = (number - 1) * CADRES_PER_PAGE
    rows = list(cadres_list(user=request.user, region=region, name=name)[
        start : start + CADRES_PER_PAGE + 1
    ])  # fmt: skip
    holder = request.user if request.user.is_authenticated else None
    may_register = bool(user_prefixes(holder, KEEPERS))
    return render(request, "pairing/cadres.html", {
        "section": "pairing", "cadres": rows[:CADRES_PER_PAGE], "region": region, "q": name,
        "page_number": number, "has_next": len(rows) > CADRES_PER_PAGE, "error": error,
        "posted": posted, "may_register": may_register, "levels": UnitLevel.choices,
    }, status=400 if error else 200)  # fmt: skip


@login_required
@require_GET
def cadre(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """A cadre: who, the households they answer for today and before, their ratings, the
    visits overdue; the rotation of all their households to a successor."""
    item = access_get(cadres_list(user=request.user), request.user, "view", pk=cadre_id)
    assignments = (
        restrict(Assignment.objects.filter(cadre=item), request.user, "view")
        .select_related("household", "household__village")
        .order_by(F("ended_on").desc(nulls_first=True), "household__household_no")
    )
    ratings = (
        restrict(CardRating.objects.filter(cadre=item), request.user, "view")
        .values("satisfaction")
        .annotate(n=Count("id"))
    )
    counted = {row["satisfaction"]: row["n"] for row in ratings}
    full = personal_data_visible(request.user, item.region_code)
    may_rotate = restrict(Cadre.objects.filter(pk=item.pk), request.user, "change").exists()
    return render(request, "pairing/cadre.html", {
        "section": "pairing", "cadre": item, "assignments": list(assignments[:200]),
        "id_number": item.id_number if full else mask_id_number(item.id_number),
        "ratings": [(label, counted.get(value, 0)) for value, label in Satisfaction.choices],
        "may_rotate": may_rotate,
        "successors": successors_for(user=request.user, cadre=item,
                                     year=timezone.localdate().year) if may_rotate else [],
        "today": timezone.localdate(),
    })  # fmt: skip


@login_required
@require_POST
def cadre_rotation(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """Hand every household of the cadre to a successor (轮换)."""
    item = access_get(Cadre.objects.all(), request.user, "change", pk=cadre_id)
    successor_id = request.POST.get("successor", "")
    successor = (
        Cadre.objects.filter(pk=int(successor_id)).first() if successor_id.isdigit() else None
    )
    try:
        if (
            successor is None
            or not restrict(Cadre.objects.filter(pk=successor.pk), request.user, "view").exists()
        ):
            raise PairingError("successor_unknown", _("没有这位接任的帮扶责任人"))
        opened = cadre_rotate(
            cadre=item, successor=successor, on=_day(request.POST.get("on", "")),
            reason=request.POST.get("reason", ""), actor=Actor.of(request.user),
        )  # fmt: skip
    except PairingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已将 %(n)s 户交由 %(name)s 帮扶。") % {
            "n": len(opened), "name": successor.name})  # fmt: skip
    return redirect("pairing:cadre", cadre_id=item.pk)


@login_required
@require_POST
def household_assignment(request: HttpRequest, household_id: int) -> HttpResponse:
    """Pair a household with a cadre who has room (the keepers of the village)."""
    household = access_get(Household.objects.all(), request.user, "change", pk=household_id)
    chosen = request.POST.get("cadre", "")
    helper = Cadre.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    try:
        if (
            helper is None
            or not restrict(Cadre.objects.filter(pk=helper.pk), request.user, "view").exists()
        ):
            raise PairingError("cadre_unknown", _("请选择帮扶责任人"))
        assignment_open(cadre=helper, household=household, on=_day(request.POST.get("on", "")),
                        actor=Actor.of(request.user))  # fmt: skip
    except PairingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已结对：%(name)s。") % {"name": helper.name})
    return redirect("web:household", household_id=household.pk)


@login_required
@require_POST
def assignment_finish(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """End an open assignment with its reason (the keepers of the village)."""
    assignment = access_get(Assignment.objects.select_related("household"), request.user,
                            "change", pk=assignment_id)  # fmt: skip
    try:
        assignment_end(
            assignment=assignment, on=_day(request.POST.get("on", "")),
            reason=request.POST.get("reason", ""), actor=Actor.of(request.user),
        )  # fmt: skip
    except PairingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("结对已结束。"))
    return redirect("web:household", household_id=assignment.household_id)
