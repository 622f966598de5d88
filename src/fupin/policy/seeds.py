"""The official figures the policy tables start from (DOMAIN.md 1.3, 1.4, 4, 6), as plain data.

Each value row: (name, year or None for every year, province or "" for national, value,
verified, source). Unverified figures are seeded all the same, flagged, for the national
office to confirm or change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

WESTERN_PROVINCES = ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65")

Seed = tuple[str, int | None, str, Decimal, bool, str]

_IDENTIFICATION_LINES = [
    (2010, 2300, True, "2,300 at 2010 prices [S12]"),
    (2011, 2536, True, "[S12]"),
    (2012, 2625, True, "[S12]"),
    (2013, 2736, True, "[S2][S12]"),
    (2014, 2800, True, "[S12][S33]"),
    (2015, 2855, True, "[S12][S3]"),
    (2016, 2952, True, "[S12]"),
    (2017, 2952, False, "weak: a national QA rule list applies 2,952 to 2014-2017 [S44]"),
    (2018, 2995, False, "no source found"),
    (2019, 3218, False, "no source found"),
    (2020, 4000, True, "'about 4,000' [S13][S14][S32]"),
]
# A local exit series (fits 2,800 x 1.06^(year-2014)); earlier years use the national line.
_EXIT_LINES = [
    (2014, 2800, True, "the national line [S14]"),
    (2015, 2855, True, "the national line [S14]"),
    (2016, 2952, True, "the national line [S14]"),
    (2017, 3335, False, "a local exit series, no official source"),
    (2018, 3535, False, "a local exit series, no official source"),
    (2019, 3747, False, "a local exit series, no official source"),
    (2020, 4000, True, "'about 4,000' [S14]"),
]


def official_values() -> list[Seed]:
    """Every seeded value."""
    rows: list[Seed] = [
        ("identification_line", year, "", Decimal(value), verified, f"DOMAIN.md 1.3 {source}")
        for year, value, verified, source in _IDENTIFICATION_LINES
    ]
    rows += [
        ("exit_line", year, "", Decimal(value), verified, f"DOMAIN.md 1.3 {source}")
        for year, value, verified, source in _EXIT_LINES
    ]
    rows += [
        ("monitoring_factor", None, "", Decimal("1.5"), True, "DOMAIN.md 6: about 1.5x [S27]"),
        ("notice_days", None, "", Decimal(7), False, "DOMAIN.md 1.2: 7 days [S50], 5 [S4]"),
    ]
    for name in ("village_exit_incidence", "county_exit_incidence"):
        rows.append((name, None, "", Decimal("0.02"), True, "DOMAIN.md 4: below 2% [S14]"))
        rows += [
            (name, None, code, Decimal("0.03"), True, "DOMAIN.md 4: below 3% in the west [S14]")
            for code in WESTERN_PROVINCES
        ]
    return rows


def procedure_values() -> list[Seed]:
    """The parameters of the annual run and the procedures (seeded after the first set)."""
    return [
        ("exit_stable_years", None, "", Decimal(1), False,
         "DOMAIN.md 4: 'stably above' the line, no number of years given; the year itself"),
        ("identification_until", None, "", Decimal(2020), True,
         "DOMAIN.md 4: the campaign completed in 2020 [S36]"),
        ("monitoring_from", None, "", Decimal(2021), True,
         "DOMAIN.md 6: the 2021+ monitoring scheme [S28]; the 2020 scheme [S27] ran alongside"),
    ]  # fmt: skip


def evaluation_values() -> list[Seed]:
    """The national special evaluation's bars (三率一度), any one failed is a veto."""
    source = "DOMAIN.md 4: third-party evaluation [S15][S16][S18][S21]"
    return [
        ("wrong_exit_rate_max", None, "", Decimal("0.02"), True, f"{source}: below 2%"),
        ("omission_rate_max", None, "", Decimal("0.02"), True, f"{source}: below 2%"),
        ("satisfaction_min", None, "", Decimal("0.90"), True, f"{source}: 90% or above"),
    ]


def transition_values() -> list[Seed]:
    """The last year exited households and lifted areas keep their policies (四个不摘)."""
    source = "DOMAIN.md 6: five-year transition 2021-2025 with 四个不摘 [S62]"
    return [("transition_until", None, "", Decimal(2025), True, source)]


def pairing_caps() -> list[Seed]:
    """Households per paired cadre by the level of the cadre's unit, senior to junior."""
    source = "DOMAIN.md 5: Fengshan 2016 '87654' [S25]; national caps unverified"
    caps = {"province": 8, "city": 7, "county": 6, "township": 5, "village": 4}
    return [(f"pairing_cap_{level}", None, "", Decimal(cap), False, source)
            for level, cap in caps.items()]  # fmt: skip


def posting_values() -> list[Seed]:
    """Terms, team size and attendance of first secretaries and work teams (驻村)."""
    secretary = "DOMAIN.md 5: first secretaries, 2015 notice [S22]"
    team = "DOMAIN.md 5: work teams, 2017 guideline [S23]"
    return [
        ("posting_term_years_default", None, "", Decimal(2), False,
         f"{secretary}: Shanxi used 2 years; {team}: each term at least 2 years"),
        ("posting_term_years_min", None, "", Decimal(1), True, f"{secretary}: 1-3 years"),
        ("posting_term_years_max", None, "", Decimal(3), True, f"{secretary}: 1-3 years"),
        ("work_team_members_min", None, "", Decimal(3), True, f"{team}: at least 3 members"),
        ("attendance_share_min", None, "", Decimal("0.6667"), False,
         f"{secretary}: at least 2/3 of working days in the village (Shanxi); "
         "unverified nationally"),
    ]  # fmt: skip


def visit_values() -> list[Seed]:
    """How often a paired cadre visits each household (入户走访周期)."""
    return [
        ("visit_interval_days", None, "", Decimal(30), False,
         "issue 5: 'default a month'; local rules vary (monthly visits are common), "
         "no national figure found"),
    ]  # fmt: skip


def committee_values() -> list[Seed]:
    """The village committee for poverty alleviation (村扶贫工作委员会): its size by the
    village's household count, each member's households, the meeting cadence and the
    black-list appeal. The ranges are the requirement's; no official source was found for
    any of them, and the thresholds, the grace and the two periods are this system's own
    defaults, so every row is unverified."""
    issue = "issue: committee of 5-7 members, 15-30 households each; no official source found"
    cadence = "issue: weekly internal and monthly public meetings; no official source found"
    return [
        ("committee_members_min", None, "", Decimal(5), False, issue),
        ("committee_members_max", None, "", Decimal(7), False, issue),
        # 5 members under 100 households, 6 from 100, 7 from 150: every village of 75 to
        # 210 households can then be divided within 15-30 households a member.
        ("committee_step_from", None, "", Decimal(100), False,
         "default: a 6th member from 100 households; no source found"),
        ("committee_step_households", None, "", Decimal(50), False,
         "default: one more member every further 50 households; no source found"),
        ("committee_load_min", None, "", Decimal(15), False, issue),
        ("committee_load_max", None, "", Decimal(30), False, issue),
        ("committee_internal_every_weeks", None, "", Decimal(1), False, cadence),
        ("committee_public_every_months", None, "", Decimal(1), False, cadence),
        ("committee_meeting_grace_days", None, "", Decimal(3), False,
         "default: 3 days after the week or month to record the meeting; no source found"),
        ("blacklist_appeal_days", None, "", Decimal(15), False,
         "default: 15 days from the written notice to appeal to the township; "
         "no source found"),
        ("blacklist_decision_days", None, "", Decimal(30), False,
         "default: the township decides within 30 days of the appeal; no source found"),
    ]  # fmt: skip


def funds_values() -> list[Seed]:
    """How long allocated funds may stay unspent before they count as idle (资金闲置)."""
    return [
        ("fund_idle_months", None, "", Decimal(12), False,
         "issue 6.2: funds allocated and not spent after a set time are flagged; "
         "no national figure found, 12 months a default"),
    ]  # fmt: skip


def credit_values() -> list[Seed]:
    """The national microcredit terms of 2014-2020 (扶贫小额信贷: 5万元以下, 3年期以内) and when
    an overdue loan counts as defaulted; none is in DOMAIN.md."""
    source = "issue 6.3: national microcredit rule 2014-2020, not in DOMAIN.md"
    return [
        ("credit_amount_max", None, "", Decimal(50000), False, f"{source}: 5万元以下"),
        ("credit_term_max_months", None, "", Decimal(36), False, f"{source}: 3年期以内"),
        ("credit_default_days", None, "", Decimal(90), False,
         "issue 6.3: no national figure found; 90 days overdue, the banks' non-performing "
         "threshold, a default"),
    ]  # fmt: skip


def appeal_period_values() -> list[Seed]:
    """The periods of an appeal against what a cadre's or unit's evaluation led to: from the
    notice to the last day to appeal, and from the appeal to the decision above."""
    source = "issue 6.4: open to appeal; no national period found, the black list's taken"
    return [
        ("evaluation_appeal_days", None, "", Decimal(15), False, source),
        ("evaluation_decision_days", None, "", Decimal(30), False, source),
    ]  # fmt: skip


# Village scoring (积分制, 红黑榜) is local practice: these three criteria are the
# requirement's default, the weights this system's own (work counts most).
_SCORING_CRITERIA = [
    ("work_performance", "劳动表现", Decimal("0.4")),
    ("village_affairs", "参与村务", Decimal("0.3")),
    ("village_rules", "遵守村规民约", Decimal("0.3")),
]


def typical_scoring_criteria() -> list[tuple[str, str, Decimal, str]]:
    """The seeded national scoring criteria as (code, label, weight, source), all
    unverified."""
    source = "issue: default criteria; weights a default, no official source found"
    return [(code, label, weight, source) for code, label, weight in _SCORING_CRITERIA]


def seeded_lines(name: str = "identification_line") -> dict[int, float]:
    """The seeded national line of each year, for code that runs without a database."""
    return {
        year: float(value)
        for row_name, year, province, value, _, _ in official_values()
        if row_name == name and year is not None and province == ""
    }


# The typical X不评 predicates (DOMAIN.md 1.4) and the local rule lists that state them.
# Each rule reads the household fact of the same name.
_EXCLUSION_RULES = [
    ("payroll_member", "[S8][S9][S10][S4]"),
    ("village_committee_member", "[S8][S9][S10]"),
    ("owns_car", "[S8][S9][S10][S4]; the vehicle and its value threshold vary"),
    ("town_house", "[S8][S9][S10][S4]"),
    ("operating_business", "[S8][S9][S10]"),
    ("large_machinery", "[S10]: e.g. 45 hp or 20,000 RMB and more"),
    ("hires_labour", "[S8][S9][S10]"),
    ("not_resident", "[S9] 空挂户; [S8][S10] whole family away 3 years or more"),
    ("household_split", "[S9]"),
    ("commercial_pension", "[S8][S10]"),
    ("study_abroad", "[S8][S10]"),
    ("misconduct", "[S8]"),
]


def typical_exclusion_rules() -> list[tuple[str, str, str]]:
    """The seeded national exclusion rules as (code, fact, source); none is verified, since
    every known list is local."""
    return [
        (code, code, f"DOMAIN.md 1.4: local rules, no national list {sources}")
        for code, sources in _EXCLUSION_RULES
    ]


# Village exit: incidence below the threshold "also weighing infrastructure, public
# services, industry and collective income" (DOMAIN.md 4 [S14]); provinces set the real
# lists (Shaanxi 7 vetoes [S39]). These are a typical national starting list, unverified.
_VILLAGE_EXIT_INDICATORS = [
    ("hardened_road", "通硬化路"),
    ("safe_water", "安全饮水"),
    ("electricity", "生产生活用电"),
    ("clinic", "标准化村卫生室和合格村医"),
    ("collective_income", "村集体经济有稳定收入"),
]


def typical_exit_indicators() -> list[tuple[str, str, str, str]]:
    """The seeded national exit indicators as (level, code, label, source), all unverified."""
    source = "DOMAIN.md 4: infrastructure, services, industry, collective income [S14][S39]"
    return [("village", code, label, source) for code, label in _VILLAGE_EXIT_INDICATORS]


# Which measures answer which main cause of poverty (因户施策): the pairs follow the common
# local practice of the measure lists on contact cards ([S7][S26]) and the QA rule "risk
# type without a matching measure" (DOMAIN.md 6); no national table was found, so every
# pair is unverified. "other" is answered by any measure.
_CAUSE_MEASURES = {
    "illness": ("health", "minimum_living"),
    "disability": ("health", "minimum_living", "welfare_post"),
    "schooling": ("education",),
    "disaster": ("housing", "relocation", "other"),
    "land": ("industry", "employment", "relocation", "ecological"),
    "water": ("relocation", "industry", "other"),
    "skills": ("training", "employment"),
    "labor": ("minimum_living", "extreme_poverty", "welfare_post"),
    "funds": ("microcredit", "industry"),
    "transport": ("relocation", "employment", "other"),
    "motivation": ("training", "employment", "welfare_post", "industry"),
    "other": (
        "industry", "employment", "education", "health", "housing", "relocation",
        "ecological", "minimum_living", "extreme_poverty", "microcredit", "welfare_post",
        "training", "other",
    ),
}  # fmt: skip


def typical_cause_measures() -> list[tuple[str, str, str]]:
    """The seeded national cause-to-measure pairs as (cause, measure type, source), all
    unverified."""
    source = "DOMAIN.md 2.1, 5, 6: typical local practice, no national table found"
    return [
        (cause, measure_type, source)
        for cause, types in _CAUSE_MEASURES.items()
        for measure_type in types
    ]


def values_insert(apps: Any, rows: list[Seed]) -> None:
    """Insert seeded values as version 1 (for the migrations, with their historical model)."""
    from django.utils import timezone

    policy_value = apps.get_model("policy", "PolicyValue")
    now = timezone.now()
    policy_value.objects.bulk_create(
        policy_value(
            name=name, year=year, province=province, version=1, value=value,
            verified=verified, source=source, created_at=now,
        )
        for name, year, province, value, verified, source in rows
    )  # fmt: skip


def values_delete(apps: Any, rows: list[Seed]) -> None:
    """Remove the seeded parameters of `rows` (a migration's reverse)."""
    names = {row[0] for row in rows}
    apps.get_model("policy", "PolicyValue").objects.filter(name__in=names, version=1).delete()
