"""Settings come from the environment; the secret key is generated once, never committed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path


def _settings_value(overrides: dict[str, str], expression: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUPIN_", "DATABASE_URL"))}
    code = f"import fupin.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], env={**env, **overrides}, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_secret_key_generated_once_into_var(tmp_path: Path) -> None:
    # given
    env = {"FUPIN_VAR_DIR": str(tmp_path)}
    # when
    first = _settings_value(env, "s.SECRET_KEY")
    second = _settings_value(env, "s.SECRET_KEY")
    # then
    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins(tmp_path: Path) -> None:
    env = {"FUPIN_VAR_DIR": str(tmp_path), "FUPIN_SECRET_KEY": "k" * 60}
    assert _settings_value(env, "s.SECRET_KEY") == "k" * 60
    assert not (tmp_path / "secret_key").exists()


def test_debug_is_off_unless_asked(tmp_path: Path) -> None:
    env = {"FUPIN_VAR_DIR": str(tmp_path)}
    assert _settings_value(env, "s.DEBUG") == "False"
    assert _settings_value({**env, "FUPIN_DEBUG": "1"}, "s.DEBUG") == "True"


def test_database_url_selects_the_database(tmp_path: Path) -> None:
    env = {"FUPIN_VAR_DIR": str(tmp_path)}
    postgres = {**env, "DATABASE_URL": "postgres://u@/db?host=/tmp/x"}
    assert _settings_value(postgres, "s.DATABASES['default']['ENGINE']").endswith("postgresql")
    sqlite = {**env, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    assert _settings_value(sqlite, "s.DATABASES['default']['NAME']") == f"{tmp_path}/x.db"
    assert _settings_value(env, "s.DATABASES['default']['NAME']") == f"{tmp_path}/fupin.sqlite3"
