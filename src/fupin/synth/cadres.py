"""Synthetic paired cadres (帮扶责任人) for a region's households, written set-wise.

Cadres live where the households do: about a third at a village (村级 or 乡镇 units), a
third at a township (乡镇 or 县直) and a third at the county (县直, 市直, 省直 units), in
proportion to the households of each place, so that the automatic pairing has near and
far choices. Names follow the synthetic population's (`synth.names`), ID numbers are
valid (GB 11643) with the county's address code, and nobody is a member of a household.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from django.utils import timezone

from fupin.core import bulk
from fupin.regions.queries import prefix_upper_bound
from fupin.registry.idnumber import id_make_expr
from fupin.synth.names import draw_surnames, full_names

CADRE_TABLE = "pairing_cadre"
# Where cadres are at home (the length of their region code) and the unit levels found
# there, with their shares.
HOMES = (
    (12, 0.35, {"village": 0.7, "township": 0.3}),
    (9, 0.30, {"township": 0.6, "county": 0.4}),
    (6, 0.35, {"county": 0.4, "city": 0.3, "province": 0.3}),
)
UNITS = {
    "province": ("省财政厅", "省农业农村厅", "省教育厅", "省卫生健康委", "省交通运输厅"),
    "city": ("州财政局", "州人社局", "州自然资源局", "州住建局", "州水务局"),
    "county": ("县农业农村局", "县教育局", "县卫生健康局", "县民政局", "县扶贫办", "县林业局"),
    "township": ("镇人民政府", "镇农业服务中心", "镇卫生院", "镇中心学校"),
    "village": ("村民委员会", "村党支部"),
}


def cadres_frame(villages: pl.Series, count: int, *, seed: int) -> pl.DataFrame:
    """`count` cadres placed where households live (`villages`: one code per household)."""
    rng = np.random.default_rng(seed)
    homes = villages.to_numpy()[rng.integers(0, len(villages), count)]
    kind = rng.choice(len(HOMES), count, p=[share for _, share, _ in HOMES])
    codes = np.empty(count, dtype=object)
    levels = np.empty(count, dtype=object)
    for index, (length, _, unit_levels) in enumerate(HOMES):
        mine = kind == index
        codes[mine] = [code[:length] for code in homes[mine]]
        levels[mine] = rng.choice(list(unit_levels), int(mine.sum()), p=list(unit_levels.values()))
    units = [UNITS[level][rng.integers(0, len(UNITS[level]))] for level in levels]
    male = rng.random(count) < 0.7
    names = full_names(rng, draw_surnames(rng, count), male, pl.Series(["汉族"] * count))
    births = [date(1965, 1, 1).toordinal() + int(d) for d in rng.integers(0, 365 * 30, count)]
    frame = pl.DataFrame({
        "name": names,
        "address": pl.Series(codes.astype(str)).str.slice(0, 6),
        "birth": pl.Series([date.fromordinal(day) for day in births], dtype=pl.Date),
        # Odd sequences for men, even for women, as the ID number's 17th digit says.
        "sequence": (rng.integers(0, 500, count) * 2 + male).astype(np.int64),
        "phone": [f"1{rng.choice([35, 38, 39, 58, 87]):02d}{n:08d}"
                  for n in rng.integers(0, 10**8, count)],
        "unit": units,
        "unit_level": levels.astype(str),
        "region_code": codes.astype(str),
    })  # fmt: skip
    frame = frame.with_columns(
        id_number=id_make_expr(pl.col("address"), pl.col("birth"), pl.col("sequence"))
    )
    return frame.unique("id_number", keep="first", maintain_order=True).select(
        "name", "id_number", "phone", "unit", "unit_level", "region_code",
        pl.lit(timezone.now()).alias("created_at"),
    )  # fmt: skip


def synth_cadres(*, region: str, per_household: float, seed: int) -> int:
    """Write about `per_household` cadres per household on the register under `region`
    (the poor and the exited); none of them a member of a household. Returns how many."""
    villages = bulk.read_frame(
        "SELECT village_code FROM registry_household WHERE village_code >= %s "
        "AND village_code < %s AND status IN ('registered', 'returned', 'exited') ORDER BY id",
        [region, prefix_upper_bound(region)],
        {"village_code": pl.String},
    ).get_column("village_code")
    if villages.is_empty():
        return 0
    cadres = cadres_frame(villages, max(1, round(villages.len() * per_household)), seed=seed)
    # Cadres' ID numbers carry their home county's address code: only those can clash.
    counties = cadres.get_column("id_number").str.slice(0, 6).unique().to_list()
    ranges = " OR ".join("(id_number >= %s AND id_number < %s)" for _ in counties)
    bounds = [bound for county in counties for bound in (county, prefix_upper_bound(county))]
    members = bulk.read_frame(
        f"SELECT id_number FROM registry_member WHERE {ranges}", bounds, {"id_number": pl.String}
    )
    taken = bulk.read_frame("SELECT id_number FROM pairing_cadre", [], {"id_number": pl.String})
    cadres = cadres.join(pl.concat([members, taken]), on="id_number", how="anti")
    return bulk.copy_frame(CADRE_TABLE, cadres)
