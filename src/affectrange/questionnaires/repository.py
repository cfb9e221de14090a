"""All SQL for questionnaires, scoped to the owner the repository was built with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.questionnaires.models import (
    QuestionnaireResponse,
    Reassessment,
    ResponseStatus,
    ScheduleChoice,
)


class QuestionnaireRepository:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    # Responses

    def response(self, response_id: int) -> QuestionnaireResponse | None:
        statement = select(QuestionnaireResponse).where(
            QuestionnaireResponse.id == response_id,
            QuestionnaireResponse.owner_id == self._owner.id,
        )
        return self._session.scalar(statement)

    def in_progress(self, instrument: str) -> QuestionnaireResponse | None:
        statement = select(QuestionnaireResponse).where(
            QuestionnaireResponse.owner_id == self._owner.id,
            QuestionnaireResponse.instrument == instrument,
            QuestionnaireResponse.status == ResponseStatus.IN_PROGRESS,
        )
        return self._session.scalar(statement)

    def all_in_progress(self) -> list[QuestionnaireResponse]:
        statement = select(QuestionnaireResponse).where(
            QuestionnaireResponse.owner_id == self._owner.id,
            QuestionnaireResponse.status == ResponseStatus.IN_PROGRESS,
        )
        return list(self._session.scalars(statement))

    def completed(
        self, instrument: str | None = None, *, newest_first: bool = False
    ) -> list[QuestionnaireResponse]:
        statement = select(QuestionnaireResponse).where(
            QuestionnaireResponse.owner_id == self._owner.id,
            QuestionnaireResponse.status == ResponseStatus.COMPLETED,
        )
        if instrument is not None:
            statement = statement.where(QuestionnaireResponse.instrument == instrument)
        order = (QuestionnaireResponse.completed_at, QuestionnaireResponse.id)
        if newest_first:
            statement = statement.order_by(*(column.desc() for column in order))
        else:
            statement = statement.order_by(*order)
        return list(self._session.scalars(statement))

    def latest_completed_by_instrument(self) -> dict[str, QuestionnaireResponse]:
        """The newest completed response of each instrument the person has answered."""
        newest = (
            select(
                QuestionnaireResponse.instrument,
                func.max(QuestionnaireResponse.id).label("newest_id"),
            )
            .where(
                QuestionnaireResponse.owner_id == self._owner.id,
                QuestionnaireResponse.status == ResponseStatus.COMPLETED,
            )
            .group_by(QuestionnaireResponse.instrument)
            .subquery()
        )
        statement = select(QuestionnaireResponse).join(
            newest, QuestionnaireResponse.id == newest.c.newest_id
        )
        return {row.instrument: row for row in self._session.scalars(statement)}

    def completed_on_or_after(self, instrument: str, day: dt.date) -> bool:
        statement = select(func.count()).where(
            QuestionnaireResponse.owner_id == self._owner.id,
            QuestionnaireResponse.instrument == instrument,
            QuestionnaireResponse.status == ResponseStatus.COMPLETED,
            QuestionnaireResponse.completed_on >= day,
        )
        return bool(self._session.scalar(statement))

    def add_response(self, response: QuestionnaireResponse) -> QuestionnaireResponse:
        response.owner_id = self._owner.id
        self._session.add(response)
        self._session.flush()
        return response

    def delete_response(self, response: QuestionnaireResponse) -> None:
        self._session.delete(response)
        self._session.flush()

    # Schedule choices

    def schedule_choices(self) -> dict[str, ScheduleChoice]:
        statement = select(ScheduleChoice).where(ScheduleChoice.owner_id == self._owner.id)
        return {choice.instrument: choice for choice in self._session.scalars(statement)}

    def save_schedule_choice(
        self, instrument: str, *, enabled: bool, every_days: int | None, now: dt.datetime
    ) -> None:
        choice = self.schedule_choices().get(instrument)
        if choice is None:
            choice = ScheduleChoice(owner_id=self._owner.id, instrument=instrument)
            self._session.add(choice)
        choice.enabled = enabled
        choice.every_days = every_days
        choice.updated_at = now
        self._session.flush()

    def clear_schedule_choices(self) -> None:
        self._session.execute(
            delete(ScheduleChoice).where(ScheduleChoice.owner_id == self._owner.id)
        )

    # One-off re-assessments

    def reassessments(self, *, due_by: dt.date | None = None) -> list[Reassessment]:
        statement = select(Reassessment).where(Reassessment.owner_id == self._owner.id)
        if due_by is not None:
            statement = statement.where(Reassessment.due_on <= due_by)
        return list(self._session.scalars(statement.order_by(Reassessment.due_on)))

    def reassessments_for_source(self, source: str, source_id: int) -> list[Reassessment]:
        statement = select(Reassessment).where(
            Reassessment.owner_id == self._owner.id,
            Reassessment.source == source,
            Reassessment.source_id == source_id,
        )
        return list(self._session.scalars(statement.order_by(Reassessment.due_on)))

    def add_reassessments(self, rows: Iterable[Reassessment]) -> None:
        for row in rows:
            row.owner_id = self._owner.id
            self._session.add(row)
        self._session.flush()

    def delete_reassessments_for_source(self, source: str, source_id: int) -> int:
        result = self._session.execute(
            delete(Reassessment).where(
                Reassessment.owner_id == self._owner.id,
                Reassessment.source == source,
                Reassessment.source_id == source_id,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
