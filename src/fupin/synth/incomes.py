"""Incomes, registration, the yearly indicators and exits of synthetic households.

Each household has a latent income rank (standard normal) that persists year to year
(correlation RANK_PERSISTENCE); the year's per-capita net income is a two-piece
log-normal around the profile's median whose lower spread puts exactly the target share
under the line (see calibration.py). Registration in the first year takes the households
whose noisy first-year income rank is lowest, REGISTRATION_UPLIFT times the under-line
share. An indicator that fails (food, clothing, housing C/D, water, compulsory schooling,
medical cover) is fixed in a later year, sooner for registered households, who get help;
a registered household exits in the first year after registration in which its income is
at or above the line and every indicator holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fupin.synth.calibration import (
    PROFILES,
    income_quantile_parameters,
    registration_threshold,
)

RANK_PERSISTENCE = 0.85
# How far the first-year identification missed true income (inclusion and exclusion errors).
TARGETING_NOISE = 0.45
# Initial failure shares of food, clothing, housing, water: poor vs. other households.
POOR_FAILURE = np.array([0.12, 0.10, 0.45, 0.30])
OTHER_FAILURE = np.array([0.01, 0.01, 0.04, 0.06])
# Registered households get help: a failing indicator holds 1, 2, ... 6 years later.
HELP_DELAY = np.array([0.22, 0.26, 0.22, 0.16, 0.09, 0.05])
INDICATORS = ("food_ok", "clothing_ok", "housing", "water_ok", "education_ok", "medical_ok")
NEVER = 9999


@dataclass(frozen=True)
class Paths:
    """Per household (× year): income, registration, when indicators hold, exit year."""

    per_capita: np.ndarray  # (households, years) yuan per person
    registered: np.ndarray  # (households,)
    fixed_in: np.ndarray  # (households, indicators): first year the indicator holds
    exit_year: np.ndarray  # (households,): NEVER when not exited in range
    housing_before: np.ndarray  # grade index 0-3 (A-D) until the housing fix
    housing_after: np.ndarray


def income_ranks(rng: np.random.Generator, latent: np.ndarray, years: int) -> np.ndarray:
    """Standard-normal income ranks (households × years) that persist around `latent`."""
    noise = rng.standard_normal((latent.size, years))
    return RANK_PERSISTENCE * latent[:, None] + np.sqrt(1 - RANK_PERSISTENCE**2) * noise


def per_capita_incomes(
    rank: np.ndarray, profile: np.ndarray, years: Sequence[int], lines: Sequence[float]
) -> np.ndarray:
    """Per-capita net income (households × years) calibrated to each profile's incidence."""
    pairs = list(zip(years, lines, strict=True))
    parameters = np.array(
        [
            [income_quantile_parameters(name, year, line) for year, line in pairs]
            for name in PROFILES
        ]
    )
    by_household = parameters[profile]  # (households, years, 4)
    spread = np.where(rank < 0, by_household[:, :, 1], by_household[:, :, 2])
    return np.exp(by_household[:, :, 0] + rank * spread)


def register(
    rng: np.random.Generator, first_rank: np.ndarray, profile: np.ndarray, first_year: int
) -> np.ndarray:
    """Which households the first-year identification registered."""
    threshold = np.array([registration_threshold(name, first_year) for name in PROFILES])
    noise = rng.standard_normal(first_rank.size)
    score = np.sqrt(1 - TARGETING_NOISE**2) * first_rank + TARGETING_NOISE * noise
    return score < threshold[profile]


def household_paths(
    rng: np.random.Generator,
    per_capita: np.ndarray,
    registered: np.ndarray,
    facts: dict[str, np.ndarray],
    years: Sequence[int],
    lines: Sequence[float],
) -> Paths:
    """Fix years of the indicators and exit years, given incomes and registration."""
    first_year = years[0]
    poor = registered | (per_capita[:, 0] < lines[0])
    count = registered.size
    failing = np.empty((count, len(INDICATORS)), dtype=bool)
    failing[:, :4] = rng.random((count, 4)) < np.where(poor[:, None], POOR_FAILURE, OTHER_FAILURE)
    failing[:, 4] = facts["has_dropout"]
    failing[:, 5] = facts["has_uninsured"]
    helped = 1 + rng.choice(HELP_DELAY.size, size=(count, len(INDICATORS)), p=HELP_DELAY)
    unhelped = rng.integers(1, 10, size=(count, len(INDICATORS)))
    delay = np.where(registered[:, None], helped, unhelped)
    fixed_in = np.where(failing, first_year + delay, first_year)
    housing_before = np.where(
        failing[:, 2],
        np.where(rng.random(count) < 0.65, 2, 3),
        np.where(rng.random(count) < np.where(poor, 0.25, 0.55), 0, 1),
    )
    housing_after = np.where(failing[:, 2], np.where(rng.random(count) < 0.3, 0, 1), housing_before)
    exit_year = _exit_years(per_capita, registered, fixed_in.max(axis=1), years, lines)
    return Paths(per_capita, registered, fixed_in, exit_year, housing_before, housing_after)


def _exit_years(
    per_capita: np.ndarray,
    registered: np.ndarray,
    all_hold_from: np.ndarray,
    years: Sequence[int],
    lines: Sequence[float],
) -> np.ndarray:
    year_grid = np.asarray(years)[None, :]
    eligible = (
        registered[:, None]
        & (year_grid > years[0])
        & (per_capita >= np.asarray(lines, dtype=float)[None, :])
        & (year_grid >= all_hold_from[:, None])
    )
    first = eligible.argmax(axis=1)
    return np.where(eligible.any(axis=1), np.asarray(years)[first], NEVER)


def income_components(
    rng: np.random.Generator,
    per_capita: np.ndarray,
    size: np.ndarray,
    has_worker: np.ndarray,
    regime: np.ndarray,
) -> dict[str, np.ndarray]:
    """Split each row's net income into whole-yuan components that add back up exactly.

    `regime` per row: 0 ordinary, 1 registered and not yet exited, 2 allowance-dependent
    (dibao / tekun), 3 exited. Wages need a worker; a worker's household earns wages.
    """
    count = per_capita.size
    total = np.rint(per_capita * size).astype(np.int64)
    transfer_low = np.array([0.05, 0.25, 0.60, 0.15])[regime]
    transfer_high = np.array([0.20, 0.50, 0.95, 0.35])[regime]
    transfer_share = transfer_low + rng.random(count) * (transfer_high - transfer_low)
    property_share = rng.random(count) * 0.04
    room = np.maximum(1.0 - transfer_share - property_share - np.where(has_worker, 0.1, 0.0), 0)
    business_share = np.minimum(0.15 + rng.random(count) * 0.30, room)
    property_income = np.floor(total * property_share).astype(np.int64)
    business_net = np.floor(total * business_share).astype(np.int64)
    transfer = np.floor(total * transfer_share).astype(np.int64)
    wage = np.where(has_worker, total - property_income - business_net - transfer, 0)
    transfer = np.where(has_worker, transfer, total - property_income - business_net)
    business_cost = np.floor(business_net * (0.3 + rng.random(count) * 0.6)).astype(np.int64)
    return {
        "wage_income": wage,
        "business_income": business_net + business_cost,
        "business_cost": business_cost,
        "property_income": property_income,
        "transfer_income": transfer,
    }
