"""pytest plugin: `--postgres` runs the suite on a throwaway PostgreSQL cluster.

Loaded with `-p fupin.testing.pytest_plugin` (see pyproject.toml) so that it can set
DATABASE_URL before pytest-django reads the settings. Where the CI environment variable
is set, a missing PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import contextlib
import os

import pytest

from fupin.testing.pgcluster import PostgresUnavailable, running_cluster

_stack = contextlib.ExitStack()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        default=False,
        help="run on a throwaway PostgreSQL cluster started for this run",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    if "--postgres" not in args:
        os.environ["FUPIN_TEST_VENDOR"] = "sqlite"
        return
    try:
        cluster = _stack.enter_context(running_cluster())
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            raise pytest.UsageError(f"CI requires PostgreSQL: {exc}") from exc
        pytest.exit(f"PostgreSQL run skipped: {exc}", returncode=0)
    os.environ["DATABASE_URL"] = cluster.url()
    os.environ["FUPIN_TEST_VENDOR"] = "postgresql"


def pytest_unconfigure(config: pytest.Config) -> None:
    _stack.close()
