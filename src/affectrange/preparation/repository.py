"""All SQL for appointment questions, scoped to the owner the repository was built with."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.preparation.models import AppointmentQuestion

_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")


class QuestionRepository:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def serialize_changes(self) -> None:
        """Make concurrent changes to one person's list run one after another, so two adds at
        9 questions cannot both pass the limit. SQLite's write transaction is already exclusive;
        PostgreSQL takes a transaction-scoped advisory lock per person."""
        if self._session.get_bind().dialect.name != "postgresql":
            return
        self._session.execute(_ADVISORY_LOCK, {"key": f"appointment-questions:{self._owner.id}"})

    def get(self, question_id: int) -> AppointmentQuestion | None:
        statement = select(AppointmentQuestion).where(
            AppointmentQuestion.id == question_id,
            AppointmentQuestion.owner_id == self._owner.id,
        )
        return self._session.scalar(statement)

    def all(self) -> list[AppointmentQuestion]:
        """In the sheet's order."""
        statement = (
            select(AppointmentQuestion)
            .where(AppointmentQuestion.owner_id == self._owner.id)
            .order_by(AppointmentQuestion.position, AppointmentQuestion.id)
        )
        return list(self._session.scalars(statement))

    def count(self) -> int:
        statement = select(func.count()).where(AppointmentQuestion.owner_id == self._owner.id)
        return int(self._session.scalar(statement) or 0)

    def last_position(self) -> int:
        statement = select(func.max(AppointmentQuestion.position)).where(
            AppointmentQuestion.owner_id == self._owner.id
        )
        return int(self._session.scalar(statement) or 0)

    def add(self, question: AppointmentQuestion) -> AppointmentQuestion:
        question.owner_id = self._owner.id
        self._session.add(question)
        self._session.flush()
        return question

    def save(self) -> None:
        self._session.flush()

    def delete(self, question: AppointmentQuestion) -> None:
        self._session.delete(question)
        self._session.flush()
