"""Automatic pairing (自动结对): propose cadres for the unpaired households of a region, then
apply or discard the proposal.

`proposal_make` reads the region's unpaired households and the cadres with room left,
set-wise, solves the assignment (`pairing.assign`) and stores it for approval: nothing
changes for a household until a county or township office applies it. `proposal_apply`
opens the assignments in one statement, inside one transaction, skipping (and counting)
the rows that no longer hold: households paired meanwhile or gone from the register,
cadres whose cap filled up meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.bulk import copy_frame, execute, is_postgresql, large_load, read_frame_bulk
from fupin.core.timing import Steps
from fupin.pairing import assign
from fupin.pairing.choices import Distance, ProposalStatus
from fupin.pairing.models import ANSWERERS, AssignmentProposal
from fupin.pairing.services import PAIRED_STATUSES, POOR_STATUSES, PairingError, caps_by_level
from fupin.policy.queries import PolicyMissing
from fupin.regions.models import Region
from fupin.regions.queries import prefix_upper_bound

REGION_LENGTHS = (2, 4, 6, 9, 12)
# The summary's name of each distance, nearest first.
DISTANCE_KEYS = {Distance.VILLAGE: "village", Distance.TOWNSHIP: "township",
                 Distance.COUNTY: "county"}  # fmt: skip
ROW_TABLE = "pairing_proposalrow"
ASSIGNMENT_TABLE = "pairing_assignment"
PRIMARY = '"primary"'  # a keyword in SQL; quoted alike on SQLite and PostgreSQL
# Booleans are tested bare (`a."primary"`, `m.is_active`), as the partial indexes state
# them: SQLite uses a partial index only when the query repeats its condition's terms.

# Households under a range that need a cadre and have no open primary assignment: the
# set-based form of `queries.unpaired_households` for a whole region.
UNPAIRED_SQL = (
    "SELECT h.id, h.village_code FROM registry_household h "
    "WHERE h.village_code >= %s AND h.village_code < %s AND h.status IN (%s, %s, %s) "
    "AND NOT EXISTS (SELECT 1 FROM pairing_assignment a WHERE a.household_id = h.id "
    f"AND a.{PRIMARY} AND a.ended_on IS NULL)"
)
# Cadres serving in the region (at home inside it, or in the township or county that
# holds it), with their open assignments; a member of a poor household is no helper.
CADRES_SQL = (
    "SELECT c.id, c.region_code, c.unit_level, COUNT(a.id) FROM pairing_cadre c "
    "LEFT JOIN pairing_assignment a ON a.cadre_id = c.id AND a.ended_on IS NULL "
    "WHERE ((c.region_code >= %s AND c.region_code < %s) {around}) "
    "AND NOT EXISTS (SELECT 1 FROM registry_member m JOIN registry_household p "
    "ON p.id = m.household_id WHERE m.id_number = c.id_number AND m.is_active "
    "AND p.status IN (%s, %s)) "
    "GROUP BY c.id, c.region_code, c.unit_level"
)
CADRES_SCHEMA = {"cadre_id": pl.Int64, "region_code": pl.String, "unit_level": pl.String,
                 "held": pl.Int64}  # fmt: skip


@dataclass(frozen=True)
class ProposalApplied:
    """What applying a proposal did: assignments opened, rows skipped and why."""

    proposal: AssignmentProposal
    opened: int
    skipped_paired: int
    skipped_cap: int


def proposal_make(
    *, region_code: str, starts_on: date, actor: Actor, steps: Steps | None = None
) -> AssignmentProposal:
    """Propose a cadre for each unpaired household under `region_code` (自动结对方案):
    within the caps, the most households, each as near as can be; stored for approval."""
    steps = steps or Steps("pairing proposal")
    _check_region(region_code)
    _check_answerer(actor, region_code)
    with steps.step("read households"):
        households = unpaired_frame(region_code)
    if households.height == 0:
        raise PairingError("nothing_unpaired", f"every household under {region_code} is paired")
    with steps.step("read cadres"):
        cadres = cadres_with_room(region_code, year=starts_on.year)
    with steps.step("solve"):
        rows = assign.assign(households, cadres)
    summary = proposal_summary(households, cadres, rows)
    with transaction.atomic():
        proposal = AssignmentProposal.objects.create(
            region_code=region_code, starts_on=starts_on, households_unpaired=households.height,
            households_matched=rows.height, summary=summary, created_at=timezone.now(),
            created_by_id=actor.user_id,
        )  # fmt: skip
        with steps.step("write rows"), large_load(ROW_TABLE, rows.height):
            copy_frame(
                ROW_TABLE,
                rows.select(pl.lit(proposal.pk).alias("proposal_id"), "household_id", "cadre_id",
                            pl.col("distance").cast(pl.Int16)),
            )  # fmt: skip
        _audit(actor, "pairing.propose", proposal, {
            "starts_on": starts_on, "households_unpaired": households.height,
            "matched": summary["matched"], "unmatched": summary["unmatched"],
        })  # fmt: skip
    return proposal


def proposal_apply(
    *, proposal: AssignmentProposal, actor: Actor, steps: Steps | None = None
) -> ProposalApplied:
    """Open the proposed assignments from the proposal's start day, in one transaction;
    rows whose household was paired meanwhile (or left the register), or whose cadre has
    no room left now, are skipped and counted."""
    steps = steps or Steps("pairing apply")
    _check_answerer(actor, proposal.region_code)
    try:
        with transaction.atomic():
            proposal = _lock_proposed(proposal)
            with steps.step("lock cadres"):
                _lock_cadres(proposal)
            with steps.step("check households"):
                fresh = _count_still_unpaired(proposal)
            # A province's first proposal may double the table: rebuild its indexes after.
            with steps.step("open assignments"), large_load(ASSIGNMENT_TABLE, fresh):
                opened = _open_assignments(proposal)
            counts = {"opened": opened, "skipped_paired": proposal.households_matched - fresh,
                      "skipped_cap": fresh - opened}  # fmt: skip
            _decide(proposal, ProposalStatus.APPLIED, actor, applied=counts)
            _audit(actor, "pairing.apply", proposal, counts)
    except IntegrityError as exc:  # a household paired by hand while this ran
        raise PairingError(
            "changed_meanwhile", "a household of the proposal was paired meanwhile; apply again"
        ) from exc
    return ProposalApplied(proposal=proposal, **counts)


def proposal_discard(*, proposal: AssignmentProposal, actor: Actor) -> AssignmentProposal:
    """Set a proposal aside unapplied; its rows go, its summary and audit event stay."""
    _check_answerer(actor, proposal.region_code)
    with transaction.atomic():
        proposal = _lock_proposed(proposal)
        execute(f"DELETE FROM {ROW_TABLE} WHERE proposal_id = %s", [proposal.pk])
        _decide(proposal, ProposalStatus.DISCARDED, actor)
        _audit(
            actor, "pairing.discard", proposal, {"households_matched": proposal.households_matched}
        )
    return proposal


def unpaired_frame(region_code: str) -> pl.DataFrame:
    """household_id, village_code of the households under the region that need a cadre."""
    return read_frame_bulk(
        UNPAIRED_SQL,
        [region_code, prefix_upper_bound(region_code), *PAIRED_STATUSES],
        assign.HOUSEHOLD_SCHEMA,
    )


def cadres_with_room(region_code: str, *, year: int) -> pl.DataFrame:
    """cadre_id, region_code, free: the cadres serving in the region, with their cap (the
    policy of `year` for their unit's level and province) less their open assignments,
    where that is above 0."""
    around = [region_code[:length] for length in (6, 9) if length < len(region_code)]
    clause = f"OR c.region_code IN ({', '.join('%s' for _ in around)})" if around else ""
    cadres = read_frame_bulk(
        CADRES_SQL.format(around=clause),
        [region_code, prefix_upper_bound(region_code), *around, *POOR_STATUSES],
        CADRES_SCHEMA,
    )
    caps = cap_table(cadres["region_code"].str.slice(0, 2).unique().to_list(), year=year)
    return (
        cadres.with_columns(province=pl.col("region_code").str.slice(0, 2))
        .join(caps, on=["province", "unit_level"])
        .select("cadre_id", "region_code", free=pl.col("cap") - pl.col("held"))
        .filter(pl.col("free") > 0)
        .sort("cadre_id")
    )


def cap_table(provinces: list[str], *, year: int) -> pl.DataFrame:
    """province, unit_level, cap: the cap of each unit level in each province for `year`,
    read once per province and level (`services.cadre_cap` reads it once per cadre)."""
    rows: list[tuple[str, str, int]] = []
    for province in sorted(provinces):
        try:
            caps = caps_by_level(province=province, year=year)
        except PolicyMissing as exc:
            raise PairingError("policy_missing", str(exc)) from None
        rows.extend((province, level, cap) for level, cap in caps.items())
    schema = {"province": pl.String, "unit_level": pl.String, "cap": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def proposal_summary(
    households: pl.DataFrame, cadres: pl.DataFrame, rows: pl.DataFrame
) -> dict[str, Any]:
    """Households matched at each distance and left unmatched, in all and per county."""
    joined = households.join(
        rows.select("household_id", "distance"), on="household_id", how="left"
    ).with_columns(region=pl.col("village_code").str.slice(0, 6))
    counts = [
        (pl.col("distance") == value).sum().alias(key) for value, key in DISTANCE_KEYS.items()
    ]
    figures = [
        pl.len().alias("unpaired"),
        *counts,
        pl.col("distance").is_null().sum().alias("unmatched"),
    ]
    total = joined.select(figures).row(0, named=True)
    counties = joined.group_by("region").agg(figures).sort("region")
    return {
        "households_unpaired": total["unpaired"],
        "matched": {key: total[key] for key in DISTANCE_KEYS.values()},
        "unmatched": total["unmatched"],
        "cadres_with_room": cadres.height,
        "free_capacity": int(cadres["free"].sum()),
        "counties": counties.to_dicts(),
    }


def _check_region(code: str) -> None:
    if not code.isdigit() or len(code) not in REGION_LENGTHS:
        raise PairingError("region_invalid", f"a region code has 2 to 12 digits, not {code!r}")
    if not Region.objects.filter(code=code).exists():
        raise PairingError("region_unknown", f"no region {code}")


def _check_answerer(actor: Actor, code: str) -> None:
    if actor.user is not None and not roles_at(actor.user, code) & ANSWERERS:
        raise PairingError(
            "role_not_allowed", f"pairing proposals under {code} are decided by its county or "
            "township office",
        )  # fmt: skip


def _lock_proposed(proposal: AssignmentProposal) -> AssignmentProposal:
    locked = AssignmentProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PROPOSED:
        raise PairingError(
            "not_proposed", f"proposal {locked.pk} is {locked.get_status_display()} already"
        )
    return locked


def _lock_cadres(proposal: AssignmentProposal) -> None:
    # A cadre paired by hand meanwhile (`assignment_open` locks the cadre) waits for this.
    if is_postgresql():
        execute(
            "SELECT c.id FROM pairing_cadre c WHERE c.id IN (SELECT r.cadre_id FROM "
            f"{ROW_TABLE} r WHERE r.proposal_id = %s) ORDER BY c.id FOR UPDATE",
            [proposal.pk],
        )


# The proposal's rows whose household is still on the register and unpaired.
STILL_UNPAIRED = (
    f"SELECT r.household_id, r.cadre_id, r.distance FROM {ROW_TABLE} r "
    "JOIN registry_household h ON h.id = r.household_id "
    "WHERE r.proposal_id = %s AND h.status IN (%s, %s, %s) "
    "AND NOT EXISTS (SELECT 1 FROM pairing_assignment a WHERE a.household_id = r.household_id "
    f"AND a.{PRIMARY} AND a.ended_on IS NULL)"
)


def _still_unpaired_params(proposal: AssignmentProposal) -> list[Any]:
    return [proposal.pk, *PAIRED_STATUSES]


def _count_still_unpaired(proposal: AssignmentProposal) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM ({STILL_UNPAIRED}) s", _still_unpaired_params(proposal)
        )
        return int(cursor.fetchone()[0])


def _open_assignments(proposal: AssignmentProposal) -> int:
    """Insert the assignments that still hold, with one INSERT ... SELECT: per cadre, the
    rows nearest first (then by household) up to the cap less the open assignments now."""
    caps = _cap_case(proposal)
    sql = (
        # INSERT first: SQLite reports the rows inserted only for a statement that starts so.
        f"INSERT INTO pairing_assignment (household_id, cadre_id, {PRIMARY}, started_on, "
        "ended_on, end_reason, created_at) "
        f"WITH candidate AS ({STILL_UNPAIRED}), "
        "ranked AS (SELECT household_id, cadre_id, ROW_NUMBER() OVER "
        "(PARTITION BY cadre_id ORDER BY distance, household_id) AS place FROM candidate), "
        "held AS (SELECT a.cadre_id, COUNT(*) AS taken FROM pairing_assignment a "
        "WHERE a.ended_on IS NULL AND a.cadre_id IN (SELECT cadre_id FROM candidate) "
        "GROUP BY a.cadre_id) "
        "SELECT k.household_id, k.cadre_id, %s, %s, NULL, '', %s FROM ranked k "
        "JOIN pairing_cadre c ON c.id = k.cadre_id "
        "LEFT JOIN held ON held.cadre_id = k.cadre_id "
        f"WHERE k.place + COALESCE(held.taken, 0) <= {caps[0]}"
    )
    ops = connection.ops
    params = [
        *_still_unpaired_params(proposal), True, ops.adapt_datefield_value(proposal.starts_on),
        ops.adapt_datetimefield_value(timezone.now()), *caps[1],
    ]  # fmt: skip
    return execute(sql, params)


def _cap_case(proposal: AssignmentProposal) -> tuple[str, list[Any]]:
    """A CASE expression over cadre `c` giving its cap, and its parameters."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT substr(c.region_code, 1, 2) FROM pairing_cadre c WHERE c.id IN "
            f"(SELECT r.cadre_id FROM {ROW_TABLE} r WHERE r.proposal_id = %s)",
            [proposal.pk],
        )
        provinces = [row[0] for row in cursor.fetchall()]
    caps = cap_table(provinces, year=proposal.starts_on.year)
    params: list[Any] = []
    for province, level, cap in caps.iter_rows():
        params += [f"{province}:{level}", cap]
    if caps.height == 0:  # a proposal without rows: no cadre, no cap to read
        return "0", []
    whens = " ".join("WHEN %s THEN %s" for _ in range(caps.height))
    return f"(CASE substr(c.region_code, 1, 2) || ':' || c.unit_level {whens} ELSE 0 END)", params


def _decide(
    proposal: AssignmentProposal, status: str, actor: Actor, **extra: dict[str, int]
) -> None:
    proposal.status = status
    proposal.decided_at = timezone.now()
    proposal.decided_by_id = actor.user_id
    proposal.summary = {**proposal.summary, **extra}
    proposal.save(update_fields=["status", "decided_at", "decided_by", "summary"])


def _audit(actor: Actor, action: str, proposal: AssignmentProposal, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        spec=EventSpec(action=action, object_type="assignment_proposal",
                       object_id=str(proposal.pk), region_code=proposal.region_code, after=after),
    )  # fmt: skip
