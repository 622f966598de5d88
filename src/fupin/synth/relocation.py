"""Synthetic relocation (合成易地扶贫搬迁) for the households of a synthetic region.

Each county opens one centralised site (集中安置) in one of its villages and one dispersed
resettlement (分散安置); a share of its poor households is planned for relocation in the
plan years, most in the early years. A move of a year long past is moved in; the latest
year's moves are part handed over, part still planned, and a few are called off. Every
handed-over home is safe (grade A or B). Each county's target of a year is its planned
households and persons, rounded up a little, so the progress reads below 100%.

`relocation_frames` is a pure function of its arguments (numpy's seeded generator draws,
Polars assembles); `synth_relocation` reads the region's households and writes set-wise.
"""

from __future__ import annotations

import math
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
from fupin.support.models import RelocationMove, RelocationTarget, ResettlementSite

RELOCATED_SHARE = 0.08  # of a county's poor households
CANCELLED_SHARE = 0.03
TARGET_SLACK = (1.0, 1.15)
ON_REGISTER = ("registered", "returned", "exited")


class RelocationSynthError(ValueError):
    """A relocation synthesis that cannot be met (no households, moves there already)."""


@dataclass(frozen=True)
class RelocationFrames:
    """The generated sites (keyed by `site_key`), moves and targets."""

    sites: pl.DataFrame
    moves: pl.DataFrame
    targets: pl.DataFrame


def relocation_frames(
    households: pl.DataFrame, *, years: Sequence[int], seed: int
) -> RelocationFrames:
    """Relocation in plan `years` for `households` (household_id, village_code, poor,
    persons)."""
    rng = np.random.default_rng(seed)
    poor = households.filter(pl.col("poor")).sort("household_id")
    counties = sorted(set(poor["village_code"].str.slice(0, 6).to_list()))
    sites = []
    for key, county in enumerate(counties):
        villages = sorted(set(poor.filter(pl.col("village_code").str.starts_with(county))
                              ["village_code"].to_list()))  # fmt: skip
        village = villages[int(rng.integers(0, len(villages)))]
        sites += [(2 * key, county, village, f"{county}集中安置点", "centralised"),
                  (2 * key + 1, county, village, f"{county}分散安置", "dispersed")]  # fmt: skip
    site_frame = pl.DataFrame(
        sites, schema=["site_key", "county_code", "village_code", "name", "kind"], orient="row"
    )
    chosen = poor.filter(pl.Series(rng.random(poor.height) < RELOCATED_SHARE))
    weights = np.linspace(2.0, 1.0, len(years))
    plan_year = rng.choice(list(years), chosen.height, p=weights / weights.sum())
    county_key = {county: 2 * key for key, county in enumerate(counties)}
    site_key = [county_key[code[:6]] + int(rng.random() < 0.3)
                for code in chosen["village_code"].to_list()]  # fmt: skip
    moves = chosen.with_columns(
        plan_year=pl.Series(plan_year, dtype=pl.Int32), site_key=pl.Series(site_key),
        draw=pl.Series(rng.random(chosen.height)),
        area_per_person=pl.Series(rng.uniform(18, 25, chosen.height)),
        grade=pl.Series(rng.choice(["A", "B"], chosen.height)),
    )  # fmt: skip
    return RelocationFrames(_capacity(site_frame, moves), _steps(moves, max(years), rng),
                            _targets(moves, rng))  # fmt: skip


def _capacity(sites: pl.DataFrame, moves: pl.DataFrame) -> pl.DataFrame:
    """Each site holds its moves and a tenth more."""
    counts = moves.group_by("site_key").agg(households=pl.len())
    return (
        sites.join(counts, on="site_key", how="left")
        .with_columns(capacity=(pl.col("households").fill_null(0) * 1.1 + 1).ceil().cast(pl.Int64))
        .drop("households")
    )


def _steps(moves: pl.DataFrame, last_year: int, rng: np.random.Generator) -> pl.DataFrame:
    """The dates of each move's steps: long-past years moved in, the last year part way."""
    n = moves.height
    planned = [
        date(int(y), 3, 1) + timedelta(days=int(d))
        for y, d in zip(moves["plan_year"], rng.integers(0, 60, n), strict=True)
    ]
    handed = [day + timedelta(days=int(d)) for day, d in zip(planned, rng.integers(120, 240, n),
                                                                strict=True)]  # fmt: skip
    moved = [day + timedelta(days=int(d)) for day, d in zip(handed, rng.integers(10, 60, n),
                                                               strict=True)]  # fmt: skip
    today = timezone.localdate()
    latest = pl.col("plan_year") == last_year
    status = (
        pl.when(pl.col("draw") < CANCELLED_SHARE).then(pl.lit("cancelled"))
        .when(latest & (pl.col("draw") < 0.35)).then(pl.lit("planned"))
        .when(latest & (pl.col("draw") < 0.6)).then(pl.lit("handed_over"))
        .otherwise(pl.lit("moved"))
    )  # fmt: skip
    frame = moves.with_columns(
        planned_on=pl.Series(planned, dtype=pl.Date), handed=pl.Series(handed, dtype=pl.Date),
        moved=pl.Series(moved, dtype=pl.Date), status=status,
    )  # fmt: skip
    frame = frame.with_columns(
        handed=pl.min_horizontal("handed", pl.lit(today)),
        moved=pl.min_horizontal("moved", pl.lit(today)),
    )
    handed_over = pl.col("status").is_in(["handed_over", "moved"])
    return frame.select(
        "household_id", "site_key", "plan_year", "persons", "planned_on", "status",
        handed_over_on=pl.when(handed_over).then(pl.col("handed")),
        moved_on=pl.when(pl.col("status") == "moved").then(pl.col("moved")),
        cancelled_on=pl.when(pl.col("status") == "cancelled").then(pl.col("planned_on")),
        home_area=pl.when(handed_over).then(
            (pl.col("area_per_person") * pl.col("persons")).round(2)
        ).cast(pl.Decimal(7, 2)),
        home_grade=pl.when(handed_over).then(pl.col("grade")).otherwise(pl.lit("")),
        reason=pl.when(pl.col("status") == "cancelled").then(pl.lit("自愿放弃搬迁"))
        .otherwise(pl.lit("")),
    )  # fmt: skip


def _targets(moves: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Each county's target of a year: its planned moves, rounded up a little."""
    counted = (
        moves.group_by(region_code=pl.col("village_code").str.slice(0, 6), year="plan_year")
        .agg(households=pl.len(), persons=pl.col("persons").sum())
        .sort("region_code", "year")
    )
    slack = rng.uniform(*TARGET_SLACK, counted.height)
    return counted.with_columns(
        households=pl.Series([math.ceil(n * s) for n, s in zip(counted["households"], slack,
                                                                 strict=True)], dtype=pl.Int64),
        persons=pl.Series([math.ceil(n * s) for n, s in zip(counted["persons"], slack,
                                                              strict=True)], dtype=pl.Int64),
    )  # fmt: skip


@dataclass(frozen=True)
class RelocationResult:
    """What one relocation synthesis wrote."""

    sites: int
    moves: int
    targets: int


def synth_relocation(
    *, region: str, years: tuple[int, int], seed: int, actor: Actor
) -> RelocationResult:
    """Generate and write relocation of plan `years` for the households under `region`,
    set-wise, with one audit event."""
    span = list(range(years[0], years[1] + 1))
    households = bulk.read_frame(
        "SELECT h.id AS household_id, h.village_code, h.status, "
        "(SELECT COUNT(*) FROM registry_member m WHERE m.household_id = h.id "
        "AND m.is_active) AS persons FROM registry_household h "
        "WHERE h.village_code >= %s AND h.village_code < %s ORDER BY h.id",
        [region, prefix_upper_bound(region)],
        {"household_id": pl.Int64, "village_code": pl.String, "status": pl.String,
         "persons": pl.Int64},
    ).with_columns(poor=pl.col("status").is_in(ON_REGISTER) & (pl.col("persons") > 0))  # fmt: skip
    if not households["poor"].any():
        raise RelocationSynthError(f"no household on the register under {region}")
    if RelocationMove.objects.filter(code_prefix_q(region, "household__village_id")).exists():
        raise RelocationSynthError(f"relocation exists under {region} already")
    frames = relocation_frames(households, years=span, seed=seed)
    with transaction.atomic():
        result = _write(frames)
        audit_record(
            actor=actor,
            spec=EventSpec(action="relocation.synth", object_type="relocation_move",
                           region_code=region, after={"years": span, "seed": seed,
                                                      **result.__dict__}),
        )  # fmt: skip
    return result


def _write(frames: RelocationFrames) -> RelocationResult:
    now = pl.lit(timezone.now(), pl.Datetime("us", "UTC"))
    before = ResettlementSite.objects.order_by("-id").values_list("id", flat=True).first() or 0
    bulk.copy_frame(ResettlementSite._meta.db_table,
                    frames.sites.drop("site_key").with_columns(created_at=now))  # fmt: skip
    ids = pl.DataFrame(
        list(
            ResettlementSite.objects.filter(id__gt=before).values_list("county_code", "name", "id")
        ),
        schema={"county_code": pl.String, "name": pl.String, "site_id": pl.Int64},
        orient="row",
    ).join(frames.sites.select("county_code", "name", "site_key"), on=["county_code", "name"])
    moves = bulk.copy_frame(
        RelocationMove._meta.db_table,
        frames.moves.join(ids.select("site_key", "site_id"), on="site_key")
        .drop("site_key").with_columns(recorded_at=now),
    )  # fmt: skip
    existing = pl.DataFrame(
        list(RelocationTarget.objects.values_list("region_code", "year")),
        schema={"region_code": pl.String, "year": pl.Int32}, orient="row",
    )  # fmt: skip
    targets = frames.targets.join(existing, on=["region_code", "year"], how="anti")
    written = bulk.copy_frame(RelocationTarget._meta.db_table, targets.with_columns(set_at=now))
    return RelocationResult(frames.sites.height, moves, written)
