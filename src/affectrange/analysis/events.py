"""Medication events as the analysis sees them: what happened, to which medication, and when.

The same shape as a row of MEDS.csv (CONTRACTS.md section 3) and as a stored timeline entry, so
the command line, the web pages and the simulator hand the analysis one type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal, get_args

EventKind = Literal["start", "dose_change", "stop"]
EVENT_KINDS: Final[tuple[EventKind, ...]] = get_args(EventKind)
CHANGE_KINDS: Final[frozenset[EventKind]] = frozenset({"start", "dose_change"})
"""The events a blunting-like change can be said to follow (CONTRACTS.md `after_event`)."""


@dataclass(frozen=True, slots=True)
class MedicationEvent:
    """A start, dose change or stop of one medication."""

    date: dt.date
    medication: str
    event: EventKind
    dose_mg: float | None

    def __post_init__(self) -> None:
        if self.event not in EVENT_KINDS:
            raise ValueError(f"unknown medication event {self.event!r}")
        if self.dose_mg is None and self.event != "stop":
            raise ValueError(f"a {self.event} needs a dose")
        if self.dose_mg is not None and not self.dose_mg > 0:
            raise ValueError("dose_mg must be positive")
