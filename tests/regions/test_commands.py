"""`fupin regions load` and `fupin regions designate` as an operator runs them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from fupin.core.models import AuditEvent
from fupin.regions.models import PoorAreaDesignation, Region
from tests.regions.editions import Edition

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("regions", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_load_only_prints_the_counts(pingtang: Edition) -> None:
    # when
    output = run("load", "--only", "522727")

    # then
    assert f"edition 2023: {pingtang.size} inserted, 0 updated, 0 retired, 0 unchanged" in output
    assert Region.objects.count() == pingtang.size


def test_load_of_a_directory_needs_its_edition(pingtang: Edition, tmp_path: Path) -> None:
    # given
    source = pingtang.write(tmp_path / "2024")

    # when
    with pytest.raises(CommandError, match="--edition is required") as raised:
        run("load", str(source))

    # then
    assert raised.value.returncode == 2
    assert Region.objects.count() == 0


def test_load_of_a_directory_with_its_edition(pingtang: Edition, tmp_path: Path) -> None:
    # when
    output = run("load", str(pingtang.write(tmp_path / "2024")), "--edition", "2024", "-v", "2")

    # then
    assert "steps: read" in output
    assert set(Region.objects.values_list("edition", flat=True)) == {2024}


def test_bad_file_exits_with_2_and_names_the_place(pingtang: Edition, tmp_path: Path) -> None:
    # given
    pingtang.edit("villages", lambda f: f.with_columns(pl.lit("5227271").alias("streetCode")))
    source = pingtang.write(tmp_path / "bad")

    # when
    with pytest.raises(CommandError) as raised:
        run("load", str(source), "--edition", "2024")

    # then
    assert raised.value.returncode == 2
    assert "villages.csv, row 2, field streetCode: unknown parent 5227271" in str(raised.value)
    assert Region.objects.count() == 0


def test_bad_prefix_exits_with_2() -> None:
    with pytest.raises(CommandError, match="not a code prefix") as raised:
        run("load", "--only", "52a")
    assert raised.value.returncode == 2


def write_designations(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    lines = ["code,kind,designated_year,lifted_year", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_designate_applies_the_file(pingtang: Edition, tmp_path: Path) -> None:
    # given
    run("load", str(pingtang.write(tmp_path / "2023")), "--edition", "2023")
    village = Region.objects.filter(level=5, kind="rural").values_list("code", flat=True)[0]
    path = write_designations(
        tmp_path / "poor.csv",
        [("522727", "county", "2014", "2019"), (village, "village", "2014", "")],
    )

    # when
    output = run("designate", str(path))

    # then
    assert "2 designated, 0 changed, 0 unchanged" in output
    county = PoorAreaDesignation.objects.get(region_id="522727")
    assert (county.kind, county.designated_year, county.lifted_year) == ("county", 2014, 2019)
    assert PoorAreaDesignation.objects.get(region_id=village).lifted_year is None
    assert AuditEvent.objects.filter(action="poor_area.designate").count() == 2


def test_designate_with_a_bad_row_exits_with_2_and_writes_nothing(
    pingtang: Edition, tmp_path: Path
) -> None:
    # given
    run("load", str(pingtang.write(tmp_path / "2023")), "--edition", "2023")
    path = write_designations(
        tmp_path / "poor.csv",
        [("522727", "county", "2014", "2019"), ("522727100", "county", "2014", "")],
    )
    events = AuditEvent.objects.count()

    # when (run_from_argv turns the error's returncode into the exit status; it also
    # closes the connection, which would end the test's transaction, so call the command)
    with pytest.raises(CommandError) as raised:
        run("designate", str(path))

    # then
    assert raised.value.returncode == 2
    assert "poor.csv, row 3, field kind: a county designation needs a level-3 code" in str(
        raised.value
    )
    assert not PoorAreaDesignation.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_console_command_exits_with_2_on_bad_input(tmp_path: Path) -> None:
    # given a directory without the five files; the files are read before the database is
    environment = os.environ | {
        "FUPIN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }

    # when
    finished = subprocess.run(
        [
            str(Path(sys.executable).with_name("fupin")),
            "regions",
            "load",
            str(tmp_path),
            "--edition",
            "2024",
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )

    # then
    assert finished.returncode == 2
    assert "expected one of provinces.csv, provinces.csv.xz, found neither" in finished.stderr
