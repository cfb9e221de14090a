"""A person's emotional range: their check-ins from the first one to today, analysed.

Nothing is stored here. The check-ins and the medication timeline come from their own features'
services; the pure analysis engine (`analysis.engine.analyze`) turns them into the pattern, the
onset of a change and its order relative to medication events, the before/after comparisons and
the everyday associations. The page, the API, the clinician's pages and the appointment report
(`reports.service`) read the same `RangeView`; the report ends it on the last day of its period.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from affectrange.analysis.engine import PersonAnalysis, analyze
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.series import DailySeries
from affectrange.checkins import service as checkins
from affectrange.medications import service as medications
from affectrange.medications.service import Person

MAX_DAYS: Final = 730
"""Two years: enough for a baseline before a medication start and a long course after it, and a
bound on the work one page view does (at this length, measured on the demo story: about 5 ms of
analysis and 20 ms of chart geometry)."""

MIN_CHECKINS: Final = 14
"""Below this the page shows its empty state: the analysis needs 14 answered days in the last
28 before it describes a pattern at all (`analysis.pattern.MIN_DAYS_FOR_PATTERN`)."""


@dataclass(frozen=True, slots=True)
class DayAffect:
    """One answered day: the means of its positive, negative and numbness items (0..6)."""

    date: dt.date
    pa: float | None
    na: float | None
    numbness: float | None


@dataclass(frozen=True, slots=True)
class RangeView:
    today: dt.date
    """The last day analysed: the person's today on the page, a report's last day."""
    series: DailySeries
    """Calendar days from the first check-in (at most `MAX_DAYS` before `today`) to `today`."""
    events: tuple[MedicationEvent, ...]
    """The medication timeline up to `today`, oldest first (events before the series included:
    the analysis needs them for the order of a change); empty without medications."""
    analysis: PersonAnalysis
    days: tuple[DayAffect, ...]
    """Answered days only, oldest first."""

    @property
    def n_checkins(self) -> int:
        return self.analysis.n_days

    @property
    def enough(self) -> bool:
        return self.n_checkins >= MIN_CHECKINS


def emotional_range(
    session: Session, person: Person, today: dt.date, *, include_medications: bool = True
) -> RangeView:
    """Everything the "My emotional range" page and `GET /api/v1/range` show, for one person.

    `today` is the last day analysed: a report about an earlier period passes its last day, so
    neither later check-ins nor later medication events enter the analysis. Without
    `include_medications` (a clinician the timeline is not shared with) the analysis runs without
    medication events, so no change is tied to one and no comparison is made around one.

    With no check-ins the series is the single day `today`, empty: the analysis then says
    "insufficient_data", which is what a caller should see, rather than an error.
    """
    first = _first_day(session, person, today)
    series = checkins.daily_series(session, person, first, today)
    events: tuple[MedicationEvent, ...] = ()
    if include_medications:
        timeline = medications.timeline(session, person)
        events = tuple(
            sorted(
                (event for event in timeline if event.date <= today), key=lambda event: event.date
            )
        )
    return RangeView(
        today=today,
        series=series,
        events=events,
        analysis=analyze(series, events),
        days=answered_days(series),
    )


def _first_day(session: Session, person: Person, today: dt.date) -> dt.date:
    earliest = today - dt.timedelta(days=MAX_DAYS - 1)
    first = checkins.first_checkin_day(session, person)
    if first is None:
        return today
    return min(max(first, earliest), today)


def answered_days(series: DailySeries) -> tuple[DayAffect, ...]:
    answered = series.answered()
    columns = zip(
        series.dates,
        series.positive_affect().tolist(),
        series.negative_affect().tolist(),
        series.numbness().tolist(),
        strict=True,
    )
    return tuple(
        DayAffect(day, _value(pa), _value(na), _value(numbness))
        for (day, pa, na, numbness), kept in zip(columns, answered.tolist(), strict=True)
        if kept
    )


def _value(value: float) -> float | None:
    return None if math.isnan(value) else value
