"""analysis.windows: the current 28 days, the baseline window, and the metrics of a window."""

from __future__ import annotations

import math

import pytest

from affectrange.analysis.series import DailySeries
from affectrange.analysis.windows import (
    WINDOW_DAYS,
    Valences,
    choose_baseline,
    current_window,
    window_metrics,
)
from tests.analysis.helpers import NAN, day, series_of


def steady(n_days: int) -> DailySeries:
    """PA 3 +- 0.5, NA 1 +- 0.5, numbness 1, every day: stable everywhere."""
    pa = [2.5 + offset % 2 for offset in range(n_days)]
    na = [0.5 + offset % 2 for offset in range(n_days)]
    return series_of(pa, na, [1.0] * n_days)


def jump_at_day_14(n_days: int) -> DailySeries:
    """PA 1 on days 0-13 and 5 from day 14 on; NA and numbness constant.

    Window [k, k + 28) for 1 <= k <= 13 holds 14 - k days at 1 and 14 + k at 5.
    Its halves' PA means: early 1 + 4k/14, late 5; they differ by 4(14 - k)/14.
    Its sample SD: 28 values, p = (14 - k)/28 of them at 1: var = 28 * 16 p (1 - p) / 27.
      k = 8: differ by 24/14 = 1.714; var = 16 * 6 * 22 / (28 * 27) = 2.794, SD 1.671 -> unstable
      k = 9: differ by 20/14 = 1.429; var = 16 * 5 * 23 / (28 * 27) = 2.434, SD 1.560 -> stable
    NA and numbness never move (difference 0 < 0.1, the floor of the SD), so day 9 is the
    earliest stable start.
    """
    pa = [1.0] * 14 + [5.0] * (n_days - 14)
    return series_of(pa, [1.0] * n_days, [1.0] * n_days)


def baseline_of(series: DailySeries, first_medication_offset: int | None) -> tuple[int, int, str]:
    """(first day, last day, source) of the chosen baseline, as day offsets."""
    medication = None if first_medication_offset is None else day(first_medication_offset)
    baseline = choose_baseline(series, Valences.of(series), medication)
    assert baseline is not None
    first = (baseline.metrics.first - series.first).days
    last = (baseline.metrics.last - series.first).days
    return first, last, baseline.source


# --------------------------------------------------------------------------------------------------
# Current window


def test_current_window_is_the_last_28_calendar_days() -> None:
    # 100 days; day 71 is an outlier at PA 0 just outside the window, day 80 is missed.
    # Window = days 72..99 (28 calendar days), 27 of them answered, PA 4 on each.
    pa = [2.0] * 71 + [0.0] + [4.0] * 28
    pa[80] = NAN
    na = [1.0] * 100
    na[80] = NAN
    series = series_of(pa, na, [1.0] * 100)

    window = current_window(series, Valences.of(series))

    assert WINDOW_DAYS == 28
    assert (window.first, window.last) == (day(72), day(99))
    assert window.n_days == 27
    assert window.pa_mean == pytest.approx(4.0)


def test_current_window_of_a_short_series_is_all_of_it() -> None:
    series = steady(20)

    window = current_window(series, Valences.of(series))

    assert (window.first, window.last, window.n_days) == (day(0), day(19), 20)


def test_window_metrics_fill_every_metric_from_the_window_days() -> None:
    # PA 2.5 / 3.5 alternating: mean 3, sample SD sqrt(28 * 0.25 / 27), RMSSD 1, inertia -1 (each
    # deviation +-0.5 is followed by its opposite: sum(-0.25) / sum(0.25) over 27 pairs).
    series = steady(28)

    window = window_metrics(series, Valences.of(series), 0, 28)

    assert window.pa_mean == pytest.approx(3.0)
    assert window.na_mean == pytest.approx(1.0)
    assert window.numbness_mean == pytest.approx(1.0)
    assert window.pa_sd == pytest.approx(math.sqrt(28 * 0.25 / 27))
    assert window.pa_rmssd == pytest.approx(1.0)
    assert window.pa_inertia == pytest.approx(-1.0)
    # No events were rated: reactivity cannot be estimated.
    assert window.pa_reactivity is None
    assert window.na_reactivity is None


# --------------------------------------------------------------------------------------------------
# Baseline


def test_baseline_is_the_28_days_before_the_first_medication_event() -> None:
    series = steady(120)

    assert baseline_of(series, 60) == (32, 59, "before_first_medication")


def test_baseline_ends_before_the_current_window_when_the_medication_is_recent() -> None:
    # First event on day 110 of 120: the 28 days before it overlap the last 28 days (92..119),
    # so the baseline is the 28 days before the current window.
    series = steady(120)

    assert baseline_of(series, 110) == (64, 91, "before_first_medication")


def test_baseline_falls_back_to_the_earliest_stable_stretch_without_a_medication() -> None:
    assert baseline_of(jump_at_day_14(80), None) == (9, 36, "earliest_stable")


def test_baseline_falls_back_when_the_data_begin_after_the_first_event() -> None:
    assert baseline_of(jump_at_day_14(80), -5) == (9, 36, "earliest_stable")


def test_baseline_falls_back_when_the_data_begin_too_close_to_the_first_event() -> None:
    # Only 10 days before the event: fewer than the 14 an SD needs.
    assert baseline_of(jump_at_day_14(80), 10) == (9, 36, "earliest_stable")


def test_baseline_is_the_earliest_window_when_no_stretch_is_stable() -> None:
    # PA rises by 0.05 a day throughout: in any 28 days the halves differ by 14 * 0.05 = 0.7,
    # while the SD is 0.05 * sqrt(28 * 29 / 12) = 0.411 (sample SD of 0..27 is sqrt(n(n+1)/12)).
    pa = [0.05 * offset for offset in range(100)]
    series = series_of(pa, [1.0] * 100, [1.0] * 100)

    assert baseline_of(series, None) == (0, 27, "earliest")


def test_there_is_no_baseline_when_no_28_days_fit_before_the_current_window() -> None:
    # 55 days: the current window takes 27..54, leaving 27 days before it.
    short = steady(55)
    just_enough = steady(56)

    assert choose_baseline(short, Valences.of(short), None) is None
    assert baseline_of(just_enough, None) == (0, 27, "earliest_stable")


def test_there_is_no_baseline_when_too_few_days_were_answered_before() -> None:
    # 100 days, only the last 40 answered: no 28-day window before the current one has 14 days.
    pa = [NAN] * 60 + [2.5, 3.5] * 20
    series = series_of(pa, pa, [NAN] * 60 + [1.0] * 40)

    assert choose_baseline(series, Valences.of(series), day(70)) is None
