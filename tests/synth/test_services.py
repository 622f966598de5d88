"""`fupin synth` and its service: villages read from the division tree, clear refusals."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.core.audit import Actor
from fupin.synth.management.commands.synth import Command
from fupin.synth.services import SynthError, synth_generate, synth_villages


def _synth(*args: str) -> str:
    out = io.StringIO()
    # The command object itself: discovery needs fupin.synth in INSTALLED_APPS.
    call_command(Command(), *args, stdout=out)
    return out.getvalue()


def test_villages_under_a_prefix(villages: list[str]) -> None:
    frame = synth_villages(region="5227")
    assert frame["village_code"].to_list() == sorted(villages)
    assert frame["is_western"].all()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--region", "99", "--households", "10"], "no region has a code starting with 99"),
        (["--region", "52x", "--households", "10"], "digits only"),
        (["--region", "5227", "--households", "0"], "at least 1"),
        (
            ["--region", "5227", "--households", "10", "--years", "2014-2030"],
            "no identification_line for 2021",
        ),
        (["--region", "5227", "--households", "10", "--years", "20x4"], "years must look like"),
    ],
)
def test_bad_requests_get_clear_errors(
    villages: list[str], arguments: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _synth(*arguments)


def test_no_rural_village_under_the_prefix(villages: list[str]) -> None:
    from fupin.regions.models import Region

    Region.objects.filter(level=5).update(kind="urban")
    with pytest.raises(CommandError, match="no current rural village"):
        _synth("--region", "522727", "--households", "10")


def test_dry_run_generates_without_writing(villages: list[str]) -> None:
    from fupin.registry.models import Household

    out = _synth("--region", "522727", "--households", "25", "--seed", "3", "--dry-run")
    assert "25 households" in out and "2 villages under 522727" in out and "dry run" in out
    assert Household.objects.count() == 0


def test_generate_writes_the_registry(villages: list[str], actor: Actor) -> None:
    from fupin.registry.models import Assessment, Household, Member, StatusTransition

    result = synth_generate(region="522727", households=40, years=(2014, 2020), seed=5, actor=actor)
    assert Household.objects.count() == 40
    assert Member.objects.count() == result.members
    assert Assessment.objects.count() == 40 * 7
    assert StatusTransition.objects.count() == result.transitions
    assert set(Household.objects.values_list("village_id", flat=True)) <= set(villages)


def test_service_refuses_without_villages(db: None, actor: Actor) -> None:
    with pytest.raises(SynthError, match="load the divisions"):
        synth_generate(region="52", households=5, years=(2014, 2020), seed=1, actor=actor)


def test_generate_refuses_an_occupied_county(villages: list[str], actor: Actor) -> None:
    synth_generate(region="522727100218", households=5, years=(2016, 2017), seed=1, actor=actor)
    with pytest.raises(SynthError, match="already holds households under 522727"):
        synth_generate(region="522727100212", households=5, years=(2016, 2017), seed=2, actor=actor)
