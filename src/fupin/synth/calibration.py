"""Targets the synthetic country is calibrated to: poverty incidence by region and year.

The share of households whose per-capita net income is below the year's poverty line
follows one of three curves, picked by the village's province (percent, year-end,
2010 standard; the incidence is NBS's person-based one, used here for households):

| profile   | 2012 | 2013 | 2014 | 2015 | 2016 | 2017 | 2018 | 2019 | 2020 |
|-----------|------|------|------|------|------|------|------|------|------|
| national  | 10.2 |  8.5 |  7.2 |  5.7 |  4.5 |  3.1 |  1.7 |  0.6 |  0   |
| non_west  |  7.1 |  5.7 |  4.9 |  3.8 |  3.1 |  2.1 |  1.0 |  0.4 |  0   |
| west      | 17.5 | 15.1 | 12.7 | 10.2 |  7.8 |  5.6 |  3.4 |  1.1 |  0   |
| deep_west | 26.8 | 20.6 | 17.4 | 14.2 | 11.0 |  7.8 |  4.3 |  0.9 |  0   |

How each row was obtained:
- national: NBS series, DOMAIN.md section 7 [S33]; shown for reference, not used directly.
- west: 2012 17.5% and 2016 7.8% from DOMAIN.md 7 [S33][S64]; 2019 = 3.23M poor over the
  western rural population 22.51M / 7.8% = 288.6M, i.e. 1.1%; other years linear between
  those points. (Recalled NBS monitoring-report values 14.5, 12.4, 10.0, 5.6, 3.2 are
  within 0.6 points; unverified, so the interpolation stands.)
- non_west: the national series minus the west, weighting by the rural populations the
  two series imply (national poor / incidence, western poor / incidence), so that a
  synthetic nation reproduces the national series. 2016 gives 3.1%, which matches the
  east (1.4%) and centre (4.9%) figures of DOMAIN.md 7 pooled by their populations.
- deep_west: Guizhou (52) as reported by its poverty office: 26.8% in 2012, 20.6% in
  2013, 7.75% in 2017, 4.3% in 2018 (press copies of the provincial figures: cinic.org.cn
  2019-11-25 and a 2018 reprint of the poverty-office briefing); 2014-2016 linear between
  2013 and 2017; 2019 0.85% (308,300 left at end-2019, recalled, unverified). Used for
  the five provinces above 10% in 2016 (Guizhou, Yunnan, Tibet, Gansu, Xinjiang, DOMAIN.md
  7); their 2017 points (Yunnan 7.5%, Xinjiang 9.9%) sit on or near Guizhou's 7.75%.
  The plain west curve therefore slightly overstates the other western provinces.
- 2020: zero officially [S36]; the model keeps a residue of RESIDUAL_INCIDENCE (one in a
  million) so that the income quantile stays finite.

Registration in the first year exceeds the under-line share by REGISTRATION_UPLIFT =
89.62M registered / 70.17M NBS poor in 2014 (DOMAIN.md 1.1 and 7, [S1][S48]); for
Guizhou that registers 17.4% × 1.28 ≈ 22% of households, roughly the quarter reported.

Income levels above the line (the medians) only shape the distribution; they are not
calibration targets. National rural per-capita disposable income medians, recalled from
NBS statistical communiqués (unverified), scaled per profile by rural income relative to
the nation (west about 0.8, Guizhou about 0.65 in 2014).
"""

from __future__ import annotations

import math
from statistics import NormalDist

PROFILES = ("non_west", "west", "deep_west")
DEEP_WEST_PROVINCES = frozenset({"52", "53", "54", "62", "65"})

INCIDENCE: dict[str, dict[int, float]] = {
    "national": {
        2012: 0.102, 2013: 0.085, 2014: 0.072, 2015: 0.057, 2016: 0.045,
        2017: 0.031, 2018: 0.017, 2019: 0.006, 2020: 0.0,
    },
    "non_west": {
        2012: 0.071, 2013: 0.057, 2014: 0.049, 2015: 0.038, 2016: 0.031,
        2017: 0.021, 2018: 0.010, 2019: 0.004, 2020: 0.0,
    },
    "west": {
        2012: 0.175, 2013: 0.151, 2014: 0.127, 2015: 0.102, 2016: 0.078,
        2017: 0.056, 2018: 0.034, 2019: 0.011, 2020: 0.0,
    },
    "deep_west": {
        2012: 0.268, 2013: 0.206, 2014: 0.174, 2015: 0.142, 2016: 0.110,
        2017: 0.078, 2018: 0.043, 2019: 0.009, 2020: 0.0,
    },
}  # fmt: skip

RESIDUAL_INCIDENCE = 0.000001
REGISTRATION_UPLIFT = 89.62 / 70.17

NATIONAL_RURAL_MEDIAN_INCOME: dict[int, int] = {
    2012: 7000, 2013: 7907, 2014: 9497, 2015: 10291, 2016: 11149,
    2017: 11969, 2018: 13066, 2019: 14389, 2020: 15204,
}  # fmt: skip
MEDIAN_FACTOR = {"non_west": 1.08, "west": 0.80, "deep_west": 0.68}

# Spread of log income above the median: a rural Gini of about 0.35.
UPPER_LOG_SPREAD = 0.65

CALIBRATED_YEARS = range(2012, 2021)


def incidence_target(profile: str, year: int) -> float:
    """The share of households to put under the poverty line in `year` for a profile."""
    if year not in INCIDENCE[profile]:
        raise ValueError(f"no calibration for {year}; years {min(CALIBRATED_YEARS)}-2020")
    return max(INCIDENCE[profile][year], RESIDUAL_INCIDENCE)


def profile_of(province: str, is_western: bool) -> str:
    """Which incidence curve a village's households follow."""
    if province in DEEP_WEST_PROVINCES:
        return "deep_west"
    return "west" if is_western else "non_west"


def income_quantile_parameters(
    profile: str, year: int, line: float
) -> tuple[float, float, float, float]:
    """(log median, lower spread, upper spread, z threshold) of the year's income model.

    Per-capita income is exp(log_median + z × spread) with z standard normal and the
    lower spread chosen so that z < threshold ⇔ income < line, i.e. the share under the
    line is exactly the target.
    """
    share = incidence_target(profile, year)
    threshold = NormalDist().inv_cdf(share)
    median = NATIONAL_RURAL_MEDIAN_INCOME[year] * MEDIAN_FACTOR[profile]
    if not 0 < line < median:
        raise ValueError(f"the {year} line {line} must lie between 0 and the median {median:.0f}")
    log_median = math.log(median)
    lower_spread = (log_median - math.log(line)) / -threshold
    return log_median, lower_spread, UPPER_LOG_SPREAD, threshold


def registration_threshold(profile: str, year: int) -> float:
    """The z below which a household's registration score gets it registered."""
    share = min(incidence_target(profile, year) * REGISTRATION_UPLIFT, 0.9)
    return NormalDist().inv_cdf(share)
