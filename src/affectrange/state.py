"""Instance-wide facts worth remembering across restarts (e.g. that the demo was loaded once)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from affectrange.db import Base, UtcDateTime


class AppState(Base):
    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


def read_state(session: Session, key: str) -> str | None:
    row = session.get(AppState, key)
    return row.value if row else None


def write_state(session: Session, key: str, value: str, *, now: dt.datetime) -> None:
    row = session.get(AppState, key)
    if row is None:
        session.add(AppState(key=key, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
    session.flush()
