"""Synthetic funds and projects (合成扶贫资金和项目) for the households of a synthetic region.

Money follows the poor: each county gets central funds in proportion to its poor
households, through its province (which keeps a little at its own level and adds its own
provincial funds), budgets some of its own, and about half the counties get sector funds
from the centre that they integrate (统筹整合). A county spends most of what it has: on
one to a few projects a year (in a village, or county-wide), paid by how far they got,
and directly on about a third of its poor households. Amounts are whole yuan.

`funds_frames` is a pure function of its arguments (numpy's seeded generator draws, Polars
assembles); `synth_funds` reads the region's households and writes set-wise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone

from fupin.core import bulk
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.regions.queries import code_prefix_q, prefix_upper_bound
from fupin.support.choices import ProjectKind, ProjectStatus
from fupin.support.models import (
    Allocation,
    Disbursement,
    Project,
    ProjectBeneficiary,
    ProjectTransition,
)

CENTRAL_PER_POOR = 3000  # central yuan per poor household and year, before the spread
PROVINCE_KEEPS = (0.01, 0.05)  # of the central funds, kept at the province's own level
PROVINCIAL_SHARE = (0.10, 0.30)  # provincial funds next to the central, per county
COUNTY_SHARE = (0.02, 0.08)  # a county's own funds next to the central
SECTOR_SHARE = (0.20, 0.60)  # integrated sector funds, for about half the counties
PROJECT_SHARE = (0.45, 0.85)  # of a county's funds, budgeted for its projects
HOUSEHOLDS_PAID = 0.3  # of the poor households, paid directly each year
DEPARTMENTS = ("农业农村部门", "交通运输部门", "水利部门", "住房城乡建设部门", "林业和草原部门")
# How far projects get in their year, and the share of their budget paid by then.
STATUS_SHARES = {"planned": 0.1, "approved": 0.1, "under_construction": 0.2,
                 "completed": 0.3, "accepted": 0.3}  # fmt: skip
PAID_SHARE = {"planned": 0.0, "approved": 0.2, "under_construction": 0.6, "completed": 0.9,
              "accepted": 1.0}  # fmt: skip
# The share of a village's households a project of each kind benefits.
BENEFIT_SHARE = {"infrastructure": 0.8, "industry": 0.3, "public_services": 0.5}
COUNTY_WIDE = 0.2  # the share of projects that are county-wide
COUNTY_WIDE_BENEFIT = 0.05
MONEY = pl.Decimal(14, 2)
ON_REGISTER = ("registered", "returned", "exited")


class FundsSynthError(ValueError):
    """A funds synthesis that cannot be met (no households, funds there already)."""


@dataclass(frozen=True)
class FundsFrames:
    """The generated funds. Projects are keyed by `project_key`, which beneficiaries and
    payments to projects refer to until the projects have their ids."""

    allocations: pl.DataFrame
    projects: pl.DataFrame
    beneficiaries: pl.DataFrame
    disbursements: pl.DataFrame


def funds_frames(households: pl.DataFrame, *, years: Sequence[int], seed: int) -> FundsFrames:
    """Funds for `years` from `households` (household_id, village_code, poor)."""
    rng = np.random.default_rng(seed)
    counties = (
        households.filter(pl.col("poor"))
        .group_by(county=pl.col("village_code").str.slice(0, 6))
        .agg(poor=pl.len())
        .sort("county")
    )
    allocations, projects, beneficiaries, payments = [], [], [], []
    serial = 0
    for year in years:
        county_funds, rows = _allocations(rng, counties, year)
        allocations.append(rows)
        made = _projects(rng, county_funds, households, year, first_key=serial)
        serial += made.height
        projects.append(made)
        beneficiaries.append(_beneficiaries(rng, made, households))
        payments.append(_payments(rng, made, households, year))
    return FundsFrames(
        allocations=pl.concat(allocations),
        projects=pl.concat(projects),
        beneficiaries=pl.concat(beneficiaries),
        disbursements=pl.concat(payments, how="diagonal_relaxed"),
    )


def _yuan(rng: np.random.Generator, base: np.ndarray, share: tuple[float, float]) -> np.ndarray:
    return np.floor(base * rng.uniform(*share, len(base))).astype(np.int64)


def _days(rng: np.random.Generator, year: int, first: tuple[int, int], last: tuple[int, int],
          count: int) -> list[date]:  # fmt: skip
    """`count` days of `year` between the (month, day) `first` and `last`."""
    start, end = date(year, *first), date(year, *last)
    offsets = rng.integers(0, (end - start).days + 1, count)
    return [start + timedelta(days=int(offset)) for offset in offsets]


def _allocations(
    rng: np.random.Generator, counties: pl.DataFrame, year: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each county's funds of the year, and the allocations that bring them."""
    n = counties.height
    spread = rng.lognormal(0.0, 0.25, n)
    central = np.floor(counties["poor"].to_numpy() * CENTRAL_PER_POOR * spread).astype(np.int64)
    provincial = _yuan(rng, central, PROVINCIAL_SHARE)
    own = _yuan(rng, central, COUNTY_SHARE)
    sector = np.where(rng.random(n) < 0.5, _yuan(rng, central, SECTOR_SHARE), 0)
    codes = counties["county"].to_list()
    funds = counties.with_columns(
        available=pl.Series(central + provincial + own + sector, dtype=pl.Int64)
    )
    rows: list[tuple[str, str, str, int, date, str, bool]] = []
    for index, code in enumerate(codes):
        rows += [
            ("central", code[:2], code, int(central[index]), _day(rng, year, 4), "", False),
            ("provincial", code[:2], code, int(provincial[index]), _day(rng, year, 5), "", False),
            ("county", code, code, int(own[index]), _day(rng, year, 3), "", False),
        ]
        if sector[index]:
            department = DEPARTMENTS[int(rng.integers(0, len(DEPARTMENTS)))]
            rows.append(("sector", "", code, int(sector[index]), _day(rng, year, 5), department,
                         True))  # fmt: skip
    passed = funds.with_columns(
        province=pl.col("county").str.slice(0, 2),
        central=pl.Series(central),
        provincial=pl.Series(provincial),
    )
    for province in sorted(set(code[:2] for code in codes)):
        mine = passed.filter(pl.col("province") == province)
        to_counties = int(mine["central"].sum())
        kept = int(to_counties * rng.uniform(*PROVINCE_KEEPS))
        rows += [
            ("central", "", province, to_counties + kept, _day(rng, year, 3), "", False),
            ("provincial", province, province, int(mine["provincial"].sum()),
             _day(rng, year, 3), "", False),
        ]  # fmt: skip
    frame = pl.DataFrame(
        rows,
        schema=["source", "from_region_code", "to_region_code", "amount", "allocated_on",
                "department", "integrated"],
        orient="row",
    ).filter(pl.col("amount") > 0)  # fmt: skip
    return funds, frame.with_columns(
        year=pl.lit(year, pl.Int32),
        amount=pl.col("amount").cast(MONEY),
        document_no=pl.format("合成〔{}〕{}号", pl.lit(year), pl.int_range(1, frame.height + 1)),
    )


def _day(rng: np.random.Generator, year: int, month: int) -> date:
    return date(year, month, int(rng.integers(1, 29)))


def _projects(
    rng: np.random.Generator,
    funds: pl.DataFrame,
    households: pl.DataFrame,
    year: int,
    *,
    first_key: int,
) -> pl.DataFrame:
    """One to a few projects per county, their budgets a share of the county's funds."""
    counts = 1 + rng.poisson(1.0, funds.height)
    county = np.repeat(funds["county"].to_numpy(), counts)
    budget_total = np.floor(
        funds["available"].to_numpy() * rng.uniform(*PROJECT_SHARE, funds.height)
    )
    weights = rng.uniform(0.5, 1.5, len(county))
    group_sum = np.repeat(np.add.reduceat(weights, np.cumsum(counts) - counts), counts)
    budget = np.floor(np.repeat(budget_total, counts) * weights / group_sum).astype(np.int64)
    villages = households.group_by(county=pl.col("village_code").str.slice(0, 6)).agg(
        villages=pl.col("village_code").unique().sort()
    )
    choices = dict(zip(villages["county"].to_list(), villages["villages"].to_list(), strict=True))
    places = [
        code
        if rng.random() < COUNTY_WIDE
        else choices[code][int(rng.integers(0, len(choices[code])))]
        for code in county
    ]
    kinds = rng.choice(ProjectKind.values, len(county))
    status = rng.choice(list(STATUS_SHARES), len(county), p=list(STATUS_SHARES.values()))
    labels = {kind.value: str(kind.label) for kind in ProjectKind}
    keys = np.arange(first_key, first_key + len(county))
    frame = pl.DataFrame({
        "project_key": keys,
        "region_code": places,
        "year": np.full(len(county), year, dtype=np.int32),
        "kind": kinds,
        "name": [f"{year}年{labels[kind]}项目{key + 1:05d}"
                 for kind, key in zip(kinds, keys, strict=True)],
        "budget": budget,
        "status": status,
    })  # fmt: skip
    steps = {name: _days(rng, year, first, last, len(county)) for name, first, last in (
        ("approved_on", (3, 1), (4, 30)), ("started_on", (5, 1), (6, 30)),
        ("completed_on", (9, 1), (10, 31)), ("accepted_on", (11, 1), (12, 20)))}  # fmt: skip
    reached = {"approved_on": 1, "started_on": 2, "completed_on": 3, "accepted_on": 4}
    order = list(ProjectStatus.values)
    return frame.with_columns(
        pl.col("budget").cast(MONEY),
        *[
            pl.when(pl.col("status").replace_strict(order, list(range(5)), return_dtype=pl.Int8)
                    >= step).then(pl.Series(days, dtype=pl.Date)).otherwise(None).alias(name)
            for name, days in steps.items()
            for step in [reached[name]]
        ],
    )  # fmt: skip


def _beneficiaries(
    rng: np.random.Generator, projects: pl.DataFrame, households: pl.DataFrame
) -> pl.DataFrame:
    """The households of each project's village (or a few of its county's) it benefits."""
    in_village = projects.filter(pl.col("region_code").str.len_chars() == 12).join(
        households, left_on="region_code", right_on="village_code"
    )
    county_wide = projects.filter(pl.col("region_code").str.len_chars() == 6).join(
        households.with_columns(county=pl.col("village_code").str.slice(0, 6)),
        left_on="region_code", right_on="county",
    )  # fmt: skip
    pairs = pl.concat([
        in_village.select("project_key", "household_id",
                          share=pl.col("kind").replace_strict(BENEFIT_SHARE)),
        county_wide.select("project_key", "household_id", share=pl.lit(COUNTY_WIDE_BENEFIT)),
    ])  # fmt: skip
    draw = pl.Series(rng.random(pairs.height))
    return pairs.filter(draw < pairs["share"]).select("project_key", "household_id")


def _payments(
    rng: np.random.Generator, projects: pl.DataFrame, households: pl.DataFrame, year: int
) -> pl.DataFrame:
    """What the counties paid: to projects by how far they got, and to a third of the poor."""
    shares = projects["status"].replace_strict(PAID_SHARE, return_dtype=pl.Float64)
    to_projects = projects.select(
        "project_key", "region_code",
        amount=(projects["budget"].cast(pl.Float64) * shares).floor().cast(pl.Int64),
        household_id=pl.lit(None, pl.Int64), source=pl.lit("central"),
    ).filter(pl.col("amount") > 0)  # fmt: skip
    poor = households.filter(pl.col("poor"))
    paid = poor.filter(pl.Series(rng.random(poor.height) < HOUSEHOLDS_PAID))
    to_households = paid.select(
        project_key=pl.lit(None, pl.Int64), region_code=pl.col("village_code"),
        amount=pl.Series(rng.integers(5, 31, paid.height) * 100, dtype=pl.Int64),
        household_id=pl.col("household_id"), source=pl.lit("provincial"),
    )  # fmt: skip
    payments = pl.concat([to_projects, to_households])
    return payments.with_columns(
        year=pl.lit(year, pl.Int32),
        amount=pl.col("amount").cast(MONEY),
        paid_on=pl.Series(_days(rng, year, (6, 1), (12, 20), payments.height), dtype=pl.Date),
    )


@dataclass(frozen=True)
class FundsResult:
    """What one funds synthesis wrote."""

    allocations: int
    projects: int
    beneficiaries: int
    disbursements: int


def synth_funds(*, region: str, years: tuple[int, int], seed: int, actor: Actor) -> FundsResult:
    """Generate and write the funds of `years` for the households under `region`, set-wise,
    with one audit event."""
    span = list(range(years[0], years[1] + 1))
    households = bulk.read_frame(
        "SELECT id AS household_id, village_code, status FROM registry_household "
        "WHERE village_code >= %s AND village_code < %s ORDER BY id",
        [region, prefix_upper_bound(region)],
        {"household_id": pl.Int64, "village_code": pl.String, "status": pl.String},
    ).with_columns(poor=pl.col("status").is_in(ON_REGISTER))
    if not households["poor"].any():
        raise FundsSynthError(f"no household on the register under {region}: synthesize it first")
    if Allocation.objects.filter(
        code_prefix_q(region[:6], "to_region_code"), year__in=span
    ).exists():
        raise FundsSynthError(f"funds of {years[0]}-{years[1]} exist under {region} already")
    frames = funds_frames(households, years=span, seed=seed)
    with transaction.atomic():
        result = _write(frames)
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="funds.synth", object_type="allocation", region_code=region,
                after={"years": span, "seed": seed, **result.__dict__},
            ),
        )  # fmt: skip
    return result


def _write(frames: FundsFrames) -> FundsResult:
    now = pl.lit(timezone.now(), pl.Datetime("us", "UTC"))
    allocations = bulk.copy_frame(
        Allocation._meta.db_table,
        frames.allocations.with_columns(recorded_at=now),
    )
    # The projects get their ids from the database: those above the largest before.
    before = Project.objects.order_by("-id").values_list("id", flat=True).first() or 0
    bulk.copy_frame(
        Project._meta.db_table, frames.projects.drop("project_key").with_columns(created_at=now)
    )
    ids = pl.DataFrame(
        list(Project.objects.filter(id__gt=before).values_list("name", "id")),
        schema={"name": pl.String, "project_id": pl.Int64}, orient="row",
    ).join(frames.projects.select("name", "project_key"), on="name")  # fmt: skip
    keyed = ids.select("project_key", "project_id")
    transitions = _transitions(frames.projects.join(keyed, on="project_key"))
    bulk.copy_frame(ProjectTransition._meta.db_table, transitions.with_columns(recorded_at=now))
    beneficiaries = bulk.copy_frame(
        ProjectBeneficiary._meta.db_table,
        frames.beneficiaries.join(keyed, on="project_key").select(
            "project_id", "household_id", added_at=now
        ),
    )
    disbursements = bulk.copy_frame(
        Disbursement._meta.db_table,
        frames.disbursements.join(keyed, on="project_key", how="left").select(
            "year", "source", "amount", "paid_on", "region_code", "project_id", "household_id",
            voucher_no=pl.lit(""), recorded_at=now,
        ),
    )  # fmt: skip
    return FundsResult(allocations, frames.projects.height, beneficiaries, disbursements)


def _transitions(projects: pl.DataFrame) -> pl.DataFrame:
    """The steps each project took to its status, on its dates."""
    order = list(ProjectStatus.values)
    dates = ["approved_on", "started_on", "completed_on", "accepted_on"]
    steps = [
        projects.filter(pl.col(day).is_not_null()).select(
            "project_id", from_status=pl.lit(order[index]), to_status=pl.lit(order[index + 1]),
            on=pl.col(day), reason=pl.lit(""),
        )
        for index, day in enumerate(dates)
    ]  # fmt: skip
    return pl.concat(steps)
