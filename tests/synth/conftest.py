"""Villages and lines shared by the synthetic-country tests."""

from __future__ import annotations

import polars as pl
import pytest

from fupin.policy.seeds import seeded_lines
from fupin.synth.kernels import SynthFrames, synth_frames

# Counties whose codes stdnum accepts for every birth year, one per calibration profile:
# 平塘县 (Guizhou, deep west), 汶川县 (Sichuan, west), 花垣县 (Hunan, not west).
COUNTIES = {"522727": True, "513221": True, "433124": False}
LINES = {year: line for year, line in seeded_lines().items() if 2014 <= year <= 2020}


def villages_frame(per_county: int = 40) -> pl.DataFrame:
    """`per_county` villages (村委会 codes 200+) in each test county."""
    codes = [
        f"{county}{100 + index // 20:03d}{200 + index % 20:03d}"
        for county in COUNTIES
        for index in range(per_county)
    ]
    return pl.DataFrame(
        {"village_code": codes, "is_western": [COUNTIES[code[:6]] for code in codes]}
    )


def generate(households: int, seed: int = 7, years: tuple[int, int] = (2014, 2020)) -> SynthFrames:
    return synth_frames(
        villages_frame(), households=households, years=years, seed=seed, poverty_lines=LINES
    )


@pytest.fixture(scope="session")
def country() -> SynthFrames:
    """A mid-sized synthetic registry most structural tests read."""
    return generate(6_000)


@pytest.fixture(scope="session")
def large_country() -> SynthFrames:
    """Enough households per profile (about 50,000) to test calibration."""
    return generate(150_000, seed=2014)
