"""The pairing kernel: a hand-computed case, and on random small instances the caps, the
allowed distances, the most households matched and the least total distance, checked
against an augmenting-path matching and an assignment solver on expanded cadre slots."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.graph.python import linear_sum_assignment, min_cost_flow

from fupin.pairing.assign import RESULT_SCHEMA, assign

# Two townships of 平塘县 (two villages each) and a village of a neighbouring county.
VILLAGES = ("522727100218", "522727100212", "522727101001", "522727101002", "522728100001")
# Cadres' home regions: villages, townships, counties, and two that may never match (a
# province, which is above the county, and a county without households).
HOMES = (*VILLAGES, "522727100", "522727101", "522728100", "522727", "522728", "52", "110101")


def households_frame(villages: list[str]) -> pl.DataFrame:
    """Household i + 1 in villages[i]."""
    return pl.DataFrame(
        {"household_id": list(range(1, len(villages) + 1)), "village_code": villages},
        schema={"household_id": pl.Int64, "village_code": pl.String},
    )


def cadres_frame(rows: list[tuple[str, int]]) -> pl.DataFrame:
    """Cadre 100 + i at home in rows[i][0] with rows[i][1] households of room."""
    return pl.DataFrame(
        {"cadre_id": [100 + i for i in range(len(rows))], "region_code": [r[0] for r in rows],
         "free": [r[1] for r in rows]},
        schema={"cadre_id": pl.Int64, "region_code": pl.String, "free": pl.Int64},
    )  # fmt: skip


def distance(village: str, home: str) -> int | None:
    """The rule, written out plainly: same village, township, county; else not allowed."""
    if len(home) == 12 and home == village:
        return 0
    if len(home) in (9, 12) and home[:9] == village[:9]:
        return 1
    if len(home) in (6, 9, 12) and home[:6] == village[:6]:
        return 2
    return None


def test_a_hand_computed_case() -> None:
    # given: village 218 has households 1-3, 212 has 4, 101001 has 5-6, 522728100001 has 7
    households = households_frame(
        ["522727100218"] * 3 + ["522727100212"] + ["522727101001"] * 2 + ["522728100001"]
    )
    cadres = pl.DataFrame(
        {
            "cadre_id": [10, 11, 12, 13, 14, 15, 16],
            "region_code": ["522727100218", "522727100", "522727", "522727101001", "522701",
                            "52", "522727100218"],
            "free": [2, 2, 2, 1, 5, 5, 0],
        }
    )  # fmt: skip
    # when
    rows = assign(households, cadres)
    # then: each village's own cadre first, the township's next, the county's last; the
    # other county's cadre, the province's and the full one take nobody; 7 has nobody near
    assert rows.rows() == [
        (1, 10, 0),
        (2, 10, 0),
        (3, 11, 1),
        (4, 11, 1),
        (5, 13, 0),
        (6, 12, 2),
    ]
    assert rows.schema == RESULT_SCHEMA


def test_nobody_to_match() -> None:
    households = households_frame(["522727100218"])
    assert assign(households, cadres_frame([])).height == 0
    assert assign(households, cadres_frame([("522728", 3)])).height == 0
    assert assign(households_frame([]), cadres_frame([("522727", 3)])).height == 0


instances = st.tuples(
    st.lists(st.sampled_from(VILLAGES), max_size=14),
    st.lists(st.tuples(st.sampled_from(HOMES), st.integers(0, 3)), max_size=7),
)


def most_matched(villages: list[str], cadres: list[tuple[str, int]]) -> int:
    """The largest matching of households to cadre slots, by augmenting paths (Kuhn)."""
    slots = [home for home, free in cadres for _ in range(free)]
    holder: dict[int, int] = {}

    def augment(household: int, seen: set[int]) -> bool:
        for slot, home in enumerate(slots):
            if slot in seen or distance(villages[household], home) is None:
                continue
            seen.add(slot)
            if slot not in holder or augment(holder[slot], seen):
                holder[slot] = household
                return True
        return False

    return sum(augment(household, set()) for household in range(len(villages)))


def least_cost(villages: list[str], cadres: list[tuple[str, int]]) -> tuple[int, int]:
    """(matched, total distance) of the best assignment, from a linear sum assignment on
    a square matrix: households and cadre slots, each household free to stay unmatched
    at a price above any distance, each slot free to stay empty at no price."""
    slots = [home for home, free in cadres for _ in range(free)]
    n_households, n_slots = len(villages), len(slots)
    size = n_households + n_slots
    unmatched = 3 * n_households + 1
    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    lefts, rights, costs = [], [], []
    for left in range(size):
        for right in range(size):
            if left < n_households and right < n_slots:
                cost = distance(villages[left], slots[right])
                if cost is None:
                    continue
            elif left < n_households:
                cost = unmatched
            else:
                cost = 0
            lefts.append(left)
            rights.append(right)
            costs.append(cost)
    if size == 0:
        return 0, 0
    solver.add_arcs_with_cost(np.array(lefts), np.array(rights), np.array(costs))
    assert solver.solve() == solver.OPTIMAL
    matched = sum(1 for left in range(n_households) if solver.right_mate(left) < n_slots)
    return matched, solver.optimal_cost() - (n_households - matched) * unmatched


@settings(max_examples=300, deadline=None)
@given(instances)
def test_caps_distances_and_optimality(instance: tuple[list[str], list[tuple[str, int]]]) -> None:
    villages, cadre_rows = instance
    households, cadres = households_frame(villages), cadres_frame(cadre_rows)
    rows = assign(households, cadres)
    # every household at most once, every cadre within its room
    assert rows["household_id"].is_unique().all()
    taken = dict(rows.group_by("cadre_id").len().iter_rows())
    free = dict(zip(cadres["cadre_id"], cadres["free"], strict=True))
    assert all(count <= free[cadre] for cadre, count in taken.items())
    # the distance is the rule's, and only pairs within the county occur
    homes = dict(zip(cadres["cadre_id"], cadres["region_code"], strict=True))
    for household, cadre, given_distance in rows.iter_rows():
        village = villages[household - 1]
        assert given_distance == distance(village, homes[cadre]) is not None
        assert homes[cadre][:6] == village[:6]
    # as many households as any assignment matches, at the least total distance
    matched, total = least_cost(villages, cadre_rows)
    assert rows.height == most_matched(villages, cadre_rows) == matched
    assert rows["distance"].cast(pl.Int64).sum() == total


@settings(max_examples=50, deadline=None)
@given(instances, st.integers(0, 2**32 - 1))
def test_the_same_input_in_any_order_gives_the_same_rows(
    instance: tuple[list[str], list[tuple[str, int]]], seed: int
) -> None:
    villages, cadre_rows = instance
    households, cadres = households_frame(villages), cadres_frame(cadre_rows)
    shuffled = assign(households.sample(fraction=1.0, shuffle=True, seed=seed),
                      cadres.sample(fraction=1.0, shuffle=True, seed=seed))  # fmt: skip
    assert assign(households, cadres).equals(shuffled)


def test_a_province_of_villages_solves_whole() -> None:
    # given: 20,000 households over 40 villages of 4 townships and 300 cadres of every level
    rng = np.random.default_rng(7)
    townships = [f"5227{county:02d}{town:03d}" for county in (27, 28) for town in (100, 101)]
    villages = [f"{town}{village:03d}" for town in townships for village in range(10)]
    homes = villages + townships + ["522727", "522728"]
    households = households_frame(list(rng.choice(villages, 20_000)))
    cadres = cadres_frame([(str(rng.choice(homes)), int(rng.integers(4, 9))) for _ in range(300)])
    # when
    rows = assign(households, cadres)
    # then: the caps hold and everybody who can be matched within a county is
    assert rows["household_id"].is_unique().all()
    free = dict(zip(cadres["cadre_id"], cadres["free"], strict=True))
    assert all(n <= free[c] for c, n in rows.group_by("cadre_id").len().iter_rows())
    county = pl.col("village_code").str.slice(0, 6)
    need = households.group_by(county.alias("county")).len("households")
    room = cadres.group_by(pl.col("region_code").str.slice(0, 6).alias("county")).agg(
        pl.col("free").sum()
    )
    expected = need.join(room, on="county", how="left").select(
        pl.min_horizontal("households", pl.col("free").fill_null(0))
    )
    assert rows.height == expected.sum().item()


def test_the_aggregated_network_loses_nothing_against_one_arc_per_pair() -> None:
    # given: 1,500 households and 200 cadres over two counties
    rng = np.random.default_rng(11)
    townships = [f"5227{county:02d}{town:03d}" for county in (27, 28) for town in (100, 101, 102)]
    villages = [f"{town}{village:03d}" for town in townships for village in range(5)]
    homes = villages + townships + ["522727", "522728"]
    household_villages = [str(v) for v in rng.choice(villages, 1_500)]
    cadre_rows = [(str(rng.choice(homes)), int(rng.integers(1, 9))) for _ in range(200)]
    # when
    rows = assign(households_frame(household_villages), cadres_frame(cadre_rows))
    # then: the same optimum as a flow with an arc from each household to each cadre near it
    solver = min_cost_flow.SimpleMinCostFlow()
    n_households, sink = len(household_villages), len(household_villages) + len(cadre_rows)
    for household, village in enumerate(household_villages):
        for index, (home, _) in enumerate(cadre_rows):
            cost = distance(village, home)
            if cost is not None:
                solver.add_arc_with_capacity_and_unit_cost(household, n_households + index, 1, cost)
        solver.set_node_supply(household, 1)
    for index, (_, free) in enumerate(cadre_rows):
        solver.add_arc_with_capacity_and_unit_cost(n_households + index, sink, free, 0)
    solver.set_node_supply(sink, -n_households)
    assert solver.solve_max_flow_with_min_cost() == solver.OPTIMAL
    assert rows.height == solver.maximum_flow()
    assert rows["distance"].cast(pl.Int64).sum() == solver.optimal_cost()
