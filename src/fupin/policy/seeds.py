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
