"""The posting pages, API routes and CLI (驻村第一书记, 驻村工作队) as the posts use them: the
county posts, staffs, ends and replaces; a member logs their own days and the township
confirms them; the village's posts read; another village gets the same 404 as a missing one;
a refusal is shown (or answered with its code) and writes nothing."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from fupin.core.tokens import token_create
from fupin.pairing.models import AttendanceDay, Posting, PostingMember
from fupin.pairing.postings import attendance_log
from tests.pairing.test_postings import (
    TEAM,
    designate,
    person,
    post,
    replace,
    state,
)
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db
PAGE = f"/villages/{VILLAGE}/postings/"
JUNE = "?year=2016&month=6"
MISSING = 987654321


def rows(*numbers: int, leader: int | None = None) -> dict[str, str]:
    """Form rows p1-…, p2-… for the persons `numbers`; `leader` is the leader's row."""
    fields = {}
    for row, number in enumerate(numbers, start=1):
        someone = person(number)
        fields |= {f"p{row}-name": someone.name, f"p{row}-id_number": someone.id_number,
                   f"p{row}-phone": someone.phone}  # fmt: skip
    return fields | ({"leader": str(leader)} if leader else {})


def opened_form(**change: str) -> dict[str, str]:
    return {"kind": TEAM, "sending_unit": "平塘县财政局", "unit_level": "county",
            "duties": "抓党建促脱贫", "term_start": "2016-03-01",
            **rows(11, 12, 13, leader=1), **change}  # fmt: skip


def text(response: Any) -> str:
    return response.content.decode()


# ---- the village page --------------------------------------------------------------------


def test_the_village_page_shows_postings_and_the_forms_of_who_may_act(posts: Posts) -> None:  # noqa: F811
    # given a first secretary replaced once, and a work team
    first = post(posts)
    successor = replace(posts, first)  # 驻村干部2 of 平塘县委组织部 from 2017-03-01
    team_posting = post(posts, TEAM)
    # when the county opens the page
    county = posts.client("county").get(PAGE + JUNE)
    # then the active postings, their members and the past posting with its successor show
    assert county.status_code == 200
    body = text(county)
    for shown in ("平塘县委组织部", "驻村干部2", "驻村干部11", "队长", "黔南州财政局", "轮换接替",
                  "2017-03-01", "2016年6月", person(2).id_number):  # fmt: skip
        assert shown in body, shown
    # and the county's forms, for each active posting
    assert (
        f"/postings/{successor.pk}/replace/" in body and f"/postings/{team_posting.pk}/end/" in body
    )
    assert f"/postings/{first.pk}/end/" not in body and "/postings/open/" not in body
    assert f"/postings/{team_posting.pk}/attendance/confirm/" not in body
    # the township logs and confirms, and does not post
    township = text(posts.client("township").get(PAGE + JUNE))
    assert f"/postings/{team_posting.pk}/attendance/log/" in township
    assert f"/postings/{team_posting.pk}/attendance/confirm/" in township
    assert f"/postings/{team_posting.pk}/end/" not in township
    # the village's cadre reads without a form; the province reads the ID numbers masked
    cadre = text(posts.client("cadre").get(PAGE))
    assert "驻村干部11" in cadre and 'action="/postings/' not in cadre
    province = text(posts.client("province").get(PAGE))
    assert person(2).id_number not in province and person(2).id_number[:6] in province
    # another village's post and a missing village get the same 404
    other = posts.client("other_cadre").get(PAGE)
    missing = posts.client("county").get("/villages/522727100299/postings/")
    assert other.status_code == missing.status_code == 404


def test_the_county_opens_a_posting_and_the_township_is_refused(posts: Posts) -> None:  # noqa: F811
    url = f"/villages/{VILLAGE}/postings/open/"
    # when the township posts a team, then it is refused on the page and nothing is written
    before = state()
    refused = posts.client("township").post(url, opened_form())
    assert refused.status_code == 403
    assert "您的岗位不能办理此事项" in text(refused)
    assert state() == before
    # when the county posts it, then the team is there with its leader
    county = posts.client("county")
    done = county.post(url, opened_form())
    assert done.status_code == 302 and done["Location"].startswith(PAGE)
    posting = Posting.objects.get(kind=TEAM)
    assert posting.members.get(is_leader=True).name == "驻村干部11"
    assert posting.members.count() == 3
    # a second team, a bad date and an unknown login are refused and shown, writing nothing
    before = state()
    again = county.post(url, opened_form(**rows(21, 22, 23, leader=1)))
    assert again.status_code == 400 and "已有在岗的同类派驻" in text(again)
    bad_id = county.post(url, opened_form(kind="first_secretary", **{"p1-id_number": "123"}))
    assert bad_id.status_code == 400 and "身份证号有误" in text(bad_id)
    assert 'value="驻村干部11"' in text(bad_id) and 'value="123"' in text(bad_id)  # kept
    bad_day = county.post(url, opened_form(kind="first_secretary", term_start="2016-13-01"))
    assert bad_day.status_code == 400 and "请检查填写的内容" in text(bad_day)
    unknown = county.post(url, opened_form(kind="first_secretary", **{"p1-login": "nobody"}))
    assert unknown.status_code == 400 and "nobody" in text(unknown)
    assert state() == before
    # another village's post gets a 404 and writes nothing
    assert posts.client("other_cadre").post(url, opened_form()).status_code == 404
    assert state() == before


def test_the_county_staffs_ends_and_replaces_from_the_page(posts: Posts) -> None:  # noqa: F811
    posting = post(posts, TEAM)
    county = posts.client("county")
    # a recall without its reason is refused and shown; so is the township's end
    before = state()
    silent = county.post(f"/postings/{posting.pk}/end/", {"on": "2016-09-01", "reason": "recall"})
    assert silent.status_code == 400 and "请写明原因" in text(silent)
    township = posts.client("township").post(
        f"/postings/{posting.pk}/end/", {"on": "2016-09-01", "reason": "recall", "note": "调回"}
    )
    assert township.status_code == 403 and state() == before
    # a fourth member joins; then one may leave, with the reason
    added = county.post(f"/postings/{posting.pk}/members/add/", {**rows(14), "on": "2016-05-01"})
    assert added.status_code == 302
    fourth = PostingMember.objects.get(name="驻村干部14")
    left = county.post(f"/postings/{posting.pk}/members/remove/",
                       {"member": fourth.pk, "on": "2016-06-01", "reason": "病休"})  # fmt: skip
    assert left.status_code == 302
    fourth.refresh_from_db()
    assert (fourth.left_on, fourth.leave_reason) == (date(2016, 6, 1), "病休")
    # the minimum holds
    leader = posting.members.get(is_leader=True)
    small = county.post(f"/postings/{posting.pk}/members/remove/",
                        {"member": leader.pk, "on": "2016-07-01", "reason": "调岗"})  # fmt: skip
    assert small.status_code == 400 and "最少人数" in text(small)
    # the team is replaced whole
    replaced = county.post(f"/postings/{posting.pk}/replace/", {
        "on": "2017-03-01", "note": "轮换", "sending_unit": "平塘县委组织部",
        "unit_level": "county", "duties": "巩固脱贫成果", **rows(21, 22, 23, leader=2),
    })  # fmt: skip
    assert replaced.status_code == 302
    posting.refresh_from_db()
    assert (posting.status, posting.end_reason) == ("ended", "replacement")
    assert posting.successor is not None
    assert posting.successor.members.get(is_leader=True).name == "驻村干部22"
    assert "平塘县委组织部" in text(county.get(PAGE))
    # a missing posting and another village's post: 404
    assert county.post(f"/postings/{MISSING}/end/", {}).status_code == 404
    assert posts.client("other_cadre").post(f"/postings/{posting.pk}/end/", {}).status_code == 404


def test_a_member_logs_their_days_and_the_township_confirms_the_month(posts: Posts) -> None:  # noqa: F811
    # given a first secretary who has a login
    posting = post(posts, members=[person(1, user=posts.secretary.user)])
    member = posting.members.get()
    log, confirm = (f"/postings/{posting.pk}/attendance/log/",
                    f"/postings/{posting.pk}/attendance/confirm/")  # fmt: skip
    secretary = posts.client("secretary")
    page = text(secretary.get(PAGE + JUNE))
    assert log in page and confirm not in page
    # when they log a day, then it waits for the township
    day = {"member": member.pk, "day": "2016-06-01", "year": "2016", "month": "6"}
    logged = secretary.post(log, day)
    assert logged.status_code == 302 and logged["Location"].endswith(f"{JUNE}#attendance")
    assert AttendanceDay.objects.get(member=member).confirmed_at is None
    # the same day twice, and a day for them by the village's cadre, are refused
    before = state()
    twice = secretary.post(log, day)
    assert twice.status_code == 400 and "这一天已经登记过" in text(twice)
    by_cadre = posts.client("cadre").post(log, day | {"day": "2016-06-02"})
    assert by_cadre.status_code == 403
    own = secretary.post(confirm, {"year": "2016", "month": "6"})
    assert own.status_code == 403 and state() == before
    # when the township confirms the month, then the day counts
    township = posts.client("township")
    assert township.post(confirm, {"year": "2016", "month": "6", "member": ""}).status_code == 302
    assert AttendanceDay.objects.get(member=member).confirmed_at is not None
    nothing = township.post(confirm, {"year": "2016", "month": "6"})
    assert nothing.status_code == 400 and "没有待确认的考勤" in text(nothing)
    # and one day of June is under two thirds of its 22 working days
    table = text(township.get(PAGE + JUNE)).replace(" ", "")
    assert "低于规定天数" in table and '<tdclass="num">1</td><tdclass="num">1</td>' in table
    # another village's post gets a 404 and writes nothing
    before = state()
    assert posts.client("other_cadre").post(log, day | {"day": "2016-06-03"}).status_code == 404
    assert state() == before


def test_the_coverage_and_attendance_pages_keep_to_the_scope(posts: Posts) -> None:  # noqa: F811
    designate(VILLAGE)
    designate(OTHER_VILLAGE)
    post(posts)  # VILLAGE has its first secretary
    posting = post(posts, TEAM, members=[person(11, leader=True), person(12), person(13)])
    attendance_log(member=posting.members.get(is_leader=True), days=[date(2016, 6, 1)],
                   actor=posts.township)  # fmt: skip
    # the county sees both villages' gaps
    county = text(posts.client("county").get("/postings/coverage/"))
    assert "拉全村村民委员会" in county and f"/villages/{OTHER_VILLAGE}/postings/" in county
    assert f"/villages/{VILLAGE}/postings/" not in county  # covered by both kinds
    # the other village's cadre sees its own village only
    other = text(posts.client("other_cadre").get("/postings/coverage/?region=5227"))
    assert "拉全村村民委员会" in other and VILLAGE not in other
    # the three team members and the first secretary were short in June 2016
    flags = text(posts.client("township").get("/postings/attendance/?year=2016&month=6"))
    assert all(f"驻村干部{n}" in flags for n in (1, 11, 12, 13))
    assert "驻村干部" not in text(posts.client("other_cadre").get("/postings/attendance/"))
    # a bad month reads as the default one, never an error
    assert posts.client("county").get("/postings/attendance/?year=²&month=x").status_code == 200


# ---- the API -------------------------------------------------------------------------------


def api(posts: Posts, name: str) -> Client:  # noqa: F811
    actor = getattr(posts, name)
    raw = token_create(user=actor.user, name="test", actor=actor).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body, default=str),
                       content_type="application/json")  # fmt: skip


def people(*numbers: int, leader: int | None = None) -> list[dict[str, Any]]:
    return [{"name": p.name, "id_number": p.id_number, "phone": p.phone,
             "is_leader": p.name == f"驻村干部{leader}"} for p in map(person, numbers)]  # fmt: skip


def test_the_api_reads_postings_masked_by_post_and_404_outside(posts: Posts) -> None:  # noqa: F811
    posting = post(posts, TEAM)
    number = person(11).id_number
    listed = api(posts, "county").get(f"/api/v1/villages/{VILLAGE}/postings")
    assert listed.status_code == 200
    (item,) = listed.json()
    assert (item["id"], item["kind"], item["status"]) == (posting.pk, TEAM, "active")
    assert item["members"][0]["id_number"] == number
    masked = api(posts, "province").get(f"/api/v1/postings/{posting.pk}").json()
    assert masked["members"][0]["id_number"] == number[:6] + "********" + number[-4:]
    other = api(posts, "other_cadre")
    far = other.get(f"/api/v1/postings/{posting.pk}")
    gone = other.get(f"/api/v1/postings/{MISSING}")
    assert far.status_code == gone.status_code == 404 and far.json() == gone.json()
    assert other.get(f"/api/v1/villages/{VILLAGE}/postings").status_code == 404


def test_the_county_opens_staffs_ends_and_replaces_through_the_api(posts: Posts) -> None:  # noqa: F811
    body = {"village": VILLAGE, "kind": TEAM, "sending_unit": "平塘县财政局",
            "unit_level": "county", "term_start": "2016-03-01", "duties": "抓党建促脱贫",
            "members": people(11, 12, 13, leader=11)}  # fmt: skip
    county, township, other = (
        api(posts, "county"),
        api(posts, "township"),
        api(posts, "other_cadre"),
    )
    # the township is refused with the code, writing nothing
    before = state()
    refused = send(township, "/postings", body)
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    assert send(other, "/postings", body).status_code == 404
    assert send(county, "/postings", body | {"kind": "mayor"}).status_code == 422
    assert state() == before
    # the county opens it
    opened = send(county, "/postings", body)
    assert opened.status_code == 201, opened.content
    posting_id = opened.json()["id"]
    assert opened.json()["term_end"] == "2018-02-28"
    again = send(county, "/postings", body)
    assert again.status_code == 409 and again.json()["code"] == "posted_already"
    # a member joins and another leaves
    added = send(county, f"/postings/{posting_id}/members", people(14)[0] | {"on": "2016-05-01"})
    assert added.status_code == 201 and added.json()["name"] == "驻村干部14"
    gone = send(county, f"/postings/{posting_id}/members/{added.json()['id']}/removal",
                {"on": "2016-06-01", "reason": "病休"})  # fmt: skip
    assert gone.status_code == 200 and gone.json()["left_on"] == "2016-06-01"
    # a recall needs its reason; a replacement opens the successor
    silent = send(county, f"/postings/{posting_id}/end", {"on": "2016-09-01", "reason": "recall"})
    assert silent.status_code == 400 and silent.json()["code"] == "reason_missing"
    successor = send(county, f"/postings/{posting_id}/replacement", {
        "on": "2017-03-01", "note": "轮换", "sending_unit": "平塘县委组织部",
        "unit_level": "county", "duties": "巩固脱贫成果", "members": people(21, 22, 23, leader=21),
    })  # fmt: skip
    assert successor.status_code == 201 and successor.json()["predecessor_id"] == posting_id
    ended = county.get(f"/api/v1/postings/{posting_id}").json()
    assert (ended["end_reason"], ended["successor_id"]) == ("replacement", successor.json()["id"])
    recalled = send(county, f"/postings/{successor.json()['id']}/end",
                    {"on": "2017-05-01", "reason": "recall", "note": "不适应驻村工作"})  # fmt: skip
    assert recalled.status_code == 200 and recalled.json()["status"] == "ended"


def test_days_are_logged_and_confirmed_through_the_api(posts: Posts) -> None:  # noqa: F811
    posting = post(posts, members=[person(1, user=posts.secretary.user)])
    member = posting.members.get()
    days = f"/postings/{posting.pk}/members/{member.pk}/attendance"
    secretary, cadre, other = (
        api(posts, "secretary"),
        api(posts, "cadre"),
        api(posts, "other_cadre"),
    )
    township = api(posts, "township")
    logged = send(secretary, days, {"days": ["2016-06-01", "2016-06-02"]})
    assert logged.status_code == 201 and logged.json()["confirmed"] is False
    before = state()
    assert send(cadre, days, {"days": ["2016-06-03"]}).status_code == 403
    assert send(other, days, {"days": ["2016-06-03"]}).status_code == 404
    assert send(secretary, days, {"days": []}).status_code == 422
    twice = send(secretary, days, {"days": ["2016-06-01"]})
    assert twice.status_code == 409 and twice.json()["code"] == "logged_already"
    confirmation = f"/postings/{posting.pk}/attendance/confirmation"
    own = send(secretary, confirmation, {"year": 2016, "month": 6})
    assert own.status_code == 403 and own.json()["code"] == "role_not_allowed"
    assert state() == before
    confirmed = send(township, confirmation, {"year": 2016, "month": 6})
    assert confirmed.status_code == 200
    assert confirmed.json()["members"] == [{"member_id": member.pk, "name": "驻村干部1", "days": 2}]
    flags = api(posts, "county").get("/api/v1/postings/attendance-flags?year=2016&month=6")
    assert [(f["member_id"], f["days_present"], f["days_required"]) for f in flags.json()] == [
        (member.pk, 2, 15)
    ]
    assert (
        api(posts, "other_cadre").get("/api/v1/postings/attendance-flags?year=2016&month=6").json()
        == []
    )


def test_the_api_lists_the_coverage_gaps_in_scope(posts: Posts) -> None:  # noqa: F811
    designate(VILLAGE)
    designate(OTHER_VILLAGE)
    post(posts)
    gaps = api(posts, "county").get("/api/v1/postings/coverage?on=2016-06-01").json()
    assert [(v["code"], v["missing"]) for v in gaps[0]["villages"]] == [
        (OTHER_VILLAGE, ["first_secretary", "work_team"]), (VILLAGE, ["work_team"]),
    ]  # fmt: skip
    mine = api(posts, "cadre").get("/api/v1/postings/coverage?on=2016-06-01").json()
    assert [v["code"] for v in mine[0]["villages"]] == [VILLAGE]


# ---- the CLI -------------------------------------------------------------------------------


def test_the_cli_lists_coverage_and_flags_for_a_user(posts: Posts) -> None:  # noqa: F811
    designate(VILLAGE)
    designate(OTHER_VILLAGE)
    member = post(posts).members.get()
    out = StringIO()
    call_command("postings", "coverage", "--on", "2016-06-01", "--as", "county", stdout=out)
    assert f"{OTHER_VILLAGE}  poor" in out.getvalue() and "lacks work team" in out.getvalue()
    assert "2 villages in all" in out.getvalue()
    out = StringIO()
    call_command("postings", "coverage", "--as", "other_cadre", stdout=out)
    assert VILLAGE not in out.getvalue()
    out = StringIO()
    call_command("postings", "flags", "--year", "2016", "--month", "6", "--as", "township",
                 stdout=out)  # fmt: skip
    assert " 0/15 days  驻村干部1" in out.getvalue() and "1 members flagged" in out.getvalue()
    assert member.name in out.getvalue()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["flags", "--year", "2016", "--month", "13", "--as", "county"], "--month"),
        (["flags", "--year", "²", "--month", "6", "--as", "county"], "--year"),
        (["coverage", "--region", "52x", "--as", "county"], "--region"),
        (["coverage", "--on", "2016-02-30", "--as", "county"], "--on"),
        (["coverage", "--as", "nobody"], "nobody"),
    ],
)
def test_the_cli_refuses_bad_arguments_in_one_line(
    posts: Posts,  # noqa: F811
    args: list[str],
    says: str,
    capsys: Any,
    monkeypatch: Any,
) -> None:
    from django.core.management import base

    from fupin.pairing.management.commands.postings import Command

    with pytest.raises(CommandError) as refused:
        call_command("postings", *args)
    assert refused.value.returncode == 2 and says in str(refused.value)
    # from the command line: one line on stderr, exit code 2, no traceback
    monkeypatch.setattr(base.connections, "close_all", lambda: None)  # keep the test's database
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["fupin", "postings", "--skip-checks", *args])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error and says in error
