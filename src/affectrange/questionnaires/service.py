"""Questionnaire rules: answering (resumable), scoring at completion, schedules, re-assessments.

Services flush but never commit. Scoring is the pure instrument engine's (`instruments/`); what is
stored is its result at completion, with the definition's version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.accounts.principal import Owner
from affectrange.analysis.events import MedicationEvent
from affectrange.errors import InvalidInput, NotFound
from affectrange.instruments import Instrument, InvalidAnswer, get_instrument, instrument_ids
from affectrange.instruments.model import Value
from affectrange.instruments.registry import UnknownInstrument
from affectrange.questionnaires import explanations
from affectrange.questionnaires.chart import TrendChart, build_trend_chart
from affectrange.questionnaires.models import (
    QuestionnaireResponse,
    Reassessment,
    ResponseStatus,
)
from affectrange.questionnaires.repository import QuestionnaireRepository
from affectrange.questionnaires.schedules import (
    FREQUENCY_CHOICES,
    REASSESSMENT_EARLY_DAYS,
    REASSESSMENT_INSTRUMENTS,
    Completion,
    DueItem,
    NextDue,
    PendingReassessment,
    ScheduleRule,
    due_items,
    effective_rules,
    next_due,
    reassessment_dates,
)
from affectrange.safety_events.models import SafetySignal
from affectrange.safety_events.service import record_safety_event

RESPONSE_SOURCE = "questionnaire_response"
MEDICATION_EVENT_SOURCE = "medication_event"
REASSESSMENT_PAST_DAYS = 14
"""An event entered late (a start from last year) sets no re-assessment that fell due more than
two weeks ago: answered now, it would not re-assess the weeks after the event."""
NOT_FOUND_MESSAGE = "There is no questionnaire response with this number among yours."


def is_answerable(instrument: Instrument) -> bool:
    """Every item has words to show: always for shipped instruments, for a licensed plug-in only
    once the host has loaded the text it is licensed to hold."""
    return all(item.text is not None for item in instrument.items)


def answerable_instruments() -> list[Instrument]:
    return [
        instrument
        for instrument in (get_instrument(instrument_id) for instrument_id in instrument_ids())
        if is_answerable(instrument)
    ]


def get_answerable(instrument_id: str) -> Instrument:
    """The instrument a person may answer here, or 404 (unknown, or its text is not loaded)."""
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrument:
        raise NotFound("There is no questionnaire with this name.") from None
    if not is_answerable(instrument):
        raise NotFound("This questionnaire's text is not available on this server.")
    return instrument


# Answering


@dataclass(frozen=True, slots=True)
class SavedAnswers:
    response: QuestionnaireResponse
    completed: bool
    missing: tuple[str, ...]
    """Items still needed before the result can be shown (when finishing was asked for)."""
    safety: bool
    """A critical item is endorsed in what was saved: show the crisis card now (SCIENCE.md 6.1)."""


def in_progress_response(
    session: Session, person: Owner, instrument_id: str
) -> QuestionnaireResponse | None:
    return QuestionnaireRepository(session, person).in_progress(instrument_id)


def save_answers(
    session: Session,
    person: Owner,
    instrument: Instrument,
    answers: Mapping[str, Value | None],
    *,
    finish: bool,
    now: dt.datetime,
    today: dt.date,
) -> SavedAnswers:
    """Keep the answers given so far (resumable), and score them when the person finishes.

    An answer outside an item's options is refused whole (422 naming the item; nothing saved).
    Finishing with items still unanswered keeps the answers and reports what is missing: the
    total is never prorated, and PHQ-9 item 9 is never imputed (SCIENCE.md 3.2, 6.1).
    """
    try:
        checked = instrument.check(answers)
    except InvalidAnswer as error:
        raise InvalidInput({error.item_id: str(error)}) from None
    repository = QuestionnaireRepository(session, person)
    response = repository.in_progress(instrument.id)
    if response is None:
        response = repository.add_response(
            QuestionnaireResponse(
                instrument=instrument.id,
                instrument_version=instrument.version,
                status=ResponseStatus.IN_PROGRESS,
                answers={},
                started_at=now,
                updated_at=now,
                details={},
            )
        )
    response.answers = dict(checked.values)
    response.instrument_version = instrument.version
    response.updated_at = now
    result = instrument.score(checked.values)
    missing: tuple[str, ...] = ()
    completed = False
    if finish:
        missing = result.missing
        if not missing:
            _complete(response, instrument, now=now, today=today)
            completed = True
    session.flush()
    if result.safety:
        record_safety_event(
            session,
            person,
            signal=SafetySignal.PHQ9_ITEM9,
            source=RESPONSE_SOURCE,
            source_id=response.id,
            now=now,
            item_value=_critical_value(instrument, checked.scores),
        )
    return SavedAnswers(response, completed, missing, result.safety)


def _complete(
    response: QuestionnaireResponse, instrument: Instrument, *, now: dt.datetime, today: dt.date
) -> None:
    result = instrument.score(response.answers)
    response.status = ResponseStatus.COMPLETED
    response.completed_at = now
    response.completed_on = today
    response.total = result.total
    response.band = result.band
    response.positive = result.positive
    response.safety = result.safety
    response.details = dict(result.details)


def _critical_value(instrument: Instrument, scores: Mapping[str, int]) -> int | None:
    endorsed = [scores[item.id] for item in instrument.items if item.critical and item.id in scores]
    return max(endorsed) if endorsed else None


def discard_in_progress(session: Session, person: Owner, instrument_id: str) -> bool:
    """ "Start again": forget unfinished answers. True when there were any."""
    repository = QuestionnaireRepository(session, person)
    response = repository.in_progress(instrument_id)
    if response is None:
        return False
    repository.delete_response(response)
    return True


def get_response(session: Session, person: Owner, response_id: int) -> QuestionnaireResponse:
    response = QuestionnaireRepository(session, person).response(response_id)
    if response is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return response


def get_completed_response(
    session: Session, person: Owner, response_id: int
) -> QuestionnaireResponse:
    response = get_response(session, person, response_id)
    if response.status is not ResponseStatus.COMPLETED:
        raise NotFound("This questionnaire is not finished yet; its result is not ready.")
    return response


def completed_responses(
    session: Session, person: Owner, instrument_id: str | None = None
) -> list[QuestionnaireResponse]:
    """Oldest first."""
    return QuestionnaireRepository(session, person).completed(instrument_id)


def recent_results(session: Session, person: Owner) -> list[QuestionnaireResponse]:
    return QuestionnaireRepository(session, person).completed(newest_first=True)


def trend_chart(
    instrument: Instrument,
    responses: Sequence[QuestionnaireResponse],
    medication_events: Sequence[MedicationEvent],
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    chart_id: str | None = None,
) -> TrendChart:
    """An instrument's completed totals against its bands: the results pages and the report.

    Without `first`/`last` the chart spans the responses; a report passes its period, so every
    instrument's chart shares one time axis (and leaves out totals outside it).
    """
    scale = explanations.SCALES.get(instrument.id, explanations.Scale(maximum=1))
    points = [
        (response.completed_on, response.total)
        for response in responses
        if response.completed_on is not None and response.total is not None
    ]
    return build_trend_chart(
        title=instrument.name,
        points=points,
        maximum=scale.maximum,
        bands=[(band.minimum, band.label) for band in scale.bands],
        first=first,
        last=last,
        cutoff=scale.cutoff,
        unvalidated=not instrument.validated,
        chart_id=chart_id,
        medication_events=medication_events,
    )


# Schedules


def _start_day(person: User) -> dt.date:
    return person.created_at.astimezone(ZoneInfo(person.timezone)).date()


def _rules(repository: QuestionnaireRepository) -> list[ScheduleRule]:
    choices = {
        instrument: (choice.enabled, choice.every_days)
        for instrument, choice in repository.schedule_choices().items()
    }
    return effective_rules(choices, (i.id for i in answerable_instruments()))


def _latest(repository: QuestionnaireRepository) -> dict[str, Completion]:
    return {
        instrument: Completion(response.completed_on, response.positive)
        for instrument, response in repository.latest_completed_by_instrument().items()
        if response.completed_on is not None
    }


def _pending_reassessments(
    repository: QuestionnaireRepository, *, due_by: dt.date | None
) -> list[PendingReassessment]:
    answerable = {instrument.id for instrument in answerable_instruments()}
    return [
        PendingReassessment(
            id=row.id,
            instrument=row.instrument,
            due_on=row.due_on,
            reason=row.reason,
            satisfied=repository.completed_on_or_after(
                row.instrument, row.due_on - dt.timedelta(days=REASSESSMENT_EARLY_DAYS)
            ),
        )
        for row in repository.reassessments(due_by=due_by)
        if row.instrument in answerable
    ]


def due_questionnaires(session: Session, person: User, *, today: dt.date) -> list[DueItem]:
    """What the person is asked to answer today or earlier: the home page's list."""
    repository = QuestionnaireRepository(session, person)
    return due_items(
        _rules(repository),
        latest=_latest(repository),
        reassessments=_pending_reassessments(repository, due_by=today),
        start=_start_day(person),
        today=today,
    )


def schedule_overview(session: Session, person: User) -> list[NextDue]:
    """Every answerable instrument with its rule and its next date: the schedule page."""
    repository = QuestionnaireRepository(session, person)
    latest = _latest(repository)
    start = _start_day(person)
    return [next_due(rule, latest=latest, start=start) for rule in _rules(repository)]


def upcoming_reassessments(
    session: Session, person: Owner, *, today: dt.date
) -> list[PendingReassessment]:
    repository = QuestionnaireRepository(session, person)
    return [
        reassessment
        for reassessment in _pending_reassessments(repository, due_by=None)
        if reassessment.due_on > today
    ]


def change_schedule(
    session: Session,
    person: Owner,
    choices: Mapping[str, tuple[bool, int | None]],
    *,
    now: dt.datetime,
) -> None:
    """Save the person's schedule: (enabled, every_days or None for once) per instrument."""
    answerable = {instrument.id for instrument in answerable_instruments()}
    errors: dict[str, str] = {}
    for instrument, (_, every_days) in choices.items():
        if instrument not in answerable:
            errors[instrument] = "There is no questionnaire with this name."
        elif every_days is not None and every_days not in FREQUENCY_CHOICES:
            allowed = ", ".join(str(days) for days in FREQUENCY_CHOICES)
            errors[instrument] = f"Choose once, or every {allowed} days."
    if errors:
        raise InvalidInput(errors)
    repository = QuestionnaireRepository(session, person)
    for instrument, (enabled, every_days) in choices.items():
        repository.save_schedule_choice(instrument, enabled=enabled, every_days=every_days, now=now)


def reset_schedule(session: Session, person: Owner) -> None:
    QuestionnaireRepository(session, person).clear_schedule_choices()


# Re-assessments after medication events: the hook the medication timeline calls.


def schedule_reassessments(
    session: Session,
    person: Owner,
    *,
    source_id: int,
    event_date: dt.date,
    event_label: str,
    now: dt.datetime,
    source: str = MEDICATION_EVENT_SOURCE,
) -> list[Reassessment]:
    """Re-assess at +2, +4 and +8 weeks after an event (start, dose change or stop).

    Idempotent: calling it again for the same event (an edit, a retry) adds nothing twice. A
    changed event date or label replaces the old rows. `event_label` ends the reason the person
    sees: "2 weeks after {event_label}", e.g. "the medication change of 3 May 2026".
    """
    repository = QuestionnaireRepository(session, person)
    existing = repository.reassessments_for_source(source, source_id)
    earliest = now.date() - dt.timedelta(days=REASSESSMENT_PAST_DAYS)
    wanted = {
        (instrument, due_on): f"{weeks} weeks after {event_label}"
        for instrument in _reassessment_instruments()
        for weeks, due_on in reassessment_dates(event_date)
        if due_on >= earliest
    }
    stored = {(row.instrument, row.due_on, row.reason) for row in existing}
    if stored != {(instrument, due_on, reason) for (instrument, due_on), reason in wanted.items()}:
        repository.delete_reassessments_for_source(source, source_id)
        repository.add_reassessments(
            Reassessment(
                instrument=instrument,
                due_on=due_on,
                source=source,
                source_id=source_id,
                reason=reason,
                created_at=now,
            )
            for (instrument, due_on), reason in sorted(wanted.items())
        )
    return repository.reassessments_for_source(source, source_id)


def reassessments_for_source(
    session: Session, person: Owner, *, source_id: int, source: str = MEDICATION_EVENT_SOURCE
) -> list[Reassessment]:
    """The re-assessments one event set, in due-date order (for the page after a save)."""
    rows = QuestionnaireRepository(session, person).reassessments_for_source(source, source_id)
    return sorted(rows, key=lambda row: (row.due_on, row.instrument))


def cancel_reassessments(
    session: Session, person: Owner, *, source_id: int, source: str = MEDICATION_EVENT_SOURCE
) -> int:
    """When an event is deleted: its re-assessments go too. Returns how many were removed."""
    return QuestionnaireRepository(session, person).delete_reassessments_for_source(
        source, source_id
    )


def _reassessment_instruments() -> list[str]:
    answerable = {instrument.id for instrument in answerable_instruments()}
    return [instrument for instrument in REASSESSMENT_INSTRUMENTS if instrument in answerable]
