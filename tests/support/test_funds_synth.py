"""Synthetic funds and projects on a small synthetic country: the generator is reproducible,
and its funds reconcile across every level (nation, province, prefecture, county)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from django.db.models import F, Q, Sum

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.regions.models import Region
from fupin.support.funds.queries import funds_reconcile
from fupin.support.models import Allocation, Disbursement, Project, ProjectBeneficiary
from fupin.support.readers import OPERATOR
from fupin.synth.funds import FundsSynthError, funds_frames, synth_funds
from fupin.synth.services import synth_generate

pytestmark = pytest.mark.django_db
YEARS = (2018, 2019)
# Beside 平塘县 (the villages fixture): 罗甸县 in the same prefecture, and 开阳县 of 贵阳市.
MORE = [("522728", "罗甸县", 3, "5227", ""), ("522728100", "龙坪镇", 4, "522728", "rural"),
        ("522728100201", "龙坪村村民委员会", 5, "522728100", "rural"),
        ("5201", "贵阳市", 2, "52", ""), ("520121", "开阳县", 3, "5201", ""),
        ("520121100", "城关镇", 4, "520121", "rural"),
        ("520121100201", "紫江村村民委员会", 5, "520121100", "rural")]  # fmt: skip
REGIONS = ["", "52", "5227", "5201", "522727", "522728", "520121"]


@pytest.fixture
def country(villages: list[str], actor: Actor) -> None:
    for code, name, level, parent, kind in MORE:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent, kind=kind,
                              is_western=True, edition=2023)  # fmt: skip
    synth_generate(region="52", households=600, years=(2014, 2020), seed=11, actor=actor)


def households_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {"household_id": list(range(1, 61)),
         "village_code": ["522727100218"] * 30 + ["520121100201"] * 30,
         "poor": [index % 3 == 0 for index in range(60)]}
    )  # fmt: skip


def test_the_generator_is_reproducible_and_pays_only_the_poor() -> None:
    first = funds_frames(households_frame(), years=YEARS, seed=5)
    again = funds_frames(households_frame(), years=YEARS, seed=5)
    other = funds_frames(households_frame(), years=YEARS, seed=6)
    assert first.allocations.equals(again.allocations)
    assert first.disbursements.equals(again.disbursements)
    assert not first.allocations.equals(other.allocations)
    poor = set(households_frame().filter(pl.col("poor"))["household_id"])
    assert set(first.disbursements["household_id"].drop_nulls()) <= poor
    # the two counties and the province, every year
    assert set(first.allocations["to_region_code"]) == {"52", "522727", "520121"}


def test_synthetic_funds_reconcile_across_levels(country: None, actor: Actor) -> None:
    # when
    result = synth_funds(region="52", years=YEARS, seed=3, actor=actor)
    # then
    assert result.allocations == Allocation.objects.count() > 0
    assert result.disbursements == Disbursement.objects.count() > 0
    assert AuditEvent.objects.filter(action="funds.synth").count() == 1
    for year in YEARS:
        rows = {region: funds_reconcile(user=OPERATOR, region=region, year=year)
                for region in REGIONS}  # fmt: skip
        for region, reconciled in rows.items():
            for name in ("available", "own_funds", "disbursed", "undisbursed", "households_paid"):
                parts = sum(part[name] for part in reconciled.parts)
                assert not reconciled.parts or parts == reconciled.total[name], (region, name)
        nation = rows[""].total
        paid = Disbursement.objects.filter(year=year)
        assert nation["disbursed"] == paid.aggregate(total=Sum("amount"))["total"]
        assert nation["households_paid"] == paid.exclude(household=None).values(
            "household").distinct().count()  # fmt: skip
        given = Allocation.objects.filter(year=year)
        own = given.filter(Q(from_region_code="") | Q(from_region_code=F("to_region_code")))
        assert nation["own_funds"] == own.aggregate(total=Sum("amount"))["total"]
        # what the province passed down arrived in its prefectures
        province = rows["52"]
        own_level = next(part for part in province.parts if part["own_level"])
        below = [part for part in province.parts if not part["own_level"]]
        from_province = given.filter(from_region_code="52").exclude(to_region_code="52")
        assert own_level["passed_out"] == from_province.aggregate(total=Sum("amount"))["total"]
        assert sum(part["received"] for part in below) == own_level["passed_out"] + sum(
            given.filter(from_region_code="").exclude(to_region_code="52").values_list(
                "amount", flat=True), Decimal(0))  # fmt: skip


def test_projects_and_beneficiaries_lie_in_their_counties(country: None, actor: Actor) -> None:
    synth_funds(region="52", years=YEARS, seed=3, actor=actor)
    assert Project.objects.exists()
    for benefit in ProjectBeneficiary.objects.select_related("project", "household"):
        assert benefit.household.village_id.startswith(benefit.project.region_code)
    for project in Project.objects.exclude(status="planned"):
        steps = list(project.transitions.order_by("on").values_list("to_status", flat=True))
        assert steps[-1] == project.status and steps[0] == "approved"
    assert not Disbursement.objects.filter(project__status="planned").exists()


def test_funds_are_synthesized_once(country: None, actor: Actor) -> None:
    synth_funds(region="52", years=YEARS, seed=3, actor=actor)
    with pytest.raises(FundsSynthError, match="exist under 52 already"):
        synth_funds(region="52", years=YEARS, seed=4, actor=actor)
