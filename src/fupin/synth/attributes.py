"""Member attributes: schooling, health, labour ability, migrant work and insurance.

Probabilities depend on age and on the household's latent income rank, so that poorer
households have more illness, fewer skilled workers, more drop-outs and more gaps in
insurance (the pattern the registration forms record; the shares are plausible
assumptions, not calibration targets).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EDUCATION = ("none", "primary", "junior", "senior", "vocational", "tertiary")
HEALTH = ("healthy", "chronic", "serious", "disabled")
LABOR = ("ordinary", "skilled", "lost", "none")

# Adults not in school, by age band at the reference date: 23-34, 35-49, 50-64, 65+.
ADULT_EDUCATION = np.array(
    [
        [0.01, 0.12, 0.55, 0.13, 0.09, 0.10],
        [0.03, 0.30, 0.50, 0.10, 0.04, 0.03],
        [0.10, 0.45, 0.35, 0.08, 0.01, 0.01],
        [0.40, 0.45, 0.12, 0.03, 0.00, 0.00],
    ]
)
# Healthy, chronic, serious, disabled by age band: under 16, 16-39, 40-59, 60+.
HEALTH_BY_AGE = np.array(
    [
        [0.970, 0.015, 0.005, 0.010],
        [0.930, 0.035, 0.010, 0.025],
        [0.820, 0.110, 0.025, 0.045],
        [0.600, 0.270, 0.050, 0.080],
    ]
)
NULL_CODE = -1


@dataclass(frozen=True)
class Attributes:
    """Per-member codes: indexes into EDUCATION, HEALTH, LABOR (-1 = null) and flags."""

    education: np.ndarray
    in_school: np.ndarray
    health: np.ndarray
    labor: np.ndarray
    migrant_months: np.ndarray
    medical_insured: np.ndarray
    critical_illness_insured: np.ndarray
    pension_insured: np.ndarray


def choose(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of a (rows × categories) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative /= cumulative[:, -1:]
    draws = rng.random((probabilities.shape[0], 1))
    return np.minimum((draws > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def draw_attributes(
    rng: np.random.Generator, age: np.ndarray, male: np.ndarray, poorness: np.ndarray
) -> Attributes:
    """Attributes for members of the given ages and sexes; `poorness` in [0, 1] per member."""
    in_school = _in_school(rng, age, poorness)
    education = _education(rng, age, male, poorness, in_school)
    health = _health(rng, age, poorness)
    labor = _labor(rng, age, health, in_school, poorness)
    working = (age >= 16) & (age <= 60) & (labor <= 1)
    migrant = working & (rng.random(age.size) < 0.35 - 0.15 * poorness)
    months = np.where(migrant, rng.integers(3, 13, age.size), 0).astype(np.int16)
    medical = rng.random(age.size) < 0.985 - 0.08 * poorness
    critical = medical & (rng.random(age.size) < 0.96)
    pension = (age >= 16) & ~in_school & (rng.random(age.size) < 0.80 - 0.10 * poorness)
    return Attributes(education, in_school, health, labor, months, medical, critical, pension)


def _in_school(rng: np.random.Generator, age: np.ndarray, poorness: np.ndarray) -> np.ndarray:
    # Compulsory schooling (6-15) nearly universal; poorer households drop out more.
    share = np.select(
        [age < 6, age <= 11, age <= 15, age <= 18, age <= 22],
        [0.0, 0.99 - 0.04 * poorness, 0.98 - 0.08 * poorness, 0.6 - 0.2 * poorness,
         0.2 - 0.1 * poorness],
        0.0,
    )  # fmt: skip
    return rng.random(age.size) < share


def _education(
    rng: np.random.Generator,
    age: np.ndarray,
    male: np.ndarray,
    poorness: np.ndarray,
    in_school: np.ndarray,
) -> np.ndarray:
    band = np.select([age <= 34, age <= 49, age <= 64], [0, 1, 2], 3)
    # Poorer households and older women had less schooling: read them one band older.
    older = (rng.random(age.size) < poorness) | (~male & (age >= 50))
    adult = choose(rng, ADULT_EDUCATION[np.minimum(band + older, 3)])
    senior_track = np.where(rng.random(age.size) < 0.65, 3, 4)
    left_teen = np.where(rng.random(age.size) < 0.8, 2, 1)
    student = np.select([age <= 11, age <= 15, age <= 18], [1, 2, senior_track], 5)
    dropout = np.select([age <= 11, age <= 15, age <= 18], [0, 1, left_teen], adult)
    education = np.where(in_school, student, np.where(age >= 23, adult, dropout))
    return np.where(age < 6, NULL_CODE, education)


def _health(rng: np.random.Generator, age: np.ndarray, poorness: np.ndarray) -> np.ndarray:
    band = np.select([age < 16, age <= 39, age <= 59], [0, 1, 2], 3)
    probabilities = HEALTH_BY_AGE[band].copy()
    # Illness and disability are both cause and effect of poverty: up to 3x in the poorest.
    probabilities[:, 1:] *= (1.0 + 2.0 * poorness)[:, None]
    probabilities[:, 0] = np.maximum(1.0 - probabilities[:, 1:].sum(axis=1), 0.05)
    return choose(rng, probabilities)


def _labor(
    rng: np.random.Generator,
    age: np.ndarray,
    health: np.ndarray,
    in_school: np.ndarray,
    poorness: np.ndarray,
) -> np.ndarray:
    draw = rng.random(age.size)
    impaired = health >= 2  # serious illness or disability
    lost = (impaired & (draw < 0.7)) | ((health == 1) & (draw < 0.15))
    skilled = (age <= 65) & (draw > 0.85 + 0.09 * poorness)
    able = np.where(skilled, 1, 0)
    elderly = np.where(draw < 0.55, 3, 0)  # past 65: many still farm
    labor = np.where(age > 65, elderly, able)
    labor = np.where(in_school, 3, labor)
    labor = np.where(lost & ~in_school, 2, labor)
    return np.where(age < 16, NULL_CODE, labor)
