"""A safety event: a risk signal that showed the crisis card (SCIENCE.md 6.1, point 4)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime, enum_values


class SafetySignal(StrEnum):
    PHQ9_ITEM9 = "phq9_item9"
    """PHQ-9 item 9 answered 1 or more."""
    NOTE_LANGUAGE = "note_language"
    """Crisis language in a free-text note."""


class SafetyEvent(Base):
    """What triggered, when, and where: never a risk score (the software routes, it does not
    assess). Clinicians the person shares with see these (the sharing issue)."""

    __tablename__ = "safety_events"
    __table_args__ = (Index("ix_safety_events_owner_at", "owner_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    signal: Mapped[SafetySignal] = mapped_column(
        Enum(SafetySignal, native_enum=False, length=24, values_callable=enum_values)
    )
    item_value: Mapped[int | None]
    """The answer to PHQ-9 item 9 (1-3); None for a note."""
    source: Mapped[str] = mapped_column(String(32))
    """"questionnaire_response" or "checkin"."""
    source_id: Mapped[int]
