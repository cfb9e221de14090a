"""analysis.comparisons: Hedges' g, the block-bootstrap interval, the periods around an event."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from affectrange.analysis.comparisons import (
    bootstrap_interval,
    compare_around_events,
    hedges_g,
)
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.series import DailySeries
from affectrange.analysis.windows import Valences
from tests.analysis.helpers import NAN, FloatArray, arr, day, series_of

EVENT_DAY = 60


def start_on(offset: int) -> MedicationEvent:
    return MedicationEvent(day(offset), "sertraline", "start", 50.0)


def width(interval: tuple[float, float]) -> float:
    return interval[1] - interval[0]


def noisy_days(rng: np.random.Generator, n: int, mean: float, sd: float) -> FloatArray:
    """AR(1) daily values (phi 0.4) around `mean`: autocorrelated like diary ratings."""
    values = np.empty(n)
    deviation = 0.0
    for index in range(n):
        deviation = 0.4 * deviation + rng.normal(0, sd)
        values[index] = mean + deviation
    return values


# --------------------------------------------------------------------------------------------------
# Hedges' g


def test_hedges_g_hand_computed() -> None:
    # Before 2 4 2 4 2 4 2 4 (mean 3), after 3 5 3 5 3 5 3 5 (mean 4); each variance 8/7.
    # Pooled variance (7 * 8/7 + 7 * 8/7) / 14 = 8/7; d = 1 / sqrt(8/7) = 0.935414.
    # J = 1 - 3 / (4 * 16 - 9) = 52/55 = 0.945455; g = 0.935414 * 0.945455 = 0.884392.
    before = arr([2, 4] * 4)
    after = arr([3, 5] * 4)

    g = hedges_g(before, after)

    assert g == pytest.approx(1 / math.sqrt(8 / 7) * 52 / 55)
    assert g == pytest.approx(0.884392, abs=1e-6)


def test_hedges_g_with_unequal_sizes_matches_scipy_pieces() -> None:
    rng = np.random.default_rng(11)
    before, after = rng.normal(3, 1, 20), rng.normal(2.4, 0.7, 26)
    # Cohen's d from the pooled-variance t statistic: d = t * sqrt(1/n1 + 1/n2).
    t = stats.ttest_ind(after, before, equal_var=True).statistic
    d = float(t) * math.sqrt(1 / 20 + 1 / 26)
    correction = 1 - 3 / (4 * (20 + 26) - 9)

    assert hedges_g(before, after) == pytest.approx(d * correction, abs=1e-12)


def test_hedges_g_is_negative_when_the_after_period_is_lower() -> None:
    g = hedges_g(arr([3, 5] * 4), arr([2, 4] * 4))

    assert g == pytest.approx(-1 / math.sqrt(8 / 7) * 52 / 55)


def test_hedges_g_is_none_when_neither_period_varies() -> None:
    assert hedges_g(arr([3.0] * 10), arr([4.0] * 10)) is None


# --------------------------------------------------------------------------------------------------
# Bootstrap interval


def test_bootstrap_interval_contains_the_observed_difference() -> None:
    rng = np.random.default_rng(1)
    before, after = noisy_days(rng, 28, 3.0, 0.8), noisy_days(rng, 28, 2.2, 0.8)
    observed = float(after.mean() - before.mean())

    low, high = bootstrap_interval(before, after)

    assert low < observed < high


def test_bootstrap_interval_is_reproducible() -> None:
    rng = np.random.default_rng(2)
    before, after = noisy_days(rng, 28, 3.0, 0.8), noisy_days(rng, 28, 2.2, 0.8)

    assert bootstrap_interval(before, after) == bootstrap_interval(before.copy(), after.copy())


def test_bootstrap_interval_scales_with_the_noise() -> None:
    # The same days with their deviations a quarter as large: with the fixed seed the same
    # blocks are drawn, so every resampled difference, and the width, shrinks by exactly 4.
    rng = np.random.default_rng(3)
    before, after = noisy_days(rng, 28, 3.0, 0.8), noisy_days(rng, 28, 2.2, 0.8)
    quieter_before = 3.0 + (before - 3.0) / 4
    quieter_after = 2.2 + (after - 2.2) / 4

    noisy = bootstrap_interval(before, after)
    quiet = bootstrap_interval(quieter_before, quieter_after)

    assert width(quiet) == pytest.approx(width(noisy) / 4)


def test_bootstrap_interval_narrows_with_more_days() -> None:
    # Four times the days: about half the width (1 / sqrt(4)); asserted loosely.
    rng = np.random.default_rng(4)
    long_before, long_after = noisy_days(rng, 112, 3.0, 0.8), noisy_days(rng, 112, 2.2, 0.8)

    short = bootstrap_interval(long_before[:28], long_after[:28])
    long = bootstrap_interval(long_before, long_after)

    assert width(long) < 0.75 * width(short)


# --------------------------------------------------------------------------------------------------
# Periods around an event


def three_levels(n_days: int = 150) -> DailySeries:
    """PA 3 +- 0.5 before day 60, 4 +- 0.5 on days 61-88, 5 +- 0.5 from day 89; the event day
    itself is an outlier (PA 0) that belongs to no period. NA 2 throughout, numbness 1."""
    pa = []
    for offset in range(n_days):
        level = 3.0 if offset < EVENT_DAY else 4.0 if offset <= 88 else 5.0
        pa.append(level + (0.5 if offset % 2 else -0.5))
    pa[EVENT_DAY] = 0.0
    na = [2.0 + (0.5 if offset % 2 else -0.5) for offset in range(n_days)]
    return series_of(pa, na, [1.0] * n_days)


def test_periods_are_the_28_days_before_and_weeks_1_4_and_5_8_after() -> None:
    series = three_levels()

    (comparison,) = compare_around_events(series, Valences.of(series), [start_on(EVENT_DAY)])

    assert (comparison.before_first, comparison.before_last) == (day(32), day(59))
    first_month, second_month = comparison.periods
    assert (first_month.period, first_month.first, first_month.last) == (
        "weeks_1_4",
        day(61),
        day(88),
    )
    assert (second_month.period, second_month.first, second_month.last) == (
        "weeks_5_8",
        day(89),
        day(116),
    )


def test_differences_are_after_minus_before_over_each_period() -> None:
    # Before: days 32-59, PA 2.5 / 3.5 alternating, mean 3. Weeks 1-4: mean 4; weeks 5-8: mean 5.
    # The event day's PA 0 enters neither mean.
    series = three_levels()

    (comparison,) = compare_around_events(series, Valences.of(series), [start_on(EVENT_DAY)])

    first_month, second_month = comparison.periods
    pa_first = {item.measure: item for item in first_month.differences}["pa"]
    pa_second = {item.measure: item for item in second_month.differences}["pa"]
    assert pa_first.before_mean == pytest.approx(3.0)
    assert pa_first.after_mean == pytest.approx(4.0)
    assert pa_first.difference == pytest.approx(1.0)
    assert pa_second.difference == pytest.approx(2.0)
    assert (pa_first.n_before, pa_first.n_after) == (28, 28)
    assert pa_first.ci_low <= 1.0 <= pa_first.ci_high
    # Within each period PA alternates by +-0.5: variance 28 * 0.25 / 27 on both sides.
    pooled_sd = math.sqrt(28 * 0.25 / 27)
    assert pa_first.hedges_g == pytest.approx(1.0 / pooled_sd * (1 - 3 / (4 * 56 - 9)))
    na_first = {item.measure: item for item in first_month.differences}["na"]
    assert na_first.difference == pytest.approx(0.0)
    # Numbness never varies: a difference of 0 with no effect size.
    numbness_first = {item.measure: item for item in first_month.differences}["numbness"]
    assert numbness_first.difference == pytest.approx(0.0)
    assert numbness_first.hedges_g is None


def test_fewer_than_seven_answered_days_before_give_no_difference() -> None:
    # Only 6 of the 28 days before the event answered (days 54-59): nothing to compare.
    series = three_levels()
    series.items[:54] = NAN
    (comparison,) = compare_around_events(series, Valences.of(series), [start_on(EVENT_DAY)])

    assert all(period.differences == () for period in comparison.periods)

    series.items[53] = 1.0  # a seventh day
    (comparison,) = compare_around_events(series, Valences.of(series), [start_on(EVENT_DAY)])

    assert all(len(period.differences) == 3 for period in comparison.periods)
    assert comparison.periods[0].differences[0].n_before == 7


def test_an_event_near_the_start_of_the_data_has_no_before_period() -> None:
    series = three_levels()

    (comparison,) = compare_around_events(series, Valences.of(series), [start_on(5)])

    assert all(period.differences == () for period in comparison.periods)
    assert comparison.before_first == day(-23)


def test_an_event_near_the_end_compares_only_the_days_that_exist() -> None:
    # Event on day 140 of 150: weeks 1-4 hold days 141-149 (9 days), weeks 5-8 none.
    series = three_levels()

    (comparison,) = compare_around_events(series, Valences.of(series), [start_on(140)])

    first_month, second_month = comparison.periods
    assert [item.n_after for item in first_month.differences] == [9, 9, 9]
    assert second_month.differences == ()


def test_every_event_gets_its_own_comparison() -> None:
    series = three_levels()
    events = [start_on(EVENT_DAY), MedicationEvent(day(100), "sertraline", "stop", None)]

    comparisons = compare_around_events(series, Valences.of(series), events)

    assert [comparison.event for comparison in comparisons] == events
