"""analysis.associations: r and its Fisher interval, slopes in everyday units, next-day pairing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from affectrange.analysis.associations import (
    MIN_ASSOCIATION_DAYS,
    MIN_VARIED_DAYS,
    Association,
    associate,
    context_associations,
)
from affectrange.analysis.series import CONTEXT_FIELDS, DailySeries
from affectrange.analysis.windows import Valences
from tests.analysis.helpers import NAN, arr, series_of


def with_context(pa: list[float], **factors: list[float]) -> DailySeries:
    """PA as given, NA a little wavy (so it varies), numbness 1; context columns by name."""
    n_days = len(pa)
    context = np.full((n_days, len(CONTEXT_FIELDS)), np.nan)
    for name, values in factors.items():
        context[:, CONTEXT_FIELDS.index(name)] = values
    na = [NAN if math.isnan(value) else 1.0 + 0.5 * (offset % 3) for offset, value in enumerate(pa)]
    return series_of(pa, na, [1.0] * n_days, context=context)


def found(series: DailySeries, factor: str, outcome: str, lag: str) -> Association | None:
    matches = [
        item
        for item in context_associations(series, Valences.of(series))
        if (item.factor, item.outcome, item.lag) == (factor, outcome, lag)
    ]
    assert len(matches) <= 1
    return matches[0] if matches else None


def test_minimums_are_two_weeks_of_pairs_and_five_varied_days() -> None:
    assert MIN_ASSOCIATION_DAYS == 14
    assert MIN_VARIED_DAYS == 5


# --------------------------------------------------------------------------------------------------
# Correlation and interval


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_r_and_its_interval_match_scipy_pearsonr(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sleep = rng.normal(7, 1, 40).round(1)
    pa = 1 + 0.3 * sleep + rng.normal(0, 0.8, 40)
    reference = stats.pearsonr(sleep, pa)
    interval = reference.confidence_interval(0.95)

    association = associate("sleep_hours", "pa", "same_day", sleep, pa)

    assert association is not None
    assert association.n == 40
    assert association.r == pytest.approx(float(reference.statistic), abs=1e-9)
    assert association.ci_low == pytest.approx(float(interval.low), abs=1e-9)
    assert association.ci_high == pytest.approx(float(interval.high), abs=1e-9)


def test_fisher_interval_is_tanh_of_atanh_r_plus_minus_1_96_over_sqrt_n_minus_3() -> None:
    # n = 19: half width on the z scale 1.959964 / sqrt(16) = 0.489991.
    rng = np.random.default_rng(9)
    x = rng.normal(0, 1, 19)
    y = x + rng.normal(0, 1, 19)

    association = associate("sleep_hours", "na", "same_day", x, y)

    assert association is not None
    z, half = math.atanh(association.r), 1.959964 / math.sqrt(16)
    assert association.ci_low == pytest.approx(math.tanh(z - half), abs=1e-6)
    assert association.ci_high == pytest.approx(math.tanh(z + half), abs=1e-6)


def test_pairs_with_a_missing_side_are_left_out() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.normal(7, 1, 30), rng.normal(3, 1, 30)
    x[[2, 5]] = np.nan
    y[[5, 11, 20]] = np.nan
    both = ~np.isnan(x) & ~np.isnan(y)

    association = associate("sleep_hours", "pa", "same_day", x, y)

    assert association is not None
    assert association.n == 26  # 30 less days 2, 5, 11, 20
    assert association.r == pytest.approx(float(stats.pearsonr(x[both], y[both]).statistic))


# --------------------------------------------------------------------------------------------------
# Slopes in everyday units


def test_slope_is_per_30_minutes_of_exercise() -> None:
    # PA = 2 + 0.01 per minute: 0.3 per 30 minutes.
    minutes = arr([0, 15, 30, 45, 60, 90] * 3)
    association = associate("exercise_minutes", "pa", "same_day", minutes, 2 + 0.01 * minutes)

    assert association is not None
    assert association.slope == pytest.approx(0.3)
    assert association.unit == "30 minutes of exercise"
    assert association.r == pytest.approx(1.0)


def test_slope_is_per_hour_with_people() -> None:
    # NA = 3 - 0.005 per minute with people: -0.3 per hour.
    minutes = arr([0, 30, 60, 120, 180, 240] * 3)
    association = associate("social_minutes", "na", "same_day", minutes, 3 - 0.005 * minutes)

    assert association is not None
    assert association.slope == pytest.approx(-0.3)
    assert association.unit == "hour with people"
    assert association.r == pytest.approx(-1.0)


@pytest.mark.parametrize(
    ("factor", "unit"), [("sleep_hours", "hour of sleep"), ("alcohol_drinks", "drink")]
)
def test_sleep_and_drinks_slopes_are_per_stored_unit(factor: str, unit: str) -> None:
    rng = np.random.default_rng(6)
    x = rng.integers(0, 9, 30).astype(np.float64)
    y = 2 + 0.2 * x + rng.normal(0, 0.5, 30)

    association = associate(factor, "pa", "same_day", x, y)

    assert association is not None
    assert association.slope == pytest.approx(float(stats.linregress(x, y).slope))
    assert association.unit == unit


# --------------------------------------------------------------------------------------------------
# Minimum data


def test_thirteen_pairs_are_too_few_and_fourteen_enough() -> None:
    x = arr(list(range(14)))
    y = arr([0.3 * value + (offset % 2) for offset, value in enumerate(range(14))])

    assert associate("sleep_hours", "pa", "same_day", x[:13], y[:13]) is None
    assert associate("sleep_hours", "pa", "same_day", x, y) is not None


def test_a_factor_that_nearly_never_varies_gives_no_association() -> None:
    # 20 days; drinks differ from the usual 0 on 4 days: too few. On 5 days: enough.
    four = arr([0] * 16 + [1, 2, 1, 3])
    five = arr([0] * 15 + [1, 2, 1, 3, 1])
    pa = arr([2.0 + offset % 3 for offset in range(20)])

    assert associate("alcohol_drinks", "pa", "same_day", four, pa) is None
    assert associate("alcohol_drinks", "pa", "same_day", five, pa) is not None


def test_an_outcome_that_never_varies_gives_no_association() -> None:
    x = arr(list(range(20)))

    assert associate("sleep_hours", "pa", "same_day", x, arr([3.0] * 20)) is None


# --------------------------------------------------------------------------------------------------
# Same day and next day in a series


def test_next_day_pairs_use_consecutive_days_only() -> None:
    # PA on day t + 1 = 2 + 0.5 * sleep on day t exactly, on every day. PA is missed on days
    # 6, 13 and 20: those pairs drop out and the rest still lie on the line (r = 1, slope 0.5).
    # Bridging the gaps (pairing each answered day's sleep with the next *answered* PA) would
    # misalign three pairs and give r = 0.78.
    sleep = [6.0 + (offset * 7 % 5) * 0.5 for offset in range(30)]
    pa = [NAN] + [2 + 0.5 * sleep[offset - 1] for offset in range(1, 30)]
    for missed in (6, 13, 20):
        pa[missed] = NAN
    series = with_context(pa, sleep_hours=sleep)

    association = found(series, "sleep_hours", "pa", "next_day")

    assert association is not None
    assert association.n == 26  # 29 next-day pairs less the 3 with PA missed
    assert association.r == pytest.approx(1.0)
    assert association.slope == pytest.approx(0.5)
    kept = [(sleep[offset], value) for offset, value in enumerate(pa) if not math.isnan(value)]
    bridged = stats.pearsonr(
        [pair[0] for pair in kept[:-1]], [pair[1] for pair in kept[1:]]
    ).statistic
    assert float(bridged) == pytest.approx(0.7765, abs=1e-4)


def test_same_day_and_next_day_are_reported_for_each_factor_and_outcome() -> None:
    rng = np.random.default_rng(8)
    pa = list(3 + rng.normal(0, 0.7, 40))
    sleep = list(rng.normal(7, 1, 40))
    exercise = list(rng.integers(0, 6, 40) * 15.0)
    series = with_context(pa, sleep_hours=sleep, exercise_minutes=exercise)

    found_keys = {
        (item.factor, item.outcome, item.lag)
        for item in context_associations(series, Valences.of(series))
    }

    assert found_keys == {
        (factor, outcome, lag)
        for factor in ("sleep_hours", "exercise_minutes")
        for outcome in ("pa", "na")
        for lag in ("same_day", "next_day")
    }
    same_day = found(series, "sleep_hours", "pa", "same_day")
    assert same_day is not None
    assert same_day.r == pytest.approx(float(stats.pearsonr(sleep, pa).statistic))
    next_day = found(series, "sleep_hours", "pa", "next_day")
    assert next_day is not None
    assert next_day.r == pytest.approx(float(stats.pearsonr(sleep[:-1], pa[1:]).statistic))


def test_a_series_without_context_has_no_associations() -> None:
    series = series_of([3.0, 4.0] * 15, [1.0, 2.0] * 15, [1.0] * 30)

    assert context_associations(series, Valences.of(series)) == ()
