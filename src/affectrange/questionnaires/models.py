"""Questionnaire responses, a person's schedule choices, and one-off re-assessments."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime, enum_values


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class QuestionnaireResponse(Base):
    """One filling-in of one instrument: answers as given, and the score once completed.

    The score is stored as computed at completion with the definition's version, so a later
    change of a definition never silently changes a past result.
    """

    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        Index("ix_questionnaire_responses_owner_instrument", "owner_id", "instrument"),
        # At most one unfinished response per instrument: that is the one a person resumes.
        Index(
            "uq_questionnaire_responses_one_in_progress",
            "owner_id",
            "instrument",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        # Never reuse an id (SQLite would, after "start again" deletes a draft): a safety event
        # refers to the response by id, and a new answer sheet must count as a new event.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[str] = mapped_column(String(16))
    status: Mapped[ResponseStatus] = mapped_column(
        Enum(ResponseStatus, native_enum=False, length=16, values_callable=enum_values)
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Item id to the answer's value (int, or a code such as AUDIT-C's "F"); unanswered absent."""
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    """The person's local date at completion: what schedules count from."""
    total: Mapped[int | None]
    band: Mapped[str | None] = mapped_column(String(40))
    positive: Mapped[bool | None]
    safety: Mapped[bool] = mapped_column(default=False)
    """A critical item was endorsed (PHQ-9 item 9 at 1 or more): the crisis card came first."""
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class ScheduleChoice(Base):
    """A person's change to the default schedule of one instrument (no row: the default holds)."""

    __tablename__ = "questionnaire_schedules"
    __table_args__ = (
        UniqueConstraint("owner_id", "instrument", name="uq_questionnaire_schedules_owner"),
        CheckConstraint(
            "every_days IS NULL OR every_days BETWEEN 1 AND 366", name="every_days_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool]
    every_days: Mapped[int | None]
    """Days between fillings-in; None means once."""
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Reassessment(Base):
    """A one-off questionnaire due on a date, set by an event such as a medication change."""

    __tablename__ = "questionnaire_reassessments"
    __table_args__ = (
        # The same event never schedules the same re-assessment twice, however often it is saved.
        UniqueConstraint(
            "owner_id",
            "source",
            "source_id",
            "instrument",
            "due_on",
            name="uq_questionnaire_reassessments_source",
        ),
        Index("ix_questionnaire_reassessments_owner_due", "owner_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(32))
    """What set it: "medication_event" (the medication timeline)."""
    source_id: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    """Shown to the person: "2 weeks after the medication change of 3 May 2026"."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
