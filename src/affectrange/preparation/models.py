"""A person's own question for their next appointment, in their own words."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime

MAX_QUESTIONS = 10
"""A sheet holds at most 10 questions: an appointment has time for a few, and the printed sheet
stays on one or two pages."""
MAX_QUESTION_LENGTH = 300
"""Characters per question: a question, not a letter (the sheet and the report print each one
in full)."""


class AppointmentQuestion(Base):
    __tablename__ = "appointment_questions"
    __table_args__ = (
        Index("ix_appointment_questions_owner_position", "owner_id", "position"),
        # Never reuse an id (SQLite would after a delete): an edit form open in another tab
        # must not change a question written since.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    position: Mapped[int]
    """Order on the sheet, smallest first; gaps are allowed (a removal leaves one)."""
    text: Mapped[str] = mapped_column(String(MAX_QUESTION_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
