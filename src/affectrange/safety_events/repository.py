"""All SQL for safety events, scoped to the owner the repository was built with."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.safety_events.models import SafetyEvent


class SafetyEventRepository:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def for_source(self, source: str, source_id: int) -> SafetyEvent | None:
        statement = select(SafetyEvent).where(
            SafetyEvent.owner_id == self._owner.id,
            SafetyEvent.source == source,
            SafetyEvent.source_id == source_id,
        )
        return self._session.scalars(statement).first()

    def since(self, moment: dt.datetime | None) -> list[SafetyEvent]:
        statement = select(SafetyEvent).where(SafetyEvent.owner_id == self._owner.id)
        if moment is not None:
            statement = statement.where(SafetyEvent.occurred_at >= moment)
        return list(self._session.scalars(statement.order_by(SafetyEvent.occurred_at.desc())))

    def add(self, event: SafetyEvent) -> SafetyEvent:
        event.owner_id = self._owner.id
        self._session.add(event)
        self._session.flush()
        return event
