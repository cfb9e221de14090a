"""All SQL for medication events, scoped to the owner the repository was built with."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.medications.models import MedicationEvent


class MedicationRepository:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def get(self, event_id: int) -> MedicationEvent | None:
        statement = select(MedicationEvent).where(
            MedicationEvent.id == event_id, MedicationEvent.owner_id == self._owner.id
        )
        return self._session.scalar(statement)

    def all(self) -> list[MedicationEvent]:
        """Oldest first; events of one day in the order they were recorded."""
        statement = (
            select(MedicationEvent)
            .where(MedicationEvent.owner_id == self._owner.id)
            .order_by(MedicationEvent.day, MedicationEvent.id)
        )
        return list(self._session.scalars(statement))

    def add(self, event: MedicationEvent) -> MedicationEvent:
        event.owner_id = self._owner.id
        self._session.add(event)
        self._session.flush()
        return event

    def save(self) -> None:
        self._session.flush()

    def delete(self, event: MedicationEvent) -> None:
        self._session.delete(event)
        self._session.flush()
