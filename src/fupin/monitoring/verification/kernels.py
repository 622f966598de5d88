"""Pure kernels of the exit check (第三方评估): the stratified draw of the households an
evaluation team visits, and the three rates and one degree (三率一度) from what it found.

No Django, no I/O: frames in, frames or plain values out, the same seed giving the same
sample whatever the order of the input rows.

The draw (DOMAIN.md section 4, "sampling as practised"):

1. the county's villages are split into designated poor villages (贫困村) and the others;
   a simple random sample of each is drawn, POOR_VILLAGES and NON_POOR_VILLAGES of them
   (all of a kind when the county has fewer);
2. in each drawn village, REGISTERED_PER_VILLAGE registered households (建档立卡户) and
   NON_REGISTERED_PER_VILLAGE others are drawn at random (all, when there are fewer: a
   shortfall of one half is not made up from the other). The registered half is shared
   between the exited households and those still poor in proportion to their numbers in
   the village, rounded half up, so that both are represented as the village holds them.

The results (DOMAIN.md section 4, "三率一度"), over the surveyed households only:

- wrong-exit rate = wrongly exited persons / persons of the exited households surveyed;
- omission rate = omitted persons / persons of the non-registered households surveyed;
- public recognition = approving households / households surveyed;
- comprehensive incidence = (registered poor persons remaining + omission rate x
  non-registered persons + wrong-exit rate x exited persons) / rural persons, the
  populations being the county's register.

Each rate is a ratio of two sample totals. Villages are the sampling clusters, and poor
and non-poor villages the strata, so the variance is the stratified ultimate-cluster
(Taylor linearisation) variance of a ratio estimator, each village taken as drawn with
replacement: it needs no second-stage term and errs on the wide side when a large share
of a county's villages is drawn. The 95% interval is the normal one, clamped to [0, 1].
A stratum with a single village cannot give a variance of its own, so then the villages
are taken as one stratum; with fewer than two villages in all, the interval is [0, 1].
The incidence is linear in the two rates, so its interval comes from the same linearised
values, weighted by the populations.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

# 2018 first batch of the national exit check: 40 counties, 1,158 villages of which 755
# poor and 403 non-poor (about 29 a county), 43,000 questionnaires (DOMAIN.md section 4,
# [S19]). 29 villages split 755:403 gives 18.9 : 10.1, so 19 poor and 10 non-poor.
POOR_VILLAGES = 19
NON_POOR_VILLAGES = 10
# 43,000 questionnaires / 1,158 villages is about 37 a village; Wanzhou 2017 drew about
# half registered and half non-registered households ([S18]): 18 + 18 = 36 a village.
REGISTERED_PER_VILLAGE = 18
NON_REGISTERED_PER_VILLAGE = 18
Z_95 = 1.959963984540054

# The sampling stratum of each register status (plain slugs of registry HouseholdStatus
# and verification Stratum: this module is pure). A removed household is no longer
# registered, so it stands among the non-registered whose omission is checked.
STRATUM_OF_STATUS = {
    "exited": "exited",
    "registered": "poor",
    "returned": "poor",
    "not_registered": "non_registered",
    "removed": "non_registered",
}
STRATA = ("exited", "poor", "non_registered")
VILLAGE_SCHEMA = {"village_code": pl.String, "poor": pl.Boolean}
HOUSEHOLD_SCHEMA = {
    "household_id": pl.Int64,
    "village_code": pl.String,
    "stratum": pl.String,
    "persons": pl.Int32,
}
FINDING_SCHEMA = {
    "village_code": pl.String,
    "village_kind": pl.String,
    "stratum": pl.String,
    "persons": pl.Int32,
    "surveyed": pl.Boolean,
    "wrongly_exited": pl.Boolean,
    "omitted": pl.Boolean,
    "approves": pl.Boolean,
}


@dataclass(frozen=True)
class SampleSizes:
    """How many villages of each kind, and households of each half a village, to draw."""

    poor_villages: int = POOR_VILLAGES
    non_poor_villages: int = NON_POOR_VILLAGES
    registered_per_village: int = REGISTERED_PER_VILLAGE
    non_registered_per_village: int = NON_REGISTERED_PER_VILLAGE

    def __post_init__(self) -> None:
        if min(asdict(self).values()) < 0:
            raise ValueError("sample sizes cannot be negative")

    def as_dict(self) -> dict[str, int]:
        """The sizes as plain JSON."""
        return asdict(self)


@dataclass(frozen=True)
class Sample:
    """A drawn sample: the villages (code, kind) and the households (id, village, village
    kind, stratum, persons), both sorted by village code, then stratum and id."""

    villages: pl.DataFrame
    households: pl.DataFrame


def draw_sample(
    villages: pl.DataFrame, households: pl.DataFrame, *, sizes: SampleSizes, seed: int
) -> Sample:
    """Draw the check's villages and households (see the module's docstring).

    `villages` has VILLAGE_SCHEMA (every village of the county, `poor` when designated);
    `households` has HOUSEHOLD_SCHEMA, `stratum` one of STRATA."""
    rng = np.random.default_rng(seed)
    villages = villages.select(list(VILLAGE_SCHEMA)).unique("village_code").sort("village_code")
    households = households.select(list(HOUSEHOLD_SCHEMA)).sort("household_id")
    unknown = set(households["stratum"].unique().to_list()) - set(STRATA)
    if unknown:
        raise ValueError(f"unknown strata: {', '.join(sorted(map(str, unknown)))}")
    # One key per row of the sorted inputs, villages first: the draw depends only on the
    # seed and the rows, not on their order.
    village_keys = pl.Series("_key", rng.random(villages.height))
    household_keys = pl.Series("_key", rng.random(households.height))
    quota = (
        pl.when(pl.col("poor"))
        .then(pl.lit(sizes.poor_villages))
        .otherwise(pl.lit(sizes.non_poor_villages))
    )
    chosen = (
        villages.with_columns(village_keys)
        .filter(pl.col("_key").rank("ordinal").over("poor") <= quota)
        .select(
            "village_code",
            pl.when(pl.col("poor"))
            .then(pl.lit("poor"))
            .otherwise(pl.lit("non_poor"))
            .alias("village_kind"),
        )
    )
    candidates = households.with_columns(household_keys).join(chosen, on="village_code")
    quotas = _household_quotas(candidates, sizes)
    drawn = (
        candidates.join(quotas, on=["village_code", "stratum"], how="left")
        .filter(pl.col("_key").rank("ordinal").over("village_code", "stratum") <= pl.col("quota"))
        .select("household_id", "village_code", "village_kind", "stratum", "persons")
        .sort("village_code", "stratum", "household_id")
    )
    return Sample(villages=chosen.sort("village_code"), households=drawn)


def _household_quotas(candidates: pl.DataFrame, sizes: SampleSizes) -> pl.DataFrame:
    """Households to draw per village and stratum: the non-registered up to their quota,
    the registered quota shared between exited and still poor (module docstring)."""
    counts = candidates.group_by("village_code").agg(
        (pl.col("stratum") == stratum).sum().cast(pl.Int64).alias(stratum) for stratum in STRATA
    )
    registered = pl.col("exited") + pl.col("poor")
    wanted = pl.min_horizontal(registered, pl.lit(sizes.registered_per_village))
    # Proportional share rounded half up, in integers: floor((2 n e + (e + p)) / 2 (e + p)).
    share = (
        pl.when(registered > 0)
        .then((2 * wanted * pl.col("exited") + registered) // (2 * registered))
        .otherwise(0)
    )
    exited = pl.min_horizontal(
        pl.max_horizontal(share, wanted - pl.col("poor"), pl.lit(0)), pl.col("exited")
    )
    shares = counts.select(
        "village_code",
        exited.alias("exited"),
        (wanted - exited).alias("poor"),
        pl.min_horizontal(pl.col("non_registered"), pl.lit(sizes.non_registered_per_village))
        .alias("non_registered"),
    )  # fmt: skip
    return shares.unpivot(
        index="village_code", on=list(STRATA), variable_name="stratum", value_name="quota"
    )


@dataclass(frozen=True)
class Estimate:
    """A rate from the sample: its value, 95% interval and the totals it is a ratio of
    (value and interval None when nothing was surveyed to measure it)."""

    value: float | None
    low: float | None
    high: float | None
    numerator: float
    denominator: float

    def as_dict(self) -> dict[str, Any]:
        """The estimate as plain JSON."""
        return asdict(self)


@dataclass(frozen=True)
class Populations:
    """Persons of the county's register by where they stand (the incidence's populations)."""

    registered_poor: int
    exited: int
    non_registered: int

    @property
    def rural(self) -> int:
        """Every person of the county's register, poor or not."""
        return self.registered_poor + self.exited + self.non_registered


@dataclass(frozen=True)
class CheckResults:
    """The three rates and one degree (三率一度), with the survey's counts."""

    wrong_exit_rate: Estimate
    omission_rate: Estimate
    recognition: Estimate
    incidence: Estimate
    villages: int
    households_sampled: int
    households_surveyed: int

    def as_dict(self) -> dict[str, Any]:
        """The results as plain JSON."""
        return asdict(self)


def populations_by_stratum(households: pl.DataFrame) -> Populations:
    """The county's persons by stratum, from a frame with HOUSEHOLD_SCHEMA."""
    sums = households.group_by("stratum").agg(pl.col("persons").cast(pl.Int64).sum())
    found = dict(zip(sums["stratum"].to_list(), sums["persons"].to_list(), strict=True))
    return Populations(
        registered_poor=int(found.get("poor", 0)),
        exited=int(found.get("exited", 0)),
        non_registered=int(found.get("non_registered", 0)),
    )


def check_results(findings: pl.DataFrame, populations: Populations) -> CheckResults:
    """The three rates and one degree from the sampled households' findings (FINDING_SCHEMA,
    one row per sampled household; `surveyed` false for one the team did not reach)."""
    frame = findings.select(list(FINDING_SCHEMA))
    surveyed = pl.col("surveyed").fill_null(False)
    persons = pl.when(surveyed).then(pl.col("persons").cast(pl.Float64)).otherwise(0.0)

    def persons_of(stratum: str, flag: str | None = None) -> pl.Expr:
        """Surveyed persons of `stratum` (with `flag` found true, if given), summed."""
        hit = pl.col("stratum") == stratum
        if flag is not None:
            hit = hit & pl.col(flag).fill_null(False)
        return pl.when(hit).then(persons).otherwise(0.0).sum()

    clusters = (
        frame.group_by("village_code")
        .agg(
            pl.col("village_kind").first(),
            persons_of("exited", "wrongly_exited").alias("wrong_y"),
            persons_of("exited").alias("wrong_x"),
            persons_of("non_registered", "omitted").alias("omit_y"),
            persons_of("non_registered").alias("omit_x"),
            (surveyed & pl.col("approves").fill_null(False))
            .cast(pl.Float64)
            .sum()
            .alias("approve_y"),
            surveyed.cast(pl.Float64).sum().alias("approve_x"),
        )
        .sort("village_code")
    )
    strata = clusters["village_kind"].to_numpy()
    wrong, wrong_z = _ratio(clusters, "wrong", strata)
    omission, omit_z = _ratio(clusters, "omit", strata)
    recognition, _ = _ratio(clusters, "approve", strata)
    incidence = _incidence(populations, wrong, wrong_z, omission, omit_z, strata)
    return CheckResults(
        wrong_exit_rate=wrong,
        omission_rate=omission,
        recognition=recognition,
        incidence=incidence,
        villages=clusters.height,
        households_sampled=frame.height,
        households_surveyed=int(frame["surveyed"].fill_null(False).sum()),
    )


def _ratio(
    clusters: pl.DataFrame, name: str, strata: np.ndarray
) -> tuple[Estimate, np.ndarray | None]:
    """The ratio of the clusters' totals `<name>_y` / `<name>_x`, and each cluster's
    linearised value (None when the denominator is zero)."""
    y = clusters[f"{name}_y"].to_numpy().astype(float)
    x = clusters[f"{name}_x"].to_numpy().astype(float)
    total_y, total_x = float(y.sum()), float(x.sum())
    if total_x <= 0:
        return Estimate(None, None, None, total_y, total_x), None
    rate = min(1.0, max(0.0, total_y / total_x))
    linear = (y - rate * x) / total_x
    low, high = _interval(rate, _variance(linear, strata))
    return Estimate(rate, low, high, total_y, total_x), linear


def _incidence(
    populations: Populations,
    wrong: Estimate,
    wrong_z: np.ndarray | None,
    omission: Estimate,
    omit_z: np.ndarray | None,
    strata: np.ndarray,
) -> Estimate:
    """Comprehensive incidence: the registered poor plus the omitted and the wrongly exited
    extrapolated to the county's populations, over its rural persons."""
    rural = float(populations.rural)
    terms = [(float(populations.exited), wrong, wrong_z),
             (float(populations.non_registered), omission, omit_z)]  # fmt: skip
    numerator = float(populations.registered_poor)
    linear = np.zeros(len(strata))
    for population, estimate, z in terms:
        if population == 0:
            continue  # nobody to extrapolate to: the rate does not matter
        if estimate.value is None or z is None:
            return Estimate(None, None, None, numerator, rural)
        numerator += estimate.value * population
        linear = linear + population * z
    if rural <= 0:
        return Estimate(None, None, None, numerator, rural)
    value = min(1.0, max(0.0, numerator / rural))
    low, high = _interval(value, _variance(linear / rural, strata))
    return Estimate(value, low, high, numerator, rural)


def _variance(linear: np.ndarray, strata: np.ndarray) -> float | None:
    """The stratified with-replacement variance of the sum of the clusters' linearised
    values; the strata are merged when one holds a single cluster; None under two."""
    if len(linear) < 2:
        return None
    kinds, sizes = np.unique(strata, return_counts=True)
    groups = (
        [strata == kind for kind in kinds] if sizes.min() >= 2 else [np.full(len(linear), True)]
    )
    total = 0.0
    for members in groups:
        values = linear[members]
        n = len(values)
        total += n / (n - 1) * float(((values - values.mean()) ** 2).sum())
    return total


def _interval(value: float, variance: float | None) -> tuple[float, float]:
    if variance is None or not math.isfinite(variance):
        return 0.0, 1.0
    half = Z_95 * math.sqrt(max(variance, 0.0))
    return max(0.0, value - half), min(1.0, value + half)
