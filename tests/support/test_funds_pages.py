"""The funds and projects pages: a county keeps a project from the bank to its payments and
the reconciliation shows the amounts worked out by hand; a province allocates to a county;
idle and overspent money is flagged; out of scope answers 404 like missing; a refused
write says why and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from fupin.core.audit import Actor
from fupin.regions.models import Region
from fupin.support.funds.services import (
    allocation_record,
    disbursement_record,
    project_create,
    project_status_change,
)
from fupin.support.models import Allocation, Disbursement, Project, ProjectBeneficiary
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2018
LATER = date(YEAR + 1, 6, 30)  # a year after every allocation: unspent money is idle


class Page(HTMLParser):
    """The text of a page's tables (by id, row by row) and of its fact lists (dt -> dd)."""

    def __init__(self, html: str):
        super().__init__()
        self.html = html
        self.tables: dict[str, list[list[str]]] = {}
        self.facts: dict[str, dict[str, str]] = {}
        self.marked: list[str] = []
        self._table = self._list = ""
        self._cell: list[str] | None = None
        self._term = ""
        self._in_mark = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs).get("id") or ""
        if tag == "table":
            self._table = named
            self.tables[named] = []
        elif tag == "dl":
            self._list = named
            self.facts[named] = {}
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th", "dt", "dd"):
            self._cell = []
        elif tag == "mark":
            self._in_mark = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = ""
        elif tag == "dl":
            self._list = ""
        elif tag == "mark":
            self._in_mark = False
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "dt" and self._cell is not None:
            self._term, self._cell = "".join(self._cell).strip(), None
        elif tag == "dd" and self._cell is not None and self._list:
            self.facts[self._list][self._term] = "".join(self._cell).strip()
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_mark:
            self.marked.append(data.strip())

    def row(self, table: str, first: str) -> list[str]:
        """The row of `table` whose first cell starts with `first`."""
        return next(row for row in self.tables[table] if row and row[0].startswith(first))


def page(client: Client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return Page(response.content.decode())


def allocate(actor: Actor, giver: str, receiver: str, amount: str, on: date, **extra: Any) -> None:
    allocation_record(year=YEAR, source=extra.pop("source", "central"), from_region_code=giver,
                      to_region_code=receiver, amount=Decimal(amount), document_no="财农〔2018〕8号",
                      allocated_on=on, actor=actor, **extra)  # fmt: skip


def test_a_county_keeps_a_project_and_the_reconciliation_adds_it_up(posts: Posts) -> None:  # noqa: F811
    # given: 1,000,000 to the province, 600,000 of it to the county, 50,000 of its own
    allocate(posts.national, "", "52", "1000000", date(YEAR, 3, 1))
    allocate(posts.province, "52", "522727", "600000", date(YEAR, 4, 1))
    allocate(posts.county, "522727", "522727", "50000", date(YEAR, 5, 1), source="county")
    one = household_make("H1", status="registered")
    household_make("H2", status="registered")
    county = posts.client("county")
    # when the county puts a project into the bank, approves it, adds its households and pays
    made = county.post("/funds/projects/new/", {"region_code": VILLAGE, "year": YEAR,
                                                "kind": "infrastructure", "name": "京舟村通组硬化路",
                                                "budget": "400000"})  # fmt: skip
    assert made.status_code == 302, made.content.decode()
    project = Project.objects.get()
    url = f"/funds/projects/{project.pk}/"
    assert made["Location"] == url
    steps = [
        {"action": "step", "to_status": "approved", "on": "2018-05-05", "reason": "县扶贫领导小组批复"},
        {"action": "beneficiaries", "household_nos": "H1\nH2, H1"},
        {"action": "payment", "year": YEAR, "source": "central", "amount": "250000",
         "paid_on": "2018-07-01", "voucher_no": "记-0701"},
    ]  # fmt: skip
    for step in steps:
        done = county.post(url, step)
        assert done.status_code == 302, done.content.decode()[:3000]
    paid = county.post("/funds/payments/new/", {"household_no": "H1", "year": YEAR,
                                                "source": "provincial", "amount": "2000.50",
                                                "paid_on": "2018-08-01"})  # fmt: skip
    assert paid.status_code == 302
    # then the project shows its step, households and payment
    shown = page(county, url)
    assert shown.facts["facts"]["状态"] == "已批复"
    assert shown.facts["facts"]["已支出（元）"] == "250,000.00"
    assert [row[0] for row in shown.tables["beneficiaries"][1:]] == ["H1", "H2"]
    assert shown.tables["payments"][1][:4] == ["2018-07-01", "2018", "中央财政专项扶贫资金",
                                               "250000.00"]  # fmt: skip
    assert "<span>已批复</span><time>2018-05-05</time>" in shown.html
    assert ProjectBeneficiary.objects.filter(project=project).count() == 2
    assert Disbursement.objects.get(household=one).amount == Decimal("2000.50")
    # and the county's reconciliation: 600,000 received + 50,000 own = 650,000 available;
    # 250,000 to the project and 2,000.50 to H1 leave 397,999.50
    funds = page(county, f"/funds/?region=522727&year={YEAR}")
    assert funds.facts["total"] | {
        "上级下达": "600,000.00", "本级安排": "50,000.00", "下达下级": "0.00",
        "可用资金": "650,000.00", "支出到项目": "250,000.00", "支出到户": "2,000.50",
        "结余": "397,999.50", "到户户数": "1",
    } == funds.facts["total"]  # fmt: skip
    # the province sees its own level (本级) keep 400,000 and its prefecture spend 252,000.50
    province = page(posts.client("province"), f"/funds/?region=52&year={YEAR}")
    assert province.row("parts", "本级")[1:5] == ["1,000,000.00", "0.00", "600,000.00",
                                                "400,000.00"]  # fmt: skip
    prefecture = province.row("parts", "黔南布依族苗族自治州")
    assert prefecture[1:8] == ["600,000.00", "50,000.00", "0.00", "650,000.00", "250,000.00",
                               "2,000.50", "397,999.50"]  # fmt: skip
    assert province.facts["total"]["可用资金"] == "1,050,000.00"
    # and the project list shows its budget against what was paid
    listed = page(county, f"/funds/projects/?region=522727&year={YEAR}")
    assert listed.row("projects", "京舟村通组硬化路")[3:] == ["已批复", "400,000.00", "250,000.00",
                                                        "2"]  # fmt: skip


def test_a_province_allocates_to_a_county(posts: Posts) -> None:  # noqa: F811
    # given 500,000 of central funds came to the province
    allocate(posts.national, "", "52", "500000", date(YEAR, 3, 1))
    province = posts.client("province")
    # and the form offers what the province's post gives from, and only that
    form = province.get("/funds/allocations/new/").content.decode()
    assert '<option value="52"' in form and '<option value=""' not in form
    assert '<option value="5227">' in form and '<option value="522727100">' not in form
    # when
    done = province.post("/funds/allocations/new/", {
        "from_region_code": "52", "to_region_code": "522727", "year": YEAR, "source": "central",
        "amount": "300000", "document_no": "黔财农〔2018〕21号", "allocated_on": "2018-04-02",
    })  # fmt: skip
    # then
    assert done.status_code == 302 and done["Location"] == f"/funds/?region=52&year={YEAR}"
    allocation = Allocation.objects.get(from_region_code="52")
    assert (allocation.to_region_code, allocation.amount, allocation.recorded_by_id) == (
        "522727", Decimal("300000.00"), posts.province.user.pk)  # fmt: skip
    shown = page(province, done["Location"])
    assert shown.row("allocations", "2018-04-02")[2:6] == ["贵州省", "平塘县", "300,000.00",
                                                          "黔财农〔2018〕21号"]  # fmt: skip
    assert shown.facts["total"]["上级下达"] == "500,000.00"
    assert shown.row("parts", "本级")[1:5] == ["500,000.00", "0.00", "300,000.00", "200,000.00"]
    assert shown.row("parts", "黔南布依族苗族自治州")[1:5] == ["300,000.00", "0.00", "0.00",
                                                            "300,000.00"]  # fmt: skip
    # years later, none of it spent, all of it is idle where it stopped
    assert shown.tables["flags"][1:] == [["平塘县 522727", "300,000.00", "0.00"],
                                         ["贵州省 52", "200,000.00", "0.00"]]  # fmt: skip


def test_idle_and_overspent_money_is_flagged(posts: Posts) -> None:  # noqa: F811
    # given: 100,000 to the county in March, 30,000 of it paid in July; the prefecture
    # passes down 10,000 it never received
    allocate(posts.national, "", "522727", "100000", date(YEAR, 3, 1))
    allocate(posts.prefecture, "5227", "522727", "10000", date(YEAR, 3, 2))
    household = household_make("H1", status="registered")
    disbursement_record(year=YEAR, source="central", amount=Decimal("30000"),
                        paid_on=date(YEAR, 7, 1), household=household, actor=posts.county)  # fmt: skip
    # when the prefecture looks a year on
    shown = page(posts.client("prefecture"), f"/funds/?region=5227&year={YEAR}&on={LATER}")
    # then the county's 80,000 unspent is idle and the prefecture overspent 10,000
    assert shown.tables["flags"][1:] == [["平塘县 522727", "80,000.00", "0.00"],
                                         ["黔南布依族苗族自治州 5227", "0.00", "10,000.00"]]  # fmt: skip
    assert "80,000.00" in shown.marked and "10,000.00" in shown.marked
    assert shown.row("parts", "本级")[8:10] == ["0.00", "10,000.00"]
    # while in April nothing has waited long enough to be idle
    early = page(posts.client("prefecture"), f"/funds/?region=5227&year={YEAR}&on=2018-04-15")
    assert [row[0] for row in early.tables["flags"][1:]] == ["黔南布依族苗族自治州 5227"]


def test_the_page_opens_on_the_widest_region_of_the_post(posts: Posts) -> None:  # noqa: F811
    allocate(posts.national, "", "52", "1000", date(YEAR, 3, 1))
    inspector = posts.client("inspector")
    shown = page(inspector, f"/funds/?year={YEAR}")
    assert "平塘县" in shown.html
    assert inspector.get(f"/funds/?year={YEAR}&on=0001-01-01").status_code == 200
    assert shown.facts["total"]["可用资金"] == "0.00"
    nation = page(posts.client("national"), f"/funds/?year={YEAR}")
    assert nation.row("parts", "贵州省")[1] == "1,000.00"


def test_a_village_post_and_a_township_find_no_funds(posts: Posts) -> None:  # noqa: F811
    cadre = posts.client("cadre")
    for url in ("/funds/", f"/funds/?region=522727&year={YEAR}", "/funds/projects/"):
        assert cadre.get(url).status_code == 404
    township = posts.client("township")
    assert township.get("/funds/").status_code == 404
    assert township.get("/funds/?region=522727").status_code == 404
    assert posts.client("county").get("/funds/?region=5227").status_code == 404


def test_another_countys_project_is_not_found(posts: Posts, actor: Actor) -> None:  # noqa: F811
    Region.objects.create(code="522728", name="罗甸县", level=3, parent_id="5227",
                          is_western=True, edition=2023)  # fmt: skip
    theirs = project_create(region_code="522728", year=YEAR, kind="industry", name="罗甸火龙果基地",
                            budget=Decimal("90000"), actor=actor)  # fmt: skip
    county = posts.client("county")
    far = county.get(f"/funds/projects/{theirs.pk}/")
    missing = county.get("/funds/projects/987654321/")
    assert far.status_code == missing.status_code == 404
    posted = county.post(f"/funds/projects/{theirs.pk}/", {"action": "step",
                                                           "to_status": "approved",
                                                           "on": "2018-05-01"})  # fmt: skip
    assert posted.status_code == 404
    assert Project.objects.get(pk=theirs.pk).status == "planned"
    listed = page(county, f"/funds/projects/?region=&year={YEAR}")
    assert "罗甸火龙果基地" not in str(listed.tables["projects"])


def test_a_refused_write_says_why_and_writes_nothing(posts: Posts) -> None:  # noqa: F811
    household_make("H1", status="registered")
    household_make("H9", status="registered", village=OTHER_VILLAGE)
    project = project_create(region_code=VILLAGE, year=YEAR, kind="industry", name="食用菌大棚",
                             budget=Decimal("260000"), actor=posts.county)  # fmt: skip
    url = f"/funds/projects/{project.pk}/"
    county = posts.client("county")
    # a planned project is not paid (the form shows only once it is approved)
    unpaid = county.post(url, {"action": "payment", "year": YEAR, "source": "central",
                               "amount": "100", "paid_on": "2018-06-01"})  # fmt: skip
    assert unpaid.status_code == 409
    assert "项目批复后才能支出" in unpaid.content.decode()
    assert not Disbursement.objects.exists()
    # an inspector reads the project but may not move it on
    inspector = posts.client("inspector")
    assert inspector.get(url).status_code == 200
    refused = inspector.post(url, {"action": "step", "to_status": "approved", "on": "2018-05-01"})
    assert refused.status_code == 403
    assert "您的岗位不能办理这项操作" in refused.content.decode()
    assert Project.objects.get().status == "planned"
    # a household of another village of the county lies outside the village's project
    project_status_change(project=project, to_status="approved", on=date(YEAR, 5, 1),
                          actor=posts.county)  # fmt: skip
    outside = county.post(url, {"action": "beneficiaries", "household_nos": "H1 H9"})
    assert outside.status_code == 400
    assert "有农户不在项目所在的区域" in outside.content.decode()
    unknown = county.post(url, {"action": "beneficiaries", "household_nos": "H1、H404"})
    assert unknown.status_code == 400 and "H404" in unknown.content.decode()
    assert not ProjectBeneficiary.objects.exists()
    # the county cannot give from the province's level: the form does not offer it
    given = county.post("/funds/allocations/new/", {
        "from_region_code": "52", "to_region_code": "522727", "year": YEAR, "source": "central",
        "amount": "1", "document_no": "x", "allocated_on": "2018-04-02",
    })  # fmt: skip
    assert given.status_code == 400 and not Allocation.objects.exists()
    # and money goes down, never up
    up = posts.client("prefecture").post("/funds/allocations/new/", {
        "from_region_code": "5227", "to_region_code": "52", "year": YEAR, "source": "central",
        "amount": "1", "document_no": "x", "allocated_on": "2018-04-02",
    })  # fmt: skip
    assert up.status_code == 400 and "资金只能下达到下级区划" in up.content.decode()
    assert not Allocation.objects.exists()


def test_posts_that_do_not_write_are_told_so(posts: Posts) -> None:  # noqa: F811
    inspector = posts.client("inspector")
    for url in ("/funds/allocations/new/", "/funds/projects/new/", "/funds/payments/new/"):
        response = inspector.get(url)
        assert response.status_code == 403 and 'class="notice"' in response.content.decode()
    assert posts.client("township").post("/funds/payments/new/", {}).status_code == 403
    assert not Disbursement.objects.exists()
