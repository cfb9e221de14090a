"""All SQL for reminders.

`ReminderSettingsRepository` is built with its owner, like every repository. The scheduler's
`ReminderLedger` is the documented system-level exception (as sign-in is for accounts): it finds
the people who asked for reminders, and claims each reminder once across all processes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from affectrange.accounts.models import Role, User
from affectrange.accounts.principal import Owner
from affectrange.reminders.models import ReminderSettings, SentReminder

_SENT = cast(Table, SentReminder.__table__)


class ReminderSettingsRepository:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def get(self) -> ReminderSettings | None:
        return self._session.get(ReminderSettings, self._owner.id)

    def save(
        self,
        *,
        checkin_enabled: bool,
        checkin_time: dt.time,
        questionnaires_enabled: bool,
        now: dt.datetime,
    ) -> ReminderSettings:
        row = self.get()
        if row is None:
            row = ReminderSettings(owner_id=self._owner.id)
            self._session.add(row)
        row.checkin_enabled = checkin_enabled
        row.checkin_time = checkin_time
        row.questionnaires_enabled = questionnaires_enabled
        row.updated_at = now
        self._session.flush()
        return row

    def sent_since(self, moment: dt.datetime) -> list[SentReminder]:
        statement = (
            select(SentReminder)
            .where(SentReminder.owner_id == self._owner.id, SentReminder.claimed_at >= moment)
            .order_by(SentReminder.claimed_at.desc())
        )
        return list(self._session.scalars(statement))


class ReminderLedger:
    """System-level: who wants reminders, and which reminders are already claimed."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def subscribers(self) -> list[tuple[User, ReminderSettings]]:
        statement = (
            select(User, ReminderSettings)
            .join(ReminderSettings, ReminderSettings.owner_id == User.id)
            .where(
                User.role == Role.PERSON,
                or_(ReminderSettings.checkin_enabled, ReminderSettings.questionnaires_enabled),
            )
            .order_by(User.id)
        )
        return [(user, settings) for user, settings in self._session.execute(statement)]

    def claim(self, owner_id: int, keys: Sequence[str], *, now: dt.datetime) -> list[str]:
        """Insert a claim per key; return the keys this call won (others were claimed before).

        One INSERT ... ON CONFLICT DO NOTHING per key: of two processes claiming the same key,
        exactly one gets a row back, on SQLite and PostgreSQL alike.
        """
        insert = (
            postgresql.insert
            if self._session.get_bind().dialect.name == "postgresql"
            else sqlite.insert
        )
        won = []
        for key in keys:
            statement = (
                insert(_SENT)
                .values(owner_id=owner_id, reminder_key=key, claimed_at=now, attempts=1)
                .on_conflict_do_nothing(index_elements=[_SENT.c.owner_id, _SENT.c.reminder_key])
                .returning(_SENT.c.id)
            )
            if self._session.execute(statement).first() is not None:
                won.append(key)
        return won

    def retake(
        self,
        owner_id: int,
        keys: Sequence[str],
        *,
        now: dt.datetime,
        failed_before: dt.datetime,
        max_attempts: int,
    ) -> list[str]:
        """Take back claims whose last attempt failed for a known reason (not a crash mid-send),
        long enough ago, with attempts left; the keys this call won."""
        won = []
        for key in keys:
            result = self._session.execute(
                update(SentReminder)
                .where(
                    SentReminder.owner_id == owner_id,
                    SentReminder.reminder_key == key,
                    SentReminder.sent_at.is_(None),
                    SentReminder.error.is_not(None),
                    SentReminder.claimed_at < failed_before,
                    SentReminder.attempts < max_attempts,
                )
                .values(error=None, claimed_at=now, attempts=SentReminder.attempts + 1)
            )
            if getattr(result, "rowcount", 0) == 1:
                won.append(key)
        return won

    def mark(
        self, owner_id: int, keys: Sequence[str], *, sent_at: dt.datetime | None, error: str | None
    ) -> None:
        self._session.execute(
            update(SentReminder)
            .where(SentReminder.owner_id == owner_id, SentReminder.reminder_key.in_(list(keys)))
            .values(sent_at=sent_at, error=None if error is None else error[:300])
        )
