"""Medication timeline rules: what an event needs, its catalogue code, and what follows a save.

Services flush but never commit. Every saved event asks the questionnaires feature for
re-assessments at +2, +4 and +8 weeks (idempotent per event, moved when the event moves), and
every deleted one cancels them. A stop, or a note about stopping, is answered with the "talk to
your prescriber first" card, never with advice (SCIENCE.md 6.2); a note with crisis language
brings the crisis card and is recorded once per event, as check-in notes are (SCIENCE.md 6.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from affectrange.analysis.events import EventKind
from affectrange.analysis.events import MedicationEvent as TimelineEvent
from affectrange.errors import InvalidInput, NotFound
from affectrange.medications.catalogue import CatalogueEntry, find_medication
from affectrange.medications.models import MedicationEvent, MedicationEventKind
from affectrange.medications.repository import MedicationRepository
from affectrange.medications.schemas import MedicationEventIn
from affectrange.questionnaires import service as questionnaires
from affectrange.safety import DEFAULT_CRISIS_PHRASES, find_stopping_language
from affectrange.safety_events.service import record_crisis_language

SOURCE: Final = questionnaires.MEDICATION_EVENT_SOURCE
"""How re-assessments and safety events name a medication event as their source."""
NOT_FOUND_MESSAGE: Final = "There is no medication event with this number among yours."
FUTURE_DAY_MESSAGE: Final = "This day has not happened yet. Choose today or an earlier day."
DOSE_REQUIRED_MESSAGE: Final = "Enter the dose in mg: the daily amount from this day on."

_ANALYSIS_KINDS: Final[dict[MedicationEventKind, EventKind]] = {
    MedicationEventKind.START: "start",
    MedicationEventKind.DOSE_CHANGE: "dose_change",
    MedicationEventKind.STOP: "stop",
}


class Person(Protocol):
    """The owner of a timeline, with the time zone that decides what "today" is for them: an
    ORM `User` (pages) or a `Principal` (the API)."""

    @property
    def id(self) -> int: ...

    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ScheduledReassessment:
    instrument: str
    due_on: dt.date
    reason: str
    """As the person sees it: "2 weeks after starting sertraline on 3 May 2026"."""


@dataclass(frozen=True, slots=True)
class SavedMedicationEvent:
    event: MedicationEvent
    reassessments: tuple[ScheduledReassessment, ...]
    talk_to_prescriber: bool
    """A stop, or a note about stopping: show the prescriber card (SCIENCE.md 6.2 rule 2)."""
    crisis_language: tuple[str, ...]
    """Crisis phrases found in the note: show the crisis card first (SCIENCE.md 6.1)."""


# Wording


def format_day(day: dt.date) -> str:
    """ "3 May 2026": the day-first form the re-assessment reasons use."""
    return f"{day.day} {day:%B %Y}"


def format_dose(dose_mg: float) -> str:
    return f"{dose_mg:g} mg"


def event_label(medication: str, kind: MedicationEventKind, day: dt.date) -> str:
    """How a re-assessment names its event: "... weeks after {label}"."""
    when = format_day(day)
    if kind is MedicationEventKind.START:
        return f"starting {medication} on {when}"
    if kind is MedicationEventKind.DOSE_CHANGE:
        return f"the {medication} dose change of {when}"
    return f"stopping {medication} on {when}"


def catalogue_entry(event: MedicationEvent) -> CatalogueEntry | None:
    return find_medication(event.medication)


# Recording


def _local_today(person: Person, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(person.timezone)).date()


def _check(form: MedicationEventIn, today: dt.date) -> None:
    """The rules pydantic cannot see alone: the person's own today, and a dose by kind."""
    errors: dict[str, str] = {}
    if form.date > today:
        errors["date"] = FUTURE_DAY_MESSAGE
    if form.dose_mg is None and form.event is not MedicationEventKind.STOP:
        errors["dose_mg"] = DOSE_REQUIRED_MESSAGE
    if errors:
        raise InvalidInput(errors)


def _apply(row: MedicationEvent, form: MedicationEventIn, now: dt.datetime) -> None:
    # A listed medication is stored under the catalogue's name ("Sertraline", "valproate" ->
    # "sertraline", "valproic acid") so the analysis and the charts see one name per ingredient.
    entry = find_medication(form.medication)
    row.medication = entry.name if entry else form.medication
    row.rxcui = entry.rxcui if entry else None
    row.event = form.event
    row.day = form.date
    row.dose_mg = form.dose_mg
    row.note = form.note
    row.updated_at = now


def record_medication_event(
    session: Session,
    person: Person,
    form: MedicationEventIn,
    *,
    now: dt.datetime,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> SavedMedicationEvent:
    """Add an event to the person's timeline; bad input names its field and changes nothing."""
    _check(form, _local_today(person, now))
    row = MedicationEvent(created_at=now)
    _apply(row, form, now)
    MedicationRepository(session, person).add(row)
    return _after_save(session, person, row, now=now, crisis_phrases=crisis_phrases)


def update_medication_event(
    session: Session,
    person: Person,
    event_id: int,
    form: MedicationEventIn,
    *,
    now: dt.datetime,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> SavedMedicationEvent:
    """Replace an event's values; its re-assessments move with its date."""
    row = get_medication_event(session, person, event_id)
    _check(form, _local_today(person, now))
    _apply(row, form, now)
    MedicationRepository(session, person).save()
    return _after_save(session, person, row, now=now, crisis_phrases=crisis_phrases)


def _after_save(
    session: Session,
    person: Person,
    row: MedicationEvent,
    *,
    now: dt.datetime,
    crisis_phrases: Sequence[str],
) -> SavedMedicationEvent:
    scheduled = questionnaires.schedule_reassessments(
        session,
        person,
        source_id=row.id,
        event_date=row.day,
        event_label=event_label(row.medication, row.event, row.day),
        now=now,
    )
    crisis = record_crisis_language(
        session,
        person,
        row.note,
        source=SOURCE,
        source_id=row.id,
        now=now,
        crisis_phrases=crisis_phrases,
    )
    stopping = row.event is MedicationEventKind.STOP or bool(find_stopping_language(row.note))
    return SavedMedicationEvent(
        event=row,
        reassessments=tuple(
            ScheduledReassessment(item.instrument, item.due_on, item.reason) for item in scheduled
        ),
        talk_to_prescriber=stopping,
        crisis_language=crisis,
    )


def delete_medication_event(session: Session, person: Person, event_id: int) -> None:
    """Remove the event and the re-assessments it had set."""
    row = get_medication_event(session, person, event_id)
    questionnaires.cancel_reassessments(session, person, source_id=row.id, source=SOURCE)
    MedicationRepository(session, person).delete(row)


# Reading


def get_medication_event(session: Session, person: Person, event_id: int) -> MedicationEvent:
    row = MedicationRepository(session, person).get(event_id)
    if row is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return row


def list_medication_events(session: Session, person: Person) -> list[MedicationEvent]:
    """Oldest first."""
    return MedicationRepository(session, person).all()


def timeline(session: Session, person: Person) -> list[TimelineEvent]:
    """The person's events as the analysis and the charts take them, oldest first."""
    return [to_timeline_event(row) for row in list_medication_events(session, person)]


def to_timeline_event(row: MedicationEvent) -> TimelineEvent:
    return TimelineEvent(
        date=row.day,
        medication=row.medication,
        event=_ANALYSIS_KINDS[row.event],
        dose_mg=row.dose_mg,
    )


def scheduled_reassessments(
    session: Session, person: Person, row: MedicationEvent
) -> list[ScheduledReassessment]:
    """The re-assessments this event set, for the page after a save (a read: GET never writes)."""
    return [
        ScheduledReassessment(item.instrument, item.due_on, item.reason)
        for item in questionnaires.reassessments_for_source(session, person, source_id=row.id)
    ]
