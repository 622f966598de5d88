"""Fixtures for the division tree: the shipped 2023 edition and small real subsets of it."""

from __future__ import annotations

import polars as pl
import pytest

from tests.regions.editions import STEMS, Edition, read_shipped, subset


@pytest.fixture(scope="session")
def shipped() -> dict[str, pl.DataFrame]:
    return {stem: read_shipped(stem) for stem in STEMS}


@pytest.fixture
def pingtang(shipped: dict[str, pl.DataFrame]) -> Edition:
    """平塘县 (522727, Guizhou): 1 county, 11 townships, 131 villages, and its 2 ancestors."""
    return subset(shipped, "522727")


@pytest.fixture
def qiannan(shipped: dict[str, pl.DataFrame]) -> Edition:
    """黔南州 (5227, Guizhou): 12 counties and everything below them, and the province."""
    return subset(shipped, "5227")
