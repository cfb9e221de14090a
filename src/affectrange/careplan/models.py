"""The care plan: goals made from strategies, the days each was kept, the monthly impact rating."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime

MIN_TIMES_PER_WEEK = 1
MAX_TIMES_PER_WEEK = 7
IMPACT_ITEM_MIN = 0
IMPACT_ITEM_MAX = 4
IMPACT_COLUMNS = ("connect", "misread", "drive", "satisfaction")
"""One column per impact item, in `careplan.impact.IMPACT_ITEMS` order."""


class CareGoal(Base):
    """One active period of a goal: from `started_on` to `ended_on` (inclusive; open when None).

    Pausing sets `ended_on`; taking a goal up again starts a new period (a new row), so every
    kept day stays inside the period it was kept in.
    """

    __tablename__ = "care_goals"
    __table_args__ = (
        Index("ix_care_goals_owner_started", "owner_id", "started_on"),
        CheckConstraint(
            f"times_per_week BETWEEN {MIN_TIMES_PER_WEEK} AND {MAX_TIMES_PER_WEEK}",
            name="times_per_week_range",
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    strategy_id: Mapped[str] = mapped_column(String(40))
    """A `careplan.strategies` id."""
    title: Mapped[str] = mapped_column(String(120))
    """The strategy's title, or the person's own words for the goal."""
    times_per_week: Mapped[int] = mapped_column(SmallInteger)
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    """The last day of this period; None while the goal is active."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CareGoalTick(Base):
    """A day on which the goal was kept, ticked in that day's check-in."""

    __tablename__ = "care_goal_ticks"
    __table_args__ = (UniqueConstraint("goal_id", "day", name="uq_care_goal_ticks_goal_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("care_goals.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


def _impact_checks() -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(
            f"{column} BETWEEN {IMPACT_ITEM_MIN} AND {IMPACT_ITEM_MAX}", name=f"{column}_range"
        )
        for column in IMPACT_COLUMNS
    )


class ImpactRating(Base):
    """The person's monthly rating of how numbness affected relationships and work."""

    __tablename__ = "impact_ratings"
    __table_args__ = (
        UniqueConstraint("owner_id", "month", name="uq_impact_ratings_owner_month"),
        *_impact_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    month: Mapped[dt.date] = mapped_column(Date)
    """The first day of the month rated."""
    connect: Mapped[int] = mapped_column(SmallInteger)
    misread: Mapped[int] = mapped_column(SmallInteger)
    drive: Mapped[int] = mapped_column(SmallInteger)
    satisfaction: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
