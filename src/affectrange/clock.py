"""Time as a dependency, so tests (and reminders later) can control "now"."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def local_today(clock: Clock, timezone: str) -> dt.date:
    """The calendar day it is now where the person lives."""
    return clock.now().astimezone(ZoneInfo(timezone)).date()
