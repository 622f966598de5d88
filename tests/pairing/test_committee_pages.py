"""The committee pages and API routes (村扶贫工作委员会) as the posts use them: the village posts
keep the committee, its meetings, the labour posts and the lists; the township records and
decides appeals; the county reads; another village gets the same 404 as a missing one; a
refusal is shown (or answered with its code) and writes nothing; and nobody is put on a
labour post without their application with consent, on the page or through the API."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fupin.core.tokens import token_create
from fupin.pairing.committees.committee import households_divide, meeting_record
from fupin.pairing.committees.labour import post_withdraw
from fupin.pairing.committees.lists import appeal_lodge, blacklist_notify
from fupin.pairing.models import (
    BlackListAppeal,
    BlackListConsequence,
    BlackListEntry,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    HouseholdScore,
    LabourPost,
    PostApplication,
    PostWorkMonth,
)
from fupin.registry.models import Household
from tests.pairing.test_committees import (
    ON,
    blacklist,
    form,
    households,
    labour_post,
    members,
    person,
    seated,
    state,
    take,
    villager,
)
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db
COMMITTEE, LABOUR, LISTS = (f"/villages/{VILLAGE}/committee/", f"/villages/{VILLAGE}/labour-posts/",
                            f"/villages/{VILLAGE}/lists/")  # fmt: skip
MARCH = "?year=2016&month=3"
MISSING = 987654321


def text(response: Any) -> str:
    return response.content.decode()


def rows(*people: Any) -> dict[str, str]:
    """Form rows p1-…, p2-… for the committee's persons."""
    fields = {}
    for row, someone in enumerate(people, start=1):
        fields |= {f"p{row}-name": someone.name, f"p{row}-id_number": someone.id_number,
                   f"p{row}-phone": someone.phone, f"p{row}-background": someone.background,
                   f"p{row}-role": someone.role}  # fmt: skip
        if someone.is_party_member:
            fields[f"p{row}-party"] = "1"
    return fields


@pytest.fixture
def divided(posts: Posts) -> Committee:  # noqa: F811
    """A committee of 95 households divided among its five members, one meeting held."""
    households(95)
    committee = form(posts, members=[person(1, "production", is_party_member=True),
                                     person(2, "life"), person(3, "public_security"),
                                     person(4, "propaganda"), person(5)])  # fmt: skip
    households_divide(committee=committee, on=ON, actor=posts.cadre)
    meeting_record(committee=committee, kind="internal", held_on=date(2016, 3, 9),
                   attendees=[m.pk for m in members(committee)], minutes="讨论公益岗位设置",
                   decisions=["设保洁员岗位"], actor=posts.cadre)  # fmt: skip
    return committee


# ---- the committee page ------------------------------------------------------------------------


def test_the_committee_page_shows_members_division_and_meetings_to_each_post(
    posts: Posts,  # noqa: F811
    divided: Committee,
) -> None:
    # when the village's cadre opens the page
    page = posts.client("cadre").get(COMMITTEE)
    # then the members with their roles, the shares, the division and the meetings show
    assert page.status_code == 200
    body = text(page)
    for shown in ("委员1", "生产委员", "生活委员", "治安委员", "宣传委员", "20.0%", "100.0%",
                  "全村 95 户均由一名委员联系", "2016-03-09", "讨论公益岗位设置", "设保洁员岗位",
                  "次会议逾期未开", person(1).id_number, f"{VILLAGE}0019"):  # fmt: skip
        assert shown in body, shown
    # and the forms of the village posts
    for action in ("committee/division/", "committee/meetings/", "committee/replace/",
                   "committee/end/"):  # fmt: skip
        assert f"/villages/{VILLAGE}/{action}" in body
    assert "committee/form/" not in body  # formed already
    # the township and the county read without a form; the province reads numbers masked
    for post in ("township", "county"):
        read = text(posts.client(post).get(COMMITTEE))
        assert "委员1" in read and f'action="/villages/{VILLAGE}/' not in read
        assert person(1).id_number in read
    province = text(posts.client("province").get(COMMITTEE))
    number = person(1).id_number
    assert number not in province and number[:6] + "********" + number[-4:] in province
    assert "138****0000" in province and "13800000000" not in province
    # another village's post and a missing village get the same 404
    other = posts.client("other_cadre").get(COMMITTEE)
    missing = posts.client("cadre").get("/villages/522727100299/committee/")
    assert other.status_code == missing.status_code == 404


def test_the_village_posts_form_the_committee_and_a_refusal_keeps_what_was_typed(
    posts: Posts,  # noqa: F811
) -> None:
    households(20)  # five seats by policy
    url = f"/villages/{VILLAGE}/committee/form/"
    typed = {"formed_on": "2016-03-01", **rows(*seated(5))}
    # the page offers the form with the policy's seats
    page = text(posts.client("secretary").get(COMMITTEE))
    assert "按政策应设委员 5 名" in page and url in page
    # the township is refused on the page and nothing is written
    before = state()
    refused = posts.client("township").post(url, typed)
    assert refused.status_code == 403 and "您的岗位不能办理此事项" in text(refused)
    # four members where the policy sets five: refused, what was typed kept
    four = posts.client("secretary").post(url, {"formed_on": "2016-03-01", **rows(*seated(4))})
    assert four.status_code == 400 and "委员人数与政策按本村户数规定的人数不符" in text(four)
    assert 'value="委员4"' in text(four) and f'value="{person(4).id_number}"' in text(four)
    bad_day = posts.client("secretary").post(url, typed | {"formed_on": "2016-02-30"})
    assert bad_day.status_code == 400 and "请检查填写的内容" in text(bad_day)
    assert posts.client("other_cadre").post(url, typed).status_code == 404
    assert state() == before
    # when the first secretary forms it, then the committee has its officers
    done = posts.client("secretary").post(url, typed)
    assert done.status_code == 302 and done["Location"] == COMMITTEE
    committee = Committee.objects.get(village_id=VILLAGE)
    assert [m.role for m in members(committee)] == ["production", "life", "public_security",
                                                    "propaganda", "member"]  # fmt: skip


def test_members_are_replaced_households_divided_and_meetings_recorded_on_the_page(
    posts: Posts,  # noqa: F811
    divided: Committee,
) -> None:
    client = posts.client("team")
    leaving = members(divided)[1]  # the life officer
    successor = {"s-name": "委员40", "s-id_number": person(40).id_number, "s-phone": "13900000000",
                 "s-background": "poor_household", "s-party": "1"}  # fmt: skip
    # a replacement without its reason is refused, the successor kept
    before = state()
    silent = client.post(f"/villages/{VILLAGE}/committee/replace/",
                         {"member": leaving.pk, "on": "2016-07-01", **successor})  # fmt: skip
    assert silent.status_code == 400 and "请写明原因" in text(silent)
    assert 'value="委员40"' in text(silent)
    assert state() == before
    replaced = client.post(f"/villages/{VILLAGE}/committee/replace/",
                           {"member": leaving.pk, "on": "2016-07-01", "reason": "外出务工",
                            **successor})  # fmt: skip
    assert replaced.status_code == 302
    new = CommitteeMember.objects.get(name="委员40")
    assert (new.role, new.is_party_member, new.background) == ("life", True, "poor_household")
    assert "委员40" in text(client.get(COMMITTEE))
    # a public meeting without the villagers present is refused, the minutes kept
    meeting = {"kind": "public", "held_on": "2016-07-20", "minutes": "公示岗位人选",
               "decisions": "公示七天\n\n报乡镇备案", "attendees": [new.pk, members(divided)[0].pk]}  # fmt: skip
    before = state()
    no_villagers = client.post(f"/villages/{VILLAGE}/committee/meetings/", meeting)
    assert no_villagers.status_code == 400 and "群众公开会须填写到会群众人数" in text(no_villagers)
    assert "公示岗位人选" in text(no_villagers) and f'value="{new.pk}" checked' in text(
        no_villagers
    )
    assert state() == before
    held = client.post(
        f"/villages/{VILLAGE}/committee/meetings/", meeting | {"villagers_present": "41"}
    )
    assert held.status_code == 302 and held["Location"].endswith("#meetings")
    recorded = CommitteeMeeting.objects.get(kind="public")
    assert recorded.decisions == ["公示七天", "报乡镇备案"] and recorded.villagers_present == 41
    # the households are divided again from a day
    divided_again = client.post(f"/villages/{VILLAGE}/committee/division/", {"on": "2016-08-01"})
    assert divided_again.status_code == 302
    assert "全村 95 户均由一名委员联系" in text(client.get(COMMITTEE))
    # the county may not; the term ends
    assert posts.client("county").post(f"/villages/{VILLAGE}/committee/end/",
                                       {"on": "2017-03-01", "reason": "换届"}).status_code == 403  # fmt: skip
    ended = client.post(
        f"/villages/{VILLAGE}/committee/end/", {"on": "2017-03-01", "reason": "换届"}
    )
    assert ended.status_code == 302
    page = text(client.get(COMMITTEE))
    assert "历届委员会" in page and "committee/form/" in page


# ---- labour posts ------------------------------------------------------------------------------


def test_a_villager_is_put_on_a_post_only_by_their_application_with_consent(
    posts: Posts,  # noqa: F811
) -> None:
    rows_ = households(3)
    form(posts)
    people = [villager(h, n) for n, h in enumerate(rows_, 1)]
    client = posts.client("cadre")
    # the post is set up from the page
    made = client.post(f"/villages/{VILLAGE}/labour-posts/new/", {
        "title": "保洁员", "duties": "村道清扫", "place": "京舟村", "pay_amount": "500",
        "pay_unit": "month", "positions": "1", "opened_on": "2016-03-10",
    })  # fmt: skip
    assert made.status_code == 302
    post = LabourPost.objects.get()
    apply_url = f"/labour-posts/{post.pk}/apply/"
    typed = {"villager": people[0].id_number, "applied_on": "2016-03-12",
             "consent_evidence": "本人签字申请书"}  # fmt: skip
    # without the villager's consent ticked, or without what shows it: refused, kept
    before = state()
    unticked = client.post(apply_url, typed)
    assert unticked.status_code == 400 and "上岗须本人自愿申请" in text(unticked)
    assert 'value="本人签字申请书"' in text(unticked)
    unshown = client.post(apply_url, typed | {"consent": "1", "consent_evidence": " "})
    assert unshown.status_code == 400 and "上岗须本人自愿申请" in text(unshown)
    stranger = client.post(apply_url, typed | {"consent": "1", "villager": "张三"})
    assert stranger.status_code == 400 and "本村没有在册村民 张三" in text(stranger)
    assert posts.client("township").post(apply_url, typed | {"consent": "1"}).status_code == 403
    assert posts.client("other_cadre").post(apply_url, typed | {"consent": "1"}).status_code == 404
    assert state() == before
    # with consent, by name; the page offers the assignment for that application only
    applied = client.post(apply_url, typed | {"consent": "1", "villager": "村民1"})
    assert applied.status_code == 302
    application = PostApplication.objects.get()
    assert (application.person, application.consent_evidence) == (people[0], "本人签字申请书")
    page = text(client.get(LABOUR))
    assert f"/labour-applications/{application.pk}/assign/" in page
    assert "2016-03-12 申请，2016-03-12 签字同意" in page
    # once the villager withdraws, nobody puts them on the post
    post_withdraw(application=application, on=date(2016, 3, 13), actor=posts.cadre)
    assert f"/labour-applications/{application.pk}/assign/" not in text(client.get(LABOUR))
    before = state()
    forced = client.post(f"/labour-applications/{application.pk}/assign/", {"on": "2016-03-15"})
    assert forced.status_code == 400 and "本人已撤回申请，不能安排上岗" in text(forced)
    assert state() == before
    assert not PostApplication.objects.filter(status="assigned").exists()


def test_a_holder_works_is_paid_and_leaves_on_the_page(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    post = labour_post(form(posts), posts)
    holder = take(post, villager(household, 1), posts)
    client = posts.client("cadre")
    work = f"/labour-posts/{post.pk}/work/"
    month = {"application": holder.pk, "year": "2016", "month": "3", "amount_paid": "250",
             "paid_on": "2016-04-05"}  # fmt: skip
    before = state()
    too_many = client.post(work, month | {"days_worked": "18"})  # on the post 15-31 March
    assert too_many.status_code == 400 and "出工天数超过当月在岗天数" in text(too_many)
    assert state() == before
    assert client.post(work, month | {"days_worked": "15"}).status_code == 302
    assert PostWorkMonth.objects.get().days_worked == 15
    left = client.post(f"/labour-applications/{holder.pk}/leave/",
                       {"on": "2016-04-10", "reason": "岗位调整"})  # fmt: skip
    assert left.status_code == 302
    page = text(posts.client("county").get(LABOUR))
    assert "2016-03" in page and "250.00" in page and "2016-04-10 离岗" in page
    assert "岗位调整" in page and 'action="/labour' not in page  # the county reads only
    assert posts.client("other_cadre").get(LABOUR).status_code == 404


# ---- scores and lists --------------------------------------------------------------------------


def test_scores_and_the_red_list_are_kept_on_the_page(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    form(posts)
    client = posts.client("cadre")
    scored = {"household": household.household_no, "year": "2016", "month": "3",
              "score-work_performance": "90", "score-village_affairs": "80"}  # fmt: skip
    before = state()
    partial = client.post(f"/villages/{VILLAGE}/lists/score/", scored)
    assert partial.status_code == 400 and "每个评分项目都须打分" in text(partial)
    assert 'value="90"' in text(partial)
    unknown = client.post(f"/villages/{VILLAGE}/lists/score/", scored | {"household": "X1"})
    assert unknown.status_code == 400 and "本村没有户编号为 X1 的农户" in text(unknown)
    assert state() == before
    done = client.post(f"/villages/{VILLAGE}/lists/score/", scored | {"score-village_rules": "70"})
    assert done.status_code == 302 and done["Location"] == LISTS + MARCH + "#scores"
    assert HouseholdScore.objects.get().total == Decimal("81.00")
    red = client.post(f"/villages/{VILLAGE}/lists/red/", {
        "household": household.household_no, "year": "2016", "month": "3", "reasons": "带头清理村道",
        "reward_kind": "goods", "reward": "大米50斤", "amount": "150", "listed_on": "2016-04-02",
    })  # fmt: skip
    assert red.status_code == 302
    page = text(posts.client("county").get(LISTS + MARCH))
    assert "81.00" in page and "大米50斤" in page and "带头清理村道" in page


def test_the_black_list_is_noticed_appealed_and_decided_by_the_township(
    posts: Posts,  # noqa: F811
) -> None:
    (household,) = households(1)
    form(posts)
    client = posts.client("cadre")
    url = f"/villages/{VILLAGE}/lists/black/"
    entry = {"household": household.household_no, "year": "2016", "month": "3",
             "listed_on": "2016-04-02", "c-village_reward": "suspend", "n-village_reward": "三个月"}  # fmt: skip
    # the page names the support never touched
    page = text(client.get(LISTS + MARCH))
    for protected in ("最低生活保障", "特困人员救助供养", "基本医疗保险"):
        assert protected in page
    assert 'name="c-dibao"' not in page and 'name="c-village_reward"' in page
    # without written reasons, or cutting statutory support: refused, nothing written
    before = state()
    silent = client.post(url, entry)
    assert silent.status_code == 400 and "请写明理由" in text(silent)
    assert "三个月" in text(silent)
    cut = client.post(url, entry | {"reasons": "损毁公共设施", "c-dibao": "suspend"})
    assert cut.status_code == 400 and "黑榜不得暂停、减少或取消最低生活保障" in text(cut)
    assert posts.client("township").post(url, entry | {"reasons": "x"}).status_code == 403
    assert state() == before
    # with its reasons
    assert client.post(url, entry | {"reasons": "损毁公共设施"}).status_code == 302
    listed = BlackListEntry.objects.get()
    assert list(BlackListConsequence.objects.values_list("kind", "benefit", "note")) == [
        ("suspend", "village_reward", "三个月")
    ]
    back = {"year": "2016", "month": "3"}
    noticed = client.post(f"/black-list/{listed.pk}/notice/", back | {
        "on": "2016-04-04", "method": "in_person", "receiver": "户主本人"})  # fmt: skip
    assert noticed.status_code == 302 and noticed["Location"].endswith(f"#entry-{listed.pk}")
    appealed = client.post(f"/black-list/{listed.pk}/appeal/",
                           back | {"on": "2016-04-10", "grounds": "未损毁设施"})  # fmt: skip
    assert appealed.status_code == 302
    # the village posts do not decide; the township does, with its reasons
    decision = back | {"outcome": "overturned", "reasons": "查无实据", "on": "2016-04-20"}
    assert f"/black-list/{listed.pk}/decision/" not in text(client.get(LISTS + MARCH))
    before = state()
    assert client.post(f"/black-list/{listed.pk}/decision/", decision).status_code == 403
    unreasoned = posts.client("township").post(f"/black-list/{listed.pk}/decision/",
                                               decision | {"reasons": ""})  # fmt: skip
    assert unreasoned.status_code == 400 and "请写明理由" in text(unreasoned)
    assert state() == before
    township = posts.client("township")
    assert f"/black-list/{listed.pk}/decision/" in text(township.get(LISTS + MARCH))
    assert township.post(f"/black-list/{listed.pk}/decision/", decision).status_code == 302
    listed.refresh_from_db()
    assert listed.status == "overturned"
    assert "查无实据" in text(township.get(LISTS + MARCH))
    assert posts.client("other_cadre").post(f"/black-list/{listed.pk}/notice/",
                                            back).status_code == 404  # fmt: skip


def test_the_missed_meetings_and_awaiting_appeals_keep_to_the_scope(
    posts: Posts,  # noqa: F811
) -> None:
    (household,) = households(1)
    committee = form(posts)
    form(posts, village=OTHER_VILLAGE, members=seated(5, start=21), actor=posts.other_cadre)
    entry = blacklist_notify(entry=blacklist(committee, household, posts), on=date(2016, 4, 3),
                             method="in_person", receiver="户主", actor=posts.cadre)  # fmt: skip
    appeal_lodge(entry=entry, on=date(2016, 4, 5), grounds="不服", actor=posts.cadre)
    window = "?on=2016-04-05&since=2016-03-01"
    county = text(posts.client("county").get("/committees/missed/" + window))
    assert "京舟村村民委员会" in county and "拉全村村民委员会" in county
    assert "2 个村共 8 次会议逾期" in county
    other = text(posts.client("other_cadre").get("/committees/missed/" + window))
    assert "拉全村村民委员会" in other and "京舟村村民委员会" not in other
    township = text(posts.client("township").get("/committees/appeals/"))
    late = (timezone.localdate() - date(2016, 5, 5)).days  # due 5 May 2016
    assert household.household_no in township and f"逾期 {late} 天" in township
    assert f"/villages/{VILLAGE}/lists/?year=2016&amp;month=3#entry-{entry.pk}" in township
    assert household.household_no not in text(
        posts.client("other_cadre").get("/committees/appeals/")
    )
    # bad filters read as the defaults, never an error
    assert posts.client("county").get("/committees/missed/?on=x&region=5²").status_code == 200


# ---- the API -----------------------------------------------------------------------------------


def api(posts: Posts, name: str) -> Client:  # noqa: F811
    actor = getattr(posts, name)
    raw = token_create(user=actor.user, name="test", actor=actor).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body, default=str),
                       content_type="application/json")  # fmt: skip


def people_in(*numbers: int) -> list[dict[str, Any]]:
    return [{"name": p.name, "id_number": p.id_number, "phone": p.phone, "role": p.role,
             "is_party_member": p.is_party_member, "background": p.background}
            for p in seated(len(numbers), start=numbers[0])]  # fmt: skip


def test_the_api_reads_the_committee_masked_by_post_and_404_outside(
    posts: Posts,  # noqa: F811
    divided: Committee,
) -> None:
    read = api(posts, "county").get(f"/api/v1/villages/{VILLAGE}/committee")
    assert read.status_code == 200, read.content
    body = read.json()
    assert (body["households"], body["seats"], body["committee"]["id"]) == (95, 5, divided.pk)
    first = body["committee"]["members"][0]
    assert (first["id_number"], first["households"]) == (person(1).id_number, 19)
    assert body["committee"]["coverage"]["complete"] is True
    assert body["committee"]["composition"]["party_share"] == "0.2000"
    masked = api(posts, "province").get(f"/api/v1/villages/{VILLAGE}/committee").json()
    member = masked["committee"]["members"][0]
    assert member["id_number"].count("*") == 8 and member["phone"] == "138****0000"
    other = api(posts, "other_cadre")
    far = other.get(f"/api/v1/villages/{VILLAGE}/committee")
    gone = other.get("/api/v1/villages/522727100299/committee")
    assert far.status_code == gone.status_code == 404 and far.json() == gone.json()
    meetings = api(posts, "township").get(f"/api/v1/villages/{VILLAGE}/meetings?on=2016-04-05")
    assert meetings.json()["count"] == 1 and len(meetings.json()["missed"]) == 3
    assert other.get(f"/api/v1/villages/{VILLAGE}/meetings").status_code == 404


def test_the_village_posts_form_and_keep_the_committee_through_the_api(
    posts: Posts,  # noqa: F811
) -> None:
    households(20)
    path = f"/villages/{VILLAGE}/committee"
    body = {"formed_on": "2016-03-01", "members": people_in(1, 2, 3, 4, 5)}
    cadre, township, other = api(posts, "cadre"), api(posts, "township"), api(posts, "other_cadre")
    before = state()
    refused = send(township, path, body)
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    six = send(cadre, path, body | {"members": people_in(1, 2, 3, 4, 5, 6)})
    assert six.status_code == 400 and six.json()["code"] == "seats"
    assert send(cadre, path, body | {"members": []}).status_code == 422
    assert send(other, path, body).status_code == 404
    assert state() == before
    formed = send(cadre, path, body)
    assert formed.status_code == 201, formed.content
    assert [m["role"] for m in formed.json()["members"]][:4] == ["production", "life",
                                                                 "public_security", "propaganda"]  # fmt: skip
    again = send(cadre, path, body)
    assert again.status_code == 409 and again.json()["code"] == "formed_already"
    divided = send(cadre, f"{path}/division", {"on": "2016-03-02"})
    assert divided.status_code == 200 and divided.json()["loads"][0]["households"] == 4
    seats = [m["id"] for m in formed.json()["members"]]
    meeting = {"kind": "internal", "held_on": "2016-03-09", "attendees": seats[:3],
               "minutes": "例会", "decisions": ["设保洁员岗位"]}  # fmt: skip
    public = send(cadre, f"/villages/{VILLAGE}/meetings", meeting | {"kind": "public"})
    assert public.status_code == 400 and public.json()["code"] == "villagers_missing"
    held = send(cadre, f"/villages/{VILLAGE}/meetings", meeting)
    assert held.status_code == 201 and len(held.json()["attendees"]) == 3
    replaced = send(cadre, f"{path}/replacement", {
        "member_id": seats[1], "on": "2016-07-01", "reason": "外出务工",
        "successor": {"name": "委员40", "id_number": person(40).id_number, "phone": "13900000000",
                      "is_party_member": True, "background": "poor_household"},
    })  # fmt: skip
    assert replaced.status_code == 201 and replaced.json()["role"] == "life"
    assert replaced.json()["households"] == 4


def test_nobody_is_put_on_a_post_through_the_api_without_an_application_with_consent(
    posts: Posts,  # noqa: F811
) -> None:
    rows_ = households(2)
    form(posts)
    people = [villager(h, n) for n, h in enumerate(rows_, 1)]
    cadre, township, other = api(posts, "cadre"), api(posts, "township"), api(posts, "other_cadre")
    created = send(cadre, f"/villages/{VILLAGE}/labour-posts", {
        "title": "护林员", "duties": "巡山护林", "place": "后山", "pay_amount": "40.00",
        "pay_unit": "day", "positions": 1, "opened_on": "2016-03-10",
    })  # fmt: skip
    assert created.status_code == 201, created.content
    post_id = created.json()["id"]
    application = {"person_id": people[0].pk, "applied_on": "2016-03-12", "consent": True,
                   "consent_evidence": "本人签字申请书"}  # fmt: skip
    # no consent, or nothing to show it: refused with the code, nothing written
    before = state()
    for change in ({"consent": False}, {"consent_evidence": "  "}):
        refused = send(cadre, f"/labour-posts/{post_id}/applications", application | change)
        assert refused.status_code == 400 and refused.json()["code"] == "consent_missing"
    assert send(cadre, f"/labour-posts/{post_id}/applications",
                {k: v for k, v in application.items() if k != "consent"}).status_code == 422  # fmt: skip
    by_township = send(township, f"/labour-posts/{post_id}/applications", application)
    assert by_township.status_code == 403
    assert send(other, f"/labour-posts/{post_id}/applications", application).status_code == 404
    assert state() == before
    # the applications with consent are assigned, a withdrawn one never
    first = send(cadre, f"/labour-posts/{post_id}/applications", application)
    second = send(cadre, f"/labour-posts/{post_id}/applications",
                  application | {"person_id": people[1].pk})  # fmt: skip
    assert first.status_code == second.status_code == 201
    withdrawn = send(cadre, f"/labour-applications/{second.json()['id']}/withdrawal",
                     {"on": "2016-03-13", "note": "不愿意"})  # fmt: skip
    assert withdrawn.json()["status"] == "withdrawn"
    before = state()
    forced = send(cadre, f"/labour-applications/{second.json()['id']}/assignment",
                  {"on": "2016-03-15"})  # fmt: skip
    assert forced.status_code == 409 and forced.json()["code"] == "withdrawn"
    assert state() == before
    assigned = send(cadre, f"/labour-applications/{first.json()['id']}/assignment",
                    {"on": "2016-03-15"})  # fmt: skip
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    worked = send(cadre, f"/labour-applications/{first.json()['id']}/work-months",
                  {"year": 2016, "month": 3, "days_worked": 15, "amount_paid": "600.00"})  # fmt: skip
    assert worked.status_code == 201 and worked.json()["paid_on"] is None
    # everybody on a post applied with consent
    listed = api(posts, "province").get(f"/api/v1/villages/{VILLAGE}/labour-posts").json()
    (post,) = listed
    assert post["taken"] == 1
    assert all(a["consent_evidence"] for a in post["applications"])
    assert post["applications"][0]["id_number"].count("*") == 8
    assert all(
        a.consent_evidence and a.consent_given_on <= a.applied_on
        for a in PostApplication.objects.filter(assigned_on__isnull=False)
    )


def test_the_black_list_goes_to_the_township_through_the_api(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    form(posts)
    cadre, township = api(posts, "cadre"), api(posts, "township")
    entry = {"household_id": household.pk, "year": 2016, "month": 3, "reasons": "损毁公共设施",
             "listed_on": "2016-04-02",
             "consequences": [{"kind": "suspend", "benefit": "village_reward"}]}  # fmt: skip
    before = state()
    for benefit in ("dibao", "tekun", "medical_insurance"):
        cut = send(cadre, f"/villages/{VILLAGE}/black-list",
                   entry | {"consequences": [{"kind": "reduce", "benefit": benefit}]})  # fmt: skip
        assert cut.status_code == 400 and cut.json()["code"] == "protected_benefit"
    assert (
        send(cadre, f"/villages/{VILLAGE}/black-list", entry | {"reasons": ""}).status_code == 422
    )
    assert state() == before
    listed = send(cadre, f"/villages/{VILLAGE}/black-list", entry)
    assert listed.status_code == 201, listed.content
    entry_id = listed.json()["id"]
    early = send(cadre, f"/black-list/{entry_id}/appeal", {"on": "2016-04-03", "grounds": "不服"})
    assert early.status_code == 409 and early.json()["code"] == "not_notified"
    noticed = send(cadre, f"/black-list/{entry_id}/notice",
                   {"on": "2016-04-04", "method": "in_person", "receiver": "户主本人"})  # fmt: skip
    assert noticed.json()["appeal_until"] == "2016-04-19"
    appealed = send(township, f"/black-list/{entry_id}/appeal",
                    {"on": "2016-04-19", "grounds": "理由与事实不符"})  # fmt: skip
    assert appealed.status_code == 201 and appealed.json()["appeal"]["decide_by"] == "2016-05-19"
    awaiting = api(posts, "county").get("/api/v1/committees/appeals?region=522727").json()
    assert [(a["entry_id"], a["household_no"]) for a in awaiting] == [
        (entry_id, household.household_no)
    ]
    assert api(posts, "other_cadre").get("/api/v1/committees/appeals").json() == []
    decision = {"outcome": "upheld", "reasons": "事实清楚", "on": "2016-05-01"}
    by_village = send(cadre, f"/black-list/{entry_id}/appeal/decision", decision)
    assert by_village.status_code == 403 and by_village.json()["code"] == "role_not_allowed"
    decided = send(township, f"/black-list/{entry_id}/appeal/decision", decision)
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    assert decided.json()["final"] is True
    again = send(township, f"/black-list/{entry_id}/appeal/decision", decision)
    assert again.status_code == 409 and again.json()["code"] == "decided_already"
    month = api(posts, "county").get(f"/api/v1/villages/{VILLAGE}/lists?year=2016&month=3").json()
    assert [e["id"] for e in month["black_list"]] == [entry_id]
    assert month["black_list"][0]["appeal"]["outcome"] == "upheld"
    assert BlackListAppeal.objects.get().decided_by_id == posts.township.user.pk
    gone = send(api(posts, "other_cadre"), f"/black-list/{entry_id}/notice",
                {"on": "2016-04-04", "method": "in_person", "receiver": "x"})  # fmt: skip
    missing = send(api(posts, "other_cadre"), f"/black-list/{MISSING}/notice",
                   {"on": "2016-04-04", "method": "in_person", "receiver": "x"})  # fmt: skip
    assert gone.status_code == missing.status_code == 404 and gone.json() == missing.json()


def test_scores_and_red_list_through_the_api(posts: Posts) -> None:  # noqa: F811
    (household,) = households(1)
    form(posts)
    cadre = api(posts, "cadre")
    scores = {"work_performance": 90, "village_affairs": 80, "village_rules": 70}
    body = {"household_id": household.pk, "year": 2016, "month": 3, "scores": scores}
    out_of_range = send(cadre, f"/villages/{VILLAGE}/scores",
                        body | {"scores": scores | {"village_rules": 101}})  # fmt: skip
    assert out_of_range.status_code == 422
    unknown = send(cadre, f"/villages/{VILLAGE}/scores",
                   body | {"scores": scores | {"hygiene": 50}})  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["code"] == "criterion_unknown"
    scored = send(cadre, f"/villages/{VILLAGE}/scores", body)
    assert scored.status_code == 201 and scored.json()["total"] == "81.00"
    red = send(cadre, f"/villages/{VILLAGE}/red-list", {
        "household_id": household.pk, "year": 2016, "month": 3, "reasons": "带头清理村道",
        "reward_kind": "goods", "reward": "大米50斤", "amount": "150", "listed_on": "2016-04-02",
    })  # fmt: skip
    assert red.status_code == 201 and red.json()["score_id"] == scored.json()["id"]
    missed = api(posts, "county").get("/api/v1/committees/missed?region=522727&on=2016-04-05")
    assert len(missed.json()) == 4  # three weeks and March


def test_every_schema_name_is_unique_with_the_committee_routes() -> None:
    from ninja import Schema

    import fupin.api  # noqa: F401
    from fupin.pairing import committee_api  # noqa: F401

    def subclasses(cls: type) -> list[type]:
        return [sub for child in cls.__subclasses__() for sub in (child, *subclasses(child))]

    names = [c.__name__ for c in subclasses(Schema) if c.__module__.startswith("fupin.")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
    assert "CommitteeOut" in names and "LabourPostOut" in names and "ListingBlackOut" in names


def test_labour_post_is_set_up_without_a_committee_refused(posts: Posts) -> None:  # noqa: F811
    households(1)
    cadre = api(posts, "cadre")
    before = state()
    refused = posts.client("cadre").post(f"/villages/{VILLAGE}/labour-posts/new/", {
        "title": "保洁员", "duties": "清扫", "place": "村委", "pay_amount": "500",
        "pay_unit": "month", "positions": "1", "opened_on": "2016-03-10",
    })  # fmt: skip
    assert refused.status_code == 400 and "本村没有在任的扶贫工作委员会" in text(refused)
    api_refused = send(cadre, f"/villages/{VILLAGE}/labour-posts", {
        "title": "保洁员", "duties": "清扫", "place": "村委", "pay_amount": "500",
        "pay_unit": "month", "positions": 1, "opened_on": "2016-03-10",
    })  # fmt: skip
    assert api_refused.status_code == 409 and api_refused.json()["code"] == "no_committee"
    assert state() == before


@pytest.mark.parametrize(
    ("post", "status"),
    [("cadre", 200), ("secretary", 200), ("team", 200), ("township", 200), ("county", 200),
     ("prefecture", 200), ("province", 200), ("national", 200), ("inspector", 200),
     ("other_cadre", 404), ("evaluator", 404)],
)  # fmt: skip
def test_every_post_reads_the_pages_in_its_scope_only(
    posts: Posts,  # noqa: F811
    divided: Committee,
    post: str,
    status: int,
) -> None:
    # given an entry under appeal and a post with a holder who worked a month
    (household,) = Household.objects.filter(household_no=f"{VILLAGE}0001")
    entry = blacklist_notify(entry=blacklist(divided, household, posts), on=date(2016, 4, 3),
                             method="in_person", receiver="户主", actor=posts.cadre)  # fmt: skip
    appeal_lodge(entry=entry, on=date(2016, 4, 5), grounds="不服", actor=posts.cadre)
    take(labour_post(divided, posts), villager(household, 1), posts)
    page, client = posts.client(post), api(posts, post)
    # then each page and each read answers alike for the post
    for path in (COMMITTEE, LABOUR, LISTS + MARCH):
        assert page.get(path).status_code == status, path
    for path in ("committee", "meetings", "labour-posts", "lists?year=2016&month=3"):
        assert client.get(f"/api/v1/villages/{VILLAGE}/{path}").status_code == status, path
    for path in ("/committees/missed/", "/committees/appeals/"):
        assert page.get(path).status_code == 200
