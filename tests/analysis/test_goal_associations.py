"""analysis.goal_associations: kept minus not-kept means with Welch intervals, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from affectrange.analysis.goal_associations import (
    LAGS,
    MIN_DAYS_PER_GROUP,
    MIN_PAIRED_DAYS,
    OUTCOMES,
    compare_days,
    goal_associations,
    kept_indicator,
)
from affectrange.analysis.items import ITEM_IDS
from affectrange.analysis.series import series_from_rows
from tests.analysis.helpers import FIRST, NAN, arr, day

ALTERNATING = [1.0, 0.0] * 7
"""14 days: kept on the even days (7), not on the odd ones (7)."""
# Kept days 4,5,3,4,5,4,3 (mean 4, sum of squares 4); other days 2,3,2,1,3,2,1 (mean 2, SS 4).
EVEN = [4.0, 5.0, 3.0, 4.0, 5.0, 4.0, 3.0]
ODD = [2.0, 3.0, 2.0, 1.0, 3.0, 2.0, 1.0]
AFFECT = [value for pair in zip(EVEN, ODD, strict=True) for value in pair]
T_975_12 = 2.178813
"""t(0.975) with 12 degrees of freedom, from a printed t table."""


def test_equal_groups_by_hand() -> None:
    # var = 4/6 each; se = sqrt(2 * (4/6) / 7) = 0.436436; df = 2 * (7 - 1) = 12 when the
    # groups have equal size and variance; half width = 2.178813 * 0.436436 = 0.950918.
    result = compare_days(arr(ALTERNATING), arr(AFFECT), outcome="pa", lag="same_day")

    assert (result.n_kept, result.n_not_kept, result.more_days_needed) == (7, 7, 0)
    assert result.mean_kept == pytest.approx(4.0)
    assert result.mean_not_kept == pytest.approx(2.0)
    assert result.difference == pytest.approx(2.0)
    assert result.df == pytest.approx(12.0)
    assert result.ci_low == pytest.approx(2.0 - 0.950918, abs=1e-5)
    assert result.ci_high == pytest.approx(2.0 + 0.950918, abs=1e-5)
    assert result.ci_low is not None
    assert result.ci_high is not None
    assert result.ci_high - result.ci_low == pytest.approx(2 * T_975_12 * 0.436436, abs=1e-5)
    assert result.enough
    assert result.clear


def test_unequal_groups_use_the_welch_degrees_of_freedom() -> None:
    # Kept: 1..5 (n 5, mean 3, var 2.5). Not kept: 0,0,1,1,2,2,3,3,4,4 (n 10, mean 2, var 20/9).
    # a = 2.5/5 = 0.5, b = (20/9)/10 = 0.222222; se = sqrt(0.722222) = 0.849837;
    # df = 0.722222^2 / (0.5^2/4 + 0.222222^2/9) = 0.521605 / 0.067987 = 7.6721.
    kept = [1.0] * 5 + [0.0] * 10
    affect = [1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]

    result = compare_days(arr(kept), arr(affect), outcome="na", lag="same_day")

    assert result.difference == pytest.approx(1.0)
    assert result.df == pytest.approx(7.6721, abs=1e-3)
    assert result.ci_low is not None
    half_width = 1.0 - result.ci_low
    # The t quantile for 7.67 df lies between the table's t(0.975) for 8 df and for 7 df.
    assert 2.306 * 0.849837 < half_width < 2.365 * 0.849837
    assert result.ci_high == pytest.approx(1.0 + half_width)
    assert not result.clear  # 1.0 - ~1.97 < 0


def test_next_day_pairs_a_day_with_the_one_after_it() -> None:
    # Kept on day i goes with affect on day i + 1: shift AFFECT one day later.
    kept = arr([*ALTERNATING, NAN])
    affect = arr([0.0, *AFFECT])

    result = compare_days(kept, affect, outcome="pa", lag="next_day")

    assert (result.n_kept, result.n_not_kept) == (7, 7)
    assert result.difference == pytest.approx(2.0)
    assert result.df == pytest.approx(12.0)


def test_a_missing_day_breaks_its_pairs() -> None:
    # No check-in on day 2 (NaN in both): the same-day pair of day 2 and the next-day pairs
    # (1 -> 2) and (2 -> 3) are gone; nothing is paired across the gap.
    kept = arr([1.0, 0.0, NAN, 0.0, 1.0])
    affect = arr([5.0, 1.0, NAN, 2.0, 6.0])

    same = compare_days(kept, affect, outcome="pa", lag="same_day")
    following = compare_days(kept, affect, outcome="pa", lag="next_day")

    assert (same.n_kept, same.n_not_kept) == (2, 2)
    # Pairs: (day 0 kept -> 1.0), (day 3 not kept -> 6.0); day 4 has no next day.
    assert (following.n_kept, following.n_not_kept) == (1, 1)


def test_below_the_minimum_nothing_is_computed_and_the_gap_is_named() -> None:
    # 13 paired days, 7 kept and 6 not: one more check-in of either kind would do.
    short = compare_days(arr(ALTERNATING[:13]), arr(AFFECT[:13]), outcome="pa", lag="same_day")
    # 14 days but only 4 kept: one more kept day needed.
    few_kept = compare_days(arr([1.0] * 4 + [0.0] * 10), arr(AFFECT), outcome="pa", lag="same_day")
    # 5 days, 3 kept and 2 not: 9 more days overall, 2 kept and 3 not at least.
    tiny = compare_days(
        arr([1.0, 1.0, 1.0, 0.0, 0.0]), arr(AFFECT[:5]), outcome="na", lag="same_day"
    )

    assert (short.more_days_needed, short.more_kept_needed, short.more_not_kept_needed) == (1, 0, 0)
    assert (few_kept.more_days_needed, few_kept.more_kept_needed) == (1, 1)
    assert (tiny.more_days_needed, tiny.more_kept_needed, tiny.more_not_kept_needed) == (9, 2, 3)
    for result in (short, few_kept, tiny):
        assert not result.enough
        assert result.difference is None
        assert result.ci_low is None
    assert (MIN_PAIRED_DAYS, MIN_DAYS_PER_GROUP) == (14, 5)


def test_no_spread_at_all_gives_a_difference_without_an_interval() -> None:
    result = compare_days(arr(ALTERNATING), arr([3.0, 1.0] * 7), outcome="pa", lag="same_day")

    assert result.difference == pytest.approx(2.0)
    assert (result.ci_low, result.ci_high, result.df) == (None, None, None)
    assert not result.clear


def test_kept_indicator_marks_kept_other_and_unknown_days() -> None:
    answered = np.array([True, True, False, True, False])
    kept_days = [day(0), day(2), day(4), day(9), day(-1)]

    indicator = kept_indicator(FIRST, answered, kept_days)

    # Day 2 and 4 were ticked but have no check-in: unknown, not kept. Out-of-range days ignored.
    assert np.array_equal(indicator, arr([1.0, 0.0, NAN, 0.0, NAN]), equal_nan=True)


def test_goal_associations_compare_pa_na_and_the_numb_item() -> None:
    # 14 days. Kept on even days. PA items follow AFFECT; NA items are 1 on kept days and 3 on
    # others; the "numb" item is 0 kept / 4 other, while the other two blunting items run the
    # other way (so a mean of the three blunting items would show the opposite sign).
    rows = []
    for offset in range(14):
        kept = offset % 2 == 0
        values: dict[str, float | None] = dict.fromkeys(ITEM_IDS, AFFECT[offset])
        for item in ("sad", "anxious", "irritable", "guilty", "stressed", "lonely"):
            values[item] = 1.0 if kept else 3.0
        values["numb"] = 0.0 if kept else 4.0
        values["indifferent"] = values["detached"] = 6.0 if kept else 0.0
        rows.append((day(offset), values, None))
    series = series_from_rows(FIRST, day(13), rows)
    indicator = kept_indicator(FIRST, series.answered(), [day(i) for i in range(0, 14, 2)])

    results = goal_associations(series, indicator)

    assert [(r.outcome, r.lag) for r in results] == [(o, lag) for o in OUTCOMES for lag in LAGS]
    by_key = {(r.outcome, r.lag): r for r in results}
    assert by_key["pa", "same_day"].difference == pytest.approx(2.0)
    assert by_key["na", "same_day"].difference == pytest.approx(-2.0)
    assert by_key["numb", "same_day"].difference == pytest.approx(-4.0)
    # Next day: 13 pairs (the last day has no next day), so below the minimum by one.
    assert by_key["pa", "next_day"].n == 13
    assert by_key["pa", "next_day"].more_days_needed == 1
    numb = by_key["numb", "same_day"]
    assert (numb.mean_kept, numb.mean_not_kept) == (0.0, 4.0)


def test_a_kept_indicator_longer_than_the_series_is_refused() -> None:
    series = series_from_rows(FIRST, day(1), [])
    with pytest.raises(ValueError, match="longer"):
        goal_associations(series, arr([1.0, 0.0, 1.0]))
