"""What the clinician's dashboard and a person's page show, from what that person shares.

Everything here starts from a `sharing.service.SharedRecord` (the share was checked) and reads
only the parts its scopes allow: check-ins (and the analysis of them), questionnaires, the
medication timeline, notes, safety events. The analysis runs on the shared parts only: without
the medication timeline it runs without medication events, so no change is tied to one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from affectrange.audit import service as audit
from affectrange.checkins import service as checkins
from affectrange.checkins.models import Checkin
from affectrange.clock import Clock, local_today
from affectrange.emotional_range import service as emotional_range
from affectrange.emotional_range.chart import RangeChart, build_range_chart
from affectrange.emotional_range.service import RangeView
from affectrange.emotional_range.wording import RangeText, describe, long_day
from affectrange.medications import service as medications
from affectrange.medications.models import MedicationEvent as MedicationEventRow
from affectrange.questionnaires import service as questionnaires
from affectrange.questionnaires.chart import TrendChart
from affectrange.questionnaires.schedules import DueItem
from affectrange.safety_events import service as safety_events
from affectrange.safety_events.models import SafetyEvent
from affectrange.sharing.service import SharedRecord

QUIET_DAYS: Final = 3
"""A person who has not checked in for more than this many days is named on the dashboard."""


@dataclass(frozen=True, slots=True)
class OverdueQuestionnaire:
    name: str
    days_overdue: int


@dataclass(frozen=True, slots=True)
class NewChange:
    onset: dt.date | None
    """None when the pattern is present from the start of the shared check-ins."""
    words: str


@dataclass(frozen=True, slots=True)
class Attention:
    """What needs the clinician first, per person; None where that part is not shared."""

    safety_events: tuple[SafetyEvent, ...] | None
    change: NewChange | None
    overdue: tuple[OverdueQuestionnaire, ...] | None
    last_checkin: dt.date | None
    days_since_checkin: int | None

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        """Bigger first: safety events since the last visit, a new blunting-like change,
        overdue questionnaires, then the days since the last check-in."""
        return (
            len(self.safety_events or ()),
            int(self.change is not None),
            len(self.overdue or ()),
            self.days_since_checkin or 0,
        )


@dataclass(frozen=True, slots=True)
class DashboardRow:
    record: SharedRecord
    last_visit: dt.datetime | None
    attention: Attention
    reasons: tuple[str, ...]


def dashboard(session: Session, records: list[SharedRecord], clock: Clock) -> list[DashboardRow]:
    """One row per person, most in need of attention first (then by name)."""
    rows = [_row(session, record, clock) for record in records]
    return sorted(
        rows,
        key=lambda row: (
            tuple(-value for value in row.attention.sort_key),
            row.record.person.display_name.lower(),
        ),
    )


def _row(session: Session, record: SharedRecord, clock: Clock) -> DashboardRow:
    person = record.person
    today = local_today(clock, person.timezone)
    last_visit = audit.last_record_view(session, person, record.clinician)
    view = shared_range(session, record, today)
    attention = Attention(
        safety_events=_safety_since(session, record, last_visit),
        change=_new_change(view, last_visit),
        overdue=_overdue(session, record, today),
        last_checkin=_last_checkin(view),
        days_since_checkin=_days_since(view, today),
    )
    return DashboardRow(
        record, last_visit, attention, reasons(attention, view, visited=last_visit is not None)
    )


def shared_range(session: Session, record: SharedRecord, today: dt.date) -> RangeView | None:
    """The person's analysis as the clinician may see it: None without shared check-ins."""
    if not record.scopes.checkins:
        return None
    return emotional_range.emotional_range(
        session, record.person, today, include_medications=record.scopes.medications
    )


def _safety_since(
    session: Session, record: SharedRecord, last_visit: dt.datetime | None
) -> tuple[SafetyEvent, ...] | None:
    if not record.scopes.safety:
        return None
    return tuple(safety_events.list_safety_events(session, record.person, since=last_visit))


def _new_change(view: RangeView | None, last_visit: dt.datetime | None) -> NewChange | None:
    """A blunting-like change the clinician has not seen: found now, and begun after their last
    visit (or never visited). Worded as an order in time, never as a cause."""
    if view is None or not view.enough or not view.analysis.blunting.detected:
        return None
    finding = view.analysis.blunting
    if last_visit is not None and (
        finding.onset_date is None or finding.onset_date < last_visit.date()
    ):
        return None
    if finding.onset_date is None:
        return NewChange(
            None, "Blunting-like pattern in the last 4 weeks, present since the check-ins began"
        )
    words = f"New blunting-like change since about {long_day(finding.onset_date)}"
    if finding.after_event is not None:
        event = finding.after_event.event
        kind = "starting" if event.event == "start" else "a dose change of"
        words += f", {finding.after_event.lag_days} days after {kind} {event.medication}"
    return NewChange(finding.onset_date, words)


def _overdue(
    session: Session, record: SharedRecord, today: dt.date
) -> tuple[OverdueQuestionnaire, ...] | None:
    if not record.scopes.questionnaires:
        return None
    names = {
        instrument.id: instrument.name for instrument in questionnaires.answerable_instruments()
    }
    return tuple(
        OverdueQuestionnaire(
            names.get(item.instrument, item.instrument), (today - item.due_on).days
        )
        for item in questionnaires.due_questionnaires(session, record.person, today=today)
        if item.overdue
    )


def _last_checkin(view: RangeView | None) -> dt.date | None:
    if view is None or not view.days:
        return None
    return view.days[-1].date


def _days_since(view: RangeView | None, today: dt.date) -> int | None:
    last = _last_checkin(view)
    return (today - last).days if last is not None else None


def reasons(attention: Attention, view: RangeView | None, *, visited: bool) -> tuple[str, ...]:
    """The dashboard's "why this person is here", in the order of `Attention.sort_key`."""
    found: list[str] = []
    if attention.safety_events:
        count = len(attention.safety_events)
        latest = attention.safety_events[0].occurred_at
        when = "since your last visit" if visited else "on record, not yet seen by you"
        found.append(
            f"{count} safety event{'s' if count != 1 else ''} {when} "
            f"(the crisis card was shown; latest {long_day(latest.date())})"
        )
    if attention.change is not None:
        found.append(attention.change.words)
    for item in attention.overdue or ():
        found.append(f"{item.name} overdue by {item.days_overdue} days")
    if view is not None:
        if attention.last_checkin is None:
            found.append("No check-ins yet")
        elif (attention.days_since_checkin or 0) > QUIET_DAYS:
            found.append(f"Last check-in {attention.days_since_checkin} days ago")
    return tuple(found)


NOTES_DAYS: Final = 28
"""A person's page shows the notes of the last 4 weeks of check-ins (when notes are shared)."""

RECENT_SAFETY_EVENTS: Final = 20


@dataclass(frozen=True, slots=True)
class PersonPage:
    """What a person's page shows the clinician: each part None when it is not shared."""

    today: dt.date
    view: RangeView | None
    chart: RangeChart | None
    text: RangeText | None
    trends: list[TrendChart] | None
    due: list[DueItem] | None
    medication_events: list[MedicationEventRow] | None
    safety_events: list[SafetyEvent] | None
    checkin_notes: list[Checkin] | None


def person_page(session: Session, record: SharedRecord, today: dt.date) -> PersonPage:
    person = record.person
    scopes = record.scopes
    view = shared_range(session, record, today)
    enough = view is not None and view.enough
    trends = due = None
    if scopes.questionnaires:
        events = medications.timeline(session, person) if scopes.medications else []
        trends = [
            questionnaires.trend_chart(instrument, responses, events)
            for instrument in questionnaires.answerable_instruments()
            if (responses := questionnaires.completed_responses(session, person, instrument.id))
        ]
        due = questionnaires.due_questionnaires(session, person, today=today)
    return PersonPage(
        today=today,
        view=view,
        chart=build_range_chart(view.series, view.analysis, view.events)
        if view is not None and enough
        else None,
        text=describe(view.analysis) if view is not None and enough else None,
        trends=trends,
        due=due,
        medication_events=list(reversed(medications.list_medication_events(session, person)))
        if scopes.medications
        else None,
        safety_events=safety_events.list_safety_events(session, person)[:RECENT_SAFETY_EVENTS]
        if scopes.safety
        else None,
        checkin_notes=_recent_notes(session, record, today),
    )


def _recent_notes(session: Session, record: SharedRecord, today: dt.date) -> list[Checkin] | None:
    if not (record.scopes.notes and record.scopes.checkins):
        return None
    first = today - dt.timedelta(days=NOTES_DAYS - 1)
    listed = checkins.list_checkins(session, record.person, first, today)
    return [checkin for checkin in reversed(listed) if checkin.note]
