"""analysis.series: check-ins as day-indexed arrays, and the PA / NA / numbness means."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from affectrange.analysis.items import (
    BLUNTING_ITEMS,
    ITEM_IDS,
    NEGATIVE_ITEMS,
    POSITIVE_ITEMS,
)
from affectrange.analysis.series import DayRow, series_from_rows

FIRST = dt.date(2026, 6, 1)
LAST = dt.date(2026, 6, 4)


def full_row(day: dt.date, values: list[int], event: int | None = None) -> DayRow:
    return (day, dict(zip(ITEM_IDS, values, strict=True)), event)


# joyful..hopeful, sad..lonely, numb..detached
HAND_ROW = [*(6, 5, 5, 4, 2, 1, 0), *(1, 2, 3, 4, 0, 0), *(6, 3, 0)]


def test_item_groups_are_seven_positive_six_negative_three_blunting() -> None:
    assert POSITIVE_ITEMS == ("joyful", "calm", "interested", "close", "proud", "amused", "hopeful")
    assert NEGATIVE_ITEMS == ("sad", "anxious", "irritable", "guilty", "stressed", "lonely")
    assert BLUNTING_ITEMS == ("numb", "indifferent", "detached")


def test_pa_na_and_numbness_are_the_means_of_their_items() -> None:
    series = series_from_rows(FIRST, FIRST, [full_row(FIRST, HAND_ROW, event=2)])

    assert series.positive_affect()[0] == pytest.approx(23 / 7)  # 6+5+5+4+2+1+0
    assert series.negative_affect()[0] == pytest.approx(10 / 6)  # 1+2+3+4+0+0
    assert series.numbness()[0] == pytest.approx(3.0)  # (6+3+0)/3
    assert series.event.tolist() == [2.0]


def test_days_without_a_checkin_are_nan() -> None:
    rows = [full_row(FIRST, [3] * 16), full_row(LAST, [5] * 16)]

    series = series_from_rows(FIRST, LAST, rows)

    assert series.n_days == 4
    assert series.dates == [FIRST + dt.timedelta(days=i) for i in range(4)]
    assert series.answered().tolist() == [True, False, False, True]
    pa = series.positive_affect().tolist()
    assert (pa[0], pa[3]) == (3.0, 5.0)
    assert [math.isnan(value) for value in pa] == [False, True, True, False]
    assert np.isnan(series.event).all()


def test_a_partly_answered_day_averages_only_what_was_answered() -> None:
    # The long CSV format may carry a subset of items; unanswered ones are not zeros.
    values: dict[str, int | None] = {"joyful": 6, "calm": 2, "sad": 4}
    series = series_from_rows(FIRST, FIRST, [(FIRST, values, None)])

    assert series.positive_affect()[0] == 4.0
    assert series.negative_affect()[0] == 4.0
    assert math.isnan(series.numbness()[0])
    assert series.answered().tolist() == [True]


def test_rows_outside_the_period_are_left_out() -> None:
    rows = [full_row(FIRST - dt.timedelta(days=1), [6] * 16), full_row(FIRST, [1] * 16)]

    series = series_from_rows(FIRST, FIRST, rows)

    assert series.positive_affect().tolist() == [1.0]


def test_a_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first"):
        series_from_rows(LAST, FIRST, [])
