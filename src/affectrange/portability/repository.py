"""All SQL for exporting and importing one person's whole record, scoped to that person.

This is the one repository that reads and writes the tables of several features. Its job is the
record as a whole (CONVENTIONS.md, "Own your data"): going through each feature's service would
apply the rules of a person typing today (today's date, crisis cards, re-assessments scheduled)
to data that was already checked when it was first entered. Every query filters on the owner the
repository was built with; goal ticks are reached through the owner's goals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.items import ITEM_IDS
from affectrange.careplan.models import IMPACT_COLUMNS, CareGoal, CareGoalTick, ImpactRating
from affectrange.checkins.models import Checkin
from affectrange.directory.models import ContactRequest, DirectoryPractitioner
from affectrange.medications.models import MedicationEvent
from affectrange.portability.schemas import (
    CheckinRecord,
    ContactRecord,
    GoalRecord,
    ImpactRecord,
    MedicationRecord,
    PersonalData,
    PersonRecord,
    QuestionRecord,
    Referenced,
    ResponseRecord,
    SafetyEventRecord,
    SafetySourceKind,
)
from affectrange.preparation.models import AppointmentQuestion
from affectrange.questionnaires.models import QuestionnaireResponse
from affectrange.safety_events.models import SafetyEvent

PERSONAL_TABLES: tuple[type[Any], ...] = (
    Checkin,
    QuestionnaireResponse,
    MedicationEvent,
    CareGoal,
    ImpactRating,
    AppointmentQuestion,
    SafetyEvent,
    ContactRequest,
)
"""The tables an import fills: it goes only into an account that has nothing in any of them."""


class PersonalDataRepository:
    def __init__(self, session: Session, owner: User) -> None:
        self._session = session
        self._owner = owner

    # Reading ----------------------------------------------------------------------------------

    def read(self) -> PersonalData:
        """The whole record, each kind in a stable order (so equal data exports equal)."""
        checkins = self._checkins()
        responses = self._responses()
        medications = self._medications()
        questions = self._questions()
        refs: dict[tuple[str, int], str] = {}
        for kind, rows in (
            ("checkin", checkins),
            ("questionnaire_response", responses),
            ("medication_event", medications),
            ("appointment_question", questions),
        ):
            refs.update({(kind, row_id): record.ref for row_id, record in rows})
        return PersonalData(
            person=PersonRecord(
                display_name=self._owner.display_name,
                email=self._owner.email,
                timezone=self._owner.timezone,
            ),
            checkins=tuple(record for _, record in checkins),
            responses=tuple(record for _, record in responses),
            medications=tuple(record for _, record in medications),
            goals=self._goals(),
            impact=self._impact(),
            questions=tuple(record for _, record in questions),
            safety_events=self._safety_events(refs),
            contacts=self._contacts(),
        )

    def _owned(self, model: Any) -> Any:
        return select(model).where(model.owner_id == self._owner.id)

    def _checkins(self) -> list[tuple[int, CheckinRecord]]:
        rows = self._session.scalars(self._owned(Checkin).order_by(Checkin.day))
        return [
            (
                row.id,
                CheckinRecord(
                    ref=f"checkin-{row.day.isoformat()}",
                    day=row.day,
                    items={item: getattr(row, item) for item in ITEM_IDS},
                    event_pleasantness=row.event_pleasantness,
                    sleep_hours=row.sleep_hours,
                    exercise_minutes=row.exercise_minutes,
                    social_minutes=row.social_minutes,
                    alcohol_drinks=row.alcohol_drinks,
                    other_substances=row.other_substances,
                    note=row.note,
                    backfilled=row.backfilled,
                    updated_at=row.updated_at,
                ),
            )
            for row in rows
        ]

    def _responses(self) -> list[tuple[int, ResponseRecord]]:
        statement = self._owned(QuestionnaireResponse).order_by(
            QuestionnaireResponse.started_at, QuestionnaireResponse.id
        )
        return [
            (
                row.id,
                ResponseRecord(
                    ref=f"response-{number}",
                    instrument=row.instrument,
                    instrument_version=row.instrument_version,
                    status=row.status,
                    answers=dict(row.answers),
                    started_at=row.started_at,
                    updated_at=row.updated_at,
                    completed_at=row.completed_at,
                    completed_on=row.completed_on,
                ),
            )
            for number, row in enumerate(self._session.scalars(statement), start=1)
        ]

    def _medications(self) -> list[tuple[int, MedicationRecord]]:
        statement = self._owned(MedicationEvent).order_by(MedicationEvent.day, MedicationEvent.id)
        return [
            (
                row.id,
                MedicationRecord(
                    ref=f"medication-{number}",
                    medication=row.medication,
                    rxcui=row.rxcui,
                    event=row.event,
                    day=row.day,
                    dose_mg=row.dose_mg,
                    note=row.note,
                ),
            )
            for number, row in enumerate(self._session.scalars(statement), start=1)
        ]

    def _questions(self) -> list[tuple[int, QuestionRecord]]:
        statement = self._owned(AppointmentQuestion).order_by(
            AppointmentQuestion.position, AppointmentQuestion.id
        )
        return [
            (row.id, QuestionRecord(ref=f"question-{number}", text=row.text))
            for number, row in enumerate(self._session.scalars(statement), start=1)
        ]

    def _goals(self) -> tuple[GoalRecord, ...]:
        goals = list(
            self._session.scalars(self._owned(CareGoal).order_by(CareGoal.started_on, CareGoal.id))
        )
        kept: dict[int, list[dt.date]] = {goal.id: [] for goal in goals}
        ticks = self._session.execute(
            select(CareGoalTick.goal_id, CareGoalTick.day)
            .join(CareGoal, CareGoal.id == CareGoalTick.goal_id)
            .where(CareGoal.owner_id == self._owner.id)
            .order_by(CareGoalTick.goal_id, CareGoalTick.day)
        )
        for goal_id, day in ticks:
            kept[goal_id].append(day)
        return tuple(
            GoalRecord(
                strategy_id=goal.strategy_id,
                title=goal.title,
                times_per_week=goal.times_per_week,
                started_on=goal.started_on,
                ended_on=goal.ended_on,
                kept_days=tuple(kept[goal.id]),
            )
            for goal in goals
        )

    def _impact(self) -> tuple[ImpactRecord, ...]:
        rows = self._session.scalars(self._owned(ImpactRating).order_by(ImpactRating.month))
        return tuple(
            ImpactRecord(
                month=row.month,
                scores={column: getattr(row, column) for column in IMPACT_COLUMNS},
            )
            for row in rows
        )

    def _safety_events(self, refs: Mapping[tuple[str, int], str]) -> tuple[SafetyEventRecord, ...]:
        rows = self._session.scalars(
            self._owned(SafetyEvent).order_by(SafetyEvent.occurred_at, SafetyEvent.id)
        )
        return tuple(
            SafetyEventRecord(
                occurred_at=row.occurred_at,
                signal=row.signal,
                item_value=row.item_value,
                source=_source_kind(row.source),
                # What triggered the event may have been deleted since (a medication entry):
                # the event stays, without its link.
                source_ref=refs.get((row.source, row.source_id)),
            )
            for row in rows
        )

    def _contacts(self) -> tuple[ContactRecord, ...]:
        rows = self._session.scalars(
            self._owned(ContactRequest).order_by(ContactRequest.created_at, ContactRequest.id)
        )
        return tuple(
            ContactRecord(
                practitioner_npi=row.practitioner_npi,
                practitioner_name=row.practitioner_name,
                reply_to=row.reply_to,
                message=row.message,
                created_at=row.created_at,
                delivery=row.delivery,
            )
            for row in rows
        )

    # Writing ----------------------------------------------------------------------------------

    def holds_records(self) -> bool:
        """True when the owner has anything an import would add to."""
        return any(
            self._session.scalar(select(exists(self._owned(model)))) for model in PERSONAL_TABLES
        )

    def completion_times(self) -> set[tuple[str, dt.datetime]]:
        """(instrument, completed at) of every completed response: what a re-import skips."""
        statement = select(
            QuestionnaireResponse.instrument, QuestionnaireResponse.completed_at
        ).where(
            QuestionnaireResponse.owner_id == self._owner.id,
            QuestionnaireResponse.completed_at.is_not(None),
        )
        return {
            (instrument, at)
            for instrument, at in self._session.execute(statement)
            if at is not None
        }

    def add_response(self, record: ResponseRecord, score: Mapping[str, Any]) -> int:
        [response_id] = self._insert_all(QuestionnaireResponse, [_response_values(record, score)])
        self._session.flush()
        return response_id

    def write(
        self, data: PersonalData, scored: Sequence[Mapping[str, Any]], *, now: dt.datetime
    ) -> None:
        """Insert every record. `scored` holds each response's score columns, in `data.responses`
        order (the service scores them; scoring is not SQL).

        One multi-row INSERT per kind (SQLAlchemy's "insertmanyvalues", ids back in the rows'
        order): an import holds the write lock while it writes, and one statement per row made
        that 3.5 s for ten years of check-ins (docs/benchmarks.md).
        """
        refs: tuple[Sequence[Referenced], ...] = (
            data.checkins,
            data.responses,
            data.medications,
            data.questions,
        )
        rows = (
            (Checkin, [_checkin_values(record) for record in data.checkins]),
            (
                QuestionnaireResponse,
                [
                    _response_values(record, score)
                    for record, score in zip(data.responses, scored, strict=True)
                ],
            ),
            (MedicationEvent, [_medication_values(record, now) for record in data.medications]),
            (AppointmentQuestion, _question_rows(data.questions, now)),
        )
        ids: dict[str, int] = {}
        for records, (model, values) in zip(refs, rows, strict=True):
            new_ids = self._insert_all(model, values)
            ids.update(
                {record.ref: row_id for record, row_id in zip(records, new_ids, strict=True)}
            )
        for goal in data.goals:
            self._insert_goal(goal, now)
        impact = [
            {"month": rating.month, **rating.scores, "created_at": now, "updated_at": now}
            for rating in data.impact
        ]
        self._insert_all(ImpactRating, impact)
        self._insert_all(SafetyEvent, [_safety_values(event, ids) for event in data.safety_events])
        self._insert_all(ContactRequest, [self._contact_values(c) for c in data.contacts])
        self._session.flush()

    def _insert_all(self, model: Any, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert `rows` as the owner's; their new ids, in the same order."""
        if not rows:
            return []
        table = model.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        owned = [{"owner_id": self._owner.id, **row} for row in rows]
        return [int(row_id) for row_id in self._session.execute(statement, owned).scalars()]

    def _insert_goal(self, goal: GoalRecord, now: dt.datetime) -> None:
        goal_row = {
            "strategy_id": goal.strategy_id,
            "title": goal.title,
            "times_per_week": goal.times_per_week,
            "started_on": goal.started_on,
            "ended_on": goal.ended_on,
            "created_at": now,
            "updated_at": now,
        }
        [goal_id] = self._insert_all(CareGoal, [goal_row])
        if goal.kept_days:
            self._session.execute(
                insert(CareGoalTick),
                [{"goal_id": goal_id, "day": day, "created_at": now} for day in goal.kept_days],
            )

    def _contact_values(self, contact: ContactRecord) -> dict[str, Any]:
        # The directory is shared reference data: link the request to the provider where this
        # installation lists the same NPI, as the original did.
        practitioner_id = self._session.scalar(
            select(DirectoryPractitioner.id).where(
                DirectoryPractitioner.npi == contact.practitioner_npi
            )
        )
        return {
            "practitioner_id": practitioner_id,
            "practitioner_npi": contact.practitioner_npi,
            "practitioner_name": contact.practitioner_name,
            "reply_to": contact.reply_to,
            "message": contact.message,
            "created_at": contact.created_at,
            "delivery": contact.delivery,
        }


def _checkin_values(record: CheckinRecord) -> dict[str, Any]:
    return {
        "day": record.day,
        **record.items,
        "event_pleasantness": record.event_pleasantness,
        "sleep_hours": record.sleep_hours,
        "exercise_minutes": record.exercise_minutes,
        "social_minutes": record.social_minutes,
        "alcohol_drinks": record.alcohol_drinks,
        "other_substances": record.other_substances,
        "note": record.note,
        "backfilled": record.backfilled,
        "revision": 1,
        "created_at": record.updated_at,
        "updated_at": record.updated_at,
    }


def _question_rows(questions: Sequence[QuestionRecord], now: dt.datetime) -> list[dict[str, Any]]:
    # Positions 1, 2, ...: the file's order is the sheet's order.
    return [
        {"position": position, "text": record.text, "created_at": now, "updated_at": now}
        for position, record in enumerate(questions, start=1)
    ]


def _source_kind(source: str) -> SafetySourceKind:
    match source:
        case "checkin" | "questionnaire_response" | "medication_event" | "appointment_question":
            return source
        case _:
            raise ValueError(f"safety event from an unknown source {source!r}")


def _response_values(record: ResponseRecord, score: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "instrument": record.instrument,
        "instrument_version": record.instrument_version,
        "status": record.status,
        "answers": dict(record.answers),
        "started_at": record.started_at,
        "updated_at": record.updated_at,
        "completed_at": record.completed_at,
        "completed_on": record.completed_on,
        **score,
    }


def _medication_values(record: MedicationRecord, now: dt.datetime) -> dict[str, Any]:
    return {
        "medication": record.medication,
        "rxcui": record.rxcui,
        "event": record.event,
        "day": record.day,
        "dose_mg": record.dose_mg,
        "note": record.note,
        "created_at": now,
        "updated_at": now,
    }


def _safety_values(event: SafetyEventRecord, ids: Mapping[str, int]) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at,
        "signal": event.signal,
        "item_value": event.item_value,
        "source": event.source,
        # 0: what triggered it was deleted before the export (ids start at 1).
        "source_id": ids[event.source_ref] if event.source_ref is not None else 0,
    }
