"""A person's reminder choices, and the ledger that makes every reminder go out at most once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime


class ReminderSettings(Base):
    """Opt-in: no row, or a row with both switches off, means no e-mail at all."""

    __tablename__ = "reminder_settings"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    checkin_enabled: Mapped[bool]
    checkin_time: Mapped[dt.time] = mapped_column(Time)
    """Local time of day (the person's time zone) for the daily check-in reminder."""
    questionnaires_enabled: Mapped[bool]
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class SentReminder(Base):
    """One reminder claimed for sending. The row is committed *before* the e-mail goes out, and
    its unique key stops any other process, or a restarted one, from sending it again."""

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("owner_id", "reminder_key", name="uq_sent_reminders_owner_key"),
        Index("ix_sent_reminders_claimed_at", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reminder_key: Mapped[str] = mapped_column(String(120))
    """"checkin:2026-06-15" or "questionnaire:phq9:2026-06-15" (instrument and due date)."""
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(default=1)
    error: Mapped[str | None] = mapped_column(String(300))
    """Why the last attempt failed. Only a known failure (the server refused or could not be
    reached) is retried; a claim left by a crash mid-send is never sent again."""
