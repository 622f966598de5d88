"""Benchmark: a village's contact cards (精准帮扶联系卡) as one PDF, two A5 cards per A4 page.

Two figures. Rendering alone: 1,000 cards of varied, realistic facts made up in memory
(fixed seed), rendered by `cards_pdf`. End to end, on a throwaway SQLite file or
PostgreSQL cluster: one village with 1,000 paired households, `cards_print` (the old cards
revoked, new tokens and rating codes, facts gathered, audit) then `cards_pdf`, as the
village's print button does. The budget is 30 s for 1,000 cards.

    .venv/bin/python -m bench.bench_cards [--cards N] [--postgres]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import string
import time
from datetime import date, timedelta
from typing import Any

from fupin.core.masking import mask_id_number
from fupin.pairing.card_pdf import CardPrint, cards_pdf
from fupin.registry.idnumber import id_make

BUDGET_SECONDS = 30.0
YEAR = 2019
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林欧阳司马"
GIVEN = "国建明华文志秀英兰玉芳军平德学云海永春光金桂荣"
CATEGORIES = ("一般贫困户", "低保贫困户", "特困供养贫困户")
CAUSES = ("因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金",
          "交通条件落后", "自身发展动力不足")  # fmt: skip
STATUSES = ("未脱贫", "已脱贫（享受政策）", "返贫")
MEASURES = (
    ("产业扶持", "发展养牛{n}头，县产业扶贫资金补助", "{amount}元"),
    ("教育扶贫", "子女就读县一中，享受雨露计划", "{amount}元"),
    ("健康扶贫", "家庭医生签约服务；住院报销比例90%", ""),
    ("小额信贷", "扶贫小额信贷5万元，财政贴息", "{amount}元"),
    ("就业扶贫", "转移就业{n}人，享受务工交通补助", "{amount}元"),
    ("危房改造", "C级危房维修加固", "{amount}元"),
    ("生态扶贫", "聘为生态护林员", "{amount}元"),
    ("易地搬迁", "搬迁至平舟镇安置点，{n}室一厅", ""),
)
UNITS = ("平塘县农业农村局", "黔南州人民医院", "平塘县教育局",
         "中共黔南布依族苗族自治州委员会组织部驻平塘县平舟镇京舟村脱贫攻坚驻村工作队",
         "平舟镇人民政府", "贵州省交通运输厅")  # fmt: skip
VILLAGES = ("京舟村", "拉全村", "新场村", "甲青村")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
URL_SAFE = string.ascii_letters + string.digits + "-_"


def _name(rng: random.Random) -> str:
    surname = rng.choice(("欧阳", "司马")) if rng.random() < 0.05 else rng.choice(SURNAMES[:20])
    return surname + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(("139", "138", "151", "187")) + "".join(rng.choices("0123456789", k=8))


def _measures(rng: random.Random) -> list[tuple[str, str, str]]:
    rows = []
    for kind, text, amount in rng.sample(MEASURES, k=rng.choice((0, 2, 3, 4, 5, 6, 8))):
        n = rng.randint(1, 4)
        rows.append((kind, text.format(n=n), amount.format(amount=rng.randrange(500, 50001, 500))))
    return rows


def _rating_codes(rng: random.Random) -> tuple[str, str, str, str]:
    first, second, third, fourth = ("".join(rng.choices(CODE_ALPHABET, k=8)) for _ in range(4))
    return first, second, third, fourth


def make_card(rng: random.Random, number: int) -> CardPrint:
    """One card with facts varied the way a village's cards vary."""
    measures = _measures(rng)
    total = sum(int(amount[:-1]) for _, _, amount in measures if amount)
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    return CardPrint(
        year=YEAR,
        region=f"贵州省黔南布依族苗族自治州平塘县平舟镇{rng.choice(VILLAGES)}",
        household_no=f"522727100218{number:04d}",
        head_name=_name(rng),
        head_id_masked=mask_id_number(id_make("522727", birth, rng.randrange(1, 1000))),
        members=rng.randint(1, 8),
        category=rng.choice(CATEGORIES),
        causes=rng.sample(CAUSES, k=rng.randint(1, 4)),
        status_label=rng.choice(STATUSES),
        measures=measures,
        support_total=f"共计{total}元" if total else "",
        cadre_name=_name(rng),
        cadre_unit=rng.choice(UNITS),
        cadre_phone=_phone(rng),
        cadre_since=date(2016, 1, 1) + timedelta(days=rng.randrange(900)),
        village_contact=f"第一书记 {_name(rng)} {_phone(rng)}" if rng.random() < 0.8 else "",
        township_phone="0854-7221234",
        verify_url="https://fupin.example.gov.cn/card/v/" + "".join(rng.choices(URL_SAFE, k=43)),
        rating_codes=_rating_codes(rng),
        printed_on=date(YEAR, 3, 15),
        card_no=str(100000 + number),
    )


def run(cards: int) -> dict[str, Any]:
    """Render `cards` cards with `cards_pdf` and return the figures."""
    from pypdf import PdfReader

    rng = random.Random(2019)
    prints = [make_card(rng, number) for number in range(cards)]
    started = time.perf_counter()
    pdf = cards_pdf(prints)
    seconds = time.perf_counter() - started
    return {
        "cards": cards,
        "seconds": round(seconds, 2),
        "cards_per_second": round(cards / seconds),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "within_budget": seconds < BUDGET_SECONDS,
    }


VILLAGE = "522727100218"


def _village_with_paired_households(cards: int) -> list[Any]:
    """One village (its chain of regions), `cards` registered households with a head each,
    and county cadres answering for 5 households each."""
    from django.core.management import call_command
    from django.utils import timezone

    from fupin.pairing.models import Assignment, Cadre
    from fupin.regions.models import Region
    from fupin.registry.models import Household, Member

    call_command("migrate", verbosity=0)
    parent = None
    for length, level in ((2, 1), (4, 2), (6, 3), (9, 4), (12, 5)):
        parent = Region.objects.create(code=VILLAGE[:length], name=f"地区{VILLAGE[:length]}",
                                       level=level, parent=parent, edition=2023)  # fmt: skip
    now = timezone.now()
    rng = random.Random(7)
    households = Household.objects.bulk_create(
        Household(household_no=f"{VILLAGE}{n:04d}", village_id=VILLAGE, status="registered",
                  category="general", main_cause="illness", created_at=now, updated_at=now)
        for n in range(cards)
    )  # fmt: skip
    Member.objects.bulk_create(
        Member(household=household, name=_name(rng), relation="head", sex="M",
               birth_date=date(1960, 1, 1), ethnicity="汉族", health="healthy",
               id_number=id_make("522727", date(1960, 1, 1) + timedelta(days=n // 1000), n % 1000))
        for n, household in enumerate(households)
    )  # fmt: skip
    cadres = Cadre.objects.bulk_create(
        Cadre(name=_name(rng), id_number=id_make("522701", date(1980, 1, 1) + timedelta(days=n),
              1), phone=_phone(rng), unit="平塘县农业农村局", unit_level="county",
              region_code="522727", created_at=now)
        for n in range(cards // 5 + 1)
    )  # fmt: skip
    Assignment.objects.bulk_create(
        Assignment(household=household, cadre=cadres[n // 5], started_on=date(2016, 3, 1),
                   created_at=now)
        for n, household in enumerate(households)
    )  # fmt: skip
    return households


def run_end_to_end(cards: int) -> dict[str, Any]:
    """Print a village's `cards` cards as its print button does, twice (the second print
    revokes the first), and time the second."""
    import django

    django.setup()
    from fupin.core.audit import Actor
    from fupin.pairing.cards import cards_print, village_households_to_print

    _village_with_paired_households(cards)
    actor = Actor(None, "bench")
    cards_print(households=village_households_to_print(VILLAGE), on=date.today(), actor=actor)
    started = time.perf_counter()
    households = village_households_to_print(VILLAGE)
    printed = cards_print(households=households, on=date.today(), actor=actor)
    written = time.perf_counter() - started
    pdf = cards_pdf([card.print for card in printed])
    seconds = time.perf_counter() - started
    return {
        "cards": len(printed),
        "seconds": round(seconds, 2),
        "of_which_database": round(written, 2),
        "bytes": len(pdf),
        "within_budget": seconds < BUDGET_SECONDS,
    }


def main() -> None:
    import os

    from bench.common import throwaway_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true", help="use a throwaway cluster")
    args = parser.parse_args()
    figures = {"rendering": run(args.cards)}
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    with throwaway_database(args.postgres):
        figures["end_to_end"] = run_end_to_end(args.cards)
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
