"""A medication event on a person's timeline: a start, a dose change or a stop, on a day."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime, enum_values

MAX_DOSE_MG = 10_000
"""Above any daily dose of the catalogued medications in mg: a larger number is a typing slip."""


class MedicationEventKind(StrEnum):
    START = "start"
    DOSE_CHANGE = "dose_change"
    STOP = "stop"


class MedicationEvent(Base):
    __tablename__ = "medication_events"
    __table_args__ = (
        Index("ix_medication_events_owner_day", "owner_id", "day"),
        # The database refuses what the service refuses, whatever code path writes.
        CheckConstraint(
            f"dose_mg IS NULL OR (dose_mg > 0 AND dose_mg <= {MAX_DOSE_MG})", name="dose_range"
        ),
        CheckConstraint("dose_mg IS NOT NULL OR event = 'stop'", name="dose_given"),
        # Never reuse an id (SQLite would after a delete): re-assessments refer to the event by id.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    medication: Mapped[str] = mapped_column(String(120))
    """The catalogue's name when the person chose a listed medication, else as typed."""
    rxcui: Mapped[str | None] = mapped_column(String(16))
    """RxNorm ingredient code from the catalogue; None for a medication it does not list."""
    event: Mapped[MedicationEventKind] = mapped_column(
        Enum(MedicationEventKind, native_enum=False, length=16, values_callable=enum_values)
    )
    day: Mapped[dt.date] = mapped_column(Date)
    dose_mg: Mapped[float | None]
    """The daily dose from this day on; None only for a stop."""
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
