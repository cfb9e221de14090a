"""How the day's sleep, exercise, time with people and drinks go with the same day's and the next
day's positive and negative affect, in one person's own diary.

Each association is a Pearson correlation with its 95% interval (Fisher z) and the least-squares
slope in the factor's everyday unit. It is an association, not proof: a good day may bring both
the walk and the mood, and a bad night both the drink and the low. Next-day pairs use truly
consecutive days only.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from affectrange.analysis.series import CONTEXT_FIELDS, DailySeries, FloatArray
from affectrange.analysis.windows import Valences

MIN_ASSOCIATION_DAYS: Final = 14
"""Pairs of (factor, affect) needed before a correlation is shown, as for an SD (SCIENCE.md 4.1)."""
MIN_VARIED_DAYS: Final = 5
"""Days on which the factor differs from its most common value: a correlation with a factor that
was nearly always the same (no drinks on all but two days) would rest on those few days."""
CONFIDENCE: Final = 0.95
# The standard library's normal quantile: importing scipy.stats for one constant cost 0.5 s of
# every `affectrange analyze` run.
_Z_CRITICAL: Final = statistics.NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)

Lag = Literal["same_day", "next_day"]
Outcome = Literal["pa", "na"]

UNITS: Final[dict[str, tuple[str, float]]] = {
    # The slope is reported per everyday unit: (unit, how many stored units make one).
    "sleep_hours": ("hour of sleep", 1.0),
    "exercise_minutes": ("30 minutes of exercise", 30.0),
    "social_minutes": ("hour with people", 60.0),
    "alcohol_drinks": ("drink", 1.0),
}


@dataclass(frozen=True, slots=True)
class Association:
    factor: str
    """One of `CONTEXT_FIELDS`."""
    outcome: Outcome
    lag: Lag
    n: int
    r: float
    ci_low: float
    ci_high: float
    slope: float
    """Change in affect (0..6) per `unit`."""
    unit: str


def context_associations(series: DailySeries, valences: Valences) -> tuple[Association, ...]:
    if series.context is None:
        return ()
    found = []
    outcomes: tuple[tuple[Outcome, FloatArray], ...] = (("pa", valences.pa), ("na", valences.na))
    for column, factor in enumerate(CONTEXT_FIELDS):
        driver = series.context[:, column]
        usual = _most_common(driver)
        for outcome, affect in outcomes:
            pairs: tuple[tuple[Lag, FloatArray, FloatArray], ...] = (
                ("same_day", driver, affect),
                ("next_day", driver[:-1], affect[1:]),
            )
            for lag, x, y in pairs:
                association = associate(factor, outcome, lag, x, y, usual=usual)
                if association is not None:
                    found.append(association)
    return tuple(found)


def associate(
    factor: str,
    outcome: Outcome,
    lag: Lag,
    x: FloatArray,
    y: FloatArray,
    *,
    usual: float | None = None,
) -> Association | None:
    """Correlation and slope over the pairs where both are present; None below the minimums.

    `usual` is the factor's most common value over the whole diary (computed here when not given);
    at least `MIN_VARIED_DAYS` of the pairs must differ from it.
    """
    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    if x.size < MIN_ASSOCIATION_DAYS:
        return None
    usual = _most_common(x) if usual is None else usual
    if usual is None or int(np.count_nonzero(x != usual)) < MIN_VARIED_DAYS:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(np.dot(dx, dx)), float(np.dot(dy, dy))
    if sxx == 0.0 or syy == 0.0:
        return None
    r = float(np.dot(dx, dy)) / math.sqrt(sxx * syy)
    low, high = _fisher_interval(r, int(x.size))
    unit, per = UNITS[factor]
    slope = float(np.dot(dx, dy)) / sxx * per
    return Association(factor, outcome, lag, int(x.size), r, low, high, slope, unit)


def _most_common(values: FloatArray) -> float | None:
    present = values[~np.isnan(values)]
    if present.size == 0:
        return None
    distinct, counts = np.unique(present, return_counts=True)
    return float(distinct[int(np.argmax(counts))])


def _fisher_interval(r: float, n: int) -> tuple[float, float]:
    """95% interval of r from z = atanh(r) +- z_crit / sqrt(n - 3)."""
    clipped = min(max(r, -0.999999), 0.999999)
    half_width = _Z_CRITICAL / math.sqrt(n - 3)
    centre = math.atanh(clipped)
    return math.tanh(centre - half_width), math.tanh(centre + half_width)
