"""Small builders shared by the analysis tests: hand-made series and simulated people as series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from affectrange.analysis.items import BLUNTING_ITEMS, ITEM_IDS, NEGATIVE_ITEMS, POSITIVE_ITEMS
from affectrange.analysis.series import CONTEXT_FIELDS, DailySeries, DayRow, series_from_rows
from affectrange.simulate import SimulatedPerson

FloatArray = NDArray[np.float64]
NAN = float("nan")
FIRST = dt.date(2026, 1, 5)


def arr(values: Sequence[float]) -> FloatArray:
    return np.array(values, dtype=np.float64)


def day(offset: int, first: dt.date = FIRST) -> dt.date:
    return first + dt.timedelta(days=offset)


def series_of(
    pa: Sequence[float],
    na: Sequence[float],
    numbness: Sequence[float],
    *,
    event: Sequence[float] | None = None,
    context: FloatArray | None = None,
    first: dt.date = FIRST,
) -> DailySeries:
    """A series whose every positive item is `pa`, every negative item `na` and every blunting
    item `numbness` on each day (NaN = not answered), so the valence means are these numbers."""
    n_days = len(pa)
    if not len(na) == len(numbness) == n_days:
        raise ValueError("pa, na and numbness need one value per day")
    items = np.full((n_days, len(ITEM_IDS)), np.nan)
    for group, values in ((POSITIVE_ITEMS, pa), (NEGATIVE_ITEMS, na), (BLUNTING_ITEMS, numbness)):
        for item in group:
            items[:, ITEM_IDS.index(item)] = values
    events = np.full(n_days, np.nan) if event is None else arr(event)
    return DailySeries(first=first, items=items, event=events, context=context)


def person_rows(person: SimulatedPerson) -> Iterator[DayRow]:
    """The simulated person's answered days as `series_from_rows` reads them, context included."""
    for simulated in person.days:
        values: dict[str, float | None] = {item: float(simulated.items[item]) for item in ITEM_IDS}
        for field in CONTEXT_FIELDS:
            given = getattr(simulated, field)
            values[field] = None if given is None else float(given)
        yield simulated.date, values, simulated.event_pleasantness


def person_series(person: SimulatedPerson, first: dt.date, last: dt.date) -> DailySeries:
    return series_from_rows(first, last, person_rows(person))
