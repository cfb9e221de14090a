"""Preparing for an appointment: the person's own questions, and the sheet that gathers them with
what changed, the latest scores, the medication timeline and the goals kept.

Services flush but never commit. The questions are the person's own words; the rest of the sheet
is read through the other features' services (nothing of theirs is stored here) and worded as
the emotional-range page and the report word it: a change that followed a medication event is an
order in time, never a cause, and nothing on the sheet suggests doing anything about a
medication (SCIENCE.md 6.2). A question is free text like a note, so crisis language in it
brings the crisis card (recorded once per question, SCIENCE.md 6.1), and words about stopping
bring the "talk to your prescriber first" card.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.accounts.principal import Owner
from affectrange.analysis.events import MedicationEvent
from affectrange.careplan.service import GoalSummary, goal_summaries
from affectrange.emotional_range import service as emotional_range
from affectrange.emotional_range.service import MIN_CHECKINS
from affectrange.emotional_range.wording import (
    LIMITS,
    ChangeText,
    PatternCard,
    change_text,
    pattern_card,
)
from affectrange.errors import InvalidInput, NotFound
from affectrange.medications import service as medications
from affectrange.preparation.models import MAX_QUESTIONS, AppointmentQuestion
from affectrange.preparation.repository import QuestionRepository
from affectrange.preparation.schemas import QuestionIn
from affectrange.questionnaires import explanations
from affectrange.questionnaires import service as questionnaires
from affectrange.questionnaires.models import QuestionnaireResponse
from affectrange.safety import DEFAULT_CRISIS_PHRASES, find_stopping_language
from affectrange.safety_events.service import record_crisis_language

SOURCE: Final = "appointment_question"
"""How a safety event names a question as its source."""
NOT_FOUND_MESSAGE: Final = "There is no question with this number among yours."
TOO_MANY_MESSAGE: Final = (
    f"You have {MAX_QUESTIONS} questions, the most one sheet holds. Remove or change one to "
    "add another."
)
DIRECTION_MESSAGE: Final = "Choose up or down."
GOAL_DAYS: Final = 84
"""Goals kept are counted over the 12 weeks ending today: about the time between two
appointments, in whole weeks, as goals are set per week."""

SUGGESTIONS: Final[tuple[str, ...]] = (
    "Could this be a side effect?",
    "What are my options?",
    "How will we know if it is getting better?",
    "Could my depression itself cause this?",
    "What can I do myself in the meantime?",
    "What do my check-ins and scores tell you?",
    "When should we talk about this again?",
)
"""Questions to add in one click, in our own words. None of them proposes a change to a
medication: they open the conversation, and the decisions stay with the prescriber."""

# --- questions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedQuestion:
    question: AppointmentQuestion
    crisis_language: tuple[str, ...]
    """Crisis phrases found in the question: show the crisis card first (SCIENCE.md 6.1)."""
    talk_to_prescriber: bool
    """Words about stopping a medication: show the prescriber card (SCIENCE.md 6.2 rule 2)."""


def list_questions(session: Session, person: Owner) -> list[AppointmentQuestion]:
    """In the sheet's order."""
    return QuestionRepository(session, person).all()


def question_texts(session: Session, person: Owner) -> tuple[str, ...]:
    """The questions' words in the sheet's order: what the report prints."""
    return tuple(question.text for question in list_questions(session, person))


def get_question(session: Session, person: Owner, question_id: int) -> AppointmentQuestion:
    question = QuestionRepository(session, person).get(question_id)
    if question is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return question


def add_question(
    session: Session,
    person: Owner,
    form: QuestionIn,
    *,
    now: dt.datetime,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> SavedQuestion:
    """Add a question at the end of the list; an eleventh is refused naming "text"."""
    questions = QuestionRepository(session, person)
    questions.serialize_changes()
    if questions.count() >= MAX_QUESTIONS:
        raise InvalidInput({"text": TOO_MANY_MESSAGE})
    question = AppointmentQuestion(
        position=questions.last_position() + 1, text=form.text, created_at=now, updated_at=now
    )
    questions.add(question)
    return _after_save(session, person, question, now=now, crisis_phrases=crisis_phrases)


def update_question(
    session: Session,
    person: Owner,
    question_id: int,
    form: QuestionIn,
    *,
    now: dt.datetime,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> SavedQuestion:
    questions = QuestionRepository(session, person)
    question = get_question(session, person, question_id)
    question.text = form.text
    question.updated_at = now
    questions.save()
    return _after_save(session, person, question, now=now, crisis_phrases=crisis_phrases)


def _after_save(
    session: Session,
    person: Owner,
    question: AppointmentQuestion,
    *,
    now: dt.datetime,
    crisis_phrases: Sequence[str],
) -> SavedQuestion:
    crisis = record_crisis_language(
        session,
        person,
        question.text,
        source=SOURCE,
        source_id=question.id,
        now=now,
        crisis_phrases=crisis_phrases,
    )
    return SavedQuestion(
        question=question,
        crisis_language=crisis,
        talk_to_prescriber=bool(find_stopping_language(question.text)),
    )


def delete_question(session: Session, person: Owner, question_id: int) -> None:
    QuestionRepository(session, person).delete(get_question(session, person, question_id))


def move_question(
    session: Session, person: Owner, question_id: int, direction: str
) -> AppointmentQuestion:
    """Swap the question with its neighbour above or below; at either end nothing moves."""
    if direction not in ("up", "down"):
        raise InvalidInput({"direction": DIRECTION_MESSAGE})
    repository = QuestionRepository(session, person)
    repository.serialize_changes()
    question = get_question(session, person, question_id)
    ordered = repository.all()
    index = ordered.index(question)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        neighbour = ordered[other]
        # Renumber the whole list first: after removals positions may have gaps, and two rows
        # may share one (they are then ordered by id), so a plain swap could change nothing.
        for number, row in enumerate(ordered, start=1):
            row.position = number
        question.position, neighbour.position = neighbour.position, question.position
        repository.save()
    return question


def suggestions_left(questions: Sequence[AppointmentQuestion]) -> tuple[str, ...]:
    """The suggestions not on the list yet (compared without case or surrounding spaces)."""
    asked = {question.text.strip().casefold() for question in questions}
    return tuple(text for text in SUGGESTIONS if text.casefold() not in asked)


# --- the sheet ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangePart:
    """What changed and since when, from the analysis of every check-in up to today."""

    n_checkins: int
    card: PatternCard | None
    """None below `MIN_CHECKINS` check-ins: too few for a pattern."""
    change: ChangeText | None
    """When a blunting-like change began and what came before it; None when there is none."""


@dataclass(frozen=True, slots=True)
class Score:
    """The latest result of one questionnaire."""

    name: str
    day: dt.date
    total: int
    maximum: int
    band: str | None
    validated: bool


@dataclass(frozen=True, slots=True)
class MedicationLine:
    day: dt.date
    words: str
    """ "Started sertraline, 50 mg a day"."""


@dataclass(frozen=True, slots=True)
class GoalLine:
    """A care-plan goal and how often it was kept, in words."""

    title: str
    kept: str
    """ "kept on 9 days in 4 weeks (aim: 3 times a week)"."""


@dataclass(frozen=True, slots=True)
class Sheet:
    person_name: str
    today: dt.date
    change: ChangePart
    scores: tuple[Score, ...]
    medications: tuple[MedicationLine, ...]
    goals_first: dt.date
    """The first day the goals kept are counted from (`GOAL_DAYS` ending today)."""
    goals: tuple[GoalLine, ...]
    questions: tuple[AppointmentQuestion, ...]
    limits: str = LIMITS
    min_checkins: int = MIN_CHECKINS


def build_sheet(session: Session, person: User, *, today: dt.date) -> Sheet:
    """Everything the sheet shows for `person` on their `today`; nothing is written."""
    view = emotional_range.emotional_range(session, person, today)
    change = ChangePart(
        n_checkins=view.n_checkins,
        card=pattern_card(view.analysis) if view.enough else None,
        change=change_text(view.analysis.blunting) if view.enough else None,
    )
    goals_first = today - dt.timedelta(days=GOAL_DAYS - 1)
    return Sheet(
        person_name=person.display_name,
        today=today,
        change=change,
        scores=latest_scores(session, person),
        medications=tuple(
            medication_line(event) for event in medications.timeline(session, person)
        ),
        goals_first=goals_first,
        goals=goal_lines(session, person, first=goals_first, last=today),
        questions=tuple(list_questions(session, person)),
    )


def goal_lines(
    session: Session, person: User, *, first: dt.date, last: dt.date
) -> tuple[GoalLine, ...]:
    """Each care-plan goal of `first`..`last` (each period of it, oldest first) with its kept
    days: the sheet's and the report's words."""
    return tuple(
        GoalLine(goal.title, kept_words(goal))
        for goal in goal_summaries(session, person, first=first, last=last)
    )


def kept_words(goal: GoalSummary) -> str:
    days = f"{goal.kept_days} day{'s' if goal.kept_days != 1 else ''}"
    weeks = f"{goal.weeks:.1f}".removesuffix(".0")
    aim = f"{goal.times_per_week} time{'s' if goal.times_per_week != 1 else ''} a week"
    return f"kept on {days} in {weeks} week{'s' if weeks != '1' else ''} (aim: {aim})"


def latest_scores(session: Session, person: Owner) -> tuple[Score, ...]:
    """The latest completed result of each questionnaire, in the questionnaires' own order."""
    latest: dict[str, QuestionnaireResponse] = {}
    for completed in questionnaires.completed_responses(session, person):  # oldest first
        if completed.completed_on is not None and completed.total is not None:
            latest[completed.instrument] = completed
    scores = []
    for instrument in questionnaires.answerable_instruments():
        response = latest.get(instrument.id)
        if response is None:
            continue
        assert response.completed_on is not None  # kept above
        assert response.total is not None
        scale = explanations.SCALES.get(instrument.id)
        scores.append(
            Score(
                name=instrument.name,
                day=response.completed_on,
                total=response.total,
                maximum=scale.maximum if scale is not None else response.total,
                band=response.band,
                validated=instrument.validated,
            )
        )
    return tuple(scores)


def medication_line(event: MedicationEvent) -> MedicationLine:
    dose = f"{event.dose_mg:g} mg a day" if event.dose_mg is not None else None
    if event.event == "start":
        words = f"Started {event.medication}" + (f", {dose}" if dose else "")
    elif event.event == "dose_change":
        words = f"New {event.medication} dose" + (f": {dose}" if dose else "")
    else:
        words = f"Stopped {event.medication}"
    return MedicationLine(event.date, words)


def sheet_filename(sheet: Sheet) -> str:
    """ "affectrange-appointment-sheet-2026-11-26.pdf": a date only, no name."""
    return f"affectrange-appointment-sheet-{sheet.today.isoformat()}.pdf"
