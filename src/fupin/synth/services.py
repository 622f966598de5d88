"""Writing the synthetic country (合成样本) into the registry for a region."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection

from fupin.core.audit import Actor
from fupin.core.bulk import read_frame
from fupin.policy.queries import PolicyMissing
from fupin.policy.queries import poverty_lines as policy_poverty_lines
from fupin.regions.models import Kind, Level, Region
from fupin.regions.queries import code_prefix_q, prefix_upper_bound
from fupin.synth.kernels import SynthFrames, synth_frames

SOURCE = "synth"


class SynthError(ValueError):
    """A synthesis request that cannot be met (bad region, no villages, bad numbers)."""


@dataclass(frozen=True)
class SynthResult:
    """What one synthesis generated and, unless a dry run, wrote."""

    region: str
    villages: int
    households: int
    members: int
    assessments: int
    transitions: int
    seconds_generating: float
    written: Any = None  # the bulk writer's result

    def __str__(self) -> str:
        wrote = f"; wrote {self.written}" if self.written is not None else " (dry run)"
        return (
            f"{self.households:,} households, {self.members:,} members, "
            f"{self.assessments:,} assessments, {self.transitions:,} transitions in "
            f"{self.villages:,} villages under {self.region}, generated in "
            f"{self.seconds_generating:.1f}s{wrote}"
        )


def synth_villages(*, region: str) -> pl.DataFrame:
    """The current rural villages under a code prefix, as (village_code, is_western)."""
    try:
        upper = prefix_upper_bound(region)
    except ValueError as exc:
        raise SynthError(str(exc)) from exc
    table = connection.ops.quote_name(Region._meta.db_table)
    villages = read_frame(
        f"SELECT code AS village_code, is_western FROM {table} "
        "WHERE level = %s AND kind = %s AND retired_in IS NULL AND code >= %s AND code < %s "
        "ORDER BY code",
        [Level.VILLAGE, Kind.RURAL, region, upper],
        schema={"village_code": pl.String, "is_western": pl.Boolean},
    )
    if villages.height == 0:
        if not Region.objects.filter(code_prefix_q(region)).exists():
            raise SynthError(f"no region has a code starting with {region}; load the divisions?")
        raise SynthError(f"no current rural village (level 5, kind rural) lies under {region}")
    return villages


def synth_generate(
    *,
    region: str,
    households: int,
    years: tuple[int, int],
    seed: int,
    actor: Actor,
    poverty_lines: Mapping[int, float] | None = None,
    dry_run: bool = False,
    transitions: bool = True,
) -> SynthResult:
    """Generate `households` synthetic households under `region` and bulk-write them.

    With `transitions=False` only the facts are written (households, members, yearly
    assessments): every household starts unregistered, for `fupin simulate` to register
    and exit through the procedures."""
    if households < 1:
        raise SynthError(f"the number of households must be at least 1, not {households}")
    villages = synth_villages(region=region)
    if not dry_run:
        _refuse_occupied(region)
    started = time.perf_counter()
    try:
        frames = synth_frames(
            villages, households=households, years=years, seed=seed,
            poverty_lines=poverty_lines or _policy_lines(years), facts_only=not transitions,
        )  # fmt: skip
    except ValueError as exc:
        raise SynthError(str(exc)) from exc
    generating = time.perf_counter() - started
    written = None if dry_run else _write(frames, region, households, years, seed, actor)
    return SynthResult(
        region, villages.height, frames.households.height, frames.members.height,
        frames.assessments.height, frames.transitions.height, generating, written,
    )  # fmt: skip


def _policy_lines(years: tuple[int, int]) -> dict[int, float]:
    """The national identification line of each year, from the policy tables."""
    try:
        return policy_poverty_lines(range(years[0], years[1] + 1))
    except PolicyMissing as exc:
        raise SynthError(str(exc)) from exc


def _refuse_occupied(region: str) -> None:
    """Refuse to write where households exist: numbers and IDs would collide with theirs."""
    from fupin.registry.models import Household

    # IDs carry the county code, so a township's synthesis can collide county-wide.
    county = region[:6]
    if Household.objects.filter(code_prefix_q(county, "village_id")).exists():
        raise SynthError(
            f"the registry already holds households under {county}; synthesize into an "
            "empty county (household numbers and ID numbers would collide)"
        )


def _write(
    frames: SynthFrames,
    region: str,
    households: int,
    years: tuple[int, int],
    seed: int,
    actor: Actor,
) -> Any:
    # Imported here: the bulk writer belongs to the registry and loads Django models.
    from fupin.registry.bulk import registry_bulk_write

    return registry_bulk_write(
        households=frames.households,
        members=frames.members,
        assessments=frames.assessments,
        transitions=frames.transitions,
        actor=actor,
        reason=(
            f"synthetic registry: {households} households under {region}, "
            f"{years[0]}-{years[1]}, seed {seed}"
        ),
        source=SOURCE,
    )
