"""A person's daily check-ins as day-indexed arrays, with NaN for days or items not answered."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from affectrange.analysis.items import BLUNTING_ITEMS, ITEM_IDS, NEGATIVE_ITEMS, POSITIVE_ITEMS

FloatArray = NDArray[np.float64]
DayRow = tuple[dt.date, Mapping[str, float | None], int | None]
"""(day, item values, event pleasantness) for one check-in; the values may also hold the optional
context fields (`CONTEXT_FIELDS`)."""

CONTEXT_FIELDS: Final = ("sleep_hours", "exercise_minutes", "social_minutes", "alcohol_drinks")


@dataclass(frozen=True, slots=True)
class DailySeries:
    """Calendar days `first`..`last`; row i of `items` is day first + i (NaN where unanswered)."""

    first: dt.date
    items: FloatArray
    """Shape (n_days, len(ITEM_IDS)), columns in ITEM_IDS order."""
    event: FloatArray
    """Shape (n_days,): the day's event pleasantness, -3..+3."""
    context: FloatArray | None = None
    """Shape (n_days, len(CONTEXT_FIELDS)): sleep, exercise, time with people, drinks; NaN where
    not given. None when the source carries no context at all (the CSVs of `analyze`)."""

    @property
    def n_days(self) -> int:
        return int(self.items.shape[0])

    @property
    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=offset) for offset in range(self.n_days)]

    def answered(self) -> NDArray[np.bool_]:
        """Days with at least one answered item."""
        answered: NDArray[np.bool_] = ~np.all(np.isnan(self.items), axis=1)
        return answered

    def positive_affect(self) -> FloatArray:
        return self._valence_mean(POSITIVE_ITEMS)

    def negative_affect(self) -> FloatArray:
        return self._valence_mean(NEGATIVE_ITEMS)

    def numbness(self) -> FloatArray:
        return self._valence_mean(BLUNTING_ITEMS)

    def _valence_mean(self, item_ids: tuple[str, ...]) -> FloatArray:
        columns = [ITEM_IDS.index(item) for item in item_ids]
        with warnings.catch_warnings():
            # A day with none of these items answered is NaN, which is what we want.
            warnings.simplefilter("ignore", category=RuntimeWarning)
            means: FloatArray = np.nanmean(self.items[:, columns], axis=1)
        return means


_COLUMNS: Final = (*ITEM_IDS, *CONTEXT_FIELDS)


def series_from_rows(first: dt.date, last: dt.date, rows: Iterable[DayRow]) -> DailySeries:
    """Day rows into arrays. Rows outside first..last are left out; a later row for the same day
    overwrites an earlier one.

    The values are gathered as plain lists and turned into one array at the end (None becomes
    NaN): setting NumPy elements one by one cost half of a page's analysis time.
    """
    n_days = (last - first).days + 1
    if n_days < 1:
        raise ValueError("the last day comes before the first")
    offsets: list[int] = []
    table: list[list[float | None]] = []
    for day, values, pleasantness in rows:
        offset = (day - first).days
        if 0 <= offset < n_days:
            offsets.append(offset)
            table.append([values.get(column) for column in _COLUMNS] + [pleasantness])
    grid = np.full((n_days, len(_COLUMNS) + 1), np.nan)
    if table:
        grid[offsets] = np.array(table, dtype=np.float64)
    items = grid[:, : len(ITEM_IDS)]
    context = grid[:, len(ITEM_IDS) : len(_COLUMNS)]
    has_context = bool(np.any(~np.isnan(context)))
    return DailySeries(
        first=first,
        items=np.ascontiguousarray(items),
        event=np.ascontiguousarray(grid[:, -1]),
        context=np.ascontiguousarray(context) if has_context else None,
    )
