"""`rollups_refresh`: exact figures on a hand-built registry, partial refreshes, synth totals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fupin.core.audit import Actor
from fupin.core.timing import Steps
from fupin.stats.choices import Measure
from fupin.stats.kernels import MEASURES, STATUS, TOTAL_MEASURES
from fupin.stats.models import RegionYearBreakdown, RegionYearStat
from fupin.stats.queries import region_series, region_stats
from fupin.stats.services import RollupError, rollups_refresh, rollups_refresh_years
from tests.stats.conftest import V1, V2, YEARS, monitoring_make

ANCESTORS = ("522727100", "522727", "5227", "52", "")
# Totals in TOTAL_MEASURES order: households, persons, then households and persons that
# are registered (year-end stock), ever registered, new, exited, returned, removed, and
# monitored at the year's end.
TOTALS = {
    (V1, 2014): (4, 14, 2, 7, 2, 7, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0),
    (V1, 2015): (4, 14, 3, 9, 3, 9, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0),
    (V1, 2016): (4, 13, 1, 2, 3, 8, 0, 0, 1, 4, 0, 0, 1, 2, 1, 4),
    (V2, 2014): (3, 10, 2, 7, 2, 7, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0),
    (V2, 2015): (3, 10, 1, 6, 2, 7, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1),
    (V2, 2016): (3, 10, 2, 7, 2, 7, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0),
}
# The poor stock by (breakdown, key): (households, persons).
BREAKDOWNS = {
    (V1, 2014): {("category", "general"): (1, 4), ("category", "dibao"): (1, 3),
                 ("cause", "illness"): (1, 4), ("cause", "disability"): (1, 3)},
    (V1, 2015): {("category", "general"): (2, 6), ("category", "dibao"): (1, 3),
                 ("cause", "illness"): (1, 4), ("cause", "disability"): (1, 3),
                 ("cause", "schooling"): (1, 2)},
    (V1, 2016): {("category", "dibao"): (1, 2), ("cause", "disability"): (1, 2)},
    (V2, 2014): {("category", "tekun"): (1, 1), ("category", "unspecified"): (1, 6),
                 ("cause", "illness"): (1, 1), ("cause", "unspecified"): (1, 6)},
    (V2, 2015): {("category", "unspecified"): (1, 6), ("cause", "unspecified"): (1, 6)},
    (V2, 2016): {("category", "tekun"): (1, 1), ("category", "unspecified"): (1, 6),
                 ("cause", "illness"): (1, 1), ("cause", "unspecified"): (1, 6)},
}  # fmt: skip


Figures = dict[tuple[str, str], int]


def village_expected(village: str, year: int) -> Figures:
    """The hand-computed figures of one village as stored: (measure, key) -> value, every
    total (key '') with its zeros, the breakdowns other than 0."""
    rows = dict(zip(((m, "") for m in TOTAL_MEASURES), TOTALS[village, year], strict=True))
    for (name, key), (households, persons) in BREAKDOWNS[village, year].items():
        rows[f"registered_households_by_{name}", key] = households
        rows[f"registered_persons_by_{name}", key] = persons
    return rows


def added(first: Figures, second: Figures) -> Figures:
    return {key: first.get(key, 0) + second.get(key, 0) for key in first.keys() | second.keys()}


def stored(year: int) -> dict[str, Figures]:
    """The stored figures of `year` by region code, in the shape of `village_expected`."""
    regions: dict[str, Figures] = {}
    for code, *totals in RegionYearStat.objects.filter(year=year).values_list(
        "region_code", *TOTAL_MEASURES
    ):
        regions[code] = dict(zip(((m, "") for m in TOTAL_MEASURES), totals, strict=True))
    for code, measure, key, value in RegionYearBreakdown.objects.filter(year=year).values_list(
        "region_code", "measure", "key", "value"
    ):
        regions.setdefault(code, {})[measure, key] = value
    return regions


def snapshot() -> set[tuple[object, ...]]:
    """Every stored row of both tables, the id included, tagged with its table."""
    totals = RegionYearStat.objects.values_list("id", "region_code", "level", "year",
                                                *TOTAL_MEASURES)  # fmt: skip
    breakdowns = RegionYearBreakdown.objects.values_list(
        "id", "region_code", "level", "year", "measure", "key", "value"
    )
    return {("totals", *row) for row in totals} | {("breakdowns", *row) for row in breakdowns}


def without_ids(rows: set[tuple[object, ...]]) -> set[tuple[object, ...]]:
    return {(row[0], *row[2:]) for row in rows}


def row_count(year: int) -> int:
    return (
        RegionYearStat.objects.filter(year=year).count()
        + RegionYearBreakdown.objects.filter(year=year).count()
    )


def test_the_kernel_speaks_the_models_words() -> None:
    from fupin.registry.choices import HouseholdStatus

    assert list(Measure.values) == list(MEASURES)
    assert [field.name for field in RegionYearStat._meta.fields][4:] == list(TOTAL_MEASURES)
    assert set(STATUS.categories.to_list()) == set(HouseholdStatus.values)


@pytest.mark.parametrize("year", YEARS)
def test_every_level_holds_the_hand_computed_figures(registry: dict[str, int], year: int) -> None:
    # when
    written = rollups_refresh(year=year)
    # then the two villages hold their own figures and every ancestor their sum
    regions = stored(year)
    first, second = village_expected(V1, year), village_expected(V2, year)
    assert set(regions) == {V1, V2, *ANCESTORS}
    assert regions[V1] == first
    assert regions[V2] == second
    for code in ANCESTORS:
        assert regions[code] == added(first, second), code
    assert (
        written
        == row_count(year)
        == 7 + sum(1 for figures in regions.values() for _, key in figures if key)
    )
    levels = {V1: 5, V2: 5, "522727100": 4, "522727": 3, "5227": 2, "52": 1, "": 0}
    assert dict(RegionYearStat.objects.filter(year=year).values_list("region_code", "level")) == (
        levels
    )
    for code, level in RegionYearBreakdown.objects.filter(year=year).values_list(
        "region_code", "level"
    ):
        assert levels[code] == level


def test_the_nation_in_2016_spelled_out(registry: dict[str, int]) -> None:
    # given
    rollups_refresh_years(years=YEARS)
    # when
    nation = region_stats(region="", year=2016)
    # then (H2 and the returned H5 and H7 are the poor stock: 2 + 1 + 6 persons of 23)
    assert nation["level"] == 0
    assert nation["measures"] == {
        "households": 7, "persons": 23,
        "registered_households": 3, "registered_persons": 9,
        "ever_registered_households": 5, "ever_registered_persons": 15,
        "new_households": 0, "new_persons": 0,
        "exited_households": 1, "exited_persons": 4,
        "returned_households": 1, "returned_persons": 1,
        "removed_households": 1, "removed_persons": 2,
        "monitored_households": 1, "monitored_persons": 4,
    }  # fmt: skip
    assert nation["incidence"] == Decimal("0.3913")
    assert nation["breakdowns"]["registered_households_by_category"] == {
        "dibao": 1, "tekun": 1, "unspecified": 1,
    }  # fmt: skip
    assert nation["breakdowns"]["registered_persons_by_cause"] == {
        "disability": 2, "illness": 1, "unspecified": 6,
    }  # fmt: skip


def test_refreshing_twice_gives_the_same_rows(registry: dict[str, int]) -> None:
    # given
    rollups_refresh_years(years=YEARS)
    first = without_ids(snapshot())
    # when
    rollups_refresh_years(years=YEARS)
    rollups_refresh(year=2015, prefix=V1)
    # then
    assert without_ids(snapshot()) == first
    assert len(first) == sum(row_count(year) for year in YEARS) > 3 * 7


def test_a_village_refresh_updates_its_ancestors_and_nothing_else(
    registry: dict[str, int],
) -> None:
    from fupin.registry.models import Household, StatusTransition

    # given the rollups, then H2 (V1) exits in 2016 and H7 (V2) exits too, unrefreshed
    rollups_refresh_years(years=YEARS)
    before = snapshot()
    for name in ("H2", "H7"):
        StatusTransition.objects.create(
            household_id=registry[name], from_status="registered", to_status="exited",
            year=2016, date=date(2016, 12, 1),
        )  # fmt: skip
        Household.objects.filter(pk=registry[name]).update(status="exited")
    # when only V1 is refreshed
    rollups_refresh(year=2016, prefix=V1)
    # then V1 and its five ancestors changed; V2 and the other years kept their very rows
    after = snapshot()
    changed = {row[2] for row in before ^ after}
    assert changed == {V1, *ANCESTORS}
    assert {row for row in after if row[2] == V2} == {row for row in before if row[2] == V2}
    assert {row for row in after if row[4] != 2016} == {row for row in before if row[4] != 2016}
    regions = stored(2016)
    assert regions[V1]["registered_households", ""] == 0  # a total of 0 keeps its row
    assert not any(key for _, key in regions[V1])  # no poor stock, no breakdown row
    assert regions[V1]["exited_persons", ""] == 4 + 2
    # the ancestors sum V1's new rows with V2's stored ones (H7's exit not yet rolled up)
    for code in ANCESTORS:
        assert regions[code]["registered_households", ""] == 0 + 2
        assert regions[code]["exited_households", ""] == 2 + 0
        assert ("registered_households_by_category", "dibao") not in regions[code]
    # and refreshing V2 brings everything to what a national refresh gives
    rollups_refresh(year=2016, prefix=V2)
    partial = without_ids(snapshot())
    rollups_refresh(year=2016)
    assert without_ids(snapshot()) == partial


def test_a_county_refresh_rebuilds_the_levels_in_between(registry: dict[str, int]) -> None:
    # given rows for 2014, with the township's rows lost
    rollups_refresh(year=2014)
    expected = stored(2014)
    RegionYearStat.objects.filter(region_code="522727100").delete()
    RegionYearBreakdown.objects.filter(region_code="522727100").delete()
    # when
    rollups_refresh(year=2014, prefix="522727")
    # then
    assert stored(2014) == expected


def test_a_village_whose_households_left_loses_its_rows(registry: dict[str, int]) -> None:
    from fupin.registry.models import Household

    # given
    rollups_refresh(year=2014)
    # when every household of V2 moves to V1 and V2 is refreshed, then V1
    Household.objects.filter(village_id=V2).update(village_id=V1)
    rollups_refresh(year=2014, prefix=V2)
    rollups_refresh(year=2014, prefix=V1)
    # then
    regions = stored(2014)
    assert V2 not in regions
    assert regions[""]["households", ""] == 7
    assert regions[V1] == regions["522727100"] == regions[""]
    assert not RegionYearBreakdown.objects.filter(region_code=V2).exists()


def test_steps_are_timed_and_logged(
    registry: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    # given
    steps = Steps("stats test")
    # when
    with caplog.at_level("INFO"):
        rollups_refresh(year=2015, prefix=V1, steps=steps)
    # then
    for step in ("extract households", "extract transitions", "extract monitorings",
                 "kernel 2015", "insert totals 2015", "insert breakdowns 2015"):  # fmt: skip
        assert step in steps.seconds
    assert "stats test: extract households: 4 rows" in caplog.text
    assert "stats test: extract monitorings: 0 rows" in caplog.text  # H1's starts in 2016
    assert "stats test: insert totals 2015: 1 rows" in caplog.text
    assert "stats test: ancestors 2015: " in caplog.text


@pytest.mark.parametrize(
    ("years", "prefix", "message"),
    [
        ([2016], "52x", "up to 12 digits"),
        ([2016], "99", "no region has a code starting with 99"),
        ([1900], "", "not a plausible year"),
        ([], "", "no year"),
    ],
)
def test_bad_requests_are_refused(
    villages: list[str], years: list[int], prefix: str, message: str
) -> None:
    with pytest.raises(RollupError, match=message):
        rollups_refresh_years(years=years, prefix=prefix)
    assert not RegionYearStat.objects.exists()
    assert not RegionYearBreakdown.objects.exists()


def test_queries_read_one_indexed_query(
    registry: dict[str, int], django_assert_num_queries: object
) -> None:
    # given
    rollups_refresh_years(years=YEARS)
    # when / then
    with django_assert_num_queries(1):  # type: ignore[operator]
        county = region_stats(region="522727", year=2015)
    with django_assert_num_queries(1):  # type: ignore[operator]
        series = region_series(region=V2, years=range(2013, 2018))
    assert county["level"] == 3 and county["measures"]["registered_persons"] == 9 + 6
    assert county["incidence"] == Decimal("0.6250")
    assert [item["year"] for item in series] == [2014, 2015, 2016]
    assert [item["measures"]["registered_households"] for item in series] == [2, 1, 2]


def test_the_extract_reads_the_monitorings_running_at_some_year_end(
    registry: dict[str, int],
) -> None:
    from fupin.stats.services import registry_extract

    # when
    extracts = {
        (prefix, tuple(years)): registry_extract(prefix=prefix, years=years, steps=Steps("t"))
        for prefix, years in (("", [2014]), ("", [2016]), ("", YEARS), (V2, [2015, 2016]),
                              (V1, [2015]))
    }  # fmt: skip
    # then (H1 is watched from 2016-11-20 on, H5 from 2015-12-10 to 2016-06-01)
    watched = {
        key: sorted(extract.monitorings["household_id"].to_list())
        for key, extract in extracts.items()
    }
    assert watched == {
        ("", (2014,)): [],
        ("", (2016,)): [registry["H1"]],
        ("", YEARS): sorted([registry["H1"], registry["H5"]]),
        (V2, (2015, 2016)): [registry["H5"]],
        (V1, (2015,)): [],
    }


def orm_figures(year: int) -> dict[str, int]:
    """The nation's totals for `year` counted straight from the registry with the ORM."""
    from fupin.registry.models import Assessment, Household, Member, StatusTransition
    from fupin.targeting.models import Monitoring

    assessed = Assessment.objects.filter(household=OuterRef("pk"), year=year)
    active = (
        Member.objects.filter(household=OuterRef("pk"), is_active=True)
        .values("household").annotate(n=Count("id")).values("n")
    )  # fmt: skip
    up_to = StatusTransition.objects.filter(household=OuterRef("pk"), year__lte=year)
    year_end = date(year, 12, 31)
    households = Household.objects.annotate(
        size=Coalesce(
            Subquery(assessed.values("household_size")[:1]),
            Subquery(active, output_field=IntegerField()),
            Value(0),
        ),
        year_end=Subquery(up_to.order_by("-date", "-id").values("to_status")[:1]),
        ever=Exists(up_to.filter(to_status__in=["registered", "returned"])),
        watched=Exists(
            Monitoring.objects.filter(household=OuterRef("pk"), identified_on__lte=year_end).filter(
                Q(eliminated_on__isnull=True) | Q(eliminated_on__gt=year_end)
            )
        ),
    )
    poor = Q(year_end__in=["registered", "returned"])
    figures = {
        "households": households.count(),
        "persons": households.aggregate(n=Sum("size"))["n"] or 0,
        "registered_households": households.filter(poor).count(),
        "registered_persons": households.filter(poor).aggregate(n=Sum("size"))["n"] or 0,
        "ever_registered_households": households.filter(ever=True).count(),
    }
    for stem, status in (("new", "registered"), ("exited", "exited"), ("returned", "returned"),
                         ("removed", "removed")):  # fmt: skip
        moved = Exists(StatusTransition.objects.filter(
            household=OuterRef("pk"), year=year, to_status=status
        ))  # fmt: skip
        figures[f"{stem}_households"] = households.filter(moved).count()
        figures[f"{stem}_persons"] = households.filter(moved).aggregate(n=Sum("size"))["n"] or 0
    figures["monitored_households"] = households.filter(watched=True).count()
    figures["monitored_persons"] = (
        households.filter(watched=True).aggregate(n=Sum("size"))["n"] or 0
    )
    return figures


def monitorings_scatter(every: int) -> int:
    """Put every `every`-th household under monitorings of varied spans; returns how many."""
    from fupin.registry.models import Household

    ids = list(Household.objects.order_by("id").values_list("id", flat=True)[::every])
    for index, household in enumerate(ids):
        start = date(2014 + index % 7, 1 + index % 12, 1 + index % 28)
        end = None if index % 3 == 0 else start + timedelta(days=150 * (1 + index % 5))
        monitoring_make(household, start, eliminated_on=end)
    return len(ids)


def test_a_synthetic_county_adds_up_to_the_registry(villages: list[str], actor: Actor) -> None:
    from fupin.synth.services import synth_generate

    # given
    synth_generate(region="522727", households=2_000, years=(2014, 2020), seed=11, actor=actor)
    assert monitorings_scatter(every=40) == 50
    years = range(2014, 2021)
    # when
    rollups_refresh_years(years=years)
    # then every year's national totals are the registry's own counts
    series = region_series(region="", years=years)
    assert [item["year"] for item in series] == list(years)
    for item in series:
        expected = orm_figures(item["year"])
        assert {name: item["measures"][name] for name in expected} == expected, item["year"]
        assert (
            sum(item["breakdowns"]["registered_persons_by_cause"].values())
            == (item["measures"]["registered_persons"])
        )
    # and the poor stock falls from 2015 to 2020
    stock = [item["measures"]["registered_households"] for item in series]
    assert stock[1] > 0
    assert all(later <= earlier for earlier, later in pairwise(stock[1:]))
    assert stock[-1] < stock[1]
    assert series[0]["measures"]["households"] == 2_000
    watched = [item["measures"]["monitored_households"] for item in series]
    assert min(watched) > 0 and len(set(watched)) > 1
