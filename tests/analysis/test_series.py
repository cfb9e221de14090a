"""analysis.series: the context fields (sleep, exercise, people, drinks) beside the items.

The item columns and valence means are tested in tests/checkins/test_daily_series.py.
"""

from __future__ import annotations

import datetime as dt
import math

from affectrange.analysis.items import ITEM_IDS
from affectrange.analysis.series import CONTEXT_FIELDS, series_from_rows

FIRST = dt.date(2026, 3, 2)
SECOND = FIRST + dt.timedelta(days=1)


def test_context_fields_are_sleep_exercise_people_and_drinks() -> None:
    assert CONTEXT_FIELDS == ("sleep_hours", "exercise_minutes", "social_minutes", "alcohol_drinks")


def test_context_values_land_in_their_columns_and_missing_ones_are_nan() -> None:
    values: dict[str, float | None] = dict.fromkeys(ITEM_IDS, 3.0)
    values |= {"sleep_hours": 7.5, "exercise_minutes": 30.0, "alcohol_drinks": None}

    series = series_from_rows(FIRST, SECOND, [(FIRST, values, 1)])

    assert series.context is not None
    assert series.context.shape == (2, 4)
    assert series.context[0, :2].tolist() == [7.5, 30.0]
    assert math.isnan(series.context[0, 2])  # social_minutes not given
    assert math.isnan(series.context[0, 3])  # alcohol_drinks given as None
    assert all(math.isnan(value) for value in series.context[1])  # no check-in on day 2


def test_without_any_context_the_series_has_none() -> None:
    values: dict[str, float | None] = dict.fromkeys(ITEM_IDS, 3.0)

    series = series_from_rows(FIRST, SECOND, [(FIRST, values, None)])

    assert series.context is None


def test_context_alone_does_not_make_a_day_answered() -> None:
    # A day with sleep logged but no item rated has no affect to analyse.
    series = series_from_rows(FIRST, FIRST, [(FIRST, {"sleep_hours": 6.0}, None)])

    assert series.answered().tolist() == [False]
    assert series.context is not None
    assert series.context[0, 0] == 6.0
