"""Before and after each medication event: how far did the daily ratings move, and how sure is that?

For each event, the 28 days before it are compared with two periods after it: weeks 1-4 and
weeks 5-8 (changes attributed to antidepressants, wanted or not, are described as emerging over
weeks). For PA, NA and numbness we report the difference in means, Hedges' g, and a 95% interval
for the difference from a moving-block bootstrap. Days are autocorrelated (today's mood carries
into tomorrow), so resampling single days would understate the uncertainty; blocks of a week keep
that dependence. The resampling seed is fixed so the same data always give the same interval.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.metrics import MIN_DAYS_FOR_LEVEL
from affectrange.analysis.series import DailySeries, FloatArray
from affectrange.analysis.windows import WINDOW_DAYS, Valences

BOOTSTRAP_RESAMPLES: Final = 1000
BLOCK_DAYS: Final = 7
CONFIDENCE: Final = 0.95
BOOTSTRAP_SEED: Final = 20260101
AFTER_PERIODS: Final = (("weeks_1_4", 1), ("weeks_5_8", 1 + WINDOW_DAYS))
"""(name, first day after the event); each period is `WINDOW_DAYS` long."""

Measure = Literal["pa", "na", "numbness"]
MEASURES: Final[tuple[Measure, ...]] = ("pa", "na", "numbness")


@dataclass(frozen=True, slots=True)
class Difference:
    measure: Measure
    before_mean: float
    after_mean: float
    difference: float
    """after - before, on the 0..6 scale."""
    hedges_g: float | None
    """The difference in pooled SDs, small-sample corrected; None when neither period varies."""
    ci_low: float
    ci_high: float
    n_before: int
    n_after: int


@dataclass(frozen=True, slots=True)
class PeriodComparison:
    period: str
    """"weeks_1_4" or "weeks_5_8"."""
    first: dt.date
    last: dt.date
    differences: tuple[Difference, ...]
    """One per measure with at least `MIN_DAYS_FOR_LEVEL` days on both sides; may be empty."""


@dataclass(frozen=True, slots=True)
class EventComparison:
    event: MedicationEvent
    before_first: dt.date
    before_last: dt.date
    periods: tuple[PeriodComparison, ...]


def compare_around_events(
    series: DailySeries, valences: Valences, events: Sequence[MedicationEvent]
) -> tuple[EventComparison, ...]:
    values: dict[Measure, FloatArray] = {
        "pa": valences.pa,
        "na": valences.na,
        "numbness": valences.numbness,
    }
    return tuple(_compare(series, values, event) for event in events)


def _compare(
    series: DailySeries, values: dict[Measure, FloatArray], event: MedicationEvent
) -> EventComparison:
    day = (event.date - series.first).days
    periods = []
    for name, offset in AFTER_PERIODS:
        start = day + offset
        differences = tuple(
            difference
            for measure in MEASURES
            if (
                difference := _difference(
                    measure,
                    _slice(values[measure], day - WINDOW_DAYS, day),
                    _slice(values[measure], start, start + WINDOW_DAYS),
                )
            )
            is not None
        )
        periods.append(
            PeriodComparison(
                name,
                event.date + dt.timedelta(days=offset),
                event.date + dt.timedelta(days=offset + WINDOW_DAYS - 1),
                differences,
            )
        )
    return EventComparison(
        event,
        event.date - dt.timedelta(days=WINDOW_DAYS),
        event.date - dt.timedelta(days=1),
        tuple(periods),
    )


def _slice(values: FloatArray, start: int, stop: int) -> FloatArray:
    """Answered values of days [start, stop), in day order; days outside the series are absent."""
    window = values[max(start, 0) : max(min(stop, values.shape[0]), 0)]
    kept: FloatArray = window[~np.isnan(window)]
    return kept


def _difference(measure: Measure, before: FloatArray, after: FloatArray) -> Difference | None:
    if before.size < MIN_DAYS_FOR_LEVEL or after.size < MIN_DAYS_FOR_LEVEL:
        return None
    low, high = bootstrap_interval(before, after)
    return Difference(
        measure=measure,
        before_mean=float(before.mean()),
        after_mean=float(after.mean()),
        difference=float(after.mean() - before.mean()),
        hedges_g=hedges_g(before, after),
        ci_low=low,
        ci_high=high,
        n_before=int(before.size),
        n_after=int(after.size),
    )


def hedges_g(before: FloatArray, after: FloatArray) -> float | None:
    """(mean_after - mean_before) / pooled SD, times J = 1 - 3 / (4 (n1 + n2) - 9)."""
    n1, n2 = before.size, after.size
    pooled_variance = ((n1 - 1) * before.var(ddof=1) + (n2 - 1) * after.var(ddof=1)) / (n1 + n2 - 2)
    if pooled_variance <= 0:
        return None
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    return float((after.mean() - before.mean()) / math.sqrt(pooled_variance) * correction)


def _block_means(values: FloatArray, rng: np.random.Generator) -> NDArray[np.float64]:
    """`BOOTSTRAP_RESAMPLES` means of moving-block resamples of `values` (same length).

    A resample is `n_blocks` blocks of `BLOCK_DAYS` consecutive values, the last one cut to make
    n values. Block sums come from one cumulative sum, so a resample costs a few additions
    instead of n lookups (the bootstrap was most of the analysis time before).
    """
    n = values.size
    block = min(BLOCK_DAYS, n)
    n_blocks = math.ceil(n / block)
    last_length = n - (n_blocks - 1) * block
    cumulative = np.concatenate(([0.0], np.cumsum(values)))
    possible = n - block + 1
    full_sums = cumulative[block : block + possible] - cumulative[:possible]
    last_sums = cumulative[last_length : last_length + possible] - cumulative[:possible]
    starts = rng.integers(0, possible, size=(BOOTSTRAP_RESAMPLES, n_blocks))
    totals = full_sums[starts[:, :-1]].sum(axis=1) + last_sums[starts[:, -1]]
    means: NDArray[np.float64] = totals / n
    return means


def bootstrap_interval(before: FloatArray, after: FloatArray) -> tuple[float, float]:
    """Percentile interval of mean(after) - mean(before) over block-bootstrap resamples."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    differences = _block_means(after, rng) - _block_means(before, rng)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(differences, [tail, 100 - tail])
    return float(low), float(high)
