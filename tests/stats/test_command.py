"""`fupin stats show` and `fupin stats refresh`: tables, stable JSON, clear refusals."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.stats.management.commands.stats import Command
from fupin.stats.models import RegionYearBreakdown, RegionYearStat
from tests.stats.conftest import V1


def stats(*args: str) -> str:
    out = io.StringIO()
    call_command(Command(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def refreshed(registry: dict[str, int]) -> None:
    stats("refresh", "--years", "2014-2016")


def test_refresh_reports_what_it_wrote(registry: dict[str, int]) -> None:
    # when
    out = stats("refresh", "--years", "2016", "--region", "522727")
    # then
    assert out.startswith("refreshed 2016 under 522727: ")
    assert "extract households" in out
    count = sum(model.objects.filter(year=2016).count()
                for model in (RegionYearStat, RegionYearBreakdown))  # fmt: skip
    assert count > RegionYearStat.objects.count() == 7
    assert f": {count:,} rollup rows" in out


def test_show_prints_a_table_with_both_labels(refreshed: None) -> None:
    # when
    out = stats("show", "--region", V1, "--year", "2015")
    lines = out.splitlines()
    # then
    assert lines[0] == f"京舟村村民委员会 ({V1}) 2015"
    assert any(line.split() == ["registered_persons", "9", "在册贫困人口数"] for line in lines)
    assert any(
        line.split() == ["monitored_households", "0", "防返贫监测对象户数"] for line in lines
    )
    assert any(line.split() == ["incidence", "64.29%", "贫困发生率"] for line in lines)
    assert any(line.split() == ["schooling", "2", "因学"] for line in lines)
    assert any(line.split() == ["dibao", "1", "低保户"] for line in lines)


def test_show_json_is_a_stable_object(refreshed: None) -> None:
    # when
    data = json.loads(stats("show", "--year", "2016", "--json"))
    # then
    assert list(data) == ["name", "region", "level", "year", "incidence", "measures", "breakdowns"]
    assert data["name"] == "全国" and data["region"] == "" and data["level"] == 0
    assert data["incidence"] == 0.3913
    assert list(data["measures"])[:4] == [
        "households", "persons", "registered_households", "registered_persons",
    ]  # fmt: skip
    assert data["measures"]["returned_households"] == 1
    assert list(data["measures"])[-2:] == ["monitored_households", "monitored_persons"]
    assert data["measures"]["monitored_persons"] == 4
    assert data["breakdowns"]["registered_households_by_cause"] == {
        "disability": 1, "illness": 1, "unspecified": 1,
    }  # fmt: skip


def test_show_a_series_of_years(refreshed: None) -> None:
    # when
    table = stats("show", "--region", "5227", "--years", "2014-2016").splitlines()
    data = json.loads(stats("show", "--region", "5227", "--years", "2014-2016", "--json"))
    # then
    assert table[0] == "黔南布依族苗族自治州 (5227) 2014-2016"
    assert ["registered_households", "4", "4", "3", "在册贫困户数"] in [
        line.split() for line in table
    ]
    assert [item["year"] for item in data["series"]] == [2014, 2015, 2016]
    assert [item["measures"]["exited_persons"] for item in data["series"]] == [0, 1, 4]
    assert [item["measures"]["monitored_households"] for item in data["series"]] == [0, 1, 1]
    assert ["monitored_persons", "0", "1", "4", "防返贫监测对象人口数"] in [
        line.split() for line in table
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["show", "--region", "52x", "--year", "2016"], "--region must be a region code"),
        (["show", "--region", "52272", "--year", "2016"], "--region must be a region code"),
        (["show", "--region", "99", "--year", "2016"], "--region 99: no region has this code"),
        (
            ["show", "--region", "5227", "--year", "2019"],
            r"no rollups for 黔南布依族苗族自治州 \(5227\) in 2019; "
            r"run `fupin stats refresh --years 2019`",
        ),
        (["show", "--years", "2018-2019"], "no rollups for 全国"),
        (["show", "--years", "2016-2014"], "year range runs backwards"),
        (["refresh", "--years", "20x6"], "years must look like 2014-2020"),
        (["refresh", "--years", "2016", "--region", "99"], "no region has a code starting"),
        (["refresh", "--years", "2016", "--region", "5a"], r"up to 12 digits.*--region"),
    ],
)
def test_bad_input_is_refused_with_exit_code_2(
    refreshed: None, arguments: list[str], message: str
) -> None:
    # given
    before = stored_rows()
    # when
    with pytest.raises(CommandError, match=message) as caught:
        stats(*arguments)
    # then
    assert caught.value.returncode == 2
    assert stored_rows() == before


def stored_rows() -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    return (
        set(RegionYearStat.objects.values_list("id", "registered_persons")),
        set(RegionYearBreakdown.objects.values_list("id", "value")),
    )
