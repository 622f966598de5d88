"""Household composition: who lives together, their relation to the head, sex and age.

A household draws a template (a string of roles) and its members' ages follow from the
head's: a spouse within six years, children born when the younger parent was 20-40, a
married child's children when the younger of that couple was 20-35, parents 20-38 years
older than the head. Sizes run 1-7 with a mean of about 3.3 persons (the rural mean of
the 2010 census); three-generation and left-behind-grandchild households are common.

Roles: H head, S spouse, C child, A married child, L child-in-law, G grandchild,
P parent, B sibling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIZE_SHARES = {1: 0.12, 2: 0.25, 3: 0.21, 4: 0.20, 5: 0.12, 6: 0.06, 7: 0.04}

# (roles, share within its size, youngest head, oldest head)
TEMPLATES: tuple[tuple[str, float, int, int], ...] = (
    ("H", 0.62, 60, 88), ("H", 0.38, 25, 59),
    ("HS", 0.45, 50, 85), ("HS", 0.20, 22, 49), ("HC", 0.22, 40, 80), ("HP", 0.08, 22, 55),
    ("HG", 0.05, 55, 80),
    ("HSC", 0.64, 24, 62), ("HSG", 0.14, 48, 75), ("HSP", 0.08, 24, 55), ("HCC", 0.08, 30, 70),
    ("HPP", 0.03, 22, 50), ("HAG", 0.03, 48, 75),
    ("HSCC", 0.52, 26, 60), ("HSCP", 0.13, 26, 55), ("HSGG", 0.09, 48, 72),
    ("HSAL", 0.07, 48, 72), ("HALG", 0.07, 48, 75), ("HSPP", 0.04, 24, 50),
    ("HCCC", 0.04, 35, 65), ("HSCB", 0.04, 26, 55),
    ("HSCCC", 0.28, 30, 58), ("HSALG", 0.35, 48, 70), ("HSCCP", 0.15, 28, 55),
    ("HSCPP", 0.08, 26, 50), ("HSGGG", 0.05, 50, 72), ("HALGG", 0.09, 48, 75),
    ("HSALGG", 0.50, 48, 70), ("HSCCPP", 0.15, 28, 50), ("HSCCCC", 0.10, 32, 55),
    ("HSCCCP", 0.15, 30, 55), ("HSALGP", 0.10, 48, 62),
    ("HSALGGG", 0.45, 50, 70), ("HSALGGP", 0.20, 48, 62), ("HSCCCPP", 0.15, 30, 50),
    ("HSALCGG", 0.20, 48, 66),
)  # fmt: skip

ROLES = "HSCALGPB"
RELATION_OF_ROLE = {
    "H": "head", "S": "spouse", "C": "child", "A": "child", "L": "child_in_law",
    "G": "grandchild", "P": "parent", "B": "sibling",
}  # fmt: skip
MAX_SIZE = max(len(roles) for roles, *_ in TEMPLATES)


@dataclass(frozen=True)
class Families:
    """Members of all households, contiguous per household, head first."""

    template: np.ndarray  # per household
    size: np.ndarray  # per household
    offsets: np.ndarray  # per household: index of its head among members
    household: np.ndarray  # per member: household index
    role: np.ndarray  # per member: index into ROLES
    male: np.ndarray  # per member
    age: np.ndarray  # per member: completed years at the reference date


def template_probabilities() -> np.ndarray:
    """Probability of each template: its size's share times its share within the size."""
    return np.array([SIZE_SHARES[len(roles)] * share for roles, share, _, _ in TEMPLATES])


def _role_table() -> np.ndarray:
    table = np.full((len(TEMPLATES), MAX_SIZE), -1, dtype=np.int8)
    for row, (roles, *_) in enumerate(TEMPLATES):
        table[row, : len(roles)] = [ROLES.index(role) for role in roles]
    return table


def draw_families(rng: np.random.Generator, households: int) -> Families:
    """Draw a template per household and the relation, sex and age of every member."""
    probabilities = template_probabilities()
    template = rng.choice(len(TEMPLATES), size=households, p=probabilities / probabilities.sum())
    size = np.array([len(roles) for roles, *_ in TEMPLATES])[template]
    offsets = np.concatenate([[0], np.cumsum(size)[:-1]])
    household = np.repeat(np.arange(households), size)
    position = np.arange(household.size) - offsets[household]
    role = _role_table()[template[household], position]
    ages = _household_ages(rng, template)
    age = _member_ages(rng, role, household, ages)
    male = _member_sexes(rng, role, household, template)
    return Families(template, size, offsets, household, role, male, age)


def _has(template: np.ndarray, role: str) -> np.ndarray:
    return np.array([role in roles for roles, *_ in TEMPLATES])[template]


def _uniform(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return low + rng.random(low.shape) * (high - low)


def _household_ages(rng: np.random.Generator, template: np.ndarray) -> dict[str, np.ndarray]:
    """Ages that members are drawn relative to: head, spouse, the married-child couple."""
    low = np.array([lo for _, _, lo, _ in TEMPLATES])[template]
    high = np.array([hi for _, _, _, hi in TEMPLATES])[template]
    head = np.floor(_uniform(rng, low, high + 1.0)).astype(np.int64)
    spouse = np.clip(np.rint(head + rng.normal(-2.0, 3.0, head.shape)), head - 6, head + 6)
    spouse = np.clip(spouse, 20, 99).astype(np.int64)
    young_parent = np.where(_has(template, "S"), np.minimum(head, spouse), head)
    # The married child (real or, for left-behind grandchildren, absent) is 20+ years younger.
    gap = _uniform(rng, np.full(head.shape, 20.0), np.minimum(32.0, young_parent - 20.0))
    middle = np.floor(young_parent - gap).astype(np.int64)
    in_law = np.maximum(np.rint(middle + rng.normal(0.0, 2.5, head.shape)), 20).astype(np.int64)
    young_middle = np.where(_has(template, "L"), np.minimum(middle, in_law), middle)
    return {
        "head": head,
        "spouse": spouse,
        "young_parent": young_parent,
        "middle": middle,
        "in_law": in_law,
        "young_middle": young_middle,
    }


def _member_ages(
    rng: np.random.Generator,
    role: np.ndarray,
    household: np.ndarray,
    ages: dict[str, np.ndarray],
) -> np.ndarray:
    at = {name: values[household] for name, values in ages.items()}
    count = role.size
    twenty = np.full(count, 20.0)
    child = at["young_parent"] - _uniform(rng, twenty, np.minimum(40.0, at["young_parent"]))
    grandchild = at["young_middle"] - _uniform(rng, twenty, np.minimum(35.0, at["young_middle"]))
    parent = at["head"] + _uniform(rng, twenty, np.minimum(38.0, 98.0 - at["head"]))
    sibling = np.clip(at["head"] + rng.uniform(-12.0, 12.0, count), 16, 95)
    by_role = {
        "H": at["head"], "S": at["spouse"], "C": child, "A": at["middle"], "L": at["in_law"],
        "G": grandchild, "P": parent, "B": sibling,
    }  # fmt: skip
    age = np.select([role == ROLES.index(key) for key in by_role], list(by_role.values()))
    return np.floor(np.maximum(age, 0)).astype(np.int64)


def _member_sexes(
    rng: np.random.Generator, role: np.ndarray, household: np.ndarray, template: np.ndarray
) -> np.ndarray:
    count = role.size
    draw = rng.random(count)
    head_male_share = np.where(_has(template, "S"), 0.92, 0.55)[household]
    head_male = np.zeros(template.size, dtype=bool)
    head_male[household[role == 0]] = (draw < head_male_share)[role == 0]
    married_child_male = rng.random(template.size) < 0.85
    # The first parent listed is the father where both are present.
    first_parent = np.r_[True, household[1:] != household[:-1]] | (
        np.r_[-1, role[:-1]] != ROLES.index("P")
    )
    both_parents = np.array([roles.count("P") == 2 for roles, *_ in TEMPLATES])[template]
    parent_male = np.where(both_parents[household], first_parent, draw < 0.4)
    by_role = {
        "H": head_male[household], "S": ~head_male[household],
        "A": married_child_male[household], "L": ~married_child_male[household],
        "P": parent_male,
    }  # fmt: skip
    male = draw < 0.53  # children, grandchildren, siblings: the sex ratio of the cohorts
    for key, values in by_role.items():
        male = np.where(role == ROLES.index(key), values, male)
    return male
