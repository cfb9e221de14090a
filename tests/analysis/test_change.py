"""analysis.change: the coarse split (as ruptures finds it), the ramp fit, onsets, event links."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import ruptures
from hypothesis import given, settings
from hypothesis import strategies as st

from affectrange.analysis.change import (
    MAX_EVENT_LAG_DAYS,
    MIN_SEGMENT_DAYS,
    best_split,
    detect_onset,
    fit_ramp_onset,
    link_to_event,
)
from affectrange.analysis.events import EventKind, MedicationEvent
from tests.analysis.helpers import FloatArray, arr

ONSET = dt.date(2026, 4, 1)


def ramp(n_days: int, first_day: int, ramp_days: int) -> FloatArray:
    """0 before `first_day`, then 1/r, 2/r, ... up to 1 on day first_day + r - 1, then 1."""
    days = np.arange(n_days, dtype=np.float64)
    return np.clip((days - first_day + 1) / ramp_days, 0.0, 1.0)


def event(
    days_before_onset: int, kind: EventKind = "start", medication: str = "sertraline"
) -> MedicationEvent:
    dose = None if kind == "stop" else 50.0
    return MedicationEvent(ONSET - dt.timedelta(days=days_before_onset), medication, kind, dose)


# --------------------------------------------------------------------------------------------------
# best_split


def ruptures_split(signal: FloatArray) -> int:
    found = ruptures.Binseg(model="l2", min_size=MIN_SEGMENT_DAYS, jump=1).fit(signal)
    breakpoints = found.predict(n_bkps=1)
    assert breakpoints[-1] == signal.shape[0]
    return int(breakpoints[0])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2 * MIN_SEGMENT_DAYS, 150),
    columns=st.integers(1, 3),
    shift=st.floats(0.0, 3.0),
)
def test_best_split_agrees_with_ruptures_binary_segmentation(
    seed: int, n: int, columns: int, shift: float
) -> None:
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=(n, columns))
    change = int(rng.integers(1, n))
    signal[change:] += shift * rng.normal(size=columns)

    assert best_split(signal) == ruptures_split(signal)


def test_best_split_finds_a_clean_step() -> None:
    # 0 on days 0-9, 1 on days 10-19: the split before day 10 leaves no error at all.
    signal = arr([0.0] * 10 + [1.0] * 10)[:, np.newaxis]

    assert best_split(signal) == 10


def test_best_split_keeps_a_week_on_each_side() -> None:
    # The step sits after day 2, but each side must keep 7 days: the nearest allowed split is 7.
    signal = arr([0.0] * 3 + [5.0] * 17)[:, np.newaxis]

    assert best_split(signal) == MIN_SEGMENT_DAYS


def test_best_split_needs_two_weeks() -> None:
    assert best_split(np.zeros((13, 1))) is None
    assert best_split(arr([0.0] * 7 + [1.0] * 7)[:, np.newaxis]) == 7


# --------------------------------------------------------------------------------------------------
# fit_ramp_onset


def test_ramp_fit_recovers_the_first_day_of_a_noiseless_ramp() -> None:
    # Flat 0 until day 39, 1/14 on day 40, rising to 1 on day 53, flat after.
    days = np.arange(100, dtype=np.int64)
    values = ramp(100, 40, 14)[:, np.newaxis]

    assert values[39, 0] == 0.0
    assert values[40, 0] > 0.0
    assert fit_ramp_onset(days, values, range(10, 80)) == 40


def test_ramp_fit_recovers_the_day_of_a_noiseless_step() -> None:
    days = np.arange(100, dtype=np.int64)
    values = (np.arange(100) >= 60).astype(np.float64)[:, np.newaxis]

    assert fit_ramp_onset(days, values, range(10, 90)) == 60


def test_ramp_fit_counts_calendar_days_not_rows() -> None:
    # Every third day is missed: the rows are not the days, the onset is still day 40.
    days = np.array([day for day in range(100) if day % 3 != 1], dtype=np.int64)
    values = ramp(100, 40, 14)[days][:, np.newaxis]

    assert fit_ramp_onset(days, values, range(10, 80)) == 40


def test_ramp_fit_uses_every_column() -> None:
    # A rising and a falling column with the same onset, on different scales.
    days = np.arange(100, dtype=np.int64)
    shape = ramp(100, 40, 14)
    values = np.column_stack([3 * shape, 2 - shape])

    assert fit_ramp_onset(days, values, range(10, 80)) == 40


def test_ramp_fit_without_candidates_or_data_is_none() -> None:
    days = np.arange(100, dtype=np.int64)
    values = ramp(100, 40, 14)[:, np.newaxis]

    assert fit_ramp_onset(days, values, range(0)) is None
    assert fit_ramp_onset(days[:13], values[:13], range(1, 10)) is None


# --------------------------------------------------------------------------------------------------
# detect_onset


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_onset_of_a_noisy_ramp_is_found_within_three_days(seed: int) -> None:
    # Numbness 1 until day 49, rising by 2.5 over 14 days from day 50; noise SD 0.3; a tenth of
    # the days missed (never day 50 itself, so the truth stays the first day of the change).
    rng = np.random.default_rng(seed)
    numbness = 1.0 + 2.5 * ramp(120, 50, 14) + rng.normal(0, 0.3, 120)
    missed = rng.random(120) < 0.1
    missed[50] = False
    numbness[missed] = np.nan

    onset = detect_onset(numbness, 0)

    assert onset is not None
    assert abs(onset - 50) <= 3


def test_onset_is_searched_only_from_the_given_day() -> None:
    # A big step on day 15 (before the baseline) and a smaller one on day 80.
    level = 1.0 + 3.0 * (np.arange(140) >= 15) + 1.0 * (np.arange(140) >= 80)
    numbness = level + np.random.default_rng(5).normal(0, 0.2, 140)

    assert detect_onset(numbness, 0) == 15
    assert detect_onset(numbness, 30) == 80


def test_onset_needs_two_weeks_of_answered_days() -> None:
    numbness = np.full(60, np.nan)
    numbness[40:53] = np.linspace(0, 3, 13)

    assert detect_onset(numbness, 0) is None


# --------------------------------------------------------------------------------------------------
# link_to_event


def test_link_is_the_latest_start_or_dose_change_on_or_before_the_onset() -> None:
    events = [
        event(60, "start"),
        event(20, "dose_change"),
        event(5, "stop", medication="quetiapine"),
        event(-3, "start", medication="bupropion"),  # after the onset
    ]

    link = link_to_event(ONSET, events)

    assert link is not None
    assert link.event == events[1]
    assert link.lag_days == 20


def test_link_does_not_depend_on_the_order_of_the_events() -> None:
    events = [event(20, "dose_change"), event(60, "start")]

    link = link_to_event(ONSET, list(reversed(events)))

    assert link is not None
    assert link.event == events[0]


def test_an_event_on_the_onset_day_links_with_lag_zero() -> None:
    link = link_to_event(ONSET, [event(0)])

    assert link is not None
    assert link.lag_days == 0


def test_stops_are_never_linked() -> None:
    assert link_to_event(ONSET, [event(10, "stop")]) is None


def test_link_reaches_back_90_days_and_not_91() -> None:
    assert MAX_EVENT_LAG_DAYS == 90
    at_limit = link_to_event(ONSET, [event(90)])
    assert at_limit is not None
    assert at_limit.lag_days == 90
    assert link_to_event(ONSET, [event(91)]) is None


def test_no_events_means_no_link() -> None:
    assert link_to_event(ONSET, []) is None
