"""A day's check-in: 16 affect items (0..6), the day's main event (-3..+3) and optional context."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.analysis.items import EVENT_MAX, EVENT_MIN, ITEM_IDS, ITEM_MAX, ITEM_MIN
from affectrange.db import Base, UtcDateTime


def _item_checks() -> tuple[CheckConstraint, ...]:
    # The database refuses impossible values too, whatever code path writes them.
    checks = [
        CheckConstraint(f"{item} BETWEEN {ITEM_MIN} AND {ITEM_MAX}", name=f"{item}_range")
        for item in ITEM_IDS
    ]
    checks.append(
        CheckConstraint(
            f"event_pleasantness BETWEEN {EVENT_MIN} AND {EVENT_MAX}", name="event_range"
        )
    )
    return tuple(checks)


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("owner_id", "day", name="uq_checkins_owner_day"),
        *_item_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)

    joyful: Mapped[int] = mapped_column(SmallInteger)
    calm: Mapped[int] = mapped_column(SmallInteger)
    interested: Mapped[int] = mapped_column(SmallInteger)
    close: Mapped[int] = mapped_column(SmallInteger)
    proud: Mapped[int] = mapped_column(SmallInteger)
    amused: Mapped[int] = mapped_column(SmallInteger)
    hopeful: Mapped[int] = mapped_column(SmallInteger)
    sad: Mapped[int] = mapped_column(SmallInteger)
    anxious: Mapped[int] = mapped_column(SmallInteger)
    irritable: Mapped[int] = mapped_column(SmallInteger)
    guilty: Mapped[int] = mapped_column(SmallInteger)
    stressed: Mapped[int] = mapped_column(SmallInteger)
    lonely: Mapped[int] = mapped_column(SmallInteger)
    numb: Mapped[int] = mapped_column(SmallInteger)
    indifferent: Mapped[int] = mapped_column(SmallInteger)
    detached: Mapped[int] = mapped_column(SmallInteger)
    event_pleasantness: Mapped[int | None] = mapped_column(SmallInteger)

    sleep_hours: Mapped[float | None]
    exercise_minutes: Mapped[int | None]
    social_minutes: Mapped[int | None]
    alcohol_drinks: Mapped[int | None]
    other_substances: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    backfilled: Mapped[bool]
    """True when the entry was first made, or last changed, after its day had ended."""
    revision: Mapped[int]
    """1 when first saved, +1 at every later save of that day: tells "created" from "updated"."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
