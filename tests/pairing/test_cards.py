"""Contact cards (精准帮扶联系卡): printing and revoking, the card's page reached by its token
without login, quarterly ratings with one-time codes, objections that reach the township."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from fupin.core.models import AuditEvent
from fupin.pairing import cards
from fupin.pairing.models import CardCode, CardObjection, CardRating, ContactCard
from fupin.pairing.queries import objections_list
from fupin.pairing.services import PairingError, assignment_end, assignment_open
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member
from tests.pairing.test_services import cadre, poor
from tests.targeting.conftest import OTHER_VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
ON = date(2016, 11, 1)
TODAY = date(2016, 11, 20)  # the fourth quarter of the card's year


def paired(posts: Posts, number: str = "H1", helper_no: int = 1) -> Household:  # noqa: F811
    household = poor(number)
    Member.objects.create(
        household=household, name="王大山", relation="head", sex="M",
        birth_date=date(1960, 5, 1), ethnicity="汉族", health="healthy",
        id_number=id_make("522727", date(1960, 5, 1), 10 + helper_no),
    )  # fmt: skip
    helper = cadre(posts, helper_no, level="county", unit="平塘县财政局", phone="13912345678")
    assignment_open(cadre=helper, household=household, on=ON, actor=posts.county)
    return household


def token_of(printed: cards.PrintedCard) -> str:
    return printed.print.verify_url.rstrip("/").rsplit("/", 1)[1]


def test_a_card_says_who_helps_and_keeps_only_hashes(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    card, sheet = printed.card, printed.print
    assert (sheet.head_name, sheet.members, sheet.cadre_name) == ("王大山", 1, "干部1")
    assert sheet.cadre_phone == "13912345678" and sheet.cadre_unit == "平塘县财政局"
    assert sheet.head_id_masked.startswith("522727") and "*" in sheet.head_id_masked
    assert "贵州省" in sheet.region and sheet.verify_url.startswith("http")
    token = token_of(printed)
    assert len(token) >= 32 and card.token_hash == cards.token_hash(token)
    stored = ContactCard.objects.get()
    assert token not in str(stored.facts) and stored.token_hash != token
    codes = CardCode.objects.filter(card=card).order_by("quarter")
    assert [c.quarter for c in codes] == [1, 2, 3, 4]
    assert all(code not in c.code_hash for c, code in zip(codes, sheet.rating_codes, strict=True))
    assert len(set(sheet.rating_codes)) == 4 and all(len(c) == 8 for c in sheet.rating_codes)
    event = AuditEvent.objects.get(action="contact_card.print")
    assert event.after["households"] == [household.pk]
    standing = cards.card_by_token(token)
    assert standing is not None and standing.current


def test_a_new_card_revokes_the_old_one(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    old = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    new = cards.card_print(household=household, on=TODAY, actor=posts.township)
    standing = cards.card_by_token(token_of(old))
    assert standing is not None and not standing.current
    assert "newer card" in standing.why_not
    fresh = cards.card_by_token(token_of(new))
    assert fresh is not None and fresh.current
    assert ContactCard.objects.filter(revoked_at__isnull=True).count() == 1
    assert cards.card_by_token("x" * 32) is None


def test_a_card_stops_being_current_when_the_cadre_changes(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    assignment = household.assignments.get()
    assignment_end(assignment=assignment, on=TODAY, reason="调岗", actor=posts.county)
    standing = cards.card_by_token(token_of(printed))
    assert standing is not None and not standing.current
    with pytest.raises(PairingError) as refused:
        cards.card_rate(raw=token_of(printed), code=printed.print.rating_codes[3],
                        satisfaction="satisfied", on=TODAY)  # fmt: skip
    assert refused.value.code == "card_not_current"


def test_printing_is_refused_whole(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    unpaired = poor("H2")
    with pytest.raises(PairingError) as refused:
        cards.cards_print(households=[household, unpaired], on=TODAY, actor=posts.cadre)
    assert refused.value.code == "no_cadre"
    with pytest.raises(PairingError) as outside:
        cards.card_print(household=household, on=TODAY, actor=posts.other_cadre)
    assert outside.value.code == "role_not_allowed"
    assert not ContactCard.objects.exists() and not CardCode.objects.exists()
    assert not AuditEvent.objects.filter(action="contact_card.print").exists()


def test_the_paired_cadre_prints_their_own_households_only(posts: Posts) -> None:  # noqa: F811
    from fupin.core.access import grant_add

    household = paired(posts)
    other = paired(posts, "H2", helper_no=2)
    helper = household.assignments.get().cadre
    helper.user = posts.township.user.__class__.objects.create_user(username="helper")
    helper.save()
    grant_add(user=helper.user, role="paired_cadre", region_prefix="522727", actor=posts.county)
    actor = cards.Actor.of(helper.user)
    cards.card_print(household=household, on=TODAY, actor=actor)
    with pytest.raises(PairingError):
        cards.card_print(household=other, on=TODAY, actor=actor)


def test_a_household_rates_once_a_quarter_with_its_code(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    token, codes = token_of(printed), printed.print.rating_codes
    rating = cards.card_rate(raw=token, code=codes[3], satisfaction="satisfied",
                             comment="常来看我们", on=TODAY)  # fmt: skip
    assert (rating.year, rating.quarter, rating.cadre_id) == (2016, 4, printed.card.cadre_id)
    assert CardCode.objects.get(card=printed.card, quarter=4).used_at is not None
    with pytest.raises(PairingError) as again:
        cards.card_rate(raw=token, code=codes[3], satisfaction="fairly", on=TODAY)
    assert again.value.code == "rated_already"
    # A new card does not give the household a second rating in the same quarter.
    newer = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    with pytest.raises(PairingError) as new_card:
        cards.card_rate(raw=token_of(newer), code=newer.print.rating_codes[3],
                        satisfaction="fairly", on=TODAY)  # fmt: skip
    assert new_card.value.code == "rated_already"
    assert CardRating.objects.count() == 1
    assert AuditEvent.objects.filter(action="contact_card.rate").count() == 1


def test_a_wrong_code_is_counted_and_locks_the_card(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    token, codes = token_of(printed), printed.print.rating_codes
    with pytest.raises(PairingError) as wrong:  # another quarter's code is wrong too
        cards.card_rate(raw=token, code=codes[0], satisfaction="satisfied", on=TODAY)
    assert wrong.value.code == "code_wrong"
    assert ContactCard.objects.get().code_failures == 1
    for _ in range(cards.CODE_FAILURES_MAX - 1):
        with pytest.raises(PairingError):
            cards.card_rate(raw=token, code="00000000", satisfaction="satisfied", on=TODAY)
    with pytest.raises(PairingError) as locked:
        cards.card_rate(raw=token, code=codes[3], satisfaction="satisfied", on=TODAY)
    assert locked.value.code == "card_locked"
    assert not CardRating.objects.exists()


def test_a_card_rates_only_in_its_own_year(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    with pytest.raises(PairingError) as refused:
        cards.card_rate(raw=token_of(printed), code=printed.print.rating_codes[0],
                        satisfaction="satisfied", on=date(2017, 2, 1))  # fmt: skip
    assert refused.value.code == "card_year"


def test_an_objection_reaches_the_township_and_is_answered(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    objection = cards.card_object(
        raw=token_of(printed), text="低保金三个月没到账", contact_phone=""
    )
    assert list(objections_list(user=posts.township.user)) == [objection]
    assert list(objections_list(user=posts.other_cadre.user)) == []
    with pytest.raises(PairingError) as refused:
        cards.objection_answer(objection=objection, answer="已核实", upheld=True,
                               actor=posts.cadre)  # fmt: skip
    assert refused.value.code == "role_not_allowed"
    cards.objection_answer(objection=objection, answer="已核实并补发", upheld=True,
                           actor=posts.township)  # fmt: skip
    answered = CardObjection.objects.get()
    assert (answered.status, answered.answer, answered.upheld) == ("answered", "已核实并补发", True)
    assert AuditEvent.objects.get(action="card_objection.answer").after["upheld"] is True
    with pytest.raises(PairingError) as short:
        cards.card_object(raw=token_of(printed), text="  ", contact_phone="")
    assert short.value.code == "text_length"


# --- pages ----------------------------------------------------------------------------


def test_the_card_page_opens_without_login_and_is_never_cached(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=timezone.localdate(), actor=posts.cadre)
    client = Client()
    page = client.get(f"/card/{token_of(printed)}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "王大山" in body and "13912345678" in body and "本卡真实有效" in body
    full_id = Member.objects.get().id_number
    assert full_id not in body and full_id[:6] in body
    assert page["Cache-Control"] == "no-store, private"
    assert page["Referrer-Policy"] == "same-origin"
    assert client.get("/card/" + "A" * 32 + "/").status_code == 404


def test_the_household_rates_and_objects_from_the_page(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    today = timezone.localdate()
    printed = cards.card_print(household=household, on=today, actor=posts.cadre)
    token, code = token_of(printed), printed.print.rating_codes[cards.quarter_of(today) - 1]
    client = Client(enforce_csrf_checks=True)
    client.get(f"/card/{token}/")
    csrf = client.cookies["csrftoken"].value
    wrong = client.post(f"/card/{token}/rate/", {"satisfaction": "satisfied", "code": "1",
                                                 "csrfmiddlewaretoken": csrf})  # fmt: skip
    assert wrong.status_code == 400 and not CardRating.objects.exists()
    done = client.post(f"/card/{token}/rate/", {"satisfaction": "fairly", "code": code,
                                                "csrfmiddlewaretoken": csrf})  # fmt: skip
    assert done.status_code == 302 and CardRating.objects.get().satisfaction == "fairly"
    raised = client.post(f"/card/{token}/object/", {"text": "帮扶干部一年没来过",
                                                    "csrfmiddlewaretoken": csrf})  # fmt: skip
    assert raised.status_code == 302 and CardObjection.objects.count() == 1
    assert "帮扶干部一年没来过" in client.get(f"/card/{token}/").content.decode()


def test_printing_from_the_household_page_revokes_the_old_card(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    first = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    client = posts.client("township")
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "干部1" in page and f"/households/{household.pk}/card.pdf" in page
    response = client.post(f"/households/{household.pk}/card.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "王大山" in text
    standing = cards.card_by_token(token_of(first))
    assert standing is not None and not standing.current
    assert (
        posts.client("other_cadre").post(f"/households/{household.pk}/card.pdf").status_code == 404
    )


def test_a_village_prints_its_cards_two_to_a_page(posts: Posts) -> None:  # noqa: F811
    for n in range(3):
        paired(posts, f"H{n}", helper_no=n + 1)
    poor("H9")  # no cadre: listed, not printed
    household_make("H8", village=OTHER_VILLAGE, status="registered")
    client = posts.client("cadre")
    village = Household.objects.get(household_no="H0").village_id
    listing = client.get(f"/villages/{village}/cards/").content.decode()
    assert "未结对" in listing and "H9" in listing
    response = client.post(f"/villages/{village}/cards.pdf")
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2
    assert ContactCard.objects.filter(revoked_at__isnull=True).count() == 3
    assert posts.client("other_cadre").get(f"/villages/{village}/cards/").status_code == 404


def test_the_township_answers_objections_in_its_page(posts: Posts) -> None:  # noqa: F811
    household = paired(posts)
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    objection = cards.card_object(raw=token_of(printed), text="危房改造补助没有落实")
    township = posts.client("township")
    assert "危房改造补助没有落实" in township.get("/objections/").content.decode()
    assert posts.client("cadre").post(f"/objections/{objection.pk}/answer/",
                                      {"answer": "x"}).status_code == 404  # fmt: skip
    # an answer says whether the objection was found true; without it nothing is kept
    township.post(f"/objections/{objection.pk}/answer/", {"answer": "已安排复核"})
    assert CardObjection.objects.get().status == "open"
    township.post(f"/objections/{objection.pk}/answer/", {"answer": "已安排复核", "upheld": "no"})
    answered = CardObjection.objects.get()
    assert (answered.answer, answered.upheld) == ("已安排复核", False)
    assert "经核实不属实" in township.get("/objections/").content.decode()


def test_the_gaps_page_counts_unpaired_households(posts: Posts) -> None:  # noqa: F811
    paired(posts)
    poor("H2")
    poor("H3")
    body = posts.client("county").get("/pairing/gaps/").content.decode()
    assert "522727100" in body and ">2<" in body.replace(" ", "")


def test_the_card_names_the_villages_first_secretary(posts: Posts) -> None:  # noqa: F811
    from fupin.pairing.postings import PostedPerson, posting_open

    household = paired(posts)
    secretary = PostedPerson("陈晓东", id_make("522701", date(1985, 2, 3), 51), "13700001234")
    posting_open(village=household.village_id, kind="first_secretary", sending_unit="州财政局",
                 unit_level="city", term_start=date(2016, 3, 1), duties="抓党建促脱贫",
                 members=[secretary], actor=posts.county)  # fmt: skip
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    assert printed.print.village_contact == "第一书记 陈晓东 13700001234"


def test_the_card_lists_this_years_post_ledger_measures_and_reward(posts: Posts) -> None:  # noqa: F811
    from decimal import Decimal

    from fupin.pairing.committees.lists import redlist_enter
    from fupin.pairing.models import (
        Committee,
        LabourPost,
        PostApplication,
        PostWorkMonth,
    )

    household = paired(posts)
    head = Member.objects.get(household=household)
    now = timezone.now()
    committee = Committee.objects.create(village_id=household.village_id, formed_on=date(2016, 1, 4),
                                         households_counted=1, seats=5, created_at=now)  # fmt: skip
    post = LabourPost.objects.create(
        village_id=household.village_id, committee=committee, title="护林员", duties="巡山护林",
        place="后山", pay_amount=Decimal(800), pay_unit="month", positions=2,
        opened_on=date(2016, 2, 1), created_at=now,
    )  # fmt: skip
    application = PostApplication.objects.create(
        post=post, person=head, applied_on=date(2016, 2, 2), consent_given_on=date(2016, 2, 2),
        consent_evidence="本人签字申请书", status="assigned", assigned_on=date(2016, 3, 1),
        recorded_at=now,
    )  # fmt: skip
    for month in (3, 4):
        PostWorkMonth.objects.create(application=application, year=2016, month=month,
                                     days_worked=22, amount_paid=Decimal(800), recorded_at=now)  # fmt: skip
    redlist_enter(committee=committee, household=household, year=2016, month=6,
                  reasons="带头发展产业", listed_on=date(2016, 7, 1), reward_kind="cash",
                  reward="产业奖补", amount=Decimal(500), actor=posts.cadre)  # fmt: skip
    from fupin.support.services import measure_record

    measure_record(household=household, year=2016, given_on=date(2016, 5, 10),
                   measure_type="health", description="慢病签约服务，住院报销", form="money",
                   value=Decimal(1200), provider_kind="department", provider_name="县卫生健康局",
                   actor=posts.county)  # fmt: skip
    printed = cards.card_print(household=household, on=TODAY, actor=posts.cadre)
    assert printed.print.measures == [
        ("公益岗位", "王大山：护林员（800元/月）", "1,600元"),
        ("健康帮扶", "慢病签约服务，住院报销", "1,200元"),
        ("其他", "红榜奖励（6月）：产业奖补", "500元"),  # the ledger's row, counted once
    ]
    assert printed.print.support_total == "3,300元"
    page = Client().get(f"/card/{token_of(printed)}/").content.decode()
    assert "护林员" in page and "3,300元" in page
