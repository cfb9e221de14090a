"""The metrics of one window of days, and how the baseline window is chosen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Final, Literal

import numpy as np

from affectrange.analysis import metrics
from affectrange.analysis.items import ITEM_IDS, NEGATIVE_ITEMS, POSITIVE_ITEMS
from affectrange.analysis.series import DailySeries, FloatArray

WINDOW_DAYS: Final = 28
"""The current window is the last 28 days; the baseline is 28 days too, so the two compare."""

STABLE_HALVES_SD: Final = 1.0
"""An "earliest stable stretch" has PA, NA and numbness whose two 14-day halves differ by less
than one within-window SD each: no change under way inside the baseline itself."""

BaselineSource = Literal["before_first_medication", "earliest_stable", "earliest"]

_POSITIVE_COLUMNS: Final = [ITEM_IDS.index(item) for item in POSITIVE_ITEMS]
_NEGATIVE_COLUMNS: Final = [ITEM_IDS.index(item) for item in NEGATIVE_ITEMS]
_EMOTION_COLUMNS: Final = _POSITIVE_COLUMNS + _NEGATIVE_COLUMNS


@dataclass(frozen=True, slots=True)
class WindowMetrics:
    """SCIENCE.md 4.1 metrics of one window, per valence; None where there is too little data."""

    first: dt.date
    last: dt.date
    n_days: int
    """Answered days in the window."""
    pa_mean: float | None
    na_mean: float | None
    numbness_mean: float | None
    """Mean of the three blunting items (numb, indifferent, detached)."""
    pa_sd: float | None
    na_sd: float | None
    pa_rmssd: float | None
    na_rmssd: float | None
    pa_inertia: float | None
    na_inertia: float | None
    pa_relative_sd: float | None
    """Mean-adjusted variability: the SD as a share of the most the mean leaves room for."""
    na_relative_sd: float | None
    emodiversity: float | None
    positive_emodiversity: float | None
    negative_emodiversity: float | None
    pa_reactivity: float | None
    na_reactivity: float | None

    def as_dict(self) -> dict[str, float | int | str | None]:
        # Shallow on purpose: dataclasses.asdict deep-copies every value, a tenth of the CLI's time.
        values: dict[str, float | int | str | None] = {
            field.name: getattr(self, field.name) for field in fields(self)
        }
        values["first"] = self.first.isoformat()
        values["last"] = self.last.isoformat()
        return values


@dataclass(frozen=True, slots=True)
class Baseline:
    metrics: WindowMetrics
    source: BaselineSource


@dataclass(frozen=True, slots=True)
class Valences:
    """Day-indexed PA, NA and numbness of a whole series, computed once."""

    pa: FloatArray
    na: FloatArray
    numbness: FloatArray

    @classmethod
    def of(cls, series: DailySeries) -> Valences:
        return cls(series.positive_affect(), series.negative_affect(), series.numbness())


def window_metrics(series: DailySeries, valences: Valences, start: int, stop: int) -> WindowMetrics:
    """Metrics of days [start, stop) of the series (indices clipped to the series)."""
    start, stop = max(start, 0), min(stop, series.n_days)
    pa, na = valences.pa[start:stop], valences.na[start:stop]
    items, event = series.items[start:stop], series.event[start:stop]
    return WindowMetrics(
        first=series.first + dt.timedelta(days=start),
        last=series.first + dt.timedelta(days=stop - 1),
        n_days=int(np.count_nonzero(~np.isnan(pa) | ~np.isnan(na))),
        pa_mean=metrics.mean_level(pa),
        na_mean=metrics.mean_level(na),
        numbness_mean=metrics.mean_level(valences.numbness[start:stop]),
        pa_sd=metrics.within_person_sd(pa),
        na_sd=metrics.within_person_sd(na),
        pa_rmssd=metrics.rmssd(pa),
        na_rmssd=metrics.rmssd(na),
        pa_inertia=metrics.inertia(pa),
        na_inertia=metrics.inertia(na),
        pa_relative_sd=metrics.relative_sd(pa),
        na_relative_sd=metrics.relative_sd(na),
        emodiversity=metrics.emodiversity(items[:, _EMOTION_COLUMNS]),
        positive_emodiversity=metrics.emodiversity(items[:, _POSITIVE_COLUMNS]),
        negative_emodiversity=metrics.emodiversity(items[:, _NEGATIVE_COLUMNS]),
        pa_reactivity=metrics.reactivity(pa, event, sign=+1),
        na_reactivity=metrics.reactivity(na, event, sign=-1),
    )


def current_window(series: DailySeries, valences: Valences) -> WindowMetrics:
    return window_metrics(series, valences, series.n_days - WINDOW_DAYS, series.n_days)


def choose_baseline(
    series: DailySeries, valences: Valences, first_medication: dt.date | None
) -> Baseline | None:
    """The 28 days before the first medication event, else the earliest stable 28 days.

    The pre-medication window is used when it holds enough answered days for an SD; when the data
    begin too close to (or after) the first event, the earliest stable stretch stands in. The
    baseline must end before the current window starts, or there is nothing to compare.
    """
    latest_stop = series.n_days - WINDOW_DAYS
    if first_medication is not None:
        stop = min((first_medication - series.first).days, latest_stop)
        if stop >= metrics.MIN_DAYS_FOR_SPREAD:
            window = window_metrics(series, valences, stop - WINDOW_DAYS, stop)
            if _enough(window):
                return Baseline(window, "before_first_medication")
    return _earliest_stable(series, valences, latest_stop)


def _enough(window: WindowMetrics) -> bool:
    return window.n_days >= metrics.MIN_DAYS_FOR_SPREAD and window.pa_sd is not None


def _earliest_stable(series: DailySeries, valences: Valences, latest_stop: int) -> Baseline | None:
    answered = ~np.isnan(valences.pa) | ~np.isnan(valences.na)
    counts = np.concatenate(([0], np.cumsum(answered)))
    first_enough: int | None = None
    for start in range(0, latest_stop - WINDOW_DAYS + 1):
        if counts[start + WINDOW_DAYS] - counts[start] < metrics.MIN_DAYS_FOR_SPREAD:
            continue
        if first_enough is None:
            first_enough = start
        if _stable(valences, start):
            window = window_metrics(series, valences, start, start + WINDOW_DAYS)
            return Baseline(window, "earliest_stable")
    if first_enough is None:
        return None
    window = window_metrics(series, valences, first_enough, first_enough + WINDOW_DAYS)
    return Baseline(window, "earliest")


def _stable(valences: Valences, start: int) -> bool:
    half = WINDOW_DAYS // 2
    for values in (valences.pa, valences.na, valences.numbness):
        window = values[start : start + WINDOW_DAYS]
        early, late = metrics.present(window[:half]), metrics.present(window[half:])
        spread = metrics.within_person_sd(window)
        if early.size == 0 or late.size == 0 or spread is None:
            return False
        if abs(float(late.mean()) - float(early.mean())) >= STABLE_HALVES_SD * max(spread, 0.1):
            return False
    return True
