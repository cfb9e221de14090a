"""analysis.metrics: every SCIENCE.md 4.1 / 4.3 metric against numbers worked out by hand."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from affectrange.analysis import metrics
from affectrange.analysis.metrics import (
    MIN_CONSECUTIVE_PAIRS,
    MIN_DAYS_FOR_LEVEL,
    MIN_DAYS_FOR_SPREAD,
    MIN_EVENTS_FOR_REACTIVITY,
)
from tests.analysis.helpers import NAN, FloatArray, arr

WindowMetric = Callable[[FloatArray], float | None]


def test_minimum_data_rules_are_the_ones_science_md_suggests() -> None:
    # SCIENCE.md 4.1: >= 14 daily entries before spread; 4.3: >= 10 rated events of each sign.
    assert MIN_DAYS_FOR_LEVEL == 7
    assert MIN_DAYS_FOR_SPREAD == 14
    assert MIN_CONSECUTIVE_PAIRS == 10
    assert MIN_EVENTS_FOR_REACTIVITY == 10


# --------------------------------------------------------------------------------------------------
# Mean and SD


def test_mean_level_averages_answered_days_only() -> None:
    # (0 + 1 + 2 + 3 + 4 + 5 + 6) / 7 = 21 / 7 = 3; the two NaN days are not zeros.
    values = arr([0, 1, NAN, 2, 3, 4, NAN, 5, 6])

    assert metrics.mean_level(values) == pytest.approx(3.0)


def test_within_person_sd_divides_by_n_minus_one() -> None:
    # 2, 4 seven times each: mean 3, every squared deviation 1, sum 14.
    # Sample SD = sqrt(14 / 13) = 1.0377...; the population SD (divide by 14) would be exactly 1.
    values = arr([2, 4] * 7)

    sd = metrics.within_person_sd(values)

    assert sd == pytest.approx(math.sqrt(14 / 13))
    assert sd != pytest.approx(1.0)


def test_within_person_sd_matches_the_standard_library_on_a_gappy_series() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 7, size=40).astype(np.float64)
    values[rng.random(40) < 0.25] = np.nan
    answered = [float(value) for value in values if not math.isnan(value)]

    assert metrics.within_person_sd(values) == pytest.approx(statistics.stdev(answered), abs=1e-12)


# --------------------------------------------------------------------------------------------------
# RMSSD


def test_rmssd_uses_truly_consecutive_days_only() -> None:
    # Days 0-5: 1 2 1 2 1 2 (5 pairs, each squared difference 1); day 6 missed;
    # days 7-12: 5 4 5 4 5 4 (5 pairs, each squared difference 1).
    # Consecutive pairs: 10, MSSD = 10 / 10 = 1, RMSSD = 1.
    # Bridging the gap would add the pair (2, 5): (19 / 11) ** 0.5 = 1.314, which is wrong.
    values = arr([1, 2, 1, 2, 1, 2, NAN, 5, 4, 5, 4, 5, 4])

    result = metrics.rmssd(values)

    assert result == pytest.approx(1.0)
    bridged = np.diff(values[~np.isnan(values)])
    assert math.sqrt(float(np.mean(bridged**2))) == pytest.approx(math.sqrt(19 / 11))
    assert result != pytest.approx(math.sqrt(19 / 11))


def test_rmssd_hand_computed_on_uneven_steps() -> None:
    # 3 4 2 2 5 3 3 4 0 1 3: differences 1 -2 0 3 -2 0 1 -4 1 2; squares 1 4 0 9 4 0 1 16 1 4 = 40.
    # RMSSD = sqrt(40 / 10) = 2.
    values = arr([3, 4, 2, 2, 5, 3, 3, 4, 0, 1, 3])

    assert metrics.rmssd(values) == pytest.approx(2.0)


def _separate_pairs(n_pairs: int) -> FloatArray:
    """`n_pairs` pairs of answered days, each followed by a missed day.

    Many answered days (2 per pair) but only `n_pairs` consecutive pairs: the rule counts pairs.
    """
    return arr([1, 3, NAN] * n_pairs)


@pytest.mark.parametrize("metric", [metrics.rmssd, metrics.inertia])
def test_day_to_day_metrics_need_ten_consecutive_pairs(metric: WindowMetric) -> None:
    just_below = _separate_pairs(MIN_CONSECUTIVE_PAIRS - 1)  # 18 answered days, 9 pairs
    at_threshold = _separate_pairs(MIN_CONSECUTIVE_PAIRS)  # 20 answered days, 10 pairs

    assert metric(just_below) is None
    assert metric(at_threshold) is not None


# --------------------------------------------------------------------------------------------------
# Inertia


def test_inertia_is_the_ols_slope_on_mean_centred_lagged_values() -> None:
    # x = 1 2 3 4 5 4 3 2 1 2 3 6, mean 36 / 12 = 3; deviations d = -2 -1 0 1 2 1 0 -1 -2 -1 0 3.
    # Pairs (d_{t-1}, d_t) for t = 1..11:
    #   products: (-2)(-1)=2, (-1)(0)=0, 0*1=0, 1*2=2, 2*1=2, 1*0=0, 0*(-1)=0, (-1)(-2)=2,
    #             (-2)(-1)=2, (-1)*0=0, 0*3=0                                  -> sum 10
    #   lagged squares: 4 1 0 1 4 1 0 1 4 1 0                                   -> sum 17
    # phi = 10 / 17 = 0.588...
    values = arr([1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 6])

    assert metrics.inertia(values) == pytest.approx(10 / 17)


def test_inertia_centres_on_the_mean_of_all_answered_days_and_skips_gaps() -> None:
    # x = 2 4 4 2 2 4 4 2 2 4 4 2 | missed | 6 6, mean (12 * 3 + 12) / 14 = 48 / 14 = 24 / 7.
    # Pairs: the 11 within the first twelve days and (6, 6); none across the gap.
    # With c = 24/7, deviations a = 2 - c = -10/7, b = 4 - c = 4/7, e = 6 - c = 18/7.
    # The first block's pairs: (2,4)x3, (4,4)x3, (4,2)x3, (2,2)x2 (2 4 4 2 repeated thrice, less 1).
    #   numerator   = 3ab + 3b^2 + 3ba + 2a^2 + e^2 = 6ab + 3b^2 + 2a^2 + e^2
    #               = (6(-40) + 3(16) + 2(100) + 324) / 49 = 332 / 49
    #   denominator = 3a^2 + 3b^2 + 3b^2 + 2a^2 + e^2 = 5a^2 + 6b^2 + e^2
    #               = (500 + 96 + 324) / 49 = 920 / 49
    # phi = 332 / 920 = 0.3609...
    values = arr([2, 4, 4, 2, 2, 4, 4, 2, 2, 4, 4, 2, NAN, 6, 6])

    assert metrics.inertia(values) == pytest.approx(332 / 920)


def test_inertia_is_undefined_when_yesterday_never_varies() -> None:
    assert metrics.inertia(arr([3.0] * 15)) is None


# --------------------------------------------------------------------------------------------------
# Relative SD (Mestdagh 2018)


def test_relative_sd_is_one_when_half_the_days_sit_at_each_end_of_the_scale() -> None:
    # 7 zeros and 7 sixes: M = 3, SD^2 = 14 * 9 / 13; room = (3 - 0)(6 - 3) * 14 / 13, ratio 1.
    values = arr([0, 6] * 7)

    assert metrics.relative_sd(values) == pytest.approx(1.0)


def test_relative_sd_hand_computed() -> None:
    # 2, 4 seven times each: M = 3, SD = sqrt(14 / 13), room = sqrt(3 * 3 * 14 / 13).
    # Ratio = sqrt(14 / 13) / sqrt(126 / 13) = sqrt(1 / 9) = 1/3.
    values = arr([2, 4] * 7)

    assert metrics.relative_sd(values) == pytest.approx(1 / 3)


def test_relative_sd_near_the_floor_is_larger_than_the_raw_sd_suggests() -> None:
    # 0, 1 seven times each: M = 0.5, SD = sqrt(14 * 0.25 / 13) = sqrt(3.5 / 13).
    # room = 0.5 * 5.5 * 14 / 13 = 38.5 / 13; ratio = sqrt(3.5 / 38.5) = sqrt(1 / 11) = 0.3015.
    values = arr([0, 1] * 7)

    assert metrics.relative_sd(values) == pytest.approx(math.sqrt(1 / 11))


def test_relative_sd_is_none_when_the_mean_sits_at_an_end_of_the_scale() -> None:
    assert metrics.relative_sd(arr([0.0] * 20)) is None
    assert metrics.relative_sd(arr([6.0] * 20)) is None


# --------------------------------------------------------------------------------------------------
# Emodiversity


def _emotions(*columns: list[float]) -> FloatArray:
    return np.array(columns, dtype=np.float64).T


def test_emodiversity_of_two_equally_felt_emotions_is_ln_2() -> None:
    # Totals 28 and 28: p = 1/2 each, H = -2 * (1/2) ln(1/2) = ln 2.
    items = _emotions([1, 3] * 7, [3, 1] * 7)

    assert metrics.emodiversity(items) == pytest.approx(math.log(2))


def test_emodiversity_of_one_emotion_is_zero_and_an_unfelt_one_adds_nothing() -> None:
    # Only the first emotion is felt: p = (1, 0), H = -(1 ln 1 + 0 ln 0) = 0 with 0 ln 0 = 0.
    items = _emotions([3] * 14, [0] * 14)

    assert metrics.emodiversity(items) == 0.0


def test_emodiversity_is_intensity_weighted() -> None:
    # Totals 42 (3 a day) and 14 (1 a day): p = 3/4, 1/4.
    # H = -(0.75 ln 0.75 + 0.25 ln 0.25) = 0.2158 + 0.3466 = 0.5623. A third, never-felt
    # emotion changes nothing (0 ln 0 = 0).
    expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    two = _emotions([3] * 14, [1] * 14)
    three = _emotions([3] * 14, [1] * 14, [0] * 14)

    assert metrics.emodiversity(two) == pytest.approx(expected)
    assert metrics.emodiversity(three) == pytest.approx(expected)
    assert expected == pytest.approx(0.5623, abs=1e-4)


def test_emodiversity_reaches_ln_s_when_all_emotions_are_felt_equally() -> None:
    items = np.full((14, 13), 2.0)

    assert metrics.emodiversity(items) == pytest.approx(math.log(13))


def test_emodiversity_needs_fourteen_answered_days_and_something_felt() -> None:
    thirteen = _emotions([2] * 13 + [NAN] * 5, [1] * 13 + [NAN] * 5)
    fourteen = _emotions([2] * 14 + [NAN] * 4, [1] * 14 + [NAN] * 4)

    assert metrics.emodiversity(thirteen) is None
    assert metrics.emodiversity(fourteen) is not None
    assert metrics.emodiversity(np.zeros((20, 3))) is None


# --------------------------------------------------------------------------------------------------
# Reactivity


EVENTS_WEEK = [-3, -2, -1, 0, 1, 2, 3]


def test_positive_reactivity_is_the_slope_of_pa_on_pleasant_events() -> None:
    # PA = 2 + 0.5 * max(E, 0) exactly, over four weeks of E = -3..3 (12 pleasant events).
    # Unpleasant days have predictor 0, so PA on them is 2, on the line: slope 0.5.
    event = arr(EVENTS_WEEK * 4)
    pa = 2 + 0.5 * np.maximum(event, 0)

    assert metrics.reactivity(pa, event, sign=+1) == pytest.approx(0.5)


def test_negative_reactivity_is_the_slope_of_na_on_unpleasant_events() -> None:
    # NA = 1 + 0.25 * max(-E, 0) exactly: slope 0.25 (not -0.25: the predictor is max(-E, 0)).
    event = arr(EVENTS_WEEK * 4)
    na = 1 + 0.25 * np.maximum(-event, 0)

    assert metrics.reactivity(na, event, sign=-1) == pytest.approx(0.25)


def test_reactivity_skips_days_without_affect_or_without_an_event() -> None:
    # The exact line survives missing days on either side; the outlier PA 6.0 sits on a day with
    # no rated event and must not enter the fit.
    event = arr([*EVENTS_WEEK * 4, NAN, 2, 3])
    pa = 2 + 0.5 * np.maximum(np.nan_to_num(event), 0)
    pa[28] = 6.0
    pa[3] = np.nan

    assert metrics.reactivity(pa, event, sign=+1) == pytest.approx(0.5)


def test_reactivity_matches_scipy_linregress_on_noisy_data() -> None:
    rng = np.random.default_rng(7)
    event = rng.integers(-3, 4, size=40).astype(np.float64)
    pa = 3 + 0.3 * np.maximum(event, 0) + rng.normal(0, 0.5, size=40)
    reference = stats.linregress(np.maximum(event, 0), pa).slope

    assert metrics.reactivity(pa, event, sign=+1) == pytest.approx(reference, abs=1e-12)


def test_reactivity_needs_ten_events_of_its_sign() -> None:
    # Ten pleasant events (1, 2 five times), five neutral and five unpleasant days.
    event = arr([1, 2] * 5 + [0] * 5 + [-1] * 5)
    pa = 2 + 0.5 * np.maximum(event, 0)
    nine = event.copy()
    nine[0] = 0.0  # one pleasant event fewer

    assert metrics.reactivity(pa, event, sign=+1) == pytest.approx(0.5)
    assert metrics.reactivity(2 + 0.5 * np.maximum(nine, 0), nine, sign=+1) is None
    # Only five unpleasant events: no NA reactivity from the same days.
    assert metrics.reactivity(pa, event, sign=-1) is None


def test_reactivity_refuses_a_sign_other_than_plus_or_minus_one() -> None:
    with pytest.raises(ValueError, match="sign"):
        metrics.reactivity(arr([1.0] * 12), arr([1.0] * 12), sign=0)


# --------------------------------------------------------------------------------------------------
# Minimum days


@pytest.mark.parametrize(
    ("metric", "minimum"),
    [
        (metrics.mean_level, MIN_DAYS_FOR_LEVEL),
        (metrics.within_person_sd, MIN_DAYS_FOR_SPREAD),
        (metrics.relative_sd, MIN_DAYS_FOR_SPREAD),
    ],
)
def test_level_and_spread_are_none_just_below_their_minimum_of_answered_days(
    metric: WindowMetric, minimum: int
) -> None:
    # Missed days pad the series so that the rule has to count answered days, not array length.
    just_below = arr([2, 4] * minimum)
    just_below[minimum - 1 :] = np.nan
    at_threshold = arr([2, 4] * minimum)
    at_threshold[minimum:] = np.nan

    assert metric(just_below) is None
    assert metric(at_threshold) is not None
