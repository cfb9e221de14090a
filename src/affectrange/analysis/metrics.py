"""Emotion-dynamics metrics of one window of daily check-ins (SCIENCE.md 4.1 and 4.3).

Every function takes day-indexed arrays (one entry per calendar day, NaN where the day was not
answered) and returns a float, or None when the window holds too little data for the number to mean
anything. The minimum-data rules are named constants and explained in docs/analysis.md.
"""

from __future__ import annotations

import math
import warnings
from typing import Final

import numpy as np
from numpy.typing import NDArray

from affectrange.analysis.items import ITEM_MAX, ITEM_MIN

FloatArray = NDArray[np.float64]

MIN_DAYS_FOR_LEVEL: Final = 7
"""A mean of fewer than a week of days says more about those days than about the person."""
MIN_DAYS_FOR_SPREAD: Final = 14
"""SD, mean-adjusted SD and emodiversity: SCIENCE.md 4.1 suggests at least 14 daily entries."""
MIN_CONSECUTIVE_PAIRS: Final = 10
"""RMSSD and inertia use only pairs of adjacent days; at least ten such pairs are required."""
MIN_EVENTS_FOR_REACTIVITY: Final = 10
"""SCIENCE.md 4.3: at least ten rated events of the relevant sign before estimating reactivity."""


def present(values: FloatArray) -> FloatArray:
    kept: FloatArray = values[~np.isnan(values)]
    return kept


def mean_level(values: FloatArray) -> float | None:
    """Mean over answered days; None with fewer than `MIN_DAYS_FOR_LEVEL`."""
    kept = present(values)
    if kept.size < MIN_DAYS_FOR_LEVEL:
        return None
    return float(kept.mean())


def within_person_sd(values: FloatArray) -> float | None:
    """Sample SD (n - 1) over answered days; None with fewer than `MIN_DAYS_FOR_SPREAD`."""
    kept = present(values)
    if kept.size < MIN_DAYS_FOR_SPREAD:
        return None
    return float(kept.std(ddof=1))


def consecutive_pairs(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(yesterday, today) for every pair of adjacent calendar days that are both answered.

    A pair across a missed day is dropped, never bridged: a two-day change is not a day-to-day one.
    """
    previous, current = values[:-1], values[1:]
    both = ~np.isnan(previous) & ~np.isnan(current)
    return previous[both], current[both]


def rmssd(values: FloatArray) -> float | None:
    """Root mean square of successive differences over truly consecutive days."""
    previous, current = consecutive_pairs(values)
    if previous.size < MIN_CONSECUTIVE_PAIRS:
        return None
    return float(np.sqrt(np.mean((current - previous) ** 2)))


def inertia(values: FloatArray) -> float | None:
    """Lag-1 autocorrelation: the OLS slope phi of (x_t - mean) on (x_{t-1} - mean) over
    consecutive pairs, the mean taken over all answered days of the window (SCIENCE.md 4.1).

    None with too few pairs, or when every yesterday's value equals the window mean (the slope
    is then undefined).
    """
    previous, current = consecutive_pairs(values)
    if previous.size < MIN_CONSECUTIVE_PAIRS:
        return None
    centre = float(present(values).mean())
    lagged = previous - centre
    denominator = float(np.dot(lagged, lagged))
    if denominator == 0.0:
        return None
    return float(np.dot(lagged, current - centre)) / denominator


def relative_sd(values: FloatArray) -> float | None:
    """The SD divided by the largest SD possible at this mean on the 0..6 scale (Mestdagh 2018).

    Low NA with a low SD is partly a floor effect: near 0 there is little room to move. The most
    a sample of n ratings with mean M can vary on [lo, hi] is sqrt((M - lo)(hi - M) n / (n - 1))
    (half the days at each end), so the ratio says how much of the available room is used. None
    when the SD is, or when the mean sits at an end of the scale (no room at all).
    """
    kept = present(values)
    sd = within_person_sd(values)
    if sd is None:
        return None
    mean = float(kept.mean())
    room = (mean - ITEM_MIN) * (ITEM_MAX - mean) * kept.size / (kept.size - 1)
    if room <= 0.0:
        return None
    return sd / math.sqrt(room)


def emodiversity(items: NDArray[np.float64]) -> float | None:
    """Intensity-weighted Shannon entropy of the emotions felt (Quoidbach 2014), in nats.

    `items` has one row per day and one column per emotion (0 = not felt). p_i is emotion i's
    share of all intensity in the window; H = -sum p_i ln p_i, with 0 ln 0 = 0. The maximum is
    ln(number of emotions), reached when every emotion is felt equally. None with fewer than
    `MIN_DAYS_FOR_SPREAD` answered days or when nothing at all was felt.
    """
    answered = ~np.all(np.isnan(items), axis=1)
    if int(answered.sum()) < MIN_DAYS_FOR_SPREAD:
        return None
    totals = np.nansum(items[answered], axis=0)
    grand_total = float(totals.sum())
    if grand_total <= 0.0:
        return None
    shares = totals[totals > 0] / grand_total
    return float(-np.sum(shares * np.log(shares)))


def reactivity(affect: FloatArray, event: FloatArray, *, sign: int) -> float | None:
    """Slope of the day's affect on the day's event part of one sign (SCIENCE.md 4.3).

    sign=+1: PA on max(E, 0) (pleasant events); sign=-1: NA on max(-E, 0) (unpleasant events).
    OLS over the days with both affect and a rated event; the predictor is person-mean centred,
    which leaves the slope unchanged and keeps the intercept the window's mean. Needs at least
    `MIN_EVENTS_FOR_REACTIVITY` events of that sign, else None.
    """
    if sign not in (-1, 1):
        raise ValueError("sign must be +1 or -1")
    rated = ~np.isnan(affect) & ~np.isnan(event)
    part = np.maximum(sign * event[rated], 0.0)
    if int(np.count_nonzero(part)) < MIN_EVENTS_FOR_REACTIVITY:
        return None
    centred = part - part.mean()
    spread = float(np.dot(centred, centred))
    if spread == 0.0:
        return None
    outcome = affect[rated]
    return float(np.dot(centred, outcome - outcome.mean())) / spread


def nanmean_rows(values: NDArray[np.float64]) -> FloatArray:
    """Row means ignoring NaN; a row with nothing answered is NaN (quietly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        means: FloatArray = np.nanmean(values, axis=1)
    return means
