"""The simulation (模拟运行): the synthetic country's cases driven through every step by
plausible posts on plausible dates, year by year, in bulk.

Each year: the annual run opens the cases the rules call for; then every case it opened
follows a script of its procedure (most are approved, some fail the appraisal, some meet
an objection that is dismissed or upheld), written set-wise: step history and
transitions by COPY, case outcomes and the cached status of the changed households by
one `UPDATE ... FROM` each. The scripts are built from `procedures`, so the history obeys
the same order, roles, evidence and notice periods as the step services (a test replays
it through the same checks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import polars as pl
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from fupin.core import bulk
from fupin.core.access import grants_bulk_add
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.policy.models import Parameter
from fupin.policy.queries import policy_value
from fupin.regions.models import Level, Region
from fupin.regions.queries import prefix_upper_bound
from fupin.targeting import procedures as p
from fupin.targeting.annual import annual_run, annual_run_chunks
from fupin.targeting.models import Case

# Scale control (规模控制): once a county has a register, the appraisals add at most this
# share of its poor stock a year, the poorest first (DOMAIN.md 3: the 2015-16 re-check added
# 8.07M persons to the 89.62M registered, about 9%).
NEW_IDENTIFICATION_SHARE = 0.09
SIMULATED_KINDS = ("identification", "exit", "return", "removal", "monitoring")
# Which post takes a step, in order of preference, and the prefix length of its grant.
POST_OF_ROLE = {
    "village_cadre": 12, "first_secretary": 12, "work_team": 12, "township": 9, "county": 6,
}  # fmt: skip
EVIDENCE_TEXT = {
    "application": "农户书面申请书",
    "consent": "家庭成员签署的承诺授权书",
    "minutes": "村民代表大会会议记录",
    "visit_record": "入户核查记录：家庭收入和“两不愁三保障”情况已逐项核实",
    "signature": "户主签字确认",
    "notice_place": "村务公开栏（附照片）",
    "review_opinion": "经审核，符合条件，同意",
    "approval_document": "县扶贫开发领导小组批复",
    "registration_form": "贫困户登记表已录入全国扶贫开发信息系统",
    "comparison_result": "公安、住建、市场监管、财政等部门数据比对无异常",
    "reason": "入户核实情况",
}


@dataclass(frozen=True)
class ScriptRow:
    """One entry of a case's scripted history."""

    step: str
    action: str = "taken"
    standing: bool = True
    gap: int = 1  # days after the previous entry (or after a notice ends)
    failing_votes: bool = False
    upheld: bool | None = None


@dataclass(frozen=True)
class Script:
    """One way a case of a kind can go, with its share of cases."""

    name: str
    share: float
    rows: tuple[ScriptRow, ...]
    outcome: str
    reason: str = ""


def _straight(procedure: p.Procedure, gap: int = 2) -> tuple[ScriptRow, ...]:
    return tuple(ScriptRow(step.slug, gap=gap) for step in procedure.steps)


def _scripts(kind: str) -> list[Script]:
    procedure = p.PROCEDURES[kind]
    gap = 1 if procedure.deadline_days else 2
    approved = Script("approved", 1.0, _straight(procedure, gap), "approved")
    if kind != "identification":
        return [approved]
    rows = _straight(procedure)
    appraisal = procedure.index("village_appraisal")
    notice = procedure.index("first_notice")
    failed = Script(
        "appraisal_failed", 0.03,
        (*rows[:appraisal], ScriptRow("village_appraisal", failing_votes=True)),
        "rejected", "the democratic appraisal did not pass (votes for <= against)",
    )  # fmt: skip
    objection = (ScriptRow("first_notice", "objection", gap=2),)
    upheld = Script(
        "objection_upheld", 0.015,
        (*rows[: notice + 1], *objection, ScriptRow("first_notice", "reverified", upheld=True)),
        "rejected", "objection upheld: 群众反映情况属实",
    )  # fmt: skip
    dismissed = Script(
        "objection_dismissed", 0.015,
        (*rows[:notice], ScriptRow("first_notice", standing=False), *objection,
         ScriptRow("first_notice", "reverified", upheld=False), *rows[notice:]),
        "approved",
    )  # fmt: skip
    return [replace(approved, share=0.94), failed, upheld, dismissed]


@dataclass
class SimulateResult:
    """Cases driven and transitions written, per year."""

    years: dict[int, dict[str, int]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(
            f"{year}: " + ", ".join(f"{name} {count:,}" for name, count in counts.items())
            for year, counts in self.years.items()
        )


def simulate(
    *,
    prefix: str,
    years: Sequence[int],
    seed: int,
    actor: Actor,
    progress: Callable[[int, dict[str, int]], None] | None = None,
) -> SimulateResult:
    """Drive every year's cases under `prefix` through their procedures."""
    rng = np.random.default_rng(seed)
    posts = _posts(prefix, actor=actor)
    result = SimulateResult()
    for year in years:
        counts: dict[str, int] = {}
        # A year whose cases were driven is not run again (its facts would meet today's
        # statuses); a year interrupted between the run and the driving is driven on.
        if not _simulated(prefix, year):
            opened = annual_run(year=year, prefix=prefix, actor=actor, on=date(year, 10, 8))
            counts = {f"opened {kind}": n for kind, n in sorted(opened.opened.items())}
        for code in annual_run_chunks(prefix, "province"):
            with transaction.atomic():
                for name, count in _drive(code, year=year, rng=rng, posts=posts,
                                          actor=actor).items():  # fmt: skip
                    counts[name] = counts.get(name, 0) + count
        _rollups(year, prefix)
        result.years[year] = counts
        if progress is not None:
            progress(year, counts)
    return result


def _simulated(prefix: str, year: int) -> bool:
    """Whether the year's cases under `prefix` were driven already (a rerun skips it)."""
    return Case.objects.filter(
        region_code__gte=prefix, region_code__lt=prefix_upper_bound(prefix), year=year,
        trigger="annual_run",
    ).exclude(step="").exists()  # fmt: skip


def _rollups(year: int, prefix: str) -> None:
    from fupin.stats.services import rollups_refresh

    rollups_refresh(year=year, prefix=prefix)


def _posts(prefix: str, *, actor: Actor) -> pl.DataFrame:
    """A simulated user for each post the scope's cases need: role, region code, user id."""
    villages = Region.objects.filter(
        code__gte=prefix, code__lt=prefix_upper_bound(prefix), level=Level.VILLAGE
    ).values_list("code", flat=True)
    wanted = [
        (role, code[:length])
        for code in villages
        for role, length in POST_OF_ROLE.items()
        if role != "first_secretary"
    ]
    wanted = sorted(set(wanted))
    users = get_user_model()
    names = [f"sim-{role}-{code}" for role, code in wanted]
    have = dict(users.objects.filter(username__in=names).values_list("username", "pk"))
    missing = [name for name in names if name not in have]
    if missing:
        users.objects.bulk_create(
            [users(username=name, password=make_password(None)) for name in missing],
            batch_size=5000,
        )
        have = dict(users.objects.filter(username__in=names).values_list("username", "pk"))
        grants_bulk_add(
            rows=[(have[f"sim-{role}-{code}"], role, code) for role, code in wanted
                  if f"sim-{role}-{code}" in missing],
            actor=actor,
        )  # fmt: skip
    return pl.DataFrame(
        {
            "role": [role for role, _ in wanted],
            "post_code": [code for _, code in wanted],
            "actor_id": [have[name] for name in names],
            "actor_label": names,
        }
    )


def _drive(
    code: str, *, year: int, rng: np.random.Generator, posts: pl.DataFrame, actor: Actor
) -> dict[str, int]:
    """Take every case the year's run opened under `code` through its script."""
    cases = _open_cases(code, year)
    if cases.height == 0:
        return {}
    days = int(policy_value(Parameter.NOTICE_DAYS, year=year, province=code[:2]).value)
    cases = _scale_control(cases, code)
    history, closing = _histories(cases, rng=rng, notice_days=days, year=year)
    history = _with_actors(history, posts)
    now = timezone.now()
    bulk.copy_frame(
        "targeting_casestep",
        history.with_columns(recorded_at=pl.lit(now), note=pl.lit("")).select(
            "case_id", "seq", "step", "action", "on", "notice_ends", "standing", "actor_id",
            "actor_label", "role", "evidence", "note", "recorded_at",
        ),
    )  # fmt: skip
    _cases_close(closing)
    changed = _register(closing.filter(pl.col("outcome") == "approved"), year=year)
    counts = dict(closing.group_by("kind", "outcome").len().select(
        pl.concat_str("kind", "outcome", separator=" "), "len").iter_rows())  # fmt: skip
    audit_record(
        actor=actor,
        spec=EventSpec(
            action="simulate.cases", object_type="region", object_id=code, region_code=code,
            after={"year": year, "steps": history.height, "decided": counts,
                   "status_changes": changed},
        ),
    )  # fmt: skip
    return {**counts, "steps": history.height, "status changes": changed}


def _open_cases(code: str, year: int) -> pl.DataFrame:
    return bulk.read_frame_bulk(
        "SELECT c.id, c.kind, c.household_id, c.region_code, c.opened_on, h.status, c.detail, "
        "a.net_income_per_capita "
        "FROM targeting_case c JOIN registry_household h ON h.id = c.household_id "
        "LEFT JOIN registry_assessment a ON a.household_id = c.household_id AND a.year = c.year "
        "WHERE c.region_code >= %s AND c.region_code < %s AND c.year = %s "
        "AND c.outcome = 'open' AND c.step = '' AND c.trigger = 'annual_run' "
        "ORDER BY c.id",
        [code, prefix_upper_bound(code), year],
        {"case_id": pl.Int64, "kind": pl.String, "household_id": pl.Int64,
         "region_code": pl.String, "opened_on": pl.Date, "status": pl.String,
         "detail": pl.String, "income": pl.Float64},
    ).filter(pl.col("kind").is_in(SIMULATED_KINDS))  # fmt: skip


def _scale_control(cases: pl.DataFrame, code: str) -> pl.DataFrame:
    """Mark the identification cases beyond each county's yearly scale: `over_quota`."""
    stock = bulk.read_frame(
        "SELECT substr(village_code, 1, 6) AS county, COUNT(*) AS poor "
        "FROM registry_household WHERE village_code >= %s AND village_code < %s "
        "AND status IN ('registered', 'returned') GROUP BY substr(village_code, 1, 6)",
        [code, prefix_upper_bound(code)],
        schema={"county": pl.String, "poor": pl.Int64},
    )
    ranked = cases.with_columns(county=pl.col("region_code").str.slice(0, 6)).join(
        stock, on="county", how="left"
    )
    rank = pl.col("income").rank("ordinal").over("county", "kind")
    quota = (pl.col("poor").cast(pl.Float64) * NEW_IDENTIFICATION_SHARE).ceil()
    return ranked.with_columns(
        over_quota=(pl.col("kind") == "identification")
        & pl.col("poor").fill_null(0).gt(0)
        & (rank > quota)
    ).drop("county", "poor")


def _histories(
    cases: pl.DataFrame, *, rng: np.random.Generator, notice_days: int, year: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every case's scripted history (one row per entry) and its closing (outcome, date)."""
    draws = cases.with_columns(draw=pl.Series(rng.random(cases.height)))
    histories, closings = [], []
    for kind, group in draws.group_by("kind", maintain_order=True):
        lower = 0.0
        scripts = _scripts(str(kind[0]))
        refused = next(script for script in scripts if script.outcome == "rejected") if len(
            scripts) > 1 else None  # fmt: skip
        for script in scripts:
            share = pl.col("draw").is_between(lower, lower + script.share, closed="left")
            if refused is not None:
                share = (share & ~pl.col("over_quota")) | (
                    pl.col("over_quota") & pl.lit(script is refused)
                )
            chosen = group.filter(share)
            lower += script.share
            if chosen.height:
                rows = _script_rows(chosen, script, p.PROCEDURES[str(kind[0])], notice_days)
                histories.append(rows)
                closings.append(_closing(chosen, rows, script))
    history = pl.concat(histories, how="vertical_relaxed")
    history = history.with_columns(evidence=_evidence(history, rng=rng, year=year))
    return history, pl.concat(closings, how="vertical_relaxed")


def _script_rows(
    cases: pl.DataFrame, script: Script, procedure: p.Procedure, notice_days: int
) -> pl.DataFrame:
    """The script's entries for each case, dated: gaps after each entry, notices waited out."""
    steps = {step.slug: step for step in procedure.steps}
    template = pl.DataFrame(
        {
            "seq": list(range(1, len(script.rows) + 1)),
            "step": [row.step for row in script.rows],
            "action": [row.action for row in script.rows],
            "standing": [row.standing for row in script.rows],
            "failing_votes": [row.failing_votes for row in script.rows],
            "upheld": pl.Series([row.upheld for row in script.rows], dtype=pl.Boolean),
            "is_notice": [steps[row.step].notice and row.action == "taken" for row in script.rows],
            "gap": [row.gap for row in script.rows],
            "role": [_post_role(steps[row.step], row) for row in script.rows],
            "evidence_keys": [
                [item.key for item in steps[row.step].evidence] for row in script.rows
            ],
        }
    )
    # An entry after a notice comes once the notice is over; an objection during it.
    wait = (
        pl.when(pl.col("is_notice").shift(1).fill_null(False) & (pl.col("action") != "objection"))
        .then(pl.lit(notice_days))
        .otherwise(pl.col("gap"))
    )
    template = template.with_columns(offset=(wait.cum_sum() - pl.col("gap").first()).cast(pl.Int32))
    return cases.join(template, how="cross").with_columns(
        on=pl.col("opened_on") + pl.duration(days=pl.col("offset")),
        notice_ends=pl.when(pl.col("is_notice"))
        .then(pl.col("opened_on") + pl.duration(days=pl.col("offset") + notice_days - 1))
        .otherwise(None),
    )


def _post_role(step: p.Step, row: ScriptRow) -> str:
    """The simulated post that makes the entry: the village records objections and
    re-verifies them (the appraisal's post); otherwise the first post the step allows."""
    if row.action != "taken":
        return "village_cadre"
    return next(role for role in POST_OF_ROLE if role in step.roles and role != "first_secretary")


def _closing(cases: pl.DataFrame, rows: pl.DataFrame, script: Script) -> pl.DataFrame:
    last = rows.group_by("case_id").agg(
        pl.col("on").max().alias("decided_on"),
        pl.col("step").filter(pl.col("standing") & (pl.col("action") == "taken")).last()
        .alias("last_step"),
    )  # fmt: skip
    return cases.join(last, on="case_id").with_columns(
        outcome=pl.lit(script.outcome), reason=pl.lit(script.reason)
    )


def _evidence(history: pl.DataFrame, *, rng: np.random.Generator, year: int) -> pl.Series:
    """Plausible evidence for each entry, as JSON: what each step asks for."""
    count = history.height
    failing = history["failing_votes"].to_numpy()
    votes_for = np.where(failing, rng.integers(6, 12, count), rng.integers(18, 36, count))
    against = np.where(failing, rng.integers(14, 24, count), rng.integers(0, 4, count))
    frame = history.select("action", "evidence_keys", "upheld").with_columns(
        votes_for=pl.Series(votes_for),
        against=pl.Series(against),
        abstain=pl.Series(rng.integers(0, 3, count)),
        spot=pl.Series(rng.integers(1, 6, count)),
        meeting=pl.Series(rng.integers(2, 9, count)),
    )  # fmt: skip

    def wanted(key: str) -> pl.Expr:
        return pl.col("evidence_keys").list.contains(key)

    texts = {**EVIDENCE_TEXT, "minutes": None}
    parts = [pl.when(wanted(key)).then(pl.lit(f'"{key}":"{text}"'))
             for key, text in texts.items() if text is not None]  # fmt: skip
    parts += [
        pl.when(wanted("minutes")).then(
            _text(f'"minutes":"{year}年第', "meeting", '次村民代表大会会议记录"')),
        pl.when(wanted("votes")).then(_text(
            '"votes":{"for":', "votes_for", ',"against":', "against", ',"abstain":', "abstain",
            "}")),
        pl.when(wanted("spot_checked")).then(_text('"spot_checked":', "spot")),
        pl.when(wanted("elimination_way")).then(pl.lit('"elimination_way":"assistance"')),
    ]  # fmt: skip
    evidence = (
        pl.when(pl.col("action") == "objection")
        .then(pl.lit('"objection":"群众反映该户家庭收入情况与申报不符"'))
        .when(pl.col("action") == "reverified")
        .then(_text('"visit_record":"异议复核入户核查记录","upheld":', "upheld"))
        .otherwise(pl.concat_str(parts, separator=",", ignore_nulls=True))
    )
    return (
        frame.select(pl.concat_str(pl.lit("{"), evidence, pl.lit("}")))
        .to_series()
        .alias("evidence")
    )


def _text(*parts: str) -> pl.Expr:
    """JSON text from literal pieces (odd positions: column names, written as values)."""
    return pl.concat_str(
        [pl.col(part).cast(pl.String) if index % 2 else pl.lit(part)
         for index, part in enumerate(parts)]
    )  # fmt: skip


def _with_actors(history: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    """The simulated user holding each entry's post over the case's region."""
    length = pl.col("role").replace_strict(POST_OF_ROLE, return_dtype=pl.Int64)
    history = history.with_columns(post_code=pl.col("region_code").str.slice(0, length))
    return history.join(posts, on=["role", "post_code"], how="left")


def _cases_close(closing: pl.DataFrame) -> None:
    bulk.temp_table_from_frame(
        "simulate_closing",
        closing.select(pl.col("case_id"), "outcome", "decided_on", "reason", "last_step"),
        {"case_id": "bigint", "outcome": "text", "decided_on": "date", "reason": "text",
         "last_step": "text"},
    )  # fmt: skip
    bulk.execute(
        "UPDATE targeting_case SET outcome = t.outcome, decided_on = t.decided_on, "
        "reason = t.reason, step = COALESCE(t.last_step, ''), notice_ends = NULL "
        "FROM simulate_closing t WHERE targeting_case.id = t.case_id"
    )


def _register(approved: pl.DataFrame, *, year: int) -> int:
    """Transitions and the cached status of the households whose cases were approved."""
    to_status = {kind: procedure.to_status for kind, procedure in p.PROCEDURES.items()}
    labels = {kind: procedure.label for kind, procedure in p.PROCEDURES.items()}
    moved = approved.filter(pl.col("kind").is_in([k for k, s in to_status.items() if s]))
    if moved.height:
        transitions = moved.select(
            "household_id",
            pl.col("status").alias("from_status"),
            pl.col("kind").replace_strict(to_status).alias("to_status"),
            pl.lit(year).alias("year"),
            pl.col("decided_on").alias("date"),
            pl.col("kind").replace_strict(labels).alias("reason"),
            pl.concat_str("kind", "case_id", separator=":").alias("case_ref"),
        )
        bulk.copy_frame("registry_statustransition", transitions)
        bulk.temp_table_from_frame(
            "simulate_status",
            transitions.select("household_id", pl.col("to_status").alias("status")),
            {"household_id": "bigint", "status": "text"},
        )
        bulk.execute(
            "UPDATE registry_household SET status = t.status, updated_at = %s "
            "FROM simulate_status t WHERE registry_household.id = t.household_id",
            [timezone.now()],
        )
    watched = approved.filter(pl.col("kind") == "monitoring")
    if watched.height:
        detail = pl.col("detail").str.json_decode(
            pl.Struct({"monitoring_type": pl.String, "risks": pl.List(pl.String)})
        )
        bulk.copy_frame(
            "targeting_monitoring",
            watched.select(
                "household_id",
                detail.struct.field("monitoring_type").alias("monitoring_type"),
                pl.concat_str(pl.lit('["'), detail.struct.field("risks").list.head(5)
                              .list.join('","'), pl.lit('"]')).alias("risks"),
                pl.col("case_id").alias("identified_case_id"),
                pl.col("decided_on").alias("identified_on"),
                pl.lit("").alias("elimination_way"),
            ),
        )  # fmt: skip
    return moved.height
