"""The synthetic country (合成样本): households, members, yearly assessments and transitions.

A pure function of its arguments (no Django, no I/O): numpy's seeded generator draws,
Polars assembles; the same seed gives identical frames. The four frames have the layout
`fupin.registry.bulk.registry_bulk_write` takes. Calibration targets and their sources
are in calibration.py; composition in families.py; attributes in attributes.py; incomes,
registration and exits in incomes.py; household fields in households.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from fupin.registry.idnumber import id_body_expr, id_from_body_expr
from fupin.synth.attributes import EDUCATION, HEALTH, LABOR, Attributes, draw_attributes
from fupin.synth.calibration import CALIBRATED_YEARS, DEEP_WEST_PROVINCES
from fupin.synth.families import RELATION_OF_ROLE, ROLES, Families, draw_families
from fupin.synth.households import categories, causes, contact_fields
from fupin.synth.incomes import (
    INDICATORS,
    NEVER,
    Paths,
    household_paths,
    income_components,
    income_ranks,
    per_capita_incomes,
    register,
)
from fupin.synth.names import ETHNICITIES, draw_ethnicities, draw_surnames, full_names

MAX_HOUSEHOLDS_PER_VILLAGE = 9999  # the 4-digit serial of household_no
SEQUENCES_PER_SEX = 500  # odd sequences 001-999 for men, even 000-998 for women
REGISTER_REASON = "精准识别，建档立卡"
EXIT_REASON = "人均纯收入稳定超过扶贫标准，“两不愁三保障”有保障"
STREAMS = 12


@dataclass(frozen=True)
class SynthFrames:
    """The generated registry, in the layout of `registry_bulk_write`."""

    households: pl.DataFrame
    members: pl.DataFrame
    assessments: pl.DataFrame
    transitions: pl.DataFrame


@dataclass(frozen=True)
class _Places:
    village: np.ndarray  # per household: village index (households sorted by village)
    household_no: pl.Series
    village_code: pl.Series  # per household
    profile: np.ndarray  # per household: index into calibration.PROFILES
    province: np.ndarray  # per household: 2-digit code
    groups: np.ndarray  # per household: villager groups in its village
    village_ethnicity: np.ndarray  # per household


def synth_frames(
    villages: pl.DataFrame,
    *,
    households: int,
    years: tuple[int, int],
    seed: int,
    poverty_lines: Mapping[int, float],
    facts_only: bool = False,
) -> SynthFrames:
    """Generate `households` rural households in `villages` (village_code, is_western).

    `facts_only` leaves registration to the procedures (`fupin simulate`): no transitions,
    and the households helped (whose failing indicators get fixed sooner, who carry a
    category and causes) are those under the line in some year, the ones the annual
    runs will register."""
    year_list = _checked_years(years, poverty_lines)
    lines = [float(poverty_lines[year]) for year in year_list]
    if households < 1:
        raise ValueError("the number of households must be at least 1")
    if villages.height == 0:
        raise ValueError("no villages to put households in")
    rng = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(STREAMS)]
    places = _allocate(rng[0], villages, households)
    families = draw_families(rng[1], households)
    latent = _latent_ranks(rng[2], families)
    poorness = np.clip((-latent - 0.5) / 2.0, 0.0, 1.0)
    attributes = draw_attributes(rng[3], families.age, families.male, poorness[families.household])
    facts = _household_facts(families, attributes)
    ranks = income_ranks(rng[4], latent, len(year_list))
    per_capita = per_capita_incomes(ranks, places.profile, year_list, lines)
    registered = register(rng[5], ranks[:, 0], places.profile, year_list[0])
    if facts_only:
        registered = np.asarray((per_capita < np.asarray(lines)[None, :]).any(axis=1))
    paths = household_paths(rng[6], per_capita, registered, facts, year_list, lines)
    category = categories(
        rng[7], registered, facts["has_worker"], families.size, facts["head_age"],
        facts["head_impaired"],
    )  # fmt: skip
    return SynthFrames(
        households=_households_frame(rng[8], places, registered, category, facts),
        members=_members_frame(rng[9], places, families, attributes, year_list[0]),
        assessments=_assessments_frame(
            rng[10], places, families, facts, paths, category, year_list
        ),
        transitions=_transitions_frame(rng[11], places, paths, year_list[0]).clear()
        if facts_only
        else _transitions_frame(rng[11], places, paths, year_list[0]),
    )


def _checked_years(years: tuple[int, int], poverty_lines: Mapping[int, float]) -> list[int]:
    first, last = years
    if first > last:
        raise ValueError(f"the years run backwards: {first}-{last}")
    year_list = list(range(first, last + 1))
    outside = [year for year in year_list if year not in CALIBRATED_YEARS]
    if outside:
        raise ValueError(f"no calibration for {outside}; the model covers 2012-2020")
    missing = [year for year in year_list if year not in poverty_lines]
    if missing:
        raise ValueError(f"no poverty line given for {missing}")
    return year_list


def _allocate(rng: np.random.Generator, villages: pl.DataFrame, households: int) -> _Places:
    """Spread households over villages (sizes vary) and number them within each village."""
    codes = villages.get_column("village_code").cast(pl.String)
    western = villages.get_column("is_western").cast(pl.Boolean).to_numpy()
    province = codes.str.slice(0, 2).to_numpy().astype(str)
    weights = rng.lognormal(0.0, 0.6, villages.height)
    counts = rng.multinomial(households, weights / weights.sum())
    if counts.max() > MAX_HOUSEHOLDS_PER_VILLAGE:
        raise ValueError(
            f"{households} households over {villages.height} villages would put more than "
            f"{MAX_HOUSEHOLDS_PER_VILLAGE} in one village; choose fewer or a wider region"
        )
    village = np.repeat(np.arange(villages.height), counts)
    serial = np.arange(households) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    village_code = codes.gather(village)
    household_no = village_code + pl.Series(serial).cast(pl.String).str.zfill(4)
    profile = np.where(np.isin(province, list(DEEP_WEST_PROVINCES)), 2, np.where(western, 1, 0))
    groups = rng.integers(3, 16, villages.height)
    ethnicity = draw_ethnicities(rng, province)
    return _Places(
        village, household_no.alias("household_no"), village_code, profile[village],
        province[village], groups[village], ethnicity[village],
    )  # fmt: skip


def _latent_ranks(rng: np.random.Generator, families: Families) -> np.ndarray:
    """Standard-normal income ranks, lower where more members are too young or old to work."""
    dependent = ((families.age < 16) | (families.age > 65)).astype(float)
    share = np.add.reduceat(dependent, families.offsets) / families.size
    raw = rng.standard_normal(families.size.size) - 0.8 * share
    # Rank-match to a normal sample so that the marginal stays standard normal.
    latent = np.empty_like(raw)
    latent[np.argsort(raw, kind="stable")] = np.sort(rng.standard_normal(raw.size))
    return latent


def _household_facts(families: Families, attributes: Attributes) -> dict[str, np.ndarray]:
    """Per-household flags the indicators, causes and category are consistent with."""
    age, offsets = families.age, families.offsets

    def any_member(flags: np.ndarray) -> np.ndarray:
        return np.logical_or.reduceat(flags, offsets)

    return {
        "has_ill": any_member((attributes.health == 1) | (attributes.health == 2)),
        "has_disabled": any_member(attributes.health == 3),
        "has_student": any_member(attributes.in_school),
        "has_dropout": any_member((age >= 6) & (age <= 15) & ~attributes.in_school),
        "has_uninsured": any_member(~attributes.medical_insured),
        "has_worker": any_member((age >= 16) & (age <= 65) & (attributes.labor >= 0)
                                 & (attributes.labor <= 1)),
        "head_age": age[offsets],
        "head_impaired": attributes.health[offsets] >= 2,
    }  # fmt: skip


def _households_frame(
    rng: np.random.Generator,
    places: _Places,
    registered: np.ndarray,
    category: np.ndarray,
    facts: dict[str, np.ndarray],
) -> pl.DataFrame:
    main, second, third = causes(rng, registered, facts)
    contact = contact_fields(rng, registered, places.groups)
    return pl.DataFrame(
        {
            "household_no": places.household_no,
            "village_code": places.village_code,
            "category": pl.Series(category, dtype=pl.String),
            "main_cause": pl.Series(main, dtype=pl.String),
            "second_cause": pl.Series(second, dtype=pl.String),
            "third_cause": pl.Series(third, dtype=pl.String),
        }
    ).hstack(contact)


def _birth_dates(rng: np.random.Generator, age: np.ndarray, reference_year: int) -> pl.Series:
    """Birth dates giving `age` completed years on 31 December of `reference_year`."""
    born_in = reference_year - age
    start, end = _year_start_days(born_in), _year_start_days(born_in + 1)
    days = start + np.floor(rng.random(age.size) * (end - start)).astype(np.int64)
    return pl.Series("birth_date", days).cast(pl.Int32).cast(pl.Date)


def _ethnicities(rng: np.random.Generator, places: _Places, families: Families) -> pl.Series:
    """Households mostly share their village's ethnicity; spouses marry in from the province."""
    household = families.household
    own = draw_ethnicities(rng, places.province)
    household_ethnicity = np.where(rng.random(own.size) < 0.8, places.village_ethnicity, own)
    married_in = np.isin(families.role, [ROLES.index("S"), ROLES.index("L")])
    incomer = draw_ethnicities(rng, places.province[household])
    keeps = ~married_in | (rng.random(household.size) < 0.85)
    codes = np.where(keeps, household_ethnicity[household], incomer)
    return pl.Series(ETHNICITIES).gather(codes).alias("ethnicity")


def _surnames(rng: np.random.Generator, families: Families) -> np.ndarray:
    """Blood relatives mostly carry the head's surname; spouses and in-laws their own."""
    family = draw_surnames(rng, families.size.size)[families.household]
    own = draw_surnames(rng, families.household.size)
    role, draw = families.role, rng.random(families.household.size)
    descendant = np.isin(role, [ROLES.index(key) for key in "CAG"]) & (draw < 0.92)
    kin = (role == ROLES.index("H")) | ((role == ROLES.index("B")) & (draw < 0.95))
    father = (role == ROLES.index("P")) & families.male
    return np.where(descendant | kin | father, family, own)


def _coded(values: np.ndarray, vocabulary: tuple[str, ...]) -> pl.Series:
    """Codes → slugs, with -1 → null."""
    codes = pl.Series(values, dtype=pl.Int64)
    return pl.Series(vocabulary).gather(pl.select(pl.when(codes >= 0).then(codes)).to_series())


def _sequences(
    rng: np.random.Generator, county: np.ndarray, days: np.ndarray, male: np.ndarray
) -> np.ndarray:
    """3-digit sequences, odd for men, unique among people of one county, birth day and sex."""
    key = (county * 200_000 + days + 100_000) * 2 + male
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new_group = np.r_[True, ordered[1:] != ordered[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(key.size), 0))
    rank = np.arange(key.size) - group_start
    if rank.size and rank.max() >= SEQUENCES_PER_SEX:
        raise ValueError("more people born on one day in one county than ID sequences")
    # Police stations hand out sequences in blocks; start each group somewhere random.
    start = rng.integers(0, SEQUENCES_PER_SEX, key.size)[order][group_start]
    slot = np.empty_like(rank)
    slot[order] = (start + rank) % SEQUENCES_PER_SEX
    return 2 * slot + male


def _id_numbers(rng: np.random.Generator, people: pl.DataFrame) -> pl.Series:
    """Valid IDs: county of the village, birth date, a sequence unique per county, day and sex."""
    county = people.get_column("village_code").str.slice(0, 6)
    sequence = _sequences(
        rng,
        county.cast(pl.Int64).to_numpy(),
        people.get_column("birth_date").cast(pl.Int32).to_numpy().astype(np.int64),
        people.get_column("male").to_numpy().astype(np.int64),
    )
    parts = pl.DataFrame(
        {"county": county, "birth": people.get_column("birth_date"), "sequence": sequence}
    )
    # The body is read seven times: materialize it once.
    return (
        parts.select(body=id_body_expr(pl.col("county"), pl.col("birth"), pl.col("sequence")))
        .select(id_from_body_expr(pl.col("body")).alias("id_number"))
        .to_series()
    )


def _members_frame(
    rng: np.random.Generator,
    places: _Places,
    families: Families,
    attributes: Attributes,
    first_year: int,
) -> pl.DataFrame:
    household = families.household
    male = families.male
    ethnicity = _ethnicities(rng, places, families)
    # The registry's rules count age as the assessment year minus the birth year
    # (registry.checks), so the ages the attributes were drawn for hold in the first year.
    birth = _birth_dates(rng, families.age, first_year)
    people = pl.DataFrame(
        {
            "village_code": places.village_code.gather(household),
            "birth_date": birth,
            "male": male,
        }
    )
    relations = tuple(RELATION_OF_ROLE[role] for role in ROLES)
    return pl.DataFrame(
        {
            "household_no": places.household_no.gather(household),
            "name": full_names(rng, _surnames(rng, families), male, ethnicity),
            "id_number": _id_numbers(rng, people),
            "relation": _coded(families.role, relations),
            "sex": pl.select(
                pl.when(pl.Series(male)).then(pl.lit("M")).otherwise(pl.lit("F"))
            ).to_series(),
            "birth_date": birth,
            "ethnicity": ethnicity,
            "education": _coded(attributes.education, EDUCATION),
            "in_school": attributes.in_school,
            "health": _coded(attributes.health, HEALTH),
            "labor": _coded(attributes.labor, LABOR),
            "migrant_months": pl.Series(attributes.migrant_months, dtype=pl.Int16),
            "medical_insured": attributes.medical_insured,
            "critical_illness_insured": attributes.critical_illness_insured,
            "pension_insured": attributes.pension_insured,
        }
    )


def _assessments_frame(
    rng: np.random.Generator,
    places: _Places,
    families: Families,
    facts: dict[str, np.ndarray],
    paths: Paths,
    category: np.ndarray,
    years: list[int],
) -> pl.DataFrame:
    count, width = paths.per_capita.shape
    year = np.broadcast_to(np.asarray(years), (count, width))
    exited = year >= paths.exit_year[:, None]
    allowance = np.isin(category, ["dibao", "tekun"])[:, None]
    regime = np.select([allowance, paths.registered[:, None] & ~exited, exited], [2, 1, 3], 0)
    components = income_components(
        rng,
        paths.per_capita.ravel(),
        np.repeat(families.size, width),
        np.repeat(facts["has_worker"], width),
        regime.ravel(),
    )
    holds = {
        name: (year >= paths.fixed_in[:, [index]]).ravel() for index, name in enumerate(INDICATORS)
    }
    housing = np.where(holds.pop("housing"), np.repeat(paths.housing_after, width),
                       np.repeat(paths.housing_before, width))  # fmt: skip
    frame = pl.DataFrame(
        {
            "household_no": places.household_no.gather(np.repeat(np.arange(count), width)),
            "year": pl.Series(year.ravel(), dtype=pl.Int16),
            **{name: pl.Series(values, dtype=pl.Int64) for name, values in components.items()},
            "household_size": pl.Series(np.repeat(families.size, width), dtype=pl.Int16),
        }
    )
    return frame.with_columns(
        **{name: pl.Series(holds[name]) for name in ("food_ok", "clothing_ok", "education_ok",
                                                     "medical_ok")},
        housing_grade=_coded(housing, ("A", "B", "C", "D")),
        water_ok=pl.Series(holds["water_ok"]),
    )  # fmt: skip


def _transitions_frame(
    rng: np.random.Generator, places: _Places, paths: Paths, first_year: int
) -> pl.DataFrame:
    registered = np.flatnonzero(paths.registered)
    exited = np.flatnonzero(paths.exit_year != NEVER)
    # Identification ended in October; exits were certified at each year's end.
    registered_on = _days(date(first_year, 8, 1)) + rng.integers(0, 92, registered.size)
    exit_years = paths.exit_year[exited]
    exit_on = _year_start_days(exit_years) + 273 + rng.integers(0, 85, exited.size)
    rows = [
        (registered, "not_registered", "registered", np.full(registered.size, first_year),
         registered_on, REGISTER_REASON),
        (exited, "registered", "exited", exit_years, exit_on, EXIT_REASON),
    ]  # fmt: skip
    frames = [
        pl.DataFrame(
            {
                "household_no": places.household_no.gather(index),
                "from_status": pl.Series([source] * index.size, dtype=pl.String),
                "to_status": pl.Series([target] * index.size, dtype=pl.String),
                "year": pl.Series(year, dtype=pl.Int16),
                "date": pl.Series(on, dtype=pl.Int32).cast(pl.Date),
                "reason": pl.Series([reason] * index.size, dtype=pl.String),
            }
        )
        for index, source, target, year, on, reason in rows
    ]
    return pl.concat(frames).sort(["household_no", "date"], maintain_order=True)


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _year_start_days(years: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of 1 January of each year."""
    return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
