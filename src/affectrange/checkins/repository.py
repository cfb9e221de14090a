"""All SQL for check-ins, always scoped to the owner the repository was built with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.checkins.models import Checkin


class CheckinRepository:
    def __init__(self, session: Session, owner: User) -> None:
        self._session = session
        self._owner = owner

    def get(self, checkin_id: int) -> Checkin | None:
        statement = select(Checkin).where(
            Checkin.id == checkin_id, Checkin.owner_id == self._owner.id
        )
        return self._session.scalar(statement)

    def on_day(self, day: dt.date) -> Checkin | None:
        statement = select(Checkin).where(Checkin.owner_id == self._owner.id, Checkin.day == day)
        return self._session.scalar(statement)

    def between(self, first: dt.date, last: dt.date) -> list[Checkin]:
        statement = (
            select(Checkin)
            .where(Checkin.owner_id == self._owner.id, Checkin.day >= first, Checkin.day <= last)
            .order_by(Checkin.day)
        )
        return list(self._session.scalars(statement))

    def upsert(self, values: dict[str, Any], *, now: dt.datetime) -> Checkin:
        """Insert the day's entry or replace its values, in one statement (no read-then-write race).

        `backfilled` stays true once set: an entry made late remains marked after a later edit.
        """
        row = {**values, "owner_id": self._owner.id, "created_at": now, "updated_at": now}
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        inserted = insert(Checkin).values(row)
        updates: dict[str, Any] = {
            name: inserted.excluded[name] for name in values if name not in {"day", "backfilled"}
        }
        updates["updated_at"] = inserted.excluded.updated_at
        updates["backfilled"] = Checkin.backfilled | inserted.excluded.backfilled
        statement = inserted.on_conflict_do_update(
            index_elements=[Checkin.owner_id, Checkin.day], set_=updates
        ).returning(Checkin)
        result = self._session.scalars(statement, execution_options={"populate_existing": True})
        checkin: Checkin = result.one()
        return checkin

    def delete(self, checkin: Checkin) -> None:
        self._session.delete(checkin)
        self._session.flush()
