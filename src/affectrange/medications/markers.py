"""Medication events as markers on a time chart: a dashed vertical line and a short label.

Pure geometry (standard library and the analysis' event type only), shared by the check-ins
chart and the questionnaire trend charts, which stay free of database imports: their routes hand
them `medications.service.timeline(...)`. The line is dark grey and dashed, so it reads in grey
print and apart from the data lines without relying on colour; labels sit at the top of the plot,
stepped down a row when two events are too close to label side by side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from affectrange.analysis.events import MedicationEvent

MARKER_DASH: Final = "5 3"
MARKER_COLOR: Final = "#333333"
LABEL_ROW_HEIGHT: Final = 12.0
LABEL_ROWS: Final = 3
CHARACTER_WIDTH: Final = 6.2
"""Approximate width in pixels of one character of an 11 px sans-serif label."""
LABEL_PADDING: Final = 6.0
MAX_LABEL_CHARACTERS: Final = 32

_KIND_WORDS: Final = {"start": "start", "dose_change": "dose change", "stop": "stop"}


@dataclass(frozen=True, slots=True)
class EventMarker:
    x: float
    day: dt.date
    text: str
    """What happened: "sertraline 50 mg start"."""
    label: str
    """`text` as drawn on the chart, shortened when long."""
    description: str
    """Complete, for the tooltip and screen readers: "2026-05-03: sertraline 50 mg start"."""
    label_x: float
    label_y: float
    anchor: str
    """SVG text-anchor: "start" (right of the line), or "end" near the right edge."""
    row: int
    """Label row, 0 at the top of the plot."""
    dash: str = MARKER_DASH
    color: str = MARKER_COLOR


def marker_text(event: MedicationEvent) -> str:
    """ "sertraline 50 mg start", "sertraline 100 mg dose change", "sertraline stop"."""
    dose = f" {event.dose_mg:g} mg" if event.dose_mg is not None else ""
    return f"{event.medication}{dose} {_KIND_WORDS[event.event]}"


def _shortened(text: str) -> str:
    if len(text) <= MAX_LABEL_CHARACTERS:
        return text
    return text[: MAX_LABEL_CHARACTERS - 1].rstrip() + "\u2026"


def place_markers(
    events: Iterable[MedicationEvent],
    *,
    first: dt.date,
    last: dt.date,
    x_of: Callable[[dt.date], float],
    plot_top: float,
    plot_right: float,
) -> tuple[EventMarker, ...]:
    """A marker per event from `first` to `last` inclusive, oldest first; others are left out.

    `x_of` is the chart's own date-to-pixel mapping, so a marker sits exactly on its day.
    """
    inside = sorted(
        (event for event in events if first <= event.date <= last),
        key=lambda event: event.date,
    )
    markers: list[EventMarker] = []
    for event in inside:
        x = x_of(event.date)
        text = marker_text(event)
        label = _shortened(text)
        # A label that would run past the plot is written to the left of its line instead.
        near_right = x + 3 + _width(label) > plot_right
        label_x = round(x - 3 if near_right else x + 3, 1)
        anchor = "end" if near_right else "start"
        row = _label_row(_span(label, label_x, anchor), markers)
        markers.append(
            EventMarker(
                x=x,
                day=event.date,
                text=text,
                label=label,
                description=f"{event.date.isoformat()}: {text}",
                label_x=label_x,
                label_y=round(plot_top + LABEL_ROW_HEIGHT * (row + 1) - 2, 1),
                anchor=anchor,
                row=row,
            )
        )
    return tuple(markers)


def _width(label: str) -> float:
    return len(label) * CHARACTER_WIDTH


def _span(label: str, label_x: float, anchor: str) -> tuple[float, float]:
    """Where a label lies horizontally, padded so neighbours do not touch."""
    if anchor == "end":
        return label_x - _width(label) - LABEL_PADDING, label_x + LABEL_PADDING
    return label_x - LABEL_PADDING, label_x + _width(label) + LABEL_PADDING


def _label_row(span: tuple[float, float], placed: list[EventMarker]) -> int:
    """The first row where the label overlaps no other; when every row is taken, rows cycle
    (crowded labels may then overlap, but every event stays listed for readers)."""
    left, right = span
    for row in range(LABEL_ROWS):
        taken = (
            _span(marker.label, marker.label_x, marker.anchor)
            for marker in placed
            if marker.row == row
        )
        if all(right <= other_left or left >= other_right for other_left, other_right in taken):
            return row
    return len(placed) % LABEL_ROWS


def describe_markers(markers: Iterable[EventMarker]) -> str:
    """One sentence for a chart's screen-reader description; "" when there are none."""
    listed = [marker.description for marker in markers]
    if not listed:
        return ""
    return "Medication events marked: " + "; ".join(listed) + "."
