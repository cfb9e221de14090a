"""A person's whole record as plain, validated data: what an export holds and an import restores.

Both file formats (FHIR and CSV) are written from, and read into, these models, so the two
formats carry the same content and the same checks. The limits are the ones the database and the
features enforce (0..6 items, 1..7 days a week, ...): an import that breaks one is refused with
the field named, before anything is written.

What is here is the person's content: their check-ins, questionnaire answers, medication
timeline, care-plan goals and the days kept, impact ratings, questions for an appointment,
safety events and the messages they sent to providers. What is not: sign-in material (password,
sessions, tokens), sharing (it names this installation's clinicians), reminder and schedule
settings, and re-assessment dates (the medication timeline sets them again where it is used).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from affectrange.analysis.items import EVENT_MAX, EVENT_MIN, ITEM_IDS, ITEM_MAX, ITEM_MIN
from affectrange.careplan.models import (
    IMPACT_COLUMNS,
    IMPACT_ITEM_MAX,
    IMPACT_ITEM_MIN,
    MAX_TIMES_PER_WEEK,
    MIN_TIMES_PER_WEEK,
)
from affectrange.careplan.strategies import STRATEGIES_BY_ID
from affectrange.checkins.schemas import (
    MAX_DRINKS,
    MAX_NOTE_LENGTH,
    MAX_SUBSTANCES_LENGTH,
    MINUTES_PER_DAY,
)
from affectrange.medications.models import MAX_DOSE_MG, MedicationEventKind
from affectrange.preparation.models import MAX_QUESTION_LENGTH, MAX_QUESTIONS
from affectrange.questionnaires.models import ResponseStatus
from affectrange.safety_events.models import SafetySignal

ItemScore = Annotated[int, Field(ge=ITEM_MIN, le=ITEM_MAX)]
ImpactScore = Annotated[int, Field(ge=IMPACT_ITEM_MIN, le=IMPACT_ITEM_MAX)]


def _aware(value: dt.datetime) -> dt.datetime:
    # A time without its offset is ambiguous once it leaves the person's time zone.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone offset")
    return value.astimezone(dt.UTC)


AwareDatetime = Annotated[dt.datetime, AfterValidator(_aware)]


class Referenced(Protocol):
    """A record a safety event can point at, by its `ref` in the file."""

    @property
    def ref(self) -> str: ...


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonRecord(_Record):
    display_name: str = Field(min_length=1, max_length=100)
    email: str = Field(max_length=320)
    timezone: str = Field(max_length=64)


class CheckinRecord(_Record):
    """One day's check-in; `ref` ties a safety event to it within the file."""

    ref: str
    day: dt.date
    items: dict[str, ItemScore]
    event_pleasantness: int | None = Field(default=None, ge=EVENT_MIN, le=EVENT_MAX)
    sleep_hours: float | None = Field(default=None, ge=0, le=24)
    exercise_minutes: int | None = Field(default=None, ge=0, le=MINUTES_PER_DAY)
    social_minutes: int | None = Field(default=None, ge=0, le=MINUTES_PER_DAY)
    alcohol_drinks: int | None = Field(default=None, ge=0, le=MAX_DRINKS)
    other_substances: str | None = Field(default=None, max_length=MAX_SUBSTANCES_LENGTH)
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    backfilled: bool = False
    updated_at: AwareDatetime

    @model_validator(mode="after")
    def _every_item_once(self) -> CheckinRecord:
        missing = [item for item in ITEM_IDS if item not in self.items]
        unknown = sorted(set(self.items) - set(ITEM_IDS))
        if missing:
            raise ValueError(f"items missing: {', '.join(missing)}")
        if unknown:
            raise ValueError(f"unknown items: {', '.join(unknown)}")
        return self


class ResponseRecord(_Record):
    """One filling-in of a questionnaire: the answers as given; scores are computed on import."""

    ref: str
    instrument: str
    # The column is String(16): a longer version (a hand-edited file) must be refused here,
    # naming its place, not fail in the database (PostgreSQL) or be stored as is (SQLite).
    instrument_version: str = Field(min_length=1, max_length=16)
    status: ResponseStatus
    answers: dict[str, int | str]
    started_at: AwareDatetime
    updated_at: AwareDatetime
    completed_at: AwareDatetime | None = None
    completed_on: dt.date | None = None

    @model_validator(mode="after")
    def _completion_consistent(self) -> ResponseRecord:
        done = self.status is ResponseStatus.COMPLETED
        if done != (self.completed_at is not None) or done != (self.completed_on is not None):
            raise ValueError("a completed response needs its completion time and day, and only it")
        return self


class MedicationRecord(_Record):
    ref: str
    medication: str = Field(min_length=1, max_length=120)
    rxcui: str | None = Field(default=None, pattern=r"^[0-9]{1,16}$")
    event: MedicationEventKind
    day: dt.date
    dose_mg: float | None = Field(default=None, gt=0, le=MAX_DOSE_MG)
    note: str | None = None

    @model_validator(mode="after")
    def _dose_given(self) -> MedicationRecord:
        if self.dose_mg is None and self.event is not MedicationEventKind.STOP:
            raise ValueError("a start or dose change needs its dose in mg")
        return self


class GoalRecord(_Record):
    """One active period of a care-plan goal, with the days it was kept."""

    strategy_id: str
    title: str = Field(min_length=1, max_length=120)
    times_per_week: int = Field(ge=MIN_TIMES_PER_WEEK, le=MAX_TIMES_PER_WEEK)
    started_on: dt.date
    ended_on: dt.date | None = None
    kept_days: tuple[dt.date, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> GoalRecord:
        if self.strategy_id not in STRATEGIES_BY_ID:
            raise ValueError(f"unknown strategy {self.strategy_id!r}")
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError("the goal ends before it starts")
        last = self.ended_on or dt.date.max
        outside = [day for day in self.kept_days if not self.started_on <= day <= last]
        if outside:
            raise ValueError(f"day kept outside the goal's period: {outside[0].isoformat()}")
        if len(set(self.kept_days)) != len(self.kept_days):
            raise ValueError("a day kept is listed twice")
        return self


class ImpactRecord(_Record):
    month: dt.date
    scores: dict[str, ImpactScore]

    @model_validator(mode="after")
    def _consistent(self) -> ImpactRecord:
        if self.month.day != 1:
            raise ValueError("month must be the first day of a month")
        if set(self.scores) != set(IMPACT_COLUMNS):
            raise ValueError(f"impact needs exactly the items {', '.join(IMPACT_COLUMNS)}")
        return self


class QuestionRecord(_Record):
    ref: str
    text: str = Field(min_length=1, max_length=MAX_QUESTION_LENGTH)


SafetySourceKind = Literal[
    "checkin", "questionnaire_response", "medication_event", "appointment_question"
]


class SafetyEventRecord(_Record):
    """A risk signal that showed the crisis card, tied to what triggered it (by its `ref`; None
    when that was deleted before the export, a medication entry for one)."""

    occurred_at: AwareDatetime
    signal: SafetySignal
    item_value: int | None = Field(default=None, ge=0, le=3)
    source: SafetySourceKind
    source_ref: str | None = None


class ContactRecord(_Record):
    """A message the person sent to a listed provider through the therapist finder."""

    practitioner_npi: str = Field(pattern=r"^[0-9]{10}$")
    practitioner_name: str = Field(min_length=1, max_length=300)
    reply_to: str = Field(max_length=320)
    message: str = Field(min_length=1)
    created_at: AwareDatetime
    delivery: Literal["emailed", "no_address", "failed"]


class PersonalData(_Record):
    """Everything an export holds, in a stable order (so two exports of the same data are equal)."""

    person: PersonRecord
    checkins: tuple[CheckinRecord, ...] = ()
    responses: tuple[ResponseRecord, ...] = ()
    medications: tuple[MedicationRecord, ...] = ()
    goals: tuple[GoalRecord, ...] = ()
    impact: tuple[ImpactRecord, ...] = ()
    questions: tuple[QuestionRecord, ...] = Field(default=(), max_length=MAX_QUESTIONS)
    safety_events: tuple[SafetyEventRecord, ...] = ()
    contacts: tuple[ContactRecord, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> PersonalData:
        days = [checkin.day for checkin in self.checkins]
        if len(set(days)) != len(days):
            raise ValueError("two check-ins for the same day")
        months = [rating.month for rating in self.impact]
        if len(set(months)) != len(months):
            raise ValueError("two impact ratings for the same month")
        refs = self.source_refs()
        for event in self.safety_events:
            if event.source_ref is None:
                continue
            if event.source_ref not in refs:
                raise ValueError(f"safety event refers to {event.source_ref!r}, not in the file")
            if refs[event.source_ref] != event.source:
                raise ValueError(
                    f"safety event's source {event.source_ref!r} is not a {event.source}"
                )
        return self

    def source_refs(self) -> dict[str, SafetySourceKind]:
        """Every record a safety event may point at, by its ref."""
        refs: dict[str, SafetySourceKind] = {}
        refs.update({record.ref: "checkin" for record in self.checkins})
        refs.update({record.ref: "questionnaire_response" for record in self.responses})
        refs.update({record.ref: "medication_event" for record in self.medications})
        refs.update({record.ref: "appointment_question" for record in self.questions})
        return refs

    def is_empty(self) -> bool:
        return not any(
            (
                self.checkins,
                self.responses,
                self.medications,
                self.goals,
                self.impact,
                self.questions,
                self.safety_events,
                self.contacts,
            )
        )


def record_counts(data: PersonalData) -> dict[str, int]:
    """How many of each kind, for "imported 120 check-ins, ..." messages."""
    counts: dict[str, Any] = {
        "check-ins": len(data.checkins),
        "questionnaire responses": len(data.responses),
        "medication events": len(data.medications),
        "care-plan goals": len(data.goals),
        "impact ratings": len(data.impact),
        "appointment questions": len(data.questions),
        "safety events": len(data.safety_events),
        "contact requests": len(data.contacts),
    }
    return counts
