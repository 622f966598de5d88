"""The kernel of automatic pairing (自动结对): unpaired households to cadres with room left.

No Django and no I/O: Polars and numpy in, Polars out. `pairing.proposals` reads the
households and cadres, calls `assign` and writes its rows as a proposal.

A household may go to a cadre whose home region (`Cadre.region_code`) is its own village
(distance 0), a region inside its own township (1: the township itself or another of its
villages) or inside its own county (2); nothing further. The assignment matches as many
households as the cadres' free capacity allows and, among those, minimises the total
distance. It is solved as a min-cost max-flow on an aggregated network, so that a
province of a million households is a graph of some ten thousand nodes:

    village (supply: its unpaired households) -> pool of its own village's cadres, cost 0
    village -> hub of its township, cost 1 -> every pool inside the township, cost 0
    village -> hub of its county,   cost 2 -> every pool inside the county, cost 0
    pool (the cadres sharing one home code) -> sink, capacity: their free capacity

The flows are then spelt out, vectorised, as households and cadres: within a village the
households take the pieces of flow nearest first in household-id order; within a pool
the households fill the cadres in cadre-id order. Everything is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from ortools.graph.python import min_cost_flow

HOUSEHOLD_SCHEMA = pl.Schema({"household_id": pl.Int64(), "village_code": pl.String()})
CADRE_SCHEMA = pl.Schema({"cadre_id": pl.Int64(), "region_code": pl.String(), "free": pl.Int64()})
RESULT_SCHEMA = pl.Schema(
    {"household_id": pl.Int64(), "cadre_id": pl.Int64(), "distance": pl.Int8()}
)

# Code lengths of the levels a cadre's home region may have, and of a household's village.
VILLAGE_LENGTH, TOWNSHIP_LENGTH, COUNTY_LENGTH = 12, 9, 6
HOME_LENGTHS = (COUNTY_LENGTH, TOWNSHIP_LENGTH, VILLAGE_LENGTH)
# Distances (`choices.Distance`): same village, same township, same county.
SAME_VILLAGE, SAME_TOWNSHIP, SAME_COUNTY = 0, 1, 2


class AssignError(RuntimeError):
    """The solver did not return an optimal flow (it should not happen on valid input)."""


def pair_distance(village: pl.Expr, region: pl.Expr) -> pl.Expr:
    """The distance of a household in `village` to a cadre at home in `region`; null when
    the pair is not allowed (another county, or a home region above the county)."""
    length = region.str.len_bytes()
    return (
        pl.when((length == VILLAGE_LENGTH) & (region == village))
        .then(pl.lit(SAME_VILLAGE, pl.Int8))
        .when(
            length.is_in([TOWNSHIP_LENGTH, VILLAGE_LENGTH])
            & (region.str.slice(0, TOWNSHIP_LENGTH) == village.str.slice(0, TOWNSHIP_LENGTH))
        )
        .then(pl.lit(SAME_TOWNSHIP, pl.Int8))
        .when(
            length.is_in(list(HOME_LENGTHS))
            & (region.str.slice(0, COUNTY_LENGTH) == village.str.slice(0, COUNTY_LENGTH))
        )
        .then(pl.lit(SAME_COUNTY, pl.Int8))
        .otherwise(pl.lit(None, pl.Int8))
    )


@dataclass(frozen=True)
class _Network:
    """The aggregated network: node numbers and the arcs of each kind, in solver order."""

    villages: pl.DataFrame  # village_code, households, node
    pools: pl.DataFrame  # region_code, free, node
    direct: pl.DataFrame  # village node -> own pool
    to_township: pl.DataFrame  # village node -> township hub
    from_township: pl.DataFrame  # township hub -> pool
    to_county: pl.DataFrame  # village node -> county hub
    from_county: pl.DataFrame  # county hub -> pool
    sink: int


def assign(households: pl.DataFrame, cadres: pl.DataFrame) -> pl.DataFrame:
    """The proposed cadre of each household that can have one (household_id, cadre_id,
    distance): the most households matched, then the least total distance, caps held.

    `households`: household_id, village_code (12 digits). `cadres`: cadre_id, region_code
    (6, 9 or 12 digits), free (households the cadre may still take). Rows that can never
    match (a malformed code, no room) are left out; a household id appears at most once.
    """
    households = (
        households.select(list(HOUSEHOLD_SCHEMA))
        .cast(HOUSEHOLD_SCHEMA)
        .filter(pl.col("village_code").str.len_bytes() == VILLAGE_LENGTH)
        .unique("household_id", keep="first", maintain_order=True)
    )
    cadres = (
        cadres.select(list(CADRE_SCHEMA))
        .cast(CADRE_SCHEMA)
        .filter(pl.col("free") > 0)
        .filter(pl.col("region_code").str.len_bytes().is_in(list(HOME_LENGTHS)))
        .unique("cadre_id", keep="first", maintain_order=True)
    )
    if households.height == 0 or cadres.height == 0:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    network = _network(households, cadres)
    pieces = _solve(network)
    if pieces.height == 0:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    placed = _households_to_pools(households, network.villages, network.pools, pieces)
    return _pools_to_cadres(placed, cadres, network.pools)


def _network(households: pl.DataFrame, cadres: pl.DataFrame) -> _Network:
    villages = (
        households.group_by("village_code")
        .len("households")
        .sort("village_code")
        .with_columns(node=pl.int_range(pl.len(), dtype=pl.Int64))
    )
    pools = (
        cadres.group_by("region_code")
        .agg(pl.col("free").sum())
        .sort("region_code")
        .with_columns(node=pl.int_range(pl.len(), dtype=pl.Int64) + villages.height)
    )
    township = pl.col("region_code").str.slice(0, TOWNSHIP_LENGTH)
    county = pl.col("region_code").str.slice(0, COUNTY_LENGTH)
    village_side = villages.select(
        "village_code", "households", village="node",
        township=pl.col("village_code").str.slice(0, TOWNSHIP_LENGTH),
        county=pl.col("village_code").str.slice(0, COUNTY_LENGTH),
    )  # fmt: skip
    pool_side = pools.select(
        "region_code", "free", pool="node",
        township=pl.when(pl.col("region_code").str.len_bytes() >= TOWNSHIP_LENGTH).then(township),
        county=county,
    )  # fmt: skip
    # A hub exists where households and pools meet; numbered after the pools.
    first_hub = villages.height + pools.height
    townships = _hubs(village_side, pool_side, "township", first_hub)
    counties = _hubs(village_side, pool_side, "county", first_hub + townships.height)
    sink = first_hub + townships.height + counties.height
    direct = village_side.join(
        pool_side.select("region_code", "pool"), left_on="village_code", right_on="region_code"
    ).select("village", "pool", capacity="households")
    return _Network(
        villages=villages,
        pools=pools,
        direct=direct.sort("village"),
        to_township=_into_hubs(village_side, townships, "township"),
        from_township=_out_of_hubs(pool_side, townships, "township"),
        to_county=_into_hubs(village_side, counties, "county"),
        from_county=_out_of_hubs(pool_side, counties, "county"),
        sink=sink,
    )


def _hubs(villages: pl.DataFrame, pools: pl.DataFrame, level: str, first: int) -> pl.DataFrame:
    """The hubs of one level (township or county) that have both households and pools."""
    codes = villages.select(level).unique().join(pools.select(level).unique(), on=level)
    return codes.sort(level).with_columns(hub=pl.int_range(pl.len(), dtype=pl.Int64) + first)


def _into_hubs(villages: pl.DataFrame, hubs: pl.DataFrame, level: str) -> pl.DataFrame:
    return (
        villages.join(hubs, on=level)
        .select("hub", "village", capacity="households")
        .sort("hub", "village")
    )


def _out_of_hubs(pools: pl.DataFrame, hubs: pl.DataFrame, level: str) -> pl.DataFrame:
    return pools.join(hubs, on=level).select("hub", "pool", capacity="free").sort("hub", "pool")


# The kinds of arc, in the order they are given to the solver.
DIRECT, TO_TOWNSHIP, FROM_TOWNSHIP, TO_COUNTY, FROM_COUNTY, TO_SINK = range(6)


def _solve(network: _Network) -> pl.DataFrame:
    """Solve the flow; return its pieces (village node, pool node, households)."""
    arcs = pl.concat(
        [
            _arcs(network.direct, "village", "pool", DIRECT, SAME_VILLAGE),
            _arcs(network.to_township, "village", "hub", TO_TOWNSHIP, SAME_TOWNSHIP),
            _arcs(network.from_township, "hub", "pool", FROM_TOWNSHIP, 0),
            _arcs(network.to_county, "village", "hub", TO_COUNTY, SAME_COUNTY),
            _arcs(network.from_county, "hub", "pool", FROM_COUNTY, 0),
            _arcs(
                network.pools.select(pool="node", sink=pl.lit(network.sink, pl.Int64),
                                     capacity="free"),
                "pool", "sink", TO_SINK, 0,
            ),
        ]
    )  # fmt: skip
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        arcs["tail"].to_numpy().astype(np.int32),
        arcs["head"].to_numpy().astype(np.int32),
        arcs["capacity"].to_numpy(),
        arcs["cost"].to_numpy(),
    )
    villages = network.villages
    supply = villages["households"].cast(pl.Int64)
    solver.set_nodes_supplies(
        np.append(villages["node"].to_numpy(), network.sink).astype(np.int32),
        np.append(supply.to_numpy(), -int(supply.sum())).astype(np.int64),
    )
    status = solver.solve_max_flow_with_min_cost()
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise AssignError(f"min-cost flow ended with status {status}")
    arcs = arcs.with_columns(flow=pl.Series(solver.flows(np.arange(arcs.height))))
    kind = pl.col("kind")
    pieces = pl.concat(
        [
            arcs.filter(kind == DIRECT).select(village="tail", pool="head", households="flow"),
            _through_hubs(arcs.filter(kind == TO_TOWNSHIP), arcs.filter(kind == FROM_TOWNSHIP)),
            _through_hubs(arcs.filter(kind == TO_COUNTY), arcs.filter(kind == FROM_COUNTY)),
        ]
    )
    # A village may reach one pool by two routes; the pair counts once.
    return (
        pieces.filter(pl.col("households") > 0)
        .group_by("village", "pool")
        .agg(pl.col("households").sum())
    )


def _arcs(frame: pl.DataFrame, tail: str, head: str, kind: int, cost: int) -> pl.DataFrame:
    return frame.select(
        tail=pl.col(tail).cast(pl.Int64),
        head=pl.col(head).cast(pl.Int64),
        capacity=pl.col("capacity").cast(pl.Int64),
        cost=pl.lit(cost, pl.Int64),
        kind=pl.lit(kind, pl.Int8),
    )


def _through_hubs(into: pl.DataFrame, out: pl.DataFrame) -> pl.DataFrame:
    """Pair the flow entering hubs with the flow leaving them, as (village, pool, amount).

    Both sides are sorted by hub and laid end to end on one axis; a hub's inflow equals its
    outflow, so the hubs' stretches line up, and cutting the axis at every boundary of
    either side gives pieces that each come from one village and go to one pool.
    """
    schema = {"village": pl.Int64, "pool": pl.Int64, "households": pl.Int64}
    in_ends, out_ends = into["flow"].cum_sum().to_numpy(), out["flow"].cum_sum().to_numpy()
    if in_ends.size == 0 or in_ends[-1] == 0:
        return pl.DataFrame(schema=schema)
    cuts = np.unique(np.concatenate(([0], in_ends, out_ends)))
    starts = cuts[:-1]
    return pl.DataFrame(
        {
            "village": into["tail"].to_numpy()[np.searchsorted(in_ends, starts, side="right")],
            "pool": out["head"].to_numpy()[np.searchsorted(out_ends, starts, side="right")],
            "households": np.diff(cuts),
        },
        schema=schema,
    )


def _households_to_pools(
    households: pl.DataFrame, villages: pl.DataFrame, pools: pl.DataFrame, pieces: pl.DataFrame
) -> pl.DataFrame:
    """Each matched household with its pool and distance: in each village, households in
    id order take the village's pieces nearest first."""
    order = (
        pieces.join(villages.select("village_code", village="node"), on="village")
        .join(pools.select("region_code", pool="node"), on="pool")
        .with_columns(distance=pair_distance(pl.col("village_code"), pl.col("region_code")))
        .sort("village", "distance", "pool")  # pool nodes follow code order
        .with_columns(ends=pl.col("households").cum_sum())
    )
    by_village = order.group_by("village").agg(
        first=(pl.col("ends") - pl.col("households")).min(), matched=pl.col("households").sum()
    )
    ranked = (
        households.join(villages.select("village_code", village="node"), on="village_code")
        .sort("village", "household_id")
        .with_columns(rank=pl.int_range(pl.len(), dtype=pl.Int64).over("village"))
        .join(by_village, on="village")
        .filter(pl.col("rank") < pl.col("matched"))
    )
    at = np.searchsorted(
        order["ends"].to_numpy(), (ranked["first"] + ranked["rank"]).to_numpy(), side="right"
    )
    return ranked.select(
        "household_id",
        "village_code",
        pool=pl.Series(order["pool"].to_numpy()[at]),
        distance=pl.Series(order["distance"].to_numpy()[at]),
    )


def _pools_to_cadres(
    placed: pl.DataFrame, cadres: pl.DataFrame, pools: pl.DataFrame
) -> pl.DataFrame:
    """Each placed household with a cadre of its pool: the pool's households, nearest and
    then by village and id, fill its cadres in id order, each up to its free capacity (so a
    cadre's households sit together)."""
    slots = (
        cadres.join(pools.select("region_code", pool="node"), on="region_code")
        .sort("pool", "cadre_id")
        .with_columns(ends=pl.col("free").cum_sum())
    )
    first = slots.group_by("pool").agg(first=(pl.col("ends") - pl.col("free")).min())
    ranked = (
        placed.sort("pool", "distance", "village_code", "household_id")
        .with_columns(rank=pl.int_range(pl.len(), dtype=pl.Int64).over("pool"))
        .join(first, on="pool")
    )
    at = np.searchsorted(
        slots["ends"].to_numpy(), (ranked["first"] + ranked["rank"]).to_numpy(), side="right"
    )
    return (
        ranked.select(
            "household_id",
            cadre_id=pl.Series(slots["cadre_id"].to_numpy()[at]),
            distance="distance",
        )
        .sort("household_id")
        .cast(RESULT_SCHEMA)
    )
