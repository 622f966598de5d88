"""Household-level fields: attribute (贫困户属性), causes of poverty and contact details.

Causes follow the members, as the national QA rules demand (DOMAIN.md 1.6): illness
needs a chronically or seriously ill member, disability a disabled one, schooling a
member in school; lack of labour is likelier where no one of working age can work. The
main-cause weights put illness first, as the registry did (the poverty office reported
about 42% of registered households poor through illness; recalled, unverified); the rest
are plausible, not calibrated.
"""

from __future__ import annotations

import numpy as np
import polars as pl

CAUSES = (
    "illness", "disability", "schooling", "disaster", "land", "water", "skills", "labor",
    "funds", "transport", "motivation", "other",
)  # fmt: skip
CAUSE_WEIGHTS = np.array([1.00, 0.15, 0.06, 0.05, 0.03, 0.02, 0.10, 0.08, 0.12, 0.02, 0.03, 0.01])
EXTRA_CAUSES = np.array([0.35, 0.40, 0.25])  # how many other causes: 0, 1, 2
MOBILE_PREFIXES = tuple(
    [f"13{digit}" for digit in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + [f"18{digit}" for digit in range(10)]
)


def categories(
    rng: np.random.Generator,
    registered: np.ndarray,
    has_worker: np.ndarray,
    size: np.ndarray,
    head_age: np.ndarray,
    head_impaired: np.ndarray,
) -> np.ndarray:
    """The attribute of each registered household ("" for the others)."""
    # Without a working-age worker the household lives on allowances (低保 / 特困).
    alone = (size == 1) & ((head_age >= 60) | head_impaired)
    no_labor = np.where(alone, "tekun", "dibao")
    with_labor = np.where(rng.random(registered.size) < 0.28, "dibao_poor", "general")
    category = np.where(has_worker, with_labor, no_labor)
    return np.where(registered, category, "")


def causes(
    rng: np.random.Generator, registered: np.ndarray, facts: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Main, second and third cause per household ("" where none), consistent with members."""
    count = registered.size
    chosen = np.flatnonzero(registered)
    weights = np.broadcast_to(CAUSE_WEIGHTS, (chosen.size, len(CAUSES))).copy()
    weights[:, CAUSES.index("illness")] *= facts["has_ill"][chosen]
    weights[:, CAUSES.index("disability")] *= facts["has_disabled"][chosen]
    weights[:, CAUSES.index("schooling")] *= facts["has_student"][chosen]
    weights[:, CAUSES.index("labor")] *= np.where(facts["has_worker"][chosen], 0.5, 4.0)
    # Gumbel top-k: the three largest keys are a weighted draw without replacement.
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
    names = np.asarray(CAUSES, dtype=object)[np.argsort(-keys, axis=1)[:, :3]]
    extra = rng.choice(EXTRA_CAUSES.size, size=chosen.size, p=EXTRA_CAUSES)
    main, second, third = (np.full(count, "", dtype=object) for _ in range(3))
    main[chosen] = names[:, 0]
    second[chosen] = np.where(extra >= 1, names[:, 1], "")
    third[chosen] = np.where(extra >= 2, names[:, 2], "")
    return main, second, third


def _digits(rng: np.random.Generator, count: int, width: int) -> pl.Series:
    return pl.Series(rng.integers(0, 10**width, size=count)).cast(pl.String).str.zfill(width)


def contact_fields(
    rng: np.random.Generator,
    registered: np.ndarray,
    village_groups: np.ndarray,
) -> pl.DataFrame:
    """Phone, bank account and villager-group address per household."""
    count = registered.size
    has_phone = rng.random(count) < np.where(registered, 0.80, 0.88)
    # Registered households are paid allowances and subsidies into a bank card.
    has_account = rng.random(count) < np.where(registered, 0.95, 0.60)
    prefix = pl.Series(MOBILE_PREFIXES).gather(rng.integers(0, len(MOBILE_PREFIXES), count))
    group = 1 + np.floor(rng.random(count) * village_groups).astype(np.int64)
    frame = pl.DataFrame(
        {
            "has_phone": has_phone,
            "has_account": has_account,
            "prefix": prefix,
            "phone_rest": _digits(rng, count, 8),
            "account_rest": _digits(rng, count, 17),
            "group": group,
        }
    )
    return frame.select(
        phone=pl.when(pl.col("has_phone"))
        .then(pl.col("prefix") + pl.col("phone_rest"))
        .otherwise(pl.lit("")),
        bank_account=pl.when(pl.col("has_account"))
        .then(pl.lit("62") + pl.col("account_rest"))
        .otherwise(pl.lit("")),
        address=pl.col("group").cast(pl.String) + pl.lit("组"),
    )
