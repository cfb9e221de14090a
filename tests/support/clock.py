"""A clock the tests set by hand."""

from __future__ import annotations

import datetime as dt


class FrozenClock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, delta: dt.timedelta) -> None:
        self.moment += delta
