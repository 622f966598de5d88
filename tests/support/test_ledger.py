"""The assistance ledger (帮扶台账): recording a measure, a department's bulk entry (validated
whole, bad rows named, nothing half-applied), who sees and records measures, the
cause-to-measure policy data and the coverage gaps per village."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.core.access import grant_add, restrict
from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.pairing.services import assignment_open
from fupin.policy.models import CauseMeasureValue
from fupin.policy.seeds import typical_cause_measures
from fupin.registry.models import Household
from fupin.support.models import Measure
from fupin.support.queries import answering_types, coverage_gaps, household_measures
from fupin.support.services import MeasureError, measure_record, measures_import
from tests.pairing.test_services import cadre
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2018


def poor(number: str, cause: str = "illness", **extra: Any) -> Household:
    household = household_make(number, **{"status": "registered", **extra})
    household.main_cause = cause
    household.save(update_fields=["main_cause"])
    return household


def department(posts: Posts, prefix: str = "522727", name: str = "health") -> Actor:  # noqa: F811
    user = get_user_model().objects.create_user(username=f"dept-{name}-{prefix}")
    grant_add(user=user, role="department", region_prefix=prefix, department=name,
              actor=posts.national)  # fmt: skip
    return Actor.of(user)


def row(number: str = "H1", **override: Any) -> dict[str, Any]:
    """One valid file row (text cells, as a file gives them)."""
    return {"household_no": number, "year": str(YEAR), "given_on": "2018-05-10",
            "measure_type": "health", "description": "家庭医生签约，慢病药费报销",
            "form": "money", "value": "1200.50", "provider_kind": "department",
            "provider_name": "平塘县卫生健康局", "fund": "", "project": "", **override}  # fmt: skip


def record(household: Household, actor: Actor, **override: Any) -> Measure:
    fields: dict[str, Any] = {
        "household": household, "year": YEAR, "given_on": date(YEAR, 5, 10),
        "measure_type": "health", "description": "大病救助", "form": "money",
        "value": Decimal("800"), "provider_kind": "village", "provider_name": "京舟村",
        "actor": actor, **override,
    }  # fmt: skip
    return measure_record(**fields)


# Recording one measure


def test_a_village_cadre_records_a_measure_with_its_audit_event(posts: Posts) -> None:  # noqa: F811
    # given
    household = poor("H1")
    # when
    measure = record(household, posts.cadre, fund="2018年财政专项扶贫资金")
    # then
    measure.refresh_from_db()
    assert (measure.household_id, measure.measure_type, measure.value) == (
        household.pk, "health", Decimal("800.00"))  # fmt: skip
    assert measure.recorded_by_id == posts.cadre.user.pk
    assert measure.fund == "2018年财政专项扶贫资金" and measure.project == ""
    event = AuditEvent.objects.get(action="measure.record")
    assert event.region_code == VILLAGE and event.after["measure"] == measure.pk


@pytest.mark.parametrize(
    ("override", "field", "code"),
    [
        ({"value": Decimal("-1")}, "value", "value.negative"),
        ({"value": Decimal("1.005")}, "value", "value.invalid"),
        ({"measure_type": "lottery"}, "measure_type", "measure_type.unknown"),
        ({"form": "cash"}, "form", "form.unknown"),
        ({"provider_kind": "church"}, "provider_kind", "provider_kind.unknown"),
        ({"provider_name": "  "}, "provider_name", "provider_name.required"),
        ({"description": ""}, "description", "description.required"),
        ({"description": "x" * 201}, "description", "description.too_long"),
        ({"given_on": date(2017, 12, 31)}, "given_on", "given_on.other_year"),
        ({"year": 2012, "given_on": date(2012, 5, 1)}, "year", "year.out_of_range"),
    ],
)
def test_a_bad_measure_is_refused_and_nothing_written(
    posts: Posts,  # noqa: F811
    override: dict[str, Any],
    field: str,
    code: str,
) -> None:
    household = poor("H1")
    with pytest.raises(MeasureError) as refused:
        record(household, posts.cadre, **override)
    assert [(i.row, i.field, i.code) for i in refused.value.issues] == [(1, field, code)]
    assert not Measure.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="measure.").exists()


def test_a_measure_given_tomorrow_is_refused(posts: Posts) -> None:  # noqa: F811
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(MeasureError) as refused:
        record(poor("H1"), posts.cadre, year=tomorrow.year, given_on=tomorrow)
    assert "given_on.in_future" in {issue.code for issue in refused.value.issues}
    assert not Measure.objects.exists()


def test_only_a_post_over_the_village_records(posts: Posts) -> None:  # noqa: F811
    household = poor("H1")
    for outsider in (posts.other_cadre, posts.evaluator, posts.inspector, posts.province):
        with pytest.raises(MeasureError) as refused:
            record(household, outsider)
        assert [i.code for i in refused.value.issues] == ["household_no.outside_posts"]
    for keeper in (posts.township, posts.county, posts.secretary, posts.team):
        record(household, keeper)
    assert Measure.objects.count() == 4


def test_households_off_the_register_get_no_measures(posts: Posts) -> None:  # noqa: F811
    outside = household_make("N1")  # never registered
    with pytest.raises(MeasureError) as refused:
        record(outside, posts.cadre)
    assert [i.code for i in refused.value.issues] == ["household_no.not_on_register"]


def test_the_database_refuses_a_negative_value(posts: Posts) -> None:  # noqa: F811
    measure = record(poor("H1"), posts.cadre)
    measure.value = Decimal("-5")
    with pytest.raises(IntegrityError), transaction.atomic():
        measure.save()


# A department's bulk entry


def test_a_department_imports_its_measures_set_wise_with_one_event(posts: Posts) -> None:  # noqa: F811
    # given
    poor("H1"), poor("H2"), poor("H3", village=OTHER_VILLAGE)
    health = department(posts)
    rows = [row("H1"), row("H2", form="in_kind", value="300", fund="医疗救助资金"),
            row("H3", measure_type="training", value="0")]  # fmt: skip
    # when
    written = measures_import(rows=pl.DataFrame(rows), actor=health, source="卫健局2018.xlsx")
    # then
    assert written == 3
    got = {m.household.household_no: m for m in Measure.objects.select_related("household")}
    assert got["H1"].value == Decimal("1200.50") and got["H1"].given_on == date(2018, 5, 10)
    assert got["H2"].form == "in_kind" and got["H2"].fund == "医疗救助资金"
    assert got["H3"].project == "" and got["H3"].recorded_by_id == health.user.pk
    event = AuditEvent.objects.get(action="measure.import")
    assert event.after["count"] == 3 and event.region_code == "522727100"
    assert AuditEvent.objects.filter(action__startswith="measure.").count() == 1


def test_an_import_names_every_bad_row_and_field_and_writes_nothing(posts: Posts) -> None:  # noqa: F811
    poor("H1"), poor("H2")
    household_make("N1")
    rows = [
        row("H1"),
        row("H2", value="-3", given_on="2018-13-01"),
        row("H9", measure_type="lottery"),
        row("N1", year="二〇一八"),
        row("H1", provider_name=""),
    ]
    with pytest.raises(MeasureError) as refused:
        measures_import(rows=rows, actor=department(posts))
    assert [(i.row, i.field, i.code) for i in refused.value.issues] == [
        (2, "given_on", "given_on.invalid"),
        (2, "value", "value.negative"),
        (3, "household_no", "household_no.unknown"),
        (3, "measure_type", "measure_type.unknown"),
        (4, "household_no", "household_no.not_on_register"),
        (4, "year", "year.invalid"),
        (5, "provider_name", "provider_name.required"),
    ]
    assert refused.value.code == "rows_invalid"
    assert "row 2, value: a value is not negative" in str(refused.value)
    assert not Measure.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="measure.").exists()


def test_an_import_without_a_column_names_it(posts: Posts) -> None:  # noqa: F811
    rows = [{k: v for k, v in row().items() if k != "provider_kind"}]
    with pytest.raises(MeasureError) as refused:
        measures_import(rows=rows, actor=department(posts))
    assert refused.value.code == "columns_missing"
    assert [(i.row, i.field) for i in refused.value.issues] == [(0, "provider_kind")]


def test_a_department_records_only_what_it_provides_in_its_region(posts: Posts) -> None:  # noqa: F811
    poor("H1"), poor("H2", village=OTHER_VILLAGE)
    village_only = department(posts, prefix=VILLAGE)
    rows = [row("H1", provider_kind="enterprise"), row("H2")]
    with pytest.raises(MeasureError) as refused:
        measures_import(rows=rows, actor=village_only)
    assert [(i.row, i.code) for i in refused.value.issues] == [
        (1, "provider_kind.department_only"),
        (2, "household_no.outside_posts"),
    ]
    assert not Measure.objects.exists()


def test_one_row_outside_the_posts_refuses_the_whole_file(posts: Posts) -> None:  # noqa: F811
    poor("H1"), poor("H2", village=OTHER_VILLAGE)
    with pytest.raises(MeasureError) as refused:
        measures_import(rows=[row("H1"), row("H2")], actor=posts.cadre)
    assert [(i.row, i.code) for i in refused.value.issues] == [(2, "household_no.outside_posts")]
    assert not Measure.objects.exists()


# Who sees measures


def test_readers_see_measures_in_their_region_and_the_paired_cadre_only_theirs(
    posts: Posts,  # noqa: F811
) -> None:
    mine, other = poor("H1"), poor("H2")
    far = poor("H3", village=OTHER_VILLAGE)
    for household in (mine, other):
        record(household, posts.cadre)
    record(far, posts.other_cadre)
    helper = cadre(posts, 1, level="county")
    helper.user = get_user_model().objects.create_user(username="helper1")
    helper.save()
    grant_add(user=helper.user, role="paired_cadre", region_prefix="522727", actor=posts.county)
    assignment_open(cadre=helper, household=mine, on=date(2016, 3, 1), actor=posts.county)

    def seen(actor: Actor, action: str = "view") -> set[str]:
        rows = restrict(Measure.objects.all(), actor.user, action)
        return set(rows.values_list("household__household_no", flat=True))

    assert seen(posts.township) == seen(posts.inspector) == {"H1", "H2", "H3"}
    assert seen(posts.cadre) == {"H1", "H2"}
    assert seen(Actor.of(helper.user)) == {"H1"}
    assert seen(Actor.of(helper.user), "change") == set()
    assert seen(posts.evaluator) == set()
    assert seen(posts.inspector, "change") == set()
    assert seen(department(posts), "change") == {"H1", "H2", "H3"}
    assert list(household_measures(user=posts.other_cadre.user, household=mine)) == []


# Policy data: which measures answer which cause


def test_the_seeded_mapping_answers_every_cause_and_is_unverified(posts: Posts) -> None:  # noqa: F811
    answers = answering_types(year=YEAR)
    assert answers["illness"] == {"health", "minimum_living"}
    assert answers["labor"] == {"minimum_living", "extreme_poverty", "welfare_post"}
    assert answers["schooling"] == {"education"}
    assert len(answers) == 12
    assert not CauseMeasureValue.objects.filter(verified=True).exists()


def test_a_province_switches_a_pair_off_for_a_year(posts: Posts) -> None:  # noqa: F811
    CauseMeasureValue.objects.create(
        cause="illness", measure_type="minimum_living", year=YEAR, province="52", version=1,
        active=False, verified=False, created_at=timezone.now(),
    )  # fmt: skip
    assert answering_types(year=YEAR, province="52")["illness"] == {"health"}
    assert answering_types(year=YEAR + 1, province="52")["illness"] == {"health", "minimum_living"}
    assert answering_types(year=YEAR, province="53")["illness"] == {"health", "minimum_living"}


# Coverage


def test_coverage_gaps_by_hand(posts: Posts) -> None:  # noqa: F811
    # given: in VILLAGE
    covered = poor("A", "illness")
    record(covered, posts.cadre, measure_type="health")
    wrong_type = poor("B", "illness")
    record(wrong_type, posts.cadre, measure_type="microcredit")
    wrong_year = poor("C", "labor")
    record(wrong_year, posts.cadre, measure_type="welfare_post", year=2017,
           given_on=date(2017, 6, 1))  # fmt: skip
    poor("D", "skills", status="exited")  # exited, within the transition: still counted
    household_make("E")  # never registered: not counted
    no_cause = poor("F", "")
    record(no_cause, posts.cadre, measure_type="health")  # nothing answers an unknown cause
    # in OTHER_VILLAGE
    funds = poor("G", "funds", village=OTHER_VILLAGE)
    record(funds, posts.other_cadre, measure_type="microcredit")
    poor("H", "schooling", village=OTHER_VILLAGE)
    # when
    gaps = coverage_gaps(user=posts.county.user, prefix="522727", year=YEAR)
    # then
    assert [h.household_no for h in gaps.households] == ["H", "B", "C", "D", "F"]
    assert gaps.by_village == [(VILLAGE, 4), (OTHER_VILLAGE, 1)]
    assert gaps.total == 5
    # the village cadre sees their own village only; a prefix narrows the list
    assert coverage_gaps(user=posts.cadre.user, prefix="", year=YEAR).by_village == [(VILLAGE, 4)]
    assert coverage_gaps(user=posts.county.user, prefix=OTHER_VILLAGE, year=YEAR).total == 1
    assert coverage_gaps(user=posts.evaluator.user, prefix="", year=YEAR).total == 0


def test_a_provincial_mapping_decides_coverage_there(posts: Posts) -> None:  # noqa: F811
    household = poor("A", "illness")
    record(household, posts.cadre, measure_type="minimum_living")
    assert coverage_gaps(user=posts.county.user, prefix="", year=YEAR).total == 0
    CauseMeasureValue.objects.create(
        cause="illness", measure_type="minimum_living", year=None, province="52", version=1,
        active=False, verified=False, created_at=timezone.now(),
    )  # fmt: skip
    gaps = coverage_gaps(user=posts.county.user, prefix="", year=YEAR)
    assert [h.household_no for h in gaps.households] == ["A"]


def test_coverage_is_one_query_for_the_list_and_one_for_the_counts(
    posts: Posts,  # noqa: F811
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(12):
        poor(f"H{n}", "illness")
    gaps = coverage_gaps(user=posts.county.user, prefix="522727", year=YEAR)
    with django_assert_max_num_queries(2):
        assert len(list(gaps.households)) == 12
        assert gaps.total == 12


NATIONAL: dict[str, set[str]] = {}
for _cause, _type, _ in typical_cause_measures():
    NATIONAL.setdefault(_cause, set()).add(_type)

CAUSES = sorted(NATIONAL)
TYPES = sorted({t for types in NATIONAL.values() for t in types})
households_st = st.lists(
    st.tuples(
        st.sampled_from(CAUSES),
        st.lists(st.tuples(st.sampled_from(TYPES), st.sampled_from([YEAR - 1, YEAR])), max_size=3),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(households=households_st)
def test_a_household_is_a_gap_iff_no_measure_that_year_answers_its_cause(
    posts: Posts,  # noqa: F811
    households: list[tuple[str, list[tuple[str, int]]]],
) -> None:
    with transaction.atomic():
        expected = set()
        now = timezone.now()
        for index, (cause, measures) in enumerate(households):
            household = poor(f"P{index}", cause)
            Measure.objects.bulk_create(
                Measure(household=household, year=year, given_on=date(year, 3, 1),
                        measure_type=kind, description="x", form="money", value=Decimal(1),
                        provider_kind="village", provider_name="村", recorded_at=now)
                for kind, year in measures
            )  # fmt: skip
            if not any(year == YEAR and kind in NATIONAL[cause] for kind, year in measures):
                expected.add(household.household_no)
        gaps = coverage_gaps(user=posts.county.user, prefix="", year=YEAR)
        assert {h.household_no for h in gaps.households} == expected
        assert gaps.total == len(expected)
        transaction.set_rollback(True)
