"""The pure kernels: urban/rural kind, file validation, scoping, and the diff's properties."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.regions import kernels
from fupin.regions.models import CODE_LENGTH_BY_LEVEL, WESTERN_PROVINCES, Kind
from fupin.regions.services import LEVEL_FILES

EDITION = 2023


def classified(codes: list[str]) -> list[str]:
    frame = pl.DataFrame({"code": codes}).with_columns(
        pl.col("code")
        .str.len_chars()
        .replace_strict({2: 1, 4: 2, 6: 3, 9: 4, 12: 5})
        .alias("level")
    )
    return frame.select(kernels.region_kind(pl.col("code"), pl.col("level"))).to_series().to_list()


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("522727100001", "urban"),  # 001-199 residents' committee
        ("522727100199", "urban"),
        ("522727100200", "rural"),  # 200-399 villagers' committee
        ("522727100399", "rural"),
        ("522727100400", "urban"),  # 400-499 residents'-committee-like (498 virtual community)
        ("522727100498", "urban"),
        ("522727100500", "rural"),  # 500-599 villagers'-committee-like (598 virtual living area)
        ("522727100598", "rural"),
        ("522727100600", ""),
        ("350527000000", ""),  # 金门县's placeholder village
        ("522727001", "urban"),  # 001-099 subdistrict (街道)
        ("522727099", "urban"),
        ("522727100", "rural"),  # 100-199 town
        ("522727200", "rural"),  # 200-399 township
        ("522727599", "rural"),  # 400-599 township-like units
        ("522727600", ""),
        ("522727", ""),
        ("5227", ""),
        ("52", ""),
    ],
)
def test_kind_follows_the_village_and_township_number(code: str, kind: str) -> None:
    assert classified([code]) == [kind]


def test_kind_values_are_the_model_choices() -> None:
    assert {kernels.URBAN, kernels.RURAL, kernels.UNCLASSIFIED} == {k.value for k in Kind}


def test_level_files_match_the_model_code_lengths() -> None:
    assert {spec.level: spec.code_length for spec in LEVEL_FILES} == CODE_LENGTH_BY_LEVEL


# A small tree: codes drawn from few digits so that two draws share many codes.
NAMES = st.sampled_from(["甲村", "乙村", "丙村"])
SUFFIXES = {2: ["01", "02"], 3: ["01", "02"], 4: ["001", "100", "201"], 5: ["001", "201", "401"]}


@st.composite
def trees(draw: st.DrawFn) -> pl.DataFrame:
    """A valid region tree (code, name, level, parent_code) of up to five levels."""
    rows = []
    provinces = draw(st.sets(st.sampled_from(["11", "52", "65"]), min_size=1))
    frontier: list[tuple[str, str | None]] = [(code, None) for code in sorted(provinces)]
    for level in range(1, 6):
        children: list[tuple[str, str | None]] = []
        for code, parent in frontier:
            rows.append({"code": code, "name": draw(NAMES), "level": level, "parent_code": parent})
            if level < 5:
                suffixes = draw(st.sets(st.sampled_from(SUFFIXES[level + 1]), max_size=2))
                children += [(code + suffix, code) for suffix in sorted(suffixes)]
        frontier = children
    frame = pl.DataFrame(
        rows,
        schema={"code": pl.String, "name": pl.String, "level": pl.Int8, "parent_code": pl.String},
    )
    return kernels.regions_classify(frame, western=WESTERN_PROVINCES)


@st.composite
def stored(draw: st.DrawFn) -> pl.DataFrame:
    """Stored rows as an earlier load left them: any editions, some codes retired."""
    tree = draw(trees())
    editions = draw(
        st.lists(st.sampled_from([2021, 2022, EDITION]), min_size=tree.height, max_size=tree.height)
    )
    retired = draw(
        st.lists(st.sampled_from([None, None, 2022]), min_size=tree.height, max_size=tree.height)
    )
    return tree.with_columns(
        pl.Series("edition", editions, dtype=pl.Int16),
        pl.Series("retired_in", retired, dtype=pl.Int16),
    ).cast(kernels.STORED_SCHEMA)


def shuffled(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    return frame.sample(fraction=1.0, shuffle=True, seed=seed)


@settings(max_examples=150, deadline=None)
@given(incoming=trees(), existing=stored())
def test_applying_a_diff_then_diffing_again_finds_nothing(
    incoming: pl.DataFrame, existing: pl.DataFrame
) -> None:
    # given
    diff = kernels.regions_diff(incoming, existing, edition=EDITION)

    # when
    applied = kernels.diff_apply(existing, diff)
    again = kernels.regions_diff(incoming, applied, edition=EDITION)

    # then
    assert again.is_empty
    assert again.unchanged == incoming.height


@settings(max_examples=150, deadline=None)
@given(incoming=trees(), existing=stored(), seed=st.integers(0, 2**16))
def test_row_order_does_not_matter(
    incoming: pl.DataFrame, existing: pl.DataFrame, seed: int
) -> None:
    # given
    diff = kernels.regions_diff(incoming, existing, edition=EDITION)

    # when
    reordered = kernels.regions_diff(
        shuffled(incoming, seed), shuffled(existing, seed + 1), edition=EDITION
    )

    # then
    for name in ("inserts", "updates", "refreshes", "retirements"):
        assert getattr(reordered, name).equals(getattr(diff, name)), name
    assert reordered.unchanged == diff.unchanged


@settings(max_examples=150, deadline=None)
@given(incoming=trees(), existing=stored())
def test_diff_accounts_for_every_row_once(incoming: pl.DataFrame, existing: pl.DataFrame) -> None:
    # when
    diff = kernels.regions_diff(incoming, existing, edition=EDITION)

    # then
    incoming_codes = set(incoming["code"])
    stored_codes = set(existing["code"])
    assert set(diff.inserts["code"]) == incoming_codes - stored_codes
    assert diff.inserts.height + diff.updates.height + diff.unchanged == incoming.height
    live = set(existing.filter(pl.col("retired_in").is_null())["code"])
    assert set(diff.retirements["code"]) == live - incoming_codes
    assert set(diff.refreshes["code"]) <= stored_codes & incoming_codes
    assert set(diff.retirements["retired_in"]) <= {EDITION}
    applied = kernels.diff_apply(existing, diff)
    assert set(applied["code"]) == incoming_codes | stored_codes  # nothing is ever dropped


@settings(max_examples=100, deadline=None)
@given(tree=trees())
def test_diff_against_nothing_inserts_everything(tree: pl.DataFrame) -> None:
    # when
    diff = kernels.regions_diff(tree, pl.DataFrame(schema=kernels.STORED_SCHEMA), edition=EDITION)

    # then
    assert diff.inserts.height == tree.height
    assert diff.updates.height == diff.retirements.height == diff.unchanged == 0


@settings(max_examples=100, deadline=None)
@given(tree=trees(), data=st.data())
def test_subtree_with_ancestors_is_closed_under_parents(
    tree: pl.DataFrame, data: st.DataObject
) -> None:
    # given
    prefix = data.draw(st.sampled_from(tree["code"].to_list()))
    chain = kernels.ancestor_chain(tree)

    # when
    chosen = kernels.with_ancestors(tree, chain, kernels.subtree_codes(chain, prefix))

    # then
    codes = set(chosen["code"])
    assert {code for code in tree["code"] if code.startswith(prefix)} <= codes
    assert {parent for parent in chosen["parent_code"] if parent is not None} <= codes


def test_changed_fields_lists_only_what_changed() -> None:
    row: dict[str, object] = {
        f"{name}_before": "x" for name in (*kernels.COMPARED_FIELDS, "retired_in")
    }
    row |= {name: "x" for name in (*kernels.COMPARED_FIELDS, "retired_in")}
    row |= {"name": "新", "name_before": "旧", "retired_in": None, "retired_in_before": 2022}

    assert kernels.changed_fields(row) == (
        {"name": "旧", "retired_in": 2022},
        {"name": "新", "retired_in": None},
    )


def division_files(tree: pl.DataFrame) -> list[kernels.DivisionFile]:
    """A tree written out in the npm package's layout, with every ancestor column filled."""
    chain = kernels.ancestor_chain(tree)
    files = []
    for spec in LEVEL_FILES:
        rows = tree.filter(pl.col("level") == spec.level).join(chain, on=["code", "level"])
        frame = rows.select(
            "code",
            "name",
            *(
                pl.col(f"level_{spec.ancestor_level(i)}").alias(c)
                for i, c in enumerate(spec.ancestor_columns)
            ),
        )
        files.append(kernels.DivisionFile(spec, f"{spec.stem}.csv", frame))
    return files


@settings(max_examples=100, deadline=None)
@given(tree=trees())
def test_valid_files_give_back_the_tree(tree: pl.DataFrame) -> None:
    # when
    validated = kernels.division_files_validate(division_files(tree), western=WESTERN_PROVINCES)

    # then
    assert validated.errors.is_empty()
    assert validated.regions.sort("code").equals(tree.sort("code"))
    assert validated.prefix_mismatches.is_empty()


@settings(max_examples=100, deadline=None)
@given(tree=trees(), data=st.data())
def test_a_duplicated_row_is_reported_at_its_row(tree: pl.DataFrame, data: st.DataObject) -> None:
    # given
    files = division_files(tree)
    index = data.draw(st.sampled_from([i for i, f in enumerate(files) if f.frame.height]))
    file = files[index]
    copied = data.draw(st.integers(0, file.frame.height - 1))
    files[index] = kernels.DivisionFile(
        file.spec, file.name, pl.concat([file.frame, file.frame.slice(copied, 1)])
    )

    # when
    errors = kernels.division_files_validate(files, western=WESTERN_PROVINCES).errors

    # then
    assert errors.rows() == [
        (
            file.name,
            file.frame.height + 2,
            "code",
            f"duplicate code {file.frame['code'][copied]}, first in row {copied + 2}",
        )
    ]


def test_validation_reports_row_level_problems_in_file_order() -> None:
    # given
    provinces = pl.DataFrame({"code": ["52", "5"], "name": ["贵州省", "x"]})
    cities = pl.DataFrame(
        {"code": ["5227", "5301"], "name": ["黔南州", None], "provinceCode": ["52", "53"]}
    )
    files = [
        kernels.DivisionFile(LEVEL_FILES[0], "provinces.csv", provinces),
        kernels.DivisionFile(LEVEL_FILES[1], "cities.csv", cities),
        kernels.DivisionFile(
            LEVEL_FILES[2], "areas.csv", pl.DataFrame({"code": ["522727"], "name": ["平塘县"]})
        ),
    ]

    # when
    validated = kernels.division_files_validate(files, western=WESTERN_PROVINCES)

    # then
    assert validated.regions.is_empty()
    assert validated.errors.rows() == [
        ("provinces.csv", 3, "code", "code must be 2 digits, got '5'"),
        ("cities.csv", 3, "name", "name is empty"),
        ("cities.csv", 3, "provinceCode", "unknown parent 53: no such code in provinces.csv"),
        ("areas.csv", 1, "cityCode", "missing column"),
        ("areas.csv", 1, "provinceCode", "missing column"),
    ]


DESIGNATION_REGIONS = pl.DataFrame(
    {
        "code": ["522727", "522727100218", "522701"],
        "level": [3, 5, 3],
        "retired_in": [None, None, 2021],
    },
    schema={"code": pl.String, "level": pl.Int8, "retired_in": pl.Int16},
)


def test_designation_rows_are_checked_whole() -> None:
    # given
    frame = pl.DataFrame(
        {
            "code": ["522727", "522727100218", "999999", "522701", "522727100218", "522727"],
            "kind": ["county", "county", "county", "county", "village", "county"],
            "designated_year": ["2014", "2014", "2014", "2014", "2014", "2014"],
            "lifted_year": ["2020", None, None, None, "2013", None],
        }
    )

    # when
    rows, errors = kernels.designations_validate(
        frame, DESIGNATION_REGIONS, file="d.csv", level_by_kind={"county": 3, "village": 5},
        first_year=1986, last_year=2026,
    )  # fmt: skip

    # then
    assert [(row, field) for _, row, field, _ in errors.rows()] == [
        (3, "kind"),  # a village code designated as a county
        (4, "code"),  # unknown
        (5, "code"),  # retired
        (6, "lifted_year"),  # lifted before designated
        (7, "code"),  # second county designation of 522727
    ]
    assert rows.height == frame.height


def test_designation_years_must_be_years_in_range() -> None:
    # given
    frame = pl.DataFrame(
        {
            "code": ["522727"],
            "kind": ["county"],
            "designated_year": ["1985"],
            "lifted_year": ["二〇二〇"],
        }
    )

    # when
    _, errors = kernels.designations_validate(
        frame,
        DESIGNATION_REGIONS,
        file="d.csv",
        level_by_kind={"county": 3},
        first_year=1986,
        last_year=2026,
    )

    # then
    assert errors.rows() == [
        ("d.csv", 2, "designated_year", "not a year between 1986 and 2026: '1985'"),
        ("d.csv", 2, "lifted_year", "not a year between 1986 and 2026: '二〇二〇'"),
    ]
