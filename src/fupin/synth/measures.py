"""A synthetic assistance ledger (合成帮扶台账): the measures the households of a synthetic
region received, year by year, as the departments' files would list them.

A household gets measures in the years it keeps its support: from the year it is
registered until the end of the transition after its exit (here: every campaign year
after its registration, unless it was removed). Each such year it gets one to three
measures; the first answers its main cause of poverty by the national mapping (policy
data) for most households, so that a few coverage gaps remain for the check to find.
Values are drawn per type around plausible amounts (unverified). `measures_frame` is a
pure function of its arguments; the rows are text cells in the layout of the ledger
file, for `support.services.measures_import` to check and write like any other file.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date

import numpy as np
import polars as pl

from fupin.core.audit import Actor

# (description, provider, low yuan, high yuan, in kind?) by measure type.
TYPES: dict[str, tuple[str, str, int, int, bool]] = {
    "industry": ("产业奖补：养殖和种植补助", "县农业农村局", 1000, 5000, False),
    "employment": ("外出务工交通补贴和稳岗补贴", "县人力资源和社会保障局", 300, 1500, False),
    "education": ("雨露计划和教育资助", "县教育局", 1000, 3000, False),
    "health": ("家庭医生签约，住院和慢病报销", "县卫生健康局", 500, 6000, False),
    "housing": ("农村危房改造补助", "县住房和城乡建设局", 10000, 35000, False),
    "relocation": ("易地扶贫搬迁安置住房", "县发展和改革局", 20000, 60000, True),
    "ecological": ("生态护林员和退耕还林补助", "县林业局", 1000, 10000, False),
    "minimum_living": ("农村低保金", "县民政局", 1500, 4500, False),
    "extreme_poverty": ("特困人员供养金", "县民政局", 3000, 6000, False),
    "microcredit": ("扶贫小额信贷贴息", "县农村信用合作联社", 300, 2500, False),
    "welfare_post": ("公益性岗位工资", "村集体", 3000, 9600, False),
    "training": ("实用技术和职业技能培训", "县人力资源和社会保障局", 200, 1500, True),
    "other": ("节日慰问物资", "社会捐助", 100, 800, True),
}
PROVIDER_KIND = {"村集体": "village", "社会捐助": "donor"}
ANSWERED_SHARE = 0.93  # of household-years whose first measure answers the main cause
EXTRA = np.array([0.45, 0.35, 0.20])  # one, two or three measures a year
EPOCH = date(1970, 1, 1).toordinal()
COLUMNS = ("household_no", "year", "given_on", "measure_type", "description", "form",
           "value", "provider_kind", "provider_name")  # fmt: skip


def measures_frame(
    households: pl.DataFrame,
    *,
    years: Sequence[int],
    answers: Mapping[str, Collection[str]],
    seed: int,
    until: date,
) -> pl.DataFrame:
    """Ledger rows (text cells) for `households` (household_no, main_cause, from_year,
    removed_year: the year registered and the year removed, null if never) in `years`,
    dated no later than `until`. Drawn set-wise: one vector per year, no loop per row."""
    rng = np.random.default_rng(seed)
    types = np.array(sorted(TYPES))
    table = pl.DataFrame(
        {"measure_type": list(TYPES), "description": [t[0] for t in TYPES.values()],
         "provider_name": [t[1] for t in TYPES.values()], "low": [t[2] for t in TYPES.values()],
         "high": [t[3] for t in TYPES.values()],
         "form": ["in_kind" if t[4] else "money" for t in TYPES.values()]}
    )  # fmt: skip
    frames = []
    for year in years:
        kept = households.filter(
            (pl.col("from_year") <= year)
            & (pl.col("removed_year").is_null() | (pl.col("removed_year") > year))
        )
        if kept.height == 0:
            continue
        count = rng.choice(len(EXTRA), size=kept.height, p=EXTRA) + 1
        rows = np.repeat(np.arange(kept.height), count)
        first = np.r_[True, rows[1:] != rows[:-1]]
        kinds = rng.choice(types, size=rows.size)
        causes = kept["main_cause"].fill_null("").to_numpy()[rows]
        answered = rng.random(rows.size) < ANSWERED_SHARE
        for cause, choices in answers.items():
            if not choices:
                continue
            options = np.array(sorted(choices))
            mine = first & (causes == cause)
            picked = rng.choice(options, size=rows.size)
            kinds = np.where(mine & answered, picked, kinds)
            # An unanswered first measure must not answer by chance.
            kinds = np.where(mine & ~answered & np.isin(kinds, options), "other", kinds)
        last_day = min(date(year, 12, 31), until)
        span = (last_day - date(year, 1, 1)).days
        days = date(year, 1, 1).toordinal() + rng.integers(0, span + 1, size=rows.size)
        fraction = rng.random(rows.size)
        drawn_year = {
            "household_no": kept["household_no"].to_numpy()[rows],
            "year": np.full(rows.size, year),
            "given_on": pl.Series(days - EPOCH, dtype=pl.Int32).cast(pl.Date),
            "measure_type": kinds, "_fraction": fraction,
        }  # fmt: skip
        frames.append(pl.DataFrame(drawn_year))
    if not frames:
        return pl.DataFrame(schema={name: pl.String for name in COLUMNS})
    drawn = pl.concat(frames).join(table, on="measure_type", how="left")
    value = (pl.col("low") + (pl.col("high") - pl.col("low")) * pl.col("_fraction")).round(0)
    return drawn.select(
        pl.col("household_no"), pl.col("year").cast(pl.String),
        pl.col("given_on").cast(pl.String), pl.col("measure_type"), pl.col("description"),
        pl.col("form"), value.cast(pl.Int64).cast(pl.String).alias("value"),
        pl.col("provider_name").replace_strict(PROVIDER_KIND, default="department")
        .alias("provider_kind"),
        pl.col("provider_name"),
    )  # fmt: skip


def synth_measures(*, region: str, years: Sequence[int], seed: int, actor: Actor) -> int:
    """Write the synthetic ledger of `region`'s households for `years` through the ledger's
    own bulk import (checked whole, one COPY, one audit event); returns the rows written."""
    from django.db.models import Min, Q
    from django.utils import timezone

    from fupin.regions.queries import code_prefix_q
    from fupin.registry.models import Household
    from fupin.support.queries import answering_types
    from fupin.support.services import measures_import

    found = (
        Household.objects.filter(code_prefix_q(region, "village_id"))
        .annotate(
            from_year=Min("transitions__year", filter=Q(transitions__to_status="registered")),
            removed_year=Min("transitions__year", filter=Q(transitions__to_status="removed")),
        )
        .filter(from_year__isnull=False)
        .values_list("household_no", "main_cause", "from_year", "removed_year")
    )
    households = pl.DataFrame(
        list(found), orient="row",
        schema={"household_no": pl.String, "main_cause": pl.String, "from_year": pl.Int64,
                "removed_year": pl.Int64},
    )  # fmt: skip
    answers = answering_types(year=max(years), province=region[:2])
    frame = measures_frame(
        households, years=years, answers=answers, seed=seed, until=timezone.localdate()
    )
    if frame.height == 0:
        return 0
    return measures_import(rows=frame, actor=actor, source=f"synthetic ledger, seed {seed}")
