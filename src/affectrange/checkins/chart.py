"""Geometry of the "My check-ins" chart: PA, NA and numbness per day, drawn server-side as SVG.

Missing days break a line (a gap is a gap, never an interpolation); a day with no neighbours is
still drawn as a dot. Lines differ by colour (Okabe-Ito, safe for colour blindness), by dash
pattern and by marker shape, so the chart also reads in grey print. Medication events in the range
are dashed vertical lines with a short label (`medications/markers.py`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.items import ITEM_MAX, ITEM_MIN
from affectrange.analysis.series import DailySeries, FloatArray
from affectrange.medications.markers import EventMarker, describe_markers, place_markers

WIDTH: Final = 720
HEIGHT: Final = 280
MARGIN_LEFT: Final = 44
MARGIN_RIGHT: Final = 12
MARGIN_TOP: Final = 12
MARGIN_BOTTOM: Final = 34


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    day: dt.date
    value: float


@dataclass(frozen=True, slots=True)
class ChartLine:
    key: str
    label: str
    color: str
    dash: str
    marker: str
    """"circle", "square" or "triangle"."""
    paths: tuple[str, ...]
    """SVG path data, one per run of consecutive answered days."""
    points: tuple[ChartPoint, ...]
    mean: float | None


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class AffectChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    first: dt.date
    last: dt.date
    n_answered: int
    lines: tuple[ChartLine, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    summary: str
    """A sentence describing the chart for screen readers."""
    markers: tuple[EventMarker, ...] = ()
    """Medication events inside the range, oldest first."""


@dataclass(frozen=True, slots=True)
class _LineStyle:
    key: str
    label: str
    color: str
    dash: str
    marker: str


_LINES: Final = (
    _LineStyle("pa", "Positive feelings (PA)", "#0072B2", "", "circle"),
    _LineStyle("na", "Negative feelings (NA)", "#D55E00", "7 4", "square"),
    _LineStyle("numbness", "Numbness items", "#6A3D9A", "2 3", "triangle"),
)


def build_chart(
    series: DailySeries, medication_events: Sequence[MedicationEvent] = ()
) -> AffectChart:
    values = {
        "pa": series.positive_affect(),
        "na": series.negative_affect(),
        "numbness": series.numbness(),
    }
    last = series.first + dt.timedelta(days=series.n_days - 1)
    lines = tuple(_line(style, values[style.key], series.first) for style in _LINES)
    n_answered = int(np.count_nonzero(series.answered()))
    markers = place_markers(
        medication_events,
        first=series.first,
        last=last,
        x_of=lambda day: _x((day - series.first).days, series.n_days),
        plot_top=MARGIN_TOP,
        plot_right=WIDTH - MARGIN_RIGHT,
    )
    summary = _summary(series.first, last, n_answered, series.n_days, lines)
    return AffectChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=MARGIN_LEFT,
        plot_right=WIDTH - MARGIN_RIGHT,
        plot_top=MARGIN_TOP,
        plot_bottom=HEIGHT - MARGIN_BOTTOM,
        first=series.first,
        last=last,
        n_answered=n_answered,
        lines=lines,
        x_ticks=_x_ticks(series.first, series.n_days),
        y_ticks=tuple(Tick(_y(v), str(v)) for v in range(ITEM_MIN, ITEM_MAX + 1, 2)),
        summary=" ".join(filter(None, (summary, describe_markers(markers)))),
        markers=markers,
    )


def _x(offset: int, n_days: int) -> float:
    span = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    if n_days <= 1:
        return MARGIN_LEFT + span / 2
    return round(MARGIN_LEFT + span * offset / (n_days - 1), 1)


def _y(value: float) -> float:
    span = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    return round(MARGIN_TOP + span * (ITEM_MAX - value) / (ITEM_MAX - ITEM_MIN), 1)


def _line(style: _LineStyle, values: FloatArray, first: dt.date) -> ChartLine:
    n_days = int(values.shape[0])
    points: list[ChartPoint] = []
    paths: list[str] = []
    run: list[ChartPoint] = []
    for offset, value in enumerate(values.tolist()):
        if math.isnan(value):
            _close_run(run, paths)
            run = []
            continue
        point = ChartPoint(
            _x(offset, n_days), _y(value), first + dt.timedelta(days=offset), round(value, 2)
        )
        points.append(point)
        run.append(point)
    _close_run(run, paths)
    answered = values[~np.isnan(values)]
    mean = round(float(answered.mean()), 2) if answered.size else None
    return ChartLine(
        style.key,
        style.label,
        style.color,
        style.dash,
        style.marker,
        tuple(paths),
        tuple(points),
        mean,
    )


def _close_run(run: list[ChartPoint], paths: list[str]) -> None:
    if len(run) >= 2:
        head, *tail = run
        paths.append(f"M{head.x},{head.y}" + "".join(f" L{p.x},{p.y}" for p in tail))


def _x_ticks(first: dt.date, n_days: int) -> tuple[Tick, ...]:
    """A tick on the first of each month, or weekly for short ranges."""
    ticks = []
    for offset in range(n_days):
        day = first + dt.timedelta(days=offset)
        weekly = n_days <= 45 and day.weekday() == 0
        if day.day == 1 or weekly:
            ticks.append(Tick(_x(offset, n_days), day.strftime("%b %-d")))
    return tuple(ticks)


def _summary(
    first: dt.date, last: dt.date, n_answered: int, n_days: int, lines: tuple[ChartLine, ...]
) -> str:
    period = f"{first:%B %-d, %Y} to {last:%B %-d, %Y}"
    if n_answered == 0:
        return f"No check-ins from {period}."
    means = ", ".join(
        f"{line.label} averaged {line.mean}" for line in lines if line.mean is not None
    )
    return (
        f"Check-ins on {n_answered} of {n_days} days from {period}, on a scale of 0 (not at all) "
        f"to 6 (extremely). {means}."
    )
