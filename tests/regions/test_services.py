"""The edition loader (`regions_load`): real subsets of the 2023 edition, edited per test."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from fupin.core.audit import Actor, audit_chain_verify
from fupin.core.models import AuditEvent
from fupin.regions.models import Kind, PoorAreaDesignation, Region
from fupin.regions.services import (
    SHIPPED_DATA_DIR,
    InputError,
    LoadResult,
    poor_area_designate,
    poor_area_lift,
    poor_areas_import,
    regions_load,
)
from tests.regions.editions import STEMS, Edition, read_shipped, subset

pytestmark = pytest.mark.django_db


def load(
    actor: Actor, source: Path | None = None, *, edition: int = 2023, only: str | None = None
) -> LoadResult:
    return regions_load(source=source, only=only, edition=edition, actor=actor)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def rename(code: str, name: str) -> pl.Expr:
    return (
        pl.when(pl.col("code") == code).then(pl.lit(name)).otherwise(pl.col("name")).alias("name")
    )


def test_only_loads_the_county_its_townships_villages_and_ancestors(
    actor: Actor, shipped: dict[str, pl.DataFrame]
) -> None:
    # given
    under = {
        stem: frame.filter(pl.col("code").str.starts_with("522727"))
        for stem, frame in shipped.items()
    }
    expected = sum(frame.height for frame in under.values()) + len(["52", "5227"])

    # when
    result = load(actor, only="522727")

    # then
    assert result.inserted == expected == Region.objects.count()
    assert Region.objects.filter(level=5).count() == under["villages"].height
    assert Region.objects.get(code="522727").parent_id == "5227"
    assert Region.objects.get(code="5227").parent_id == "52"
    assert (
        not Region.objects.exclude(code__in=["52", "5227"])
        .exclude(code__startswith="522727")
        .exists()
    )
    village = under["villages"].row(0, named=True)
    assert Region.objects.get(code=village["code"]).parent_id == village["streetCode"]


def test_load_records_one_summary_event_with_counts_and_checksums(actor: Actor) -> None:
    # given
    digests = {
        f"{stem}.csv.xz": hashlib.sha256(
            (SHIPPED_DATA_DIR / f"{stem}.csv.xz").read_bytes()
        ).hexdigest()
        for stem in STEMS
    }

    # when
    result = load(actor, only="522727")

    # then
    event = AuditEvent.objects.get()
    assert (event.action, event.region_code, event.actor_label) == (
        "regions.load",
        "522727",
        "test-operator",
    )
    assert event.after["inserted"] == result.inserted
    assert event.after["sha256"] == digests
    assert event.after["source"] == str(SHIPPED_DATA_DIR)
    assert audit_chain_verify() is None


def test_reload_of_the_same_edition_writes_nothing(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    source = pingtang.write(tmp_path / "2023")
    load(actor, source)
    stored = list(Region.objects.values_list())

    # when
    result = load(actor, source)

    # then
    assert (result.inserted, result.updated, result.retired, result.refreshed) == (0, 0, 0, 0)
    assert result.unchanged == pingtang.size
    assert list(Region.objects.values_list()) == stored
    assert actions() == ["regions.load"]


def test_renamed_region_is_an_update_with_before_and_after(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    load(actor, pingtang.write(tmp_path / "2023"))
    pingtang.edit("streets", lambda f: f.with_columns(rename("522727100", "平舟街道")))

    # when
    result = load(actor, pingtang.write(tmp_path / "fixed"))

    # then
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, pingtang.size - 1)
    assert Region.objects.get(code="522727100").name == "平舟街道"
    event = AuditEvent.objects.get(action="region.update")
    assert (event.object_id, event.region_code) == ("522727100", "522727100")
    assert (event.before, event.after) == ({"name": "平舟镇"}, {"name": "平舟街道"})
    assert actions() == ["regions.load", "region.update", "regions.load"]


def test_village_moved_to_another_township_changes_parent(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    load(actor, pingtang.write(tmp_path / "2023"))
    village = (
        pingtang.frames["villages"].filter(pl.col("streetCode") == "522727100").row(0, named=True)
    )
    pingtang.edit(
        "villages",
        lambda f: f.with_columns(
            pl.when(pl.col("code") == village["code"])
            .then(pl.lit("522727101"))
            .otherwise(pl.col("streetCode"))
            .alias("streetCode")
        ),
    )

    # when
    result = load(actor, pingtang.write(tmp_path / "2024"), edition=2024)

    # then
    assert (result.updated, result.refreshed) == (1, pingtang.size - 1)
    moved = Region.objects.get(code=village["code"])
    assert (moved.parent_id, moved.edition) == ("522727101", 2024)
    event = AuditEvent.objects.get(action="region.update")
    assert (event.before, event.after) == (
        {"parent_code": "522727100"},
        {"parent_code": "522727101"},
    )


def test_code_missing_from_a_new_edition_is_retired_not_deleted(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    load(actor, pingtang.write(tmp_path / "2023"))
    gone = pingtang.frames["villages"].get_column("code")[5]
    pingtang.edit("villages", lambda f: f.filter(pl.col("code") != gone))

    # when
    result = load(actor, pingtang.write(tmp_path / "2024"), edition=2024)

    # then
    assert (result.retired, result.refreshed, result.inserted) == (1, pingtang.size, 0)
    retired = Region.objects.get(code=gone)
    assert (retired.retired_in, retired.edition) == (2024, 2023)
    assert Region.objects.filter(retired_in__isnull=True, edition=2024).count() == pingtang.size
    event = AuditEvent.objects.get(action="region.retire")
    assert (event.object_id, event.before, event.after) == (
        gone,
        {"retired_in": None},
        {"retired_in": 2024},
    )


def test_retired_code_that_reappears_is_reinstated(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    full = pingtang.write(tmp_path / "2023")
    gone = pingtang.frames["villages"].get_column("code")[5]
    load(actor, full)
    load(
        actor,
        pingtang.edit("villages", lambda f: f.filter(pl.col("code") != gone)).write(
            tmp_path / "2024"
        ),
        edition=2024,
    )

    # when
    result = load(actor, full, edition=2025)

    # then
    assert (result.updated, result.retired) == (1, 0)
    back = Region.objects.get(code=gone)
    assert (back.retired_in, back.edition) == (None, 2025)
    event = AuditEvent.objects.filter(action="region.update").get()
    assert (event.before, event.after) == ({"retired_in": 2024}, {"retired_in": None})


def test_only_retires_codes_inside_its_scope(
    actor: Actor, qiannan: Edition, tmp_path: Path
) -> None:
    # given
    load(actor, qiannan.write(tmp_path / "2023"))
    villages = qiannan.frames["villages"]
    inside = villages.filter(pl.col("areaCode") == "522727").get_column("code")[0]
    outside = villages.filter(pl.col("areaCode") == "522701").get_column("code")[0]
    qiannan.edit("villages", lambda f: f.filter(~pl.col("code").is_in([inside, outside])))

    # when
    result = load(actor, qiannan.write(tmp_path / "2024"), edition=2024, only="522727")

    # then
    assert result.retired == 1
    assert Region.objects.get(code=inside).retired_in == 2024
    assert Region.objects.get(code=outside).retired_in is None
    assert Region.objects.get(code=outside).edition == 2023
    assert Region.objects.get(code="5227").edition == 2024


def test_new_edition_without_changes_refreshes_without_row_events(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    source = pingtang.write(tmp_path / "same")
    load(actor, source)

    # when
    result = load(actor, source, edition=2024)

    # then
    assert (result.refreshed, result.unchanged, result.updated) == (pingtang.size, pingtang.size, 0)
    assert set(Region.objects.values_list("edition", flat=True)) == {2024}
    assert actions() == ["regions.load", "regions.load"]


def test_edition_older_than_the_stored_one_is_refused(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    source = pingtang.write(tmp_path / "2023")
    load(actor, source, edition=2024)

    # when
    with pytest.raises(InputError, match="older than the stored edition 2024"):
        load(actor, source, edition=2023)

    # then
    assert set(Region.objects.values_list("edition", flat=True)) == {2024}


def set_value(column: str, row: int, value: str | None) -> pl.Expr:
    return (
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value, dtype=pl.String))
        .otherwise(pl.col(column))
        .alias(column)
    )


BAD_FILES = {
    "missing column": ("villages", lambda f: f.drop("streetCode"), ("villages.csv", 1, "streetCode")),
    "unknown parent": ("villages", lambda f: f.with_columns(set_value("streetCode", 3, "522727999")), ("villages.csv", 5, "streetCode")),
    "bad code length": ("streets", lambda f: f.with_columns(set_value("code", 2, "52272710")), ("streets.csv", 4, "code")),
    "letters in code": ("areas", lambda f: f.with_columns(set_value("code", 0, "52272X")), ("areas.csv", 2, "code")),
    "duplicate code": ("villages", lambda f: pl.concat([f, f.slice(7, 1)]), ("villages.csv", 133, "code")),
    "empty name": ("villages", lambda f: f.with_columns(set_value("name", 9, None)), ("villages.csv", 11, "name")),
    "no parent at all": ("streets", lambda f: f.with_columns(set_value("areaCode", 1, None), set_value("cityCode", 1, None), set_value("provinceCode", 1, None)), ("streets.csv", 3, "areaCode")),
    "ancestor disagrees": ("villages", lambda f: f.with_columns(set_value("provinceCode", 4, "53")), ("villages.csv", 6, "provinceCode")),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_names_file_row_and_field_and_writes_nothing(
    actor: Actor, pingtang: Edition, tmp_path: Path, case: tuple
) -> None:
    # given
    stem, change, where = case
    pingtang.edit("streets", lambda f: f.with_columns(rename("522727100", "新名字")))
    source = pingtang.edit(stem, change).write(tmp_path / "bad")

    # when
    with pytest.raises(InputError) as raised:
        load(actor, source)

    # then
    first = raised.value.errors[0]
    assert (first.file, first.row, first.field) == where
    assert f"{where[0]}, row {where[1]}, field {where[2]}" in str(raised.value)
    assert Region.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_bad_file_changes_nothing_already_stored(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    load(actor, pingtang.write(tmp_path / "2023"))
    stored = list(Region.objects.values_list())
    pingtang.edit("streets", lambda f: f.with_columns(rename("522727100", "新名字")))
    pingtang.edit("villages", lambda f: f.with_columns(set_value("streetCode", 0, "522727999")))

    # when
    with pytest.raises(InputError, match=r"villages\.csv, row 2, field streetCode: unknown parent"):
        load(actor, pingtang.write(tmp_path / "2024"), edition=2024)

    # then
    assert list(Region.objects.values_list()) == stored
    assert actions() == ["regions.load"]


def test_every_error_is_reported_not_just_the_first(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    pingtang.edit("villages", lambda f: f.with_columns(pl.lit("522727999").alias("streetCode")))

    # when
    with pytest.raises(InputError) as raised:
        load(actor, pingtang.write(tmp_path / "bad"))

    # then
    assert raised.value.total == pingtang.frames["villages"].height
    assert f"and {raised.value.total - 20} more" in str(raised.value)


@pytest.mark.parametrize("extra", [None, "villages.csv.xz"], ids=["missing", "both"])
def test_directory_without_exactly_one_file_per_level_is_refused(
    actor: Actor, pingtang: Edition, tmp_path: Path, extra: str | None
) -> None:
    # given
    source = pingtang.write(tmp_path / "edition")
    if extra is None:
        (source / "villages.csv").unlink()
    else:
        (source / extra).write_bytes(b"")

    # when
    with pytest.raises(InputError, match=r"villages.csv, villages.csv.xz") as raised:
        load(actor, source)

    # then
    assert raised.value.errors[0].field == "file"
    assert Region.objects.count() == 0


def test_source_that_is_not_a_directory_is_refused(actor: Actor, tmp_path: Path) -> None:
    # when
    with pytest.raises(InputError, match="not a directory"):
        load(actor, tmp_path / "nowhere")

    # then
    assert Region.objects.count() == 0


def test_compressed_and_plain_files_load_alike(
    actor: Actor, pingtang: Edition, tmp_path: Path
) -> None:
    # given
    source = pingtang.write(tmp_path / "xz", compressed=True)

    # when
    result = load(actor, source)

    # then
    assert result.inserted == pingtang.size == Region.objects.count()


def test_prefix_that_matches_nothing_is_refused(actor: Actor) -> None:
    # when
    with pytest.raises(InputError, match="no code under 529"):
        load(actor, only="529")

    # then
    assert Region.objects.count() == 0


def test_parent_columns_win_over_the_code_prefix(
    actor: Actor, qiannan: Edition, tmp_path: Path
) -> None:
    # given a township re-parented to another county while keeping its code
    def move(frame: pl.DataFrame) -> pl.DataFrame:
        township = pl.col("code").str.starts_with("522727100")
        return frame.with_columns(
            pl.when(township).then(pl.lit("522701")).otherwise(pl.col("areaCode")).alias("areaCode")
        )

    qiannan.edit("streets", move).edit("villages", move)

    # when
    result = load(actor, qiannan.write(tmp_path / "moved"))

    # then
    assert result.prefix_mismatches == 1
    assert Region.objects.get(code="522727100").parent_id == "522701"


def test_prefecture_without_counties_hangs_townships_on_the_prefecture(
    actor: Actor, shipped: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    # given 东莞 as NBS publishes it: no county row, blank county columns
    dongguan = subset(shipped, "4419").edit("areas", lambda f: f.filter(pl.col("code") != "441900"))
    for stem in ("streets", "villages"):
        dongguan.edit(
            stem, lambda f: f.with_columns(pl.lit(None, dtype=pl.String).alias("areaCode"))
        )

    # when
    result = load(actor, dongguan.write(tmp_path / "dongguan"))

    # then
    assert result.inserted == dongguan.size
    assert Region.objects.get(code="441900003").parent_id == "4419"
    assert Region.objects.get(code="441900003").level == 4


def test_western_flag_and_urban_rural_kind(actor: Actor, shipped: dict[str, pl.DataFrame]) -> None:
    # when
    load(actor, only="522727")
    load(actor, only="110101")

    # then
    assert set(
        Region.objects.filter(code__startswith="52").values_list("is_western", flat=True)
    ) == {True}
    assert set(
        Region.objects.filter(code__startswith="11").values_list("is_western", flat=True)
    ) == {False}
    kinds = dict(Region.objects.values_list("code", "kind"))
    assert (kinds["52"], kinds["5227"], kinds["522727"]) == ("", "", "")
    assert kinds["522727001"] == Kind.URBAN  # 金盆街道, a subdistrict
    assert kinds["522727100"] == Kind.RURAL  # 平舟镇, a town
    assert kinds["110101001"] == Kind.URBAN  # 东华门街道
    villages = Region.objects.filter(level=5)
    assert {v.kind for v in villages if "居民委员会" in v.name or v.name.endswith("居委会")} == {
        Kind.URBAN
    }
    assert {v.kind for v in villages if "村民委员会" in v.name or v.name.endswith("村委会")} == {
        Kind.RURAL
    }


@pytest.mark.slow
def test_national_edition_loads_whole(actor: Actor) -> None:
    # given
    expected = {level: read_shipped(stem).height for level, stem in enumerate(STEMS, start=1)}

    # when
    result = load(actor)

    # then
    assert result.inserted == sum(expected.values()) == Region.objects.count() == 665_276
    for level, count in expected.items():
        assert Region.objects.filter(level=level).count() == count
    assert Region.objects.filter(parent__isnull=True).count() == expected[1]
    assert Region.objects.filter(is_western=True, level=1).count() == 12
    assert result.prefix_mismatches == 0
    assert actions() == ["regions.load"]


# Poor-area designations (贫困县 / 贫困村)


@pytest.fixture
def pingtang_loaded(actor: Actor, pingtang: Edition, tmp_path: Path) -> str:
    """平塘县 loaded; returns the code of one of its rural villages."""
    load(actor, pingtang.write(tmp_path / "pingtang"))
    return Region.objects.filter(level=5, kind=Kind.RURAL).values_list("code", flat=True)[0]


def test_designate_a_poor_county_with_audit_event(actor: Actor, pingtang_loaded: str) -> None:
    # when
    designation = poor_area_designate(
        region_code="522727",
        kind="county",
        designated_year=2014,
        actor=actor,
        note="国家扶贫开发工作重点县",
    )

    # then
    assert (designation.region_id, designation.designated_year, designation.lifted_year) == (
        "522727",
        2014,
        None,
    )
    event = AuditEvent.objects.get(action="poor_area.designate")
    assert (event.object_id, event.region_code) == ("522727:county", "522727")
    assert event.after == {
        "designated_year": 2014,
        "lifted_year": None,
        "note": "国家扶贫开发工作重点县",
    }


@pytest.mark.parametrize(
    ("code", "kind", "year", "field"),
    [
        ("522727100", "county", 2014, "kind"),  # a township is not a county
        ("522727", "village", 2014, "kind"),
        ("999999", "county", 2014, "code"),
        ("522727", "province", 2014, "kind"),
        ("522727", "county", 1970, "designated_year"),
    ],
)
def test_designation_that_breaks_a_rule_is_refused(
    actor: Actor, pingtang_loaded: str, code: str, kind: str, year: int, field: str
) -> None:
    # when
    with pytest.raises(InputError) as raised:
        poor_area_designate(region_code=code, kind=kind, designated_year=year, actor=actor)

    # then
    assert raised.value.errors[0].field == field
    assert not PoorAreaDesignation.objects.exists()


def test_second_designation_of_the_same_kind_is_refused(actor: Actor, pingtang_loaded: str) -> None:
    # given
    poor_area_designate(
        region_code=pingtang_loaded, kind="village", designated_year=2014, actor=actor
    )

    # when
    with pytest.raises(InputError, match="already designated village"):
        poor_area_designate(
            region_code=pingtang_loaded, kind="village", designated_year=2015, actor=actor
        )

    # then
    assert PoorAreaDesignation.objects.get().designated_year == 2014


def test_lift_records_the_year_with_before_and_after(actor: Actor, pingtang_loaded: str) -> None:
    # given
    poor_area_designate(region_code="522727", kind="county", designated_year=2014, actor=actor)

    # when
    poor_area_lift(region_code="522727", kind="county", lifted_year=2019, actor=actor)
    poor_area_lift(region_code="522727", kind="county", lifted_year=2019, actor=actor)

    # then
    assert PoorAreaDesignation.objects.get().lifted_year == 2019
    event = AuditEvent.objects.get(action="poor_area.lift")
    assert (event.before, event.after) == ({"lifted_year": None}, {"lifted_year": 2019})


def test_lift_before_designation_is_refused(actor: Actor, pingtang_loaded: str) -> None:
    # given
    poor_area_designate(region_code="522727", kind="county", designated_year=2014, actor=actor)

    # when
    with pytest.raises(InputError, match="2013 is not between 2014"):
        poor_area_lift(region_code="522727", kind="county", lifted_year=2013, actor=actor)

    # then
    assert PoorAreaDesignation.objects.get().lifted_year is None


def test_import_again_changes_only_what_differs(
    actor: Actor, pingtang_loaded: str, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "poor.csv"
    path.write_text(
        f"code,kind,designated_year,lifted_year\n522727,county,2014,\n{pingtang_loaded},village,2014,\n"
    )
    poor_areas_import(path=path, actor=actor)
    path.write_text(
        f"code,kind,designated_year,lifted_year\n522727,county,2014,2019\n{pingtang_loaded},village,2014,\n"
    )

    # when
    result = poor_areas_import(path=path, actor=actor)

    # then
    assert (result.created, result.changed, result.unchanged) == (0, 1, 1)
    assert PoorAreaDesignation.objects.get(region_id="522727").lifted_year == 2019
    event = AuditEvent.objects.get(action="poor_area.update")
    assert (event.object_id, event.before, event.after) == (
        "522727:county",
        {"designated_year": 2014, "lifted_year": None},
        {"designated_year": 2014, "lifted_year": 2019},
    )


def test_import_without_a_column_is_refused(
    actor: Actor, pingtang_loaded: str, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "poor.csv"
    path.write_text("code,kind,designated_year\n522727,county,2014\n")

    # when
    with pytest.raises(InputError, match=r"poor\.csv, row 1, field lifted_year: missing column"):
        poor_areas_import(path=path, actor=actor)

    # then
    assert not PoorAreaDesignation.objects.exists()
