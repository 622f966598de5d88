"""The suite runs on the database it was asked for (SQLite, or the throwaway PostgreSQL)."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_run_uses_the_requested_database() -> None:
    assert connection.vendor == os.environ["FUPIN_TEST_VENDOR"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
