"""Geometry of a questionnaire's trend chart: its total over time, drawn server-side as SVG.

The instrument's severity bands are shaded behind the line in greys graded light to dark and
named beside the plot, so the bands read without colour. The totals are one Okabe-Ito blue line
with round markers (white-haloed so they stand out on any shade); a screening cut-off is a black
dashed line with its own label, so line and cut-off differ by dash pattern in grey print too.
Like `checkins/chart.py` this is geometry only: `questionnaires/_trend_chart.html` draws it.
Medication events inside the range are dashed vertical lines with a short label
(`medications/markers.py`), listed for screen readers too.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from affectrange.analysis.events import MedicationEvent
from affectrange.instruments.scoring import Band, band_for
from affectrange.medications.markers import EventMarker, describe_markers, place_markers

WIDTH: Final = 720
HEIGHT: Final = 280
MARGIN_LEFT: Final = 44
MARGIN_RIGHT: Final = 124
"""Wide enough for the longest band label ("moderately severe") beside the plot."""
MARGIN_TOP: Final = 12
MARGIN_BOTTOM: Final = 34

PLOT_LEFT: Final = float(MARGIN_LEFT)
PLOT_RIGHT: Final = float(WIDTH - MARGIN_RIGHT)
PLOT_TOP: Final = float(MARGIN_TOP)
PLOT_BOTTOM: Final = float(HEIGHT - MARGIN_BOTTOM)

SHADE_COUNT: Final = 5
"""CSS classes band-0 (lightest) to band-4 (darkest)."""
CUTOFF_DASH: Final = "6 4"
UNVALIDATED_CAVEAT: Final = "Project-written check, not a validated instrument"

DAILY_TICKS_UP_TO: Final = 10
"""Ranges up to this many days get a tick per day; up to WEEKLY_TICKS_UP_TO, one per Monday."""
WEEKLY_TICKS_UP_TO: Final = 63
MAX_MONTH_TICKS: Final = 8
"""Longer ranges tick every 1, 2, 3, ... months: the first step that keeps labels apart."""
MONTH_STEPS: Final = (1, 2, 3, 6, 12, 24, 60, 120)
MIN_Y_TICK_GAP: Final = 11.0
"""Pixels between y-axis labels (11 px text) so neighbouring numbers never overprint."""


@dataclass(frozen=True, slots=True)
class TrendTick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class TrendBand:
    """One severity band as a rectangle across the plot, covering totals low <= t < high."""

    low: int
    high: int
    """The next band's minimum; for the top band, the instrument's maximum."""
    label: str
    shade: str
    """CSS class "band-0" (lightest) to "band-4" (darkest)."""
    y_top: float
    y_bottom: float
    height: float
    label_y: float
    """Vertical middle of the band, where its name is written beside the plot."""


@dataclass(frozen=True, slots=True)
class TrendPoint:
    x: float
    y: float
    day: dt.date
    total: int
    band: str | None

    @property
    def description(self) -> str:
        """What the marker's tooltip and the table say: "2026-01-05: 11 (moderate)"."""
        return f"{self.day.isoformat()}: {_total_with_band(self)}"


@dataclass(frozen=True, slots=True)
class TrendCutoff:
    value: int
    y: float
    label: str
    label_y: float
    dash: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    chart_id: str
    """Prefix for the element ids of this chart, so a page can show several."""
    title: str
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    maximum: int
    first: dt.date | None
    last: dt.date | None
    bands: tuple[TrendBand, ...]
    points: tuple[TrendPoint, ...]
    path: str | None
    """SVG path data joining the points; None below two points (a lone point is a marker)."""
    x_ticks: tuple[TrendTick, ...]
    y_ticks: tuple[TrendTick, ...]
    cutoff: TrendCutoff | None
    empty: bool
    summary: str
    """One sentence describing the chart for screen readers."""
    caveat: str | None
    """Shown under the chart when the instrument is not a validated one."""
    markers: tuple[EventMarker, ...] = ()
    """Medication events inside the range, oldest first."""


def build_trend_chart(
    *,
    title: str,
    points: Sequence[tuple[dt.date, int]],
    maximum: int,
    bands: Sequence[tuple[int, str]],
    first: dt.date | None = None,
    last: dt.date | None = None,
    unvalidated: bool = False,
    cutoff: int | None = None,
    chart_id: str | None = None,
    medication_events: Sequence[MedicationEvent] = (),
) -> TrendChart:
    """Place each (date, total) inside [first, last] against the instrument's bands.

    Without `first` the range starts at the earliest point, without `last` it ends at the
    latest. Two charts of one instrument on a page need distinct `chart_id`s. Totals outside
    0..maximum and malformed bands raise ValueError: a scoring bug must not be drawn quietly.
    """
    severity = _checked_bands(bands, maximum)
    _check_cutoff(cutoff, maximum)
    if first is not None and last is not None and first > last:
        raise ValueError(f"first ({first}) is after last ({last})")
    kept = sorted((point for point in points if _inside(point[0], first, last)), key=lambda p: p[0])
    for day, total in kept:
        if not 0 <= total <= maximum:
            raise ValueError(f"total {total} on {day} is outside 0..{maximum}")
    start = first if first is not None else (kept[0][0] if kept else last)
    end = last if last is not None else (kept[-1][0] if kept else first)
    placed: tuple[TrendPoint, ...] = ()
    if start is not None and end is not None:
        placed = tuple(
            TrendPoint(
                _x(day, start, end), _y(total, maximum), day, total, band_for(total, severity)
            )
            for day, total in kept
        )
    cutoff_line = _cutoff_line(cutoff, maximum)
    markers = _markers(medication_events, start, end)
    summary = _summary(title, placed, cutoff_line, start, end)
    return TrendChart(
        chart_id=chart_id or _chart_id(title),
        title=title,
        width=WIDTH,
        height=HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=PLOT_BOTTOM,
        maximum=maximum,
        first=start,
        last=end,
        bands=_band_rectangles(severity, maximum),
        points=placed,
        path=_path(placed),
        x_ticks=_x_ticks(start, end) if start is not None and end is not None else (),
        y_ticks=_y_ticks(maximum, severity, cutoff),
        cutoff=cutoff_line,
        empty=not placed,
        summary=" ".join(filter(None, (summary, describe_markers(markers)))),
        caveat=UNVALIDATED_CAVEAT if unvalidated else None,
        markers=markers,
    )


def _markers(
    events: Sequence[MedicationEvent], first: dt.date | None, last: dt.date | None
) -> tuple[EventMarker, ...]:
    if first is None or last is None:
        return ()
    return place_markers(
        events,
        first=first,
        last=last,
        x_of=lambda day: _x(day, first, last),
        plot_top=PLOT_TOP,
        plot_right=PLOT_RIGHT,
    )


def _checked_bands(bands: Sequence[tuple[int, str]], maximum: int) -> tuple[Band, ...]:
    if maximum <= 0:
        raise ValueError(f"maximum must be positive, not {maximum}")
    minima = [minimum for minimum, _ in bands]
    # Bands must tile 0..maximum: a hole would leave totals unshaded and unnamed.
    if minima and (minima[0] != 0 or minima[-1] >= maximum):
        raise ValueError(f"bands must start at 0 and begin below {maximum}: {minima}")
    if any(low >= high for low, high in itertools.pairwise(minima)):
        raise ValueError(f"band minima must ascend: {minima}")
    return tuple(Band(minimum, label) for minimum, label in bands)


def _check_cutoff(cutoff: int | None, maximum: int) -> None:
    if cutoff is not None and not 0 < cutoff <= maximum:
        raise ValueError(f"cut-off {cutoff} is outside 1..{maximum}")


def _inside(day: dt.date, first: dt.date | None, last: dt.date | None) -> bool:
    return (first is None or day >= first) and (last is None or day <= last)


def _chart_id(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f"trend-{slug or 'chart'}"


def _x(day: dt.date, first: dt.date, last: dt.date) -> float:
    span_days = (last - first).days
    if span_days == 0:
        return round((PLOT_LEFT + PLOT_RIGHT) / 2, 1)
    return round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * (day - first).days / span_days, 1)


def _y(value: int, maximum: int) -> float:
    return round(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * value / maximum, 1)


def _shade(index: int, count: int) -> str:
    # Up to five bands keep their rank (so "mild" is equally grey on PHQ-9 and GAD-7);
    # more are spread over the five shades, lightest to darkest.
    if count <= SHADE_COUNT:
        return f"band-{index}"
    return f"band-{round(index * (SHADE_COUNT - 1) / (count - 1))}"


def _band_rectangles(severity: tuple[Band, ...], maximum: int) -> tuple[TrendBand, ...]:
    if not severity:
        return ()
    # Each band runs up to the next one's minimum; the top band up to the maximum.
    highs = [band.minimum for band in severity[1:]] + [maximum]
    rectangles = []
    for index, (band, high) in enumerate(zip(severity, highs, strict=True)):
        y_top, y_bottom = _y(high, maximum), _y(band.minimum, maximum)
        rectangles.append(
            TrendBand(
                low=band.minimum,
                high=high,
                label=band.label,
                shade=_shade(index, len(severity)),
                y_top=y_top,
                y_bottom=y_bottom,
                height=round(y_bottom - y_top, 1),
                label_y=round((y_top + y_bottom) / 2, 1),
            )
        )
    return tuple(rectangles)


def _path(points: tuple[TrendPoint, ...]) -> str | None:
    if len(points) < 2:
        return None
    head, *tail = points
    return f"M{head.x},{head.y}" + "".join(f" L{p.x},{p.y}" for p in tail)


def _cutoff_line(cutoff: int | None, maximum: int) -> TrendCutoff | None:
    if cutoff is None:
        return None
    y = _y(cutoff, maximum)
    # The label sits just above the line, or below it when the line hugs the top of the plot.
    label_y = y - 5 if y - 5 >= PLOT_TOP + 10 else y + 14
    return TrendCutoff(cutoff, y, f"screening cut-off {cutoff}", round(label_y, 1), CUTOFF_DASH)


def _x_ticks(first: dt.date, last: dt.date) -> tuple[TrendTick, ...]:
    """A tick per day for a few days, per Monday for a few weeks, else per 1-120 months."""
    n_days = (last - first).days + 1
    days = [first + dt.timedelta(days=offset) for offset in range(n_days)]
    if n_days <= WEEKLY_TICKS_UP_TO:
        weekly = n_days > DAILY_TICKS_UP_TO
        return tuple(
            TrendTick(_x(day, first, last), f"{day:%b} {day.day}")
            for day in days
            if not weekly or day.weekday() == 0
        )
    month_starts = [day for day in days if day.day == 1]
    step = next(
        (s for s in MONTH_STEPS if -(-len(month_starts) // s) <= MAX_MONTH_TICKS),
        MONTH_STEPS[-1],
    )
    # Steps align to the calendar (every 3 months = January, April, July, October).
    return tuple(
        TrendTick(_x(day, first, last), f"{day:%b %Y}")
        for day in month_starts
        if (day.year * 12 + day.month - 1) % step == 0
    )


def _y_ticks(maximum: int, severity: tuple[Band, ...], cutoff: int | None) -> tuple[TrendTick, ...]:
    """0, the maximum, the cut-off and the band minima, minus any that would overprint."""
    wanted = [0, maximum, *([cutoff] if cutoff is not None else []), *(b.minimum for b in severity)]
    kept: list[int] = []
    for value in wanted:
        if all(abs(_y(value, maximum) - _y(k, maximum)) >= MIN_Y_TICK_GAP for k in kept):
            kept.append(value)
    return tuple(TrendTick(_y(value, maximum), str(value)) for value in sorted(kept))


def _total_with_band(point: TrendPoint) -> str:
    return f"{point.total} ({point.band})" if point.band else str(point.total)


def _summary(
    title: str,
    points: tuple[TrendPoint, ...],
    cutoff: TrendCutoff | None,
    first: dt.date | None,
    last: dt.date | None,
) -> str:
    if not points:
        if first is None or last is None:
            return f"No {title} totals yet."
        if first == last:
            return f"No {title} totals on {first.isoformat()}."
        return f"No {title} totals from {first.isoformat()} to {last.isoformat()}."
    latest = points[-1]
    if len(points) == 1:
        text = f"{title} total on {latest.day.isoformat()}: {_total_with_band(latest)}"
    else:
        totals = [point.total for point in points]
        text = (
            f"{title} totals from {points[0].day.isoformat()} to {latest.day.isoformat()}: "
            f"latest {_total_with_band(latest)}, lowest {min(totals)}, highest {max(totals)}"
        )
    if cutoff is not None:
        text += f"; {cutoff.label}"
    return f"{text}."
