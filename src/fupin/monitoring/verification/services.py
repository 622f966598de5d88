"""Writes of the exit check (第三方评估): drawing the sample, sending the survey to the
field, importing the filled workbook and fixing the results.

Each runs in one transaction with its one audit event; the sample and the findings are
written set-wise (`core.bulk`), never household by household. An evaluator or the
national office over the county draws and fills a check; the operator (a CLI process
with no user) may too.

A check moves drawn → in_field (the forms went out, or findings came back) → completed
(the results are fixed and no finding changes any more).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from fupin.core import bulk
from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.monitoring.models import CHECK_KEEPERS, CheckFinding, CheckHousehold, ExitCheck
from fupin.monitoring.verification.choices import CheckStatus, Stratum
from fupin.monitoring.verification.kernels import (
    Sample,
    SampleSizes,
    draw_sample,
    populations_by_stratum,
)
from fupin.monitoring.verification.queries import (
    county_households,
    county_villages,
    exit_check_results,
)
from fupin.monitoring.verification.workbook import (
    GUARANTEES,
    FindingIssue,
    FindingsError,
    field_name,
    survey_workbook_read,
)
from fupin.policy.models import Parameter
from fupin.policy.queries import policy_value
from fupin.regions.models import Level, Region

SEED_BITS = 63  # fits a signed 64-bit column


class CheckError(ValueError):
    """An exit-check write refused; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def exit_check_draw(
    *,
    county_code: str,
    year: int,
    actor: Actor,
    seed: int | None = None,
    sizes: SampleSizes | None = None,
    replace: bool = False,
) -> ExitCheck:
    """Draw the county's sample for `year` (the kernel `draw_sample`) and store it; with
    `replace`, draw again over a check whose forms have not gone out."""
    sizes = sizes or SampleSizes()
    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise CheckError("county_unknown", f"no county {county_code!r}")
    _keeper_check(actor, county_code)
    if seed is None:
        seed = secrets.randbits(SEED_BITS)
    if not 0 <= seed < 2**SEED_BITS:
        raise CheckError("seed_invalid", f"a seed is a whole number from 0 to 2**{SEED_BITS} - 1")
    villages = county_villages(county_code=county_code, year=year)
    households = county_households(county_code=county_code, year=year)
    sample = draw_sample(villages, households, sizes=sizes, seed=seed)
    if sample.households.height == 0:
        raise CheckError("frame_empty", f"county {county_code} has no households to draw from")
    parameters = _parameters(sizes, villages, households, sample)
    with transaction.atomic():
        exit_check = _check_row(county, year, seed, parameters, actor, replace)
        status = households.select("household_id", "status")
        rows = sample.households.join(status, on="household_id").with_columns(
            pl.lit(exit_check.pk, dtype=pl.Int64).alias("exit_check_id")
        )
        bulk.copy_frame(
            CheckHousehold._meta.db_table,
            rows,
            ["exit_check_id", "household_id", "village_code", "village_kind", "stratum",
             "status", "persons"],
        )  # fmt: skip
        audit_record(actor=actor, spec=_event(exit_check, "exit_check.draw", after={
            "seed": str(seed), "replaced": replace, **parameters["drawn"],
        }))  # fmt: skip
    return exit_check


def _keeper_check(actor: Actor, county_code: str) -> None:
    if actor.user is not None and not roles_at(actor.user, county_code) & CHECK_KEEPERS:
        raise CheckError(
            "role_not_allowed", "an exit check is kept by an evaluator or the national office"
        )


def _parameters(
    sizes: SampleSizes, villages: pl.DataFrame, households: pl.DataFrame, sample: Sample
) -> dict[str, Any]:
    """What the draw used and found: the sizes asked for, the frame's and the sample's
    counts, and the county's persons by stratum (the incidence's populations)."""
    populations = populations_by_stratum(households)

    def counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
        grouped = frame.group_by(column).len()
        return {str(key): int(n) for key, n in grouped.iter_rows()}

    return {
        "sizes": sizes.as_dict(),
        "frame": {
            "villages": {
                "poor": int(villages["poor"].sum()),
                "non_poor": int((~villages["poor"]).sum()),
            },
            "households": counts(households, "stratum"),
        },
        "drawn": {
            "villages": counts(sample.villages, "village_kind"),
            "households": counts(sample.households, "stratum"),
        },
        "populations": {
            "registered_poor": populations.registered_poor,
            "exited": populations.exited,
            "non_registered": populations.non_registered,
        },
    }


def _check_row(
    county: Region, year: int, seed: int, parameters: dict[str, Any], actor: Actor, replace: bool
) -> ExitCheck:
    existing = ExitCheck.objects.select_for_update().filter(county=county, year=year).first()
    now = timezone.now()
    if existing is None:
        return ExitCheck.objects.create(
            county=county, year=year, seed=seed, parameters=parameters,
            drawn_by_id=actor.user_id, drawn_by_label=actor.label, drawn_at=now,
        )  # fmt: skip
    if not replace:
        raise CheckError("check_exists", f"county {county.code} has an exit check for {year} "
                         f"(number {existing.pk}); draw again only with replace")  # fmt: skip
    if existing.status != CheckStatus.DRAWN:
        raise CheckError("check_in_field", "the forms have gone out: the sample stays as drawn")
    CheckHousehold.objects.filter(exit_check=existing).delete()
    existing.seed, existing.parameters, existing.drawn_at = seed, parameters, now
    existing.drawn_by_id, existing.drawn_by_label = actor.user_id, actor.label
    existing.save(update_fields=["seed", "parameters", "drawn_at", "drawn_by", "drawn_by_label"])
    return existing


def exit_check_send(*, exit_check: ExitCheck, actor: Actor) -> ExitCheck:
    """Record that the survey forms went to the field: the sample can no longer be redrawn."""
    _keeper_check(actor, exit_check.county_id)
    with transaction.atomic():
        locked = ExitCheck.objects.select_for_update().get(pk=exit_check.pk)
        if locked.status == CheckStatus.COMPLETED:
            raise CheckError("check_completed", "the check is completed")
        if locked.status == CheckStatus.DRAWN:
            locked.status = CheckStatus.IN_FIELD
            locked.save(update_fields=["status"])
            audit_record(actor=actor, spec=_event(locked, "exit_check.send", after={
                "status": locked.status}))  # fmt: skip
    return locked


def findings_import(*, exit_check: ExitCheck, path: Path, actor: Actor, file_name: str = "") -> int:
    """Import the filled survey workbook of `exit_check`: validated whole (every bad cell
    named), then every finding written at once, replacing those entered before. Returns
    the number of households whose findings were written."""
    _keeper_check(actor, exit_check.county_id)
    name = file_name or path.name
    read = survey_workbook_read(path, file_name=name)
    if read.check_id != exit_check.pk:
        raise FindingsError([FindingIssue(name, None, "核查编号", f"the workbook is of check "
                                          f"{read.check_id}, not {exit_check.pk}")])  # fmt: skip
    content = path.read_bytes()
    with transaction.atomic():
        locked = ExitCheck.objects.select_for_update().get(pk=exit_check.pk)
        if locked.status == CheckStatus.COMPLETED:
            raise CheckError("check_completed", "the check is completed: findings are fixed")
        frame = _findings_frame(locked, read.rows, read.issues, name)
        _findings_write(frame, actor, timezone.now())
        if locked.status == CheckStatus.DRAWN:
            locked.status = CheckStatus.IN_FIELD
            locked.save(update_fields=["status"])
        audit_record(actor=actor, spec=_event(locked, "exit_check.findings_import", after={
            "households": frame.height, "file": name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "by_stratum": dict(frame.group_by("stratum").len().iter_rows()),
        }))  # fmt: skip
    return frame.height


def _findings_frame(
    exit_check: ExitCheck, rows: list[dict[str, Any]], issues: list[FindingIssue], name: str
) -> pl.DataFrame:
    """The rows checked against the check: each names one of its households once, carries
    every value its stratum needs, and an exited household found below the exit line or
    lacking a guarantee is marked wrongly exited. Raises FindingsError with every issue."""
    strata = dict(CheckHousehold.objects.filter(exit_check=exit_check).values_list("pk", "stratum"))
    line = policy_value(Parameter.EXIT_LINE, year=exit_check.year,
                        province=exit_check.county_id[:2]).value  # fmt: skip
    issues = list(issues)
    seen: dict[int, int] = {}
    for row in rows:
        issues += _row_issues(row, strata, seen, line, name)
    if issues:
        raise FindingsError(sorted(issues, key=lambda issue: (issue.row or 0, issue.field)))
    records = [{**row, "stratum": strata[row["check_household_id"]]} for row in rows]
    schema = {"check_household_id": pl.Int64, "stratum": pl.String, "persons": pl.Int32,
              "income_per_capita": pl.String, **{key: pl.Boolean for key in GUARANTEES},
              "wrongly_exited": pl.Boolean, "omitted": pl.Boolean, "approves": pl.Boolean,
              "note": pl.String}  # fmt: skip
    return pl.DataFrame(
        [{key: (str(row[key]) if key == "income_per_capita" else row.get(key))
          for key in schema} for row in records],
        schema=schema,
    ).with_columns(pl.col("note").fill_null(""))  # fmt: skip


def _row_issues(
    row: dict[str, Any], strata: dict[int, str], seen: dict[int, int], line: Any, name: str
) -> list[FindingIssue]:
    number = row["_row"]

    def issue(key: str, message: str) -> FindingIssue:
        return FindingIssue(name, number, field_name(key), message)

    pk = row["check_household_id"]
    if "check_household_id" in row["_bad"]:
        return []
    if pk is None:
        return [issue("check_household_id", "a filled row names its household")]
    if pk not in strata:
        return [issue("check_household_id", f"{pk} is not a household of this check")]
    if pk in seen:
        return [issue("check_household_id", f"{pk} is filled again (first in row {seen[pk]})")]
    seen[pk] = number
    stratum = strata[pk]
    found = []
    needed = ["persons", "income_per_capita", *GUARANTEES, "approves"]
    needed.append("wrongly_exited" if stratum == Stratum.EXITED else "")
    needed.append("omitted" if stratum == Stratum.NON_REGISTERED else "")
    found += [
        issue(key, "missing")
        for key in needed
        if key and row.get(key) is None and key not in row["_bad"]
    ]
    if row.get("persons") is not None and not 1 <= row["persons"] <= 99:
        found.append(issue("persons", f"between 1 and 99, not {row['persons']}"))
    if stratum != Stratum.EXITED and row.get("wrongly_exited"):
        found.append(issue("wrongly_exited", "only an exited household can be wrongly exited"))
    if stratum != Stratum.NON_REGISTERED and row.get("omitted"):
        found.append(issue("omitted", "only a non-registered household can be omitted"))
    failing = row.get("income_per_capita") is not None and row["income_per_capita"] < line
    failing |= any(row.get(key) is False for key in GUARANTEES)
    if stratum == Stratum.EXITED and failing and row.get("wrongly_exited") is False:
        found.append(issue("wrongly_exited", f"the findings (income under {line} yuan or a "
                           "guarantee not met) make it wrongly exited: write 是"))  # fmt: skip
    return found


def _findings_write(frame: pl.DataFrame, actor: Actor, now: datetime) -> None:
    """Insert or replace every finding with one statement over a staged table."""
    types = {"check_household_id": "bigint", "persons": "integer", "income_per_capita": "numeric",
             **{key: "boolean" for key in GUARANTEES}, "wrongly_exited": "boolean",
             "omitted": "boolean", "approves": "boolean", "note": "text"}  # fmt: skip
    staged = frame.with_columns(
        pl.when(pl.col("stratum") == Stratum.EXITED).then(pl.col("wrongly_exited")),
        pl.when(pl.col("stratum") == Stratum.NON_REGISTERED).then(pl.col("omitted")),
    )
    bulk.temp_table_from_frame("fupin_check_findings", staged, types)
    columns = [name for name in types if name != "check_household_id"]
    table = CheckFinding._meta.db_table
    replaced = [*columns, "entered_by_id", "entered_by_label", "entered_at"]
    bulk.execute(
        f"INSERT INTO {table} (check_household_id, {', '.join(replaced)}) "
        f"SELECT u.check_household_id, {', '.join(f'u.{name}' for name in columns)}, %s, %s, %s "
        "FROM fupin_check_findings u WHERE true "
        "ON CONFLICT (check_household_id) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in replaced),
        [actor.user_id, actor.label, connection.ops.adapt_datetimefield_value(now)],
    )


def exit_check_complete(*, exit_check: ExitCheck, actor: Actor) -> ExitCheck:
    """Fix the check's results (三率一度) from its findings and close it to changes."""
    _keeper_check(actor, exit_check.county_id)
    with transaction.atomic():
        locked = ExitCheck.objects.select_for_update().get(pk=exit_check.pk)
        if locked.status == CheckStatus.COMPLETED:
            raise CheckError("check_completed", "the check is completed already")
        results = exit_check_results(exit_check=locked)
        undefined = [name for name, estimate in (
            ("wrong_exit_rate", results.wrong_exit_rate), ("omission_rate", results.omission_rate),
            ("recognition", results.recognition), ("incidence", results.incidence),
        ) if estimate.value is None]  # fmt: skip
        if undefined:
            raise CheckError("results_incomplete", "nobody was surveyed to measure: "
                             + ", ".join(undefined))  # fmt: skip
        locked.results = results.as_dict()
        locked.status = CheckStatus.COMPLETED
        locked.completed_at = timezone.now()
        locked.save(update_fields=["results", "status", "completed_at"])
        audit_record(actor=actor, spec=_event(locked, "exit_check.complete", after={
            name: locked.results[name]["value"]
            for name in ("wrong_exit_rate", "omission_rate", "recognition", "incidence")
        }))  # fmt: skip
    return locked


def _event(exit_check: ExitCheck, action: str, *, after: dict[str, Any]) -> EventSpec:
    return EventSpec(
        action=action, object_type="exit_check", object_id=str(exit_check.pk),
        region_code=exit_check.county_id, after={"year": exit_check.year, **after},
    )  # fmt: skip
