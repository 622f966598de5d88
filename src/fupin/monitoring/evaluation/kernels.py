"""Pure kernels of the yearly scorecard (考核评价表) of cadres and units.

No Django, no I/O: one frame per source in, one row per subject out, whatever the order of
the input rows. A subject is a cadre (keyed by its id as text) or a unit (a village,
township or county, keyed by its region code).

The figures, for a year, on the day `as_of` (the year's last day, or today in the
current year):

- households: the households on the register (exited ones within the transition too)
  that the cadre answers for on `as_of` by an open primary assignment; for a unit, those
  in it, and `paired` of them with a cadre;
- on time: of those paired, the ones whose last visit up to `as_of` (or, never visited,
  the assignment's start) lies no more than the visit interval before `as_of` (the rule
  of `monitoring.queries.overdue_households`);
- exited, stayed out: households whose register exit falls in the year, and of them those
  with no return to poverty after it since; returned: households returning in the year.
  An exit or a return is the cadre's who answered for the household on its day;
- pairing gaps (units only): households on the register with no cadre on `as_of`;
- coverage gaps: households with no measure answering their main cause that year;
- objections raised that year from the household's card (the cadre's: the card's) and
  how many of them were upheld;
- card ratings: how many, and their mean in points (`SATISFACTION_POINTS`);
- the mean of the superiors' scores and of the subordinates' (units only: a cadre's
  households score them through the card ratings).

The score is the weighted mean (`WEIGHTS`) of the shares that exist for the subject, out
of 100, less `OBJECTION_PENALTY` points per upheld objection (at most `PENALTY_MAX`),
never below 0, to one decimal. A share with no denominator (no households, no exit, no
rating, no score entered) is missing, not zero: its weight is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

# Points of a household's quarterly rating of its cadre (Satisfaction slugs).
SATISFACTION_POINTS = {"satisfied": 100.0, "fairly": 60.0, "dissatisfied": 0.0}
# The weight of each share in the score. Visits and the households' own view weigh most:
# they are what the cadre does each month and what the household says of it; results
# (exits that held, no returns) next; the record-keeping gaps and the scores entered by
# superiors and subordinates complete the picture without outweighing the data.
WEIGHTS = {
    "on_time_share": 25.0,
    "stayed_out_share": 15.0,
    "return_free_share": 10.0,
    "paired_share": 10.0,
    "covered_share": 10.0,
    "rating_share": 15.0,
    "superior_share": 10.0,
    "subordinate_share": 5.0,
}
OBJECTION_PENALTY = 5.0
PENALTY_MAX = 20.0
EXITED, RETURNED = "exited", "returned"

HOUSEHOLD_SCHEMA = {"household_id": pl.Int64, "village_code": pl.String}
ASSIGNMENT_SCHEMA = {
    "household_id": pl.Int64,
    "cadre_id": pl.Int64,
    "started_on": pl.Date,
    "ended_on": pl.Date,
}
VISIT_SCHEMA = {"household_id": pl.Int64, "last_visit": pl.Date}
TRANSITION_SCHEMA = {
    "household_id": pl.Int64,
    "village_code": pl.String,
    "to_status": pl.String,
    "year": pl.Int32,
    "on": pl.Date,
}
GAP_SCHEMA = {"household_id": pl.Int64}
OBJECTION_SCHEMA = {
    "household_id": pl.Int64,
    "village_code": pl.String,
    "cadre_id": pl.Int64,
    "upheld": pl.Boolean,
}
RATING_SCHEMA = {
    "household_id": pl.Int64,
    "village_code": pl.String,
    "cadre_id": pl.Int64,
    "satisfaction": pl.String,
}
EVALUATION_SCHEMA = {
    "cadre_id": pl.Int64,
    "region_code": pl.String,
    "direction": pl.String,
    "score": pl.Float64,
}
COUNTS = ("households", "paired", "on_time", "exited", "stayed_out", "returned",
          "coverage_gaps", "objections", "objections_upheld", "ratings",
          "superior_count", "subordinate_count")  # fmt: skip
SHARES = tuple(WEIGHTS)
SCORECARD_COLUMNS = ("subject", *COUNTS, "pairing_gaps", "rating_mean", "superior_score",
                     "subordinate_score", *SHARES, "score")  # fmt: skip


@dataclass(frozen=True)
class Intervals:
    """The visit interval in days: the national one and the provinces' own."""

    national: int
    provinces: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Sources:
    """One frame per source, each in its schema above (`sources_empty` gives them empty)."""

    households: pl.DataFrame
    assignments: pl.DataFrame
    last_visits: pl.DataFrame
    transitions: pl.DataFrame
    coverage_gaps: pl.DataFrame
    objections: pl.DataFrame
    ratings: pl.DataFrame
    evaluations: pl.DataFrame


def sources_empty() -> Sources:
    """Sources with no rows, for building a case up in tests and for an empty scope."""
    return Sources(*(pl.DataFrame(schema=schema) for schema in (
        HOUSEHOLD_SCHEMA, ASSIGNMENT_SCHEMA, VISIT_SCHEMA, TRANSITION_SCHEMA, GAP_SCHEMA,
        OBJECTION_SCHEMA, RATING_SCHEMA, EVALUATION_SCHEMA,
    )))  # fmt: skip


def cadre_scorecards(
    cadres: pl.Series, sources: Sources, *, year: int, as_of: date, intervals: Intervals
) -> pl.DataFrame:
    """One scorecard row per cadre id in `cadres` (SCORECARD_COLUMNS, `subject` = the id)."""
    subjects = pl.DataFrame({"subject": cadres.cast(pl.Int64).cast(pl.String).unique()})
    base = _households_on(sources, as_of=as_of, intervals=intervals).filter(
        pl.col("cadre_id").is_not_null()
    )
    by_cadre = pl.col("cadre_id").cast(pl.String).alias("subject")
    parts = [
        _household_counts(base.with_columns(by_cadre)),
        _event_counts(_events(sources, year=year).with_columns(by_cadre)),
        _objection_counts(sources.objections.with_columns(by_cadre)),
        _rating_counts(sources.ratings.with_columns(by_cadre)),
        _evaluation_counts(sources.evaluations.filter(pl.col("cadre_id").is_not_null()), by_cadre),
    ]
    frame = _joined(subjects, parts).with_columns(pairing_gaps=pl.lit(None, dtype=pl.Int64))
    return _scored(frame, units=False)


def unit_scorecards(
    units: pl.Series, sources: Sources, *, year: int, as_of: date, intervals: Intervals
) -> pl.DataFrame:
    """One scorecard row per region code in `units`, all of one level (SCORECARD_COLUMNS)."""
    codes = units.cast(pl.String).unique()
    lengths = set(codes.str.len_chars().to_list())
    if len(lengths) > 1:
        raise ValueError(f"units of one level at a time, not code lengths {sorted(lengths)}")
    length = lengths.pop() if lengths else 12
    subjects = pl.DataFrame({"subject": codes})
    by_unit = pl.col("village_code").str.slice(0, length).alias("subject")
    base = _households_on(sources, as_of=as_of, intervals=intervals).with_columns(by_unit)
    parts = [
        _household_counts(base),
        base.group_by("subject").agg(pairing_gaps=pl.col("cadre_id").is_null().sum()),
        _event_counts(_events(sources, year=year).with_columns(by_unit)),
        _objection_counts(sources.objections.with_columns(by_unit)),
        _rating_counts(sources.ratings.with_columns(by_unit)),
        _evaluation_counts(
            sources.evaluations.filter(pl.col("cadre_id").is_null()),
            pl.col("region_code").alias("subject"),
        ),
    ]
    gaps = pl.col("pairing_gaps").fill_null(0).cast(pl.Int64)
    frame = _joined(subjects, parts).with_columns(gaps)
    return _scored(frame, units=True)


def _covering(frame: pl.DataFrame, day: pl.Expr | date) -> pl.Expr:
    """Over assignments: those in force on `day` (started, not yet ended)."""
    day_expr = day if isinstance(day, pl.Expr) else pl.lit(day)
    return (pl.col("started_on") <= day_expr) & (
        pl.col("ended_on").is_null() | (pl.col("ended_on") > day_expr)
    )


def _households_on(sources: Sources, *, as_of: date, intervals: Intervals) -> pl.DataFrame:
    """Each household on the register with its cadre on `as_of` (or null), whether its
    visit is on time (null when it has no cadre) and whether it is a coverage gap."""
    current = (
        sources.assignments.filter(_covering(sources.assignments, as_of))
        .sort("started_on", "cadre_id")
        .unique("household_id", keep="last")
        .select("household_id", "cadre_id", "started_on")
    )
    interval = (
        pl.col("village_code")
        .str.slice(0, 2)
        .replace_strict(intervals.provinces, default=intervals.national, return_dtype=pl.Int64)
    )
    since = pl.coalesce("last_visit", "started_on")
    late = since < (pl.lit(as_of) - pl.duration(days=interval))
    gaps = sources.coverage_gaps.select("household_id").unique().with_columns(gap=pl.lit(True))
    return (
        sources.households.unique("household_id")
        .join(current, on="household_id", how="left")
        .join(sources.last_visits.unique("household_id"), on="household_id", how="left")
        .join(gaps, on="household_id", how="left")
        .with_columns(
            on_time=pl.when(pl.col("cadre_id").is_not_null()).then(~late),
            gap=pl.col("gap").fill_null(False),
        )
    )


def _household_counts(base: pl.DataFrame) -> pl.DataFrame:
    return base.group_by("subject").agg(
        households=pl.len(),
        paired=pl.col("cadre_id").is_not_null().sum(),
        on_time=pl.col("on_time").fill_null(False).sum(),
        coverage_gaps=pl.col("gap").sum(),
    )


def _events(sources: Sources, *, year: int) -> pl.DataFrame:
    """Per household and the year: whether it exited (and stayed out since) or returned,
    with the cadre who answered for it on the day (`cadre_id`, null if none)."""
    moves = sources.transitions.filter(pl.col("to_status").is_in([EXITED, RETURNED]))
    exits = (
        moves.filter((pl.col("to_status") == EXITED) & (pl.col("year") == year))
        .group_by("household_id")
        .agg(pl.col("village_code").first(), on=pl.col("on").max())
    )
    later = moves.filter(pl.col("to_status") == RETURNED).select("household_id", back="on")
    returned_after = (
        exits.join(later, on="household_id")
        .filter(pl.col("back") > pl.col("on"))
        .select("household_id")
        .unique()
        .with_columns(came_back=pl.lit(True))
    )
    stayed_out = (~pl.col("came_back").fill_null(False)).cast(pl.Int64)
    exits = (
        exits.join(returned_after, on="household_id", how="left")
        .with_columns(exited=pl.lit(1), stayed_out=stayed_out, returned=pl.lit(0))
        .drop("came_back")
    )
    returns = (
        moves.filter((pl.col("to_status") == RETURNED) & (pl.col("year") == year))
        .group_by("household_id")
        .agg(pl.col("village_code").first(), on=pl.col("on").max())
        .with_columns(exited=pl.lit(0), stayed_out=pl.lit(0), returned=pl.lit(1))
    )
    events = pl.concat([exits, returns], how="vertical_relaxed")
    answering = (
        events.select("household_id", "on")
        .unique()
        .join(sources.assignments, on="household_id")
        .filter(_covering(sources.assignments, pl.col("on")))
        .sort("started_on", "cadre_id")
        .unique(["household_id", "on"], keep="last")
        .select("household_id", "on", "cadre_id")
    )
    return events.join(answering, on=["household_id", "on"], how="left")


def _event_counts(events: pl.DataFrame) -> pl.DataFrame:
    return (
        events.filter(pl.col("subject").is_not_null())
        .group_by("subject")
        .agg(
            exited=pl.col("exited").sum(),
            stayed_out=pl.col("stayed_out").sum(),
            returned=pl.col("returned").sum(),
        )
    )


def _objection_counts(objections: pl.DataFrame) -> pl.DataFrame:
    return objections.group_by("subject").agg(
        objections=pl.len(), objections_upheld=pl.col("upheld").fill_null(False).sum()
    )


def _rating_counts(ratings: pl.DataFrame) -> pl.DataFrame:
    points = pl.col("satisfaction").replace_strict(SATISFACTION_POINTS, return_dtype=pl.Float64)
    return ratings.group_by("subject").agg(ratings=pl.len(), rating_mean=points.mean())


def _evaluation_counts(evaluations: pl.DataFrame, subject: pl.Expr) -> pl.DataFrame:
    down, up = pl.col("direction") == "down", pl.col("direction") == "up"
    return (
        evaluations.with_columns(subject)
        .group_by("subject")
        .agg(
            superior_count=down.sum(),
            superior_score=pl.col("score").filter(down).mean(),
            subordinate_count=up.sum(),
            subordinate_score=pl.col("score").filter(up).mean(),
        )
    )


def _joined(subjects: pl.DataFrame, parts: list[pl.DataFrame]) -> pl.DataFrame:
    frame = subjects
    for part in parts:
        frame = frame.join(part, on="subject", how="left")
    return frame.with_columns(pl.col(name).fill_null(0).cast(pl.Int64) for name in COUNTS)


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator within [0, 1]; missing when the denominator is 0."""
    share = numerator.cast(pl.Float64) / denominator.cast(pl.Float64)
    return pl.when(denominator > 0).then(share.clip(0.0, 1.0))


def _scored(frame: pl.DataFrame, *, units: bool) -> pl.DataFrame:
    households = pl.col("households")
    frame = frame.with_columns(
        on_time_share=_ratio(pl.col("on_time"), pl.col("paired")),
        stayed_out_share=_ratio(pl.col("stayed_out"), pl.col("exited")),
        return_free_share=1.0 - _ratio(pl.col("returned"), households),
        paired_share=_ratio(pl.col("paired"), households) if units else pl.lit(None, pl.Float64),
        covered_share=1.0 - _ratio(pl.col("coverage_gaps"), households),
        rating_share=(pl.col("rating_mean") / 100.0).clip(0.0, 1.0),
        superior_share=(pl.col("superior_score") / 100.0).clip(0.0, 1.0),
        subordinate_share=(pl.col("subordinate_score") / 100.0).clip(0.0, 1.0),
    )
    weighted = pl.sum_horizontal(pl.col(name).fill_null(0.0) * weight
                                 for name, weight in WEIGHTS.items())  # fmt: skip
    present = pl.sum_horizontal(pl.col(name).is_not_null().cast(pl.Float64) * weight
                                for name, weight in WEIGHTS.items())  # fmt: skip
    penalty = (pl.col("objections_upheld") * OBJECTION_PENALTY).clip(0.0, PENALTY_MAX)
    score = (100.0 * weighted / present - penalty).clip(0.0, 100.0).round(1)
    frame = frame.with_columns(score=pl.when(present > 0).then(score))
    return frame.select(SCORECARD_COLUMNS).sort(
        "score", "subject", descending=[True, False], nulls_last=True
    )


def as_of_day(year: int, today: date) -> date:
    """The day a year's scorecard is taken on: the year's last day, or today in its course."""
    return min(date(year, 12, 31), today)
