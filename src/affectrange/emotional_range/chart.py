"""Geometry of the "My emotional range" chart: PA and NA over time with their day-to-day range.

For each of PA and NA the chart shows the day's value as a small dot, a 7-day rolling mean as a
line, and a band of that mean plus and minus the rolling SD of the same days: a narrow band is a
run of steady days, a wide one a run of ups and downs, which is what "emotional range" means on
this page. The window is centred on the day (three days either side), so the line does not lag
behind a change, and it needs at least four answered days of the seven, so a lone check-in
between gaps does not draw a band of its own. The numbness items' rolling mean is a third line
(no band), because a rise in numbness is the defining mark of a blunting-like change.

Reading in grey print and for colour-blind readers: PA is Okabe-Ito blue with a solid line, round
dots and a flat translucent band; NA is Okabe-Ito vermillion with a dashed line, square dots and
a hatched band; numbness is a dotted purple line (the colour the check-ins chart uses for it).
Medication events are dashed grey verticals with labels (`medications/markers.py`); the onset of
a change is a solid black vertical, and the baseline and current windows are shaded spans with
their names at the foot of the plot. Like `checkins/chart.py` this module is geometry only;
`emotional_range/_chart.html` draws it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from affectrange.analysis.engine import PersonAnalysis
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.items import ITEM_MAX, ITEM_MIN
from affectrange.analysis.series import DailySeries, FloatArray
from affectrange.analysis.windows import WindowMetrics
from affectrange.medications.markers import EventMarker, describe_markers, place_markers

WIDTH: Final = 720
HEIGHT: Final = 300
MARGIN_LEFT: Final = 44
MARGIN_RIGHT: Final = 12
MARGIN_TOP: Final = 12
MARGIN_BOTTOM: Final = 34
PLOT_LEFT: Final = float(MARGIN_LEFT)
PLOT_RIGHT: Final = float(WIDTH - MARGIN_RIGHT)
PLOT_TOP: Final = float(MARGIN_TOP)
PLOT_BOTTOM: Final = float(HEIGHT - MARGIN_BOTTOM)

ROLLING_DAYS: Final = 7
ROLLING_MIN_DAYS: Final = 4
"""A rolling mean and SD need at least this many answered days of the seven."""
WEEKLY_TICKS_UP_TO: Final = 63
MONTH_STEPS: Final = (1, 2, 3, 6, 12)
MAX_MONTH_TICKS: Final = 8
WINDOW_LABEL_Y: Final = PLOT_BOTTOM - 5
ONSET_LABEL_Y: Final = PLOT_BOTTOM - 19
"""One text row above the window names, so "change began" never overprints "last 4 weeks"."""
LABEL_EDGE_GAP: Final = 110.0
"""Near the right edge a label is anchored to the left of its line, so it stays in the plot."""


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    day: dt.date
    value: float


@dataclass(frozen=True, slots=True)
class AffectSeries:
    """One valence on the chart: dots, the rolling mean line and its band."""

    key: str
    label: str
    color: str
    dash: str
    """SVG stroke-dasharray of the mean line ("" = solid)."""
    marker: str
    """Dot shape: "circle" or "square"."""
    band_fill: str
    """SVG fill of the band: a colour, or a url(#pattern)."""
    band_opacity: float
    dots: tuple[Dot, ...]
    mean_paths: tuple[str, ...]
    """SVG path data of the rolling mean, one per run of days that have one."""
    band_paths: tuple[str, ...]
    """Closed SVG paths: mean + SD along the top, mean - SD back along the bottom."""


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class WindowSpan:
    """The baseline or the current window, shaded behind the data."""

    kind: str
    """"baseline" or "current"."""
    label: str
    first: dt.date
    last: dt.date
    x: float
    width: float
    label_x: float


@dataclass(frozen=True, slots=True)
class OnsetMark:
    day: dt.date
    x: float
    label: str
    label_x: float
    anchor: str


@dataclass(frozen=True, slots=True)
class TableRow:
    """One answered day for the screen-reader table, values rounded for reading."""

    day: dt.date
    pa: float | None
    pa_mean: float | None
    pa_sd: float | None
    na: float | None
    na_mean: float | None
    na_sd: float | None
    numbness: float | None


@dataclass(frozen=True, slots=True)
class RangeChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    first: dt.date
    last: dt.date
    affect: tuple[AffectSeries, ...]
    numbness_paths: tuple[str, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    windows: tuple[WindowSpan, ...]
    onset: OnsetMark | None
    markers: tuple[EventMarker, ...]
    rows: tuple[TableRow, ...]
    summary: str
    """The chart in sentences, for screen readers (the SVG's <desc>)."""

    numbness_color: str = "#6A3D9A"
    numbness_dash: str = "2 3"


@dataclass(frozen=True, slots=True)
class _Style:
    key: str
    label: str
    color: str
    dash: str
    marker: str
    band_fill: str
    band_opacity: float


_PA: Final = _Style("pa", "Positive feelings (PA)", "#0072B2", "", "circle", "#0072B2", 0.18)
_NA: Final = _Style(
    "na", "Negative feelings (NA)", "#D55E00", "7 4", "square", "url(#range-na-hatch)", 1.0
)


def rolling_mean_sd(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Centred 7-day mean and sample SD of day-indexed `values` (NaN = not answered).

    NaN where fewer than `ROLLING_MIN_DAYS` of the seven days are answered; the window is cut
    at the ends of the series rather than padded with invented days.
    """
    half = ROLLING_DAYS // 2
    padded = np.concatenate((np.full(half, np.nan), values, np.full(half, np.nan)))
    windows = sliding_window_view(padded, ROLLING_DAYS)
    counts = np.count_nonzero(~np.isnan(windows), axis=1)
    with warnings.catch_warnings():
        # All-NaN windows give NaN, which the count check below turns into "no value" anyway.
        warnings.simplefilter("ignore", category=RuntimeWarning)
        means = np.nanmean(windows, axis=1)
        sds = np.nanstd(windows, axis=1, ddof=1)
    enough = counts >= ROLLING_MIN_DAYS
    return np.where(enough, means, np.nan), np.where(enough, sds, np.nan)


def build_range_chart(
    series: DailySeries, analysis: PersonAnalysis, events: Sequence[MedicationEvent] = ()
) -> RangeChart:
    last = series.first + dt.timedelta(days=series.n_days - 1)
    scale = _Scale(series.first, series.n_days)
    pa, na, numbness = series.positive_affect(), series.negative_affect(), series.numbness()
    pa_mean, pa_sd = rolling_mean_sd(pa)
    na_mean, na_sd = rolling_mean_sd(na)
    numbness_mean, _ = rolling_mean_sd(numbness)
    markers = place_markers(
        events,
        first=series.first,
        last=last,
        x_of=scale.x_of,
        plot_top=PLOT_TOP,
        plot_right=PLOT_RIGHT,
    )
    windows = _windows(analysis, scale, series.first, last)
    onset = _onset(analysis.blunting.onset_date, scale, series.first, last)
    return RangeChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=PLOT_BOTTOM,
        first=series.first,
        last=last,
        affect=(
            _affect(_PA, pa, pa_mean, pa_sd, scale),
            _affect(_NA, na, na_mean, na_sd, scale),
        ),
        numbness_paths=_paths(scale, numbness_mean),
        x_ticks=_x_ticks(series.first, series.n_days, scale),
        y_ticks=tuple(Tick(_y(v), str(v)) for v in range(ITEM_MIN, ITEM_MAX + 1, 2)),
        windows=windows,
        onset=onset,
        markers=markers,
        rows=_rows(series, (pa, pa_mean, pa_sd, na, na_mean, na_sd, numbness)),
        summary=_summary(series, analysis, windows, onset, markers),
    )


@dataclass(frozen=True, slots=True)
class _Scale:
    first: dt.date
    n_days: int

    def x(self, offset: float) -> float:
        span = PLOT_RIGHT - PLOT_LEFT
        if self.n_days <= 1:
            return PLOT_LEFT + span / 2
        return round(PLOT_LEFT + span * offset / (self.n_days - 1), 1)

    def x_of(self, day: dt.date) -> float:
        return self.x((day - self.first).days)


def _y(value: float) -> float:
    clipped = min(max(value, ITEM_MIN), ITEM_MAX)
    span = PLOT_BOTTOM - PLOT_TOP
    return round(PLOT_TOP + span * (ITEM_MAX - clipped) / (ITEM_MAX - ITEM_MIN), 1)


def _affect(
    style: _Style, values: FloatArray, mean: FloatArray, sd: FloatArray, scale: _Scale
) -> AffectSeries:
    dots = tuple(
        Dot(scale.x(offset), _y(value), scale.first + dt.timedelta(days=offset), round(value, 2))
        for offset, value in enumerate(values.tolist())
        if not np.isnan(value)
    )
    return AffectSeries(
        key=style.key,
        label=style.label,
        color=style.color,
        dash=style.dash,
        marker=style.marker,
        band_fill=style.band_fill,
        band_opacity=style.band_opacity,
        dots=dots,
        mean_paths=_paths(scale, mean),
        band_paths=_band_paths(scale, mean, sd),
    )


def _runs(present: list[bool]) -> list[range]:
    """Index ranges of consecutive True entries, at least two long (one point draws nothing)."""
    runs: list[range] = []
    start: int | None = None
    for index, here in enumerate([*present, False]):
        if here and start is None:
            start = index
        elif not here and start is not None:
            if index - start >= 2:
                runs.append(range(start, index))
            start = None
    return runs


def _paths(scale: _Scale, values: FloatArray) -> tuple[str, ...]:
    paths = []
    for run in _runs((~np.isnan(values)).tolist()):
        points = [f"{scale.x(i)},{_y(float(values[i]))}" for i in run]
        paths.append("M" + " L".join(points))
    return tuple(paths)


def _band_paths(scale: _Scale, mean: FloatArray, sd: FloatArray) -> tuple[str, ...]:
    paths = []
    for run in _runs((~np.isnan(mean) & ~np.isnan(sd)).tolist()):
        upper = [f"{scale.x(i)},{_y(float(mean[i] + sd[i]))}" for i in run]
        lower = [f"{scale.x(i)},{_y(float(mean[i] - sd[i]))}" for i in reversed(run)]
        paths.append("M" + " L".join(upper + lower) + " Z")
    return tuple(paths)


def _windows(
    analysis: PersonAnalysis, scale: _Scale, first: dt.date, last: dt.date
) -> tuple[WindowSpan, ...]:
    spans = []
    for kind, label, window in (
        ("baseline", "baseline", analysis.baseline),
        ("current", "last 4 weeks", analysis.current),
    ):
        if window is None or window.n_days == 0:
            continue
        start, end = max(window.first, first), min(window.last, last)
        if start > end:
            # A report's period can begin after the baseline: a window outside the chart is
            # named in the text, not drawn as a sliver at the edge.
            continue
        x_start, x_end = scale.x_of(start), scale.x_of(end)
        spans.append(
            WindowSpan(
                kind=kind,
                label=label,
                first=window.first,
                last=window.last,
                x=x_start,
                width=round(max(x_end - x_start, 1.0), 1),
                label_x=round((x_start + x_end) / 2, 1),
            )
        )
    return tuple(spans)


def _onset(onset: dt.date | None, scale: _Scale, first: dt.date, last: dt.date) -> OnsetMark | None:
    if onset is None or not first <= onset <= last:
        return None
    x = scale.x_of(onset)
    near_right = PLOT_RIGHT - x < LABEL_EDGE_GAP
    return OnsetMark(
        day=onset,
        x=x,
        label=f"change began {onset.day} {onset:%b}",
        label_x=round(x - 4 if near_right else x + 4, 1),
        anchor="end" if near_right else "start",
    )


def _x_ticks(first: dt.date, n_days: int, scale: _Scale) -> tuple[Tick, ...]:
    """Mondays for short ranges, else the first of every 1, 2, 3, 6 or 12 months: the first step
    that keeps the labels apart at this width."""
    days = [first + dt.timedelta(days=offset) for offset in range(n_days)]
    if n_days <= WEEKLY_TICKS_UP_TO:
        return tuple(Tick(scale.x_of(d), f"{d:%b} {d.day}") for d in days if d.weekday() == 0)
    month_starts = [d for d in days if d.day == 1]
    step = next(
        (s for s in MONTH_STEPS if len(month_starts[::s]) <= MAX_MONTH_TICKS), MONTH_STEPS[-1]
    )
    chosen = [d for d in month_starts if (d.year * 12 + d.month - 1) % step == 0]
    return tuple(
        Tick(scale.x_of(d), f"{d:%b %Y}" if d.month == 1 or i == 0 else f"{d:%b}")
        for i, d in enumerate(chosen)
    )


def _rounded(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 2)


def _rows(series: DailySeries, columns: tuple[FloatArray, ...]) -> tuple[TableRow, ...]:
    answered = series.answered().tolist()
    return tuple(
        TableRow(day, *(_rounded(float(column[offset])) for column in columns))
        for offset, day in enumerate(series.dates)
        if answered[offset]
    )


def _level(window: WindowMetrics) -> str:
    def number(value: float | None) -> str:
        return "not enough data" if value is None else f"{value:.1f}"

    return (
        f"positive feelings averaged {number(window.pa_mean)} and negative feelings "
        f"{number(window.na_mean)}"
    )


def _answered(series: DailySeries) -> int:
    """Check-ins on the chart: the analysis may have read earlier days (a report's baseline)."""
    return int(series.answered().sum())


def _summary(
    series: DailySeries,
    analysis: PersonAnalysis,
    windows: tuple[WindowSpan, ...],
    onset: OnsetMark | None,
    markers: tuple[EventMarker, ...],
) -> str:
    last = series.first + dt.timedelta(days=series.n_days - 1)
    sentences = [
        f"Positive and negative feelings from {series.first:%B} {series.first.day}, "
        f"{series.first.year} to {last:%B} {last.day}, {last.year}: {_answered(series)} check-ins "
        f"on a scale of 0 (not at all) to 6 (extremely), each with a 7-day average and its "
        f"day-to-day spread."
    ]
    if analysis.current.n_days:
        sentences.append(f"In the last 4 weeks {_level(analysis.current)}.")
    if analysis.baseline is not None and any(span.kind == "baseline" for span in windows):
        baseline = analysis.baseline
        sentences.append(
            f"In the baseline, {baseline.first.isoformat()} to {baseline.last.isoformat()}, "
            f"{_level(baseline)}."
        )
    if onset is not None:
        sentences.append(f"A change began around {onset.day.isoformat()}.")
    return " ".join(filter(None, (*sentences, describe_markers(markers))))
