"""Automatic pairing proposals (自动结对): proposing, applying within the caps, stale rows
skipped, refusals that leave nothing written, and the `fupin pairing` command."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.core.audit import Actor
from fupin.core.models import AuditEvent
from fupin.pairing import proposals
from fupin.pairing.models import Assignment, AssignmentProposal, Cadre, ProposalRow
from fupin.pairing.proposals import proposal_apply, proposal_discard, proposal_make
from fupin.pairing.services import PairingError, assignment_open, cadre_register
from fupin.registry.idnumber import id_make
from fupin.registry.models import Household, Member
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, household_make, posts  # noqa: F401

pytestmark = pytest.mark.django_db
ON = date(2016, 11, 1)
COUNTY, TOWNSHIP = "522727", "522727100"


def cadre(posts: Posts, number: int, level: str, home: str) -> Cadre:  # noqa: F811
    return cadre_register(
        name=f"干部{number}", id_number=id_make("522727", date(1980, 1, 1), number),
        phone="13800000000", unit="平塘县扶贫办", unit_level=level, region_code=home,
        actor=posts.county if home.startswith(COUNTY) else Actor(None, "test"),
    )  # fmt: skip


def poor(number: str, village: str = VILLAGE, status: str = "registered") -> Household:
    return household_make(number, status=status, village=village)


def open_assignments(helper: Cadre) -> int:
    return Assignment.objects.filter(cadre=helper, ended_on__isnull=True).count()


@pytest.fixture
def region(posts: Posts) -> dict[str, Any]:  # noqa: F811
    """A village cadre (cap 4) with one household already, a township cadre (cap 5), five
    unpaired households in VILLAGE, two in OTHER_VILLAGE, one never registered."""
    village_cadre = cadre(posts, 1, "village", VILLAGE)
    township_cadre = cadre(posts, 2, "township", TOWNSHIP)
    assignment_open(cadre=village_cadre, household=poor("H0"), on=ON, actor=posts.county)
    here = [poor(f"H{n}") for n in range(1, 6)]
    there = [poor(f"H{n}", village=OTHER_VILLAGE, status="exited") for n in (6, 7)]
    poor("H8", status="not_registered")
    return {"village_cadre": village_cadre, "township_cadre": township_cadre,
            "here": here, "there": there}  # fmt: skip


def test_a_proposal_pairs_each_household_with_the_nearest_cadre_that_has_room(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
) -> None:
    # when
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    # then: the village cadre's 3 free places go to its village, lowest ids first; the
    # township cadre takes the rest of the village and the other village
    rows = {(r.household_id, r.cadre_id, r.distance) for r in ProposalRow.objects.all()}
    here, there = region["here"], region["there"]
    near, township = region["village_cadre"].pk, region["township_cadre"].pk
    assert rows == {
        *((h.pk, near, 0) for h in here[:3]),
        *((h.pk, township, 1) for h in here[3:] + there),
    }
    assert (proposal.households_unpaired, proposal.households_matched) == (7, 7)
    assert proposal.summary["matched"] == {"village": 3, "township": 4, "county": 0}
    assert proposal.summary["unmatched"] == 0
    assert proposal.summary["counties"] == [
        {"region": COUNTY, "unpaired": 7, "village": 3, "township": 4, "county": 0,
         "unmatched": 0}
    ]  # fmt: skip
    # nobody is paired before the proposal is applied
    assert Assignment.objects.count() == 1
    assert AuditEvent.objects.filter(action="pairing.propose").count() == 1


def test_the_households_read_are_the_unpaired_households_of_the_region(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
) -> None:
    from fupin.pairing.queries import unpaired_households

    read = proposals.unpaired_frame(COUNTY)
    expected = unpaired_households(user=posts.county.user, prefix=COUNTY)
    assert set(read.iter_rows()) == {(h.pk, h.village_id) for h in expected}
    assert read.height == 7


def test_applying_opens_the_assignments_within_the_caps(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
) -> None:
    # given
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    # when
    applied = proposal_apply(proposal=proposal, actor=posts.county)
    # then
    assert (applied.opened, applied.skipped_paired, applied.skipped_cap) == (7, 0, 0)
    assert open_assignments(region["village_cadre"]) == 4  # its cap
    assert open_assignments(region["township_cadre"]) == 4
    opened = Assignment.objects.exclude(household__household_no="H0")
    assert {(a.started_on, a.primary, a.ended_on) for a in opened} == {(ON, True, None)}
    proposal.refresh_from_db()
    assert proposal.status == "applied"
    assert proposal.decided_by_id == posts.county.user.pk
    assert proposal.summary["applied"] == {"opened": 7, "skipped_paired": 0, "skipped_cap": 0}
    event = AuditEvent.objects.get(action="pairing.apply")
    assert event.after == {"opened": 7, "skipped_paired": 0, "skipped_cap": 0}


def test_rows_that_no_longer_hold_are_skipped_and_counted(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
) -> None:
    # given: a proposal, then by hand one of its households is paired with a new cadre and
    # the village cadre takes one more household, so it has room for 2 of its 3 rows
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    newcomer = cadre(posts, 3, "county", COUNTY)
    taken = region["there"][0]
    assignment_open(cadre=newcomer, household=taken, on=ON, actor=posts.county)
    assignment_open(cadre=region["village_cadre"], household=poor("H9"), on=ON,
                    actor=posts.county)  # fmt: skip
    # when
    applied = proposal_apply(proposal=proposal, actor=posts.county)
    # then: the village cadre's farthest-down row (the highest id) is the one left out
    assert (applied.opened, applied.skipped_paired, applied.skipped_cap) == (5, 1, 1)
    assert open_assignments(region["village_cadre"]) == 4
    assert Assignment.objects.get(household=taken, ended_on__isnull=True).cadre == newcomer
    left_out = region["here"][2]
    assert not Assignment.objects.filter(household=left_out).exists()
    assert open_assignments(region["township_cadre"]) == 3


def test_a_failure_while_applying_leaves_nothing_half_applied(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)

    def broken(*args: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(proposals, "_audit", broken)
    # when
    with pytest.raises(RuntimeError):
        proposal_apply(proposal=proposal, actor=posts.county)
    # then
    assert Assignment.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_discarded_proposal_cannot_be_applied(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
) -> None:
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    proposal_discard(proposal=proposal, actor=posts.county)
    with pytest.raises(PairingError) as refused:
        proposal_apply(proposal=proposal, actor=posts.county)
    assert refused.value.code == "not_proposed"
    assert Assignment.objects.count() == 1
    assert not ProposalRow.objects.exists()
    assert AssignmentProposal.objects.get().status == "discarded"


def test_an_applied_proposal_is_not_applied_twice(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
) -> None:
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    proposal_apply(proposal=proposal, actor=posts.county)
    for decide in (proposal_apply, proposal_discard):
        with pytest.raises(PairingError) as refused:
            decide(proposal=proposal, actor=posts.county)
        assert refused.value.code == "not_proposed"
    assert Assignment.objects.count() == 8


@pytest.mark.parametrize(
    ("region_code", "who", "code"),
    [
        (COUNTY, "township", "role_not_allowed"),  # a township office, a county's proposal
        (OTHER_VILLAGE, "cadre", "role_not_allowed"),  # a village post is no answerer
        (COUNTY, "inspector", "role_not_allowed"),
        ("52272x", "county", "region_invalid"),
        ("5227271", "county", "region_invalid"),
        ("522799", "county", "region_unknown"),
    ],
)
def test_refusals_leave_nothing_written(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
    region_code: str,
    who: str,
    code: str,
) -> None:
    with pytest.raises(PairingError) as refused:
        proposal_make(region_code=region_code, starts_on=ON, actor=posts.actors[who])
    assert refused.value.code == code
    assert not AssignmentProposal.objects.exists()
    assert not ProposalRow.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="pairing.").exists()


@pytest.mark.parametrize("who", ["township", "other_cadre"])
def test_an_actor_of_another_region_cannot_decide(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
    who: str,
) -> None:
    # given: a county's proposal; a township office's grant covers only part of it
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    for decide in (proposal_apply, proposal_discard):
        with pytest.raises(PairingError) as refused:
            decide(proposal=proposal, actor=posts.actors[who])
        assert refused.value.code == "role_not_allowed"
    assert Assignment.objects.count() == 1
    assert AssignmentProposal.objects.get().status == "proposed"
    assert ProposalRow.objects.count() == 7


def test_a_township_draws_on_its_county_cadres_not_on_another_county(
    posts: Posts,  # noqa: F811
) -> None:
    # given: households in one township; a county cadre of 平塘县, one of another county and
    # one of another township of 平塘县 (a county proposal would draw on the last)
    county_cadre = cadre(posts, 1, "county", COUNTY)
    cadre(posts, 2, "county", "522728")
    cadre(posts, 3, "township", "522727101")
    households = [poor(f"H{n}") for n in range(3)]
    # when
    proposal = proposal_make(region_code=TOWNSHIP, starts_on=ON, actor=posts.township)
    # then
    assert set(ProposalRow.objects.values_list("household_id", "cadre_id", "distance")) == {
        (h.pk, county_cadre.pk, 2) for h in households
    }
    assert proposal.summary["matched"] == {"village": 0, "township": 0, "county": 3}


def test_a_member_of_a_poor_household_is_proposed_for_nobody(posts: Posts) -> None:  # noqa: F811
    # given: a cadre who has since joined a poor household
    helper = cadre(posts, 1, "county", COUNTY)
    household = poor("H1")
    Member.objects.create(household=household, name="王五", id_number=helper.id_number,
                          relation="head", sex="M", birth_date=date(1980, 1, 1),
                          is_active=True)  # fmt: skip
    # when
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    # then
    assert (proposal.households_unpaired, proposal.households_matched) == (1, 0)
    assert proposal.summary["unmatched"] == 1


def test_nothing_to_pair_is_refused(posts: Posts) -> None:  # noqa: F811
    cadre(posts, 1, "county", COUNTY)
    with pytest.raises(PairingError) as refused:
        proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    assert refused.value.code == "nothing_unpaired"


def run(*args: str) -> str:
    out = StringIO()
    call_command("pairing", *args, stdout=out)
    return out.getvalue()


def test_the_command_proposes_shows_and_applies(posts: Posts, region: dict[str, Any]) -> None:  # noqa: F811
    # when
    printed = run("assign", "--region", COUNTY, "--on", "2016-11-01", "--as", "county")
    # then
    proposal = AssignmentProposal.objects.get()
    assert f"proposal {proposal.pk} for {COUNTY}" in printed
    assert "households unpaired" in printed and "left unmatched" in printed
    assert f"fupin pairing apply {proposal.pk} --as" in printed
    county_line = next(line for line in printed.splitlines() if line.strip().startswith(COUNTY))
    assert county_line.split()[-5:] == ["7", "3", "4", "0", "0"]
    assert proposal.starts_on == ON
    assert "待审批" in run("show", str(proposal.pk))
    # when
    printed = run("apply", str(proposal.pk), "--as", "county")
    # then
    assert "7 assignments opened" in printed
    assert Assignment.objects.count() == 8
    assert "applied: 7 opened" in run("show", str(proposal.pk), "--as", "county")
    assert (
        run("gaps", "--region", COUNTY, "--as", "county")
        .strip()
        .endswith("0 unpaired households in all")
    )


@pytest.mark.parametrize(
    "args",
    [
        ("assign", "--region", COUNTY, "--as", "township"),  # outside the township's grant
        ("assign", "--region", COUNTY, "--on", "2016-13-01", "--as", "county"),
        ("assign", "--region", COUNTY, "--as", "nobody"),
        ("apply", "999", "--as", "county"),
        ("show", "999"),
    ],
)
def test_the_command_refuses_in_one_line(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
    args: tuple[str, ...],
) -> None:
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert refused.value.returncode == 2
    assert "\n" not in str(refused.value)
    assert not AssignmentProposal.objects.exists()


def test_the_command_hides_a_proposal_outside_the_users_region(
    posts: Posts,  # noqa: F811
    region: dict[str, Any],
) -> None:
    proposal = proposal_make(region_code=COUNTY, starts_on=ON, actor=posts.county)
    with pytest.raises(CommandError) as refused:
        run("apply", str(proposal.pk), "--as", "other_cadre")
    assert str(refused.value) == f"no proposal {proposal.pk} here"
    assert Assignment.objects.count() == 1


def test_the_gaps_by_township(posts: Posts, region: dict[str, Any]) -> None:  # noqa: F811
    printed = run("gaps", "--region", COUNTY, "--as", "county")
    assert printed.splitlines()[0].split()[:2] == [TOWNSHIP, "7"]
    assert "7 unpaired households in all" in printed
