"""When did a blunting-like change begin, and which medication event came before it?

Method (docs/analysis.md has the reasoning and the measured accuracy):

1. The daily numbness series (mean of numb, indifferent, detached), standardised by its SD, from
   the start of the baseline to the last day. Blunting also lowers NA, but so does a response to
   treatment, which often comes first: with NA as a second column the onset was pulled towards
   the earlier improvement (within 10 days in 96% of simulated changes, against 99% with
   numbness alone; docs/analysis.md). The functions below take any number of columns.
2. Coarse: the single split that best separates the series into two mean levels (least squares on
   the multivariate series: the l2 cost of ruptures' binary segmentation with one breakpoint),
   computed in one pass from cumulative sums.
3. Fine: changes in real diaries ramp up over days to weeks, and a step fitted to a ramp lands in
   its middle. Near the coarse split we fit a "flat, then a straight ramp, then flat" template for
   every first day and ramp length, and keep the best by least squares. Its first day is the onset.

The link to medication (`after_event`) is a temporal order only, never a cause (CONTRACTS.md 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from affectrange.analysis.events import CHANGE_KINDS, MedicationEvent

FloatArray = NDArray[np.float64]

MIN_SEGMENT_DAYS: Final = 7
"""Each side of a split keeps at least a week of answered days."""
RAMP_LENGTHS: Final = tuple(range(1, 36))
"""Ramp lengths tried, in days (1 = a step): up to five weeks, the slowest onset described."""
SEARCH_BEFORE_SPLIT: Final = 36
"""The onset may lie up to a ramp length before the coarse split (a split lands mid-ramp)."""
SEARCH_AFTER_SPLIT: Final = 7
LOCAL_MARGIN: Final = 42
"""Days of data on each side of the search range that the fine fit looks at."""
MAX_EVENT_LAG_DAYS: Final = 90
"""CONTRACTS.md 3: `after_event` is at most 90 days before the onset."""


@dataclass(frozen=True, slots=True)
class EventLink:
    """The latest start or dose change on or before the onset, within 90 days."""

    event: MedicationEvent
    lag_days: int


def best_split(values: FloatArray) -> int | None:
    """Index i that best splits rows [0, i) and [i, n) into two mean levels (least squares).

    `values` is (n, k) without NaN. The reduction in squared error of a split at i is
    sum_k S_ik^2 * n / (i (n - i)), S the cumulative sum of the column-centred values. Both sides
    keep at least `MIN_SEGMENT_DAYS` rows; None when the series is too short.
    """
    n = values.shape[0]
    if n < 2 * MIN_SEGMENT_DAYS:
        return None
    centred = values - values.mean(axis=0)
    sums = np.cumsum(centred, axis=0)[:-1]
    sizes = np.arange(1, n, dtype=np.float64)
    gain = np.sum(sums**2, axis=1) * n / (sizes * (n - sizes))
    allowed = gain[MIN_SEGMENT_DAYS - 1 : n - MIN_SEGMENT_DAYS]
    return int(np.argmax(allowed)) + MIN_SEGMENT_DAYS


def fit_ramp_onset(days: NDArray[np.int64], values: FloatArray, candidates: range) -> int | None:
    """The first day of the best-fitting flat-ramp-flat template among `candidates`.

    `days` are the (sorted) day indices of the rows of `values` (n, k). For first day s and ramp
    length r the template is clip((t - s + 1) / r, 0, 1); each column is fitted as a + b * template
    and the squared-error reduction, summed over columns, picks (s, r).
    """
    if len(candidates) == 0 or values.shape[0] < 2 * MIN_SEGMENT_DAYS:
        return None
    starts = np.asarray(candidates, dtype=np.float64)
    lengths = np.asarray(RAMP_LENGTHS, dtype=np.float64)
    offsets = days[np.newaxis, np.newaxis, :] - starts[:, np.newaxis, np.newaxis] + 1
    templates = np.clip(offsets / lengths[np.newaxis, :, np.newaxis], 0.0, 1.0)
    templates -= templates.mean(axis=2, keepdims=True)
    spread = np.sum(templates**2, axis=2)
    centred = values - values.mean(axis=0)
    fit = templates @ centred
    gain = np.where(spread > 0, np.sum(fit**2, axis=2) / np.where(spread > 0, spread, 1), 0.0)
    start_index, _ = np.unravel_index(int(np.argmax(gain)), gain.shape)
    return int(candidates[int(start_index)])


def detect_onset(numbness: FloatArray, search_from: int) -> int | None:
    """Day index of the first day of a change in numbness from `search_from` on, or None.

    The array is day-indexed (NaN = not answered). Only days from `search_from` take part, so a
    change before the baseline cannot be picked.
    """
    day_index = np.arange(numbness.shape[0])
    keep = (day_index >= search_from) & ~np.isnan(numbness)
    days = day_index[keep]
    kept = numbness[keep]
    scale = float(kept.std(ddof=1)) if kept.size > 1 else 0.0
    standardised = (kept / (scale if scale > 0 else 1.0))[:, np.newaxis]
    split = best_split(standardised)
    if split is None:
        return None
    split_day = int(days[split])
    low = max(split_day - SEARCH_BEFORE_SPLIT, int(days[0]) + 1)
    high = min(split_day + SEARCH_AFTER_SPLIT, int(days[-1]))
    local = (days >= low - LOCAL_MARGIN) & (days <= high + LOCAL_MARGIN)
    return fit_ramp_onset(days[local], standardised[local], range(low, high + 1))


def link_to_event(onset: dt.date, events: Sequence[MedicationEvent]) -> EventLink | None:
    """The latest start or dose change on or before `onset`, at most 90 days before it."""
    before = [
        event
        for event in events
        if event.event in CHANGE_KINDS and 0 <= (onset - event.date).days <= MAX_EVENT_LAG_DAYS
    ]
    if not before:
        return None
    latest = max(before, key=lambda event: event.date)
    return EventLink(latest, (onset - latest.date).days)
