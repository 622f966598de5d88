"""Shared fixtures."""

from __future__ import annotations

import pytest

from fupin.core.audit import Actor


@pytest.fixture
def actor() -> Actor:
    return Actor(None, "test-operator")
