"""All SQL for the care plan, scoped to the owner each repository was built with.

Ticks carry no owner column of their own: every tick query joins its goal and filters on the
goal's owner, so a tick is reached only through one of the owner's goals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, and_, bindparam, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.careplan.models import IMPACT_COLUMNS, CareGoal, CareGoalTick, ImpactRating


class CareGoalRepository:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def get(self, goal_id: int) -> CareGoal | None:
        statement = select(CareGoal).where(
            CareGoal.id == goal_id, CareGoal.owner_id == self._owner.id
        )
        return self._session.scalar(statement)

    def all(self) -> list[CareGoal]:
        """Oldest first: by start day, then in the order they were made."""
        statement = (
            select(CareGoal)
            .where(CareGoal.owner_id == self._owner.id)
            .order_by(CareGoal.started_on, CareGoal.id)
        )
        return list(self._session.scalars(statement))

    def active_on(self, day: dt.date) -> list[CareGoal]:
        """Goals whose period includes `day`, oldest first."""
        statement = (
            select(CareGoal)
            .where(
                CareGoal.owner_id == self._owner.id,
                CareGoal.started_on <= day,
                or_(CareGoal.ended_on.is_(None), CareGoal.ended_on >= day),
            )
            .order_by(CareGoal.started_on, CareGoal.id)
        )
        return list(self._session.scalars(statement))

    def overlapping(self, first: dt.date, last: dt.date) -> list[CareGoal]:
        """Goals active on at least one day of first..last, oldest first."""
        statement = (
            select(CareGoal)
            .where(
                CareGoal.owner_id == self._owner.id,
                CareGoal.started_on <= last,
                or_(CareGoal.ended_on.is_(None), CareGoal.ended_on >= first),
            )
            .order_by(CareGoal.started_on, CareGoal.id)
        )
        return list(self._session.scalars(statement))

    def add(self, goal: CareGoal) -> CareGoal:
        goal.owner_id = self._owner.id
        self._session.add(goal)
        self._session.flush()
        return goal

    def save(self) -> None:
        self._session.flush()

    # --- ticks ---------------------------------------------------------------------------------

    def _owned_goal_ids(self) -> Any:
        return select(CareGoal.id).where(CareGoal.owner_id == self._owner.id).scalar_subquery()

    def ticked_on(self, day: dt.date) -> set[int]:
        """Ids of the owner's goals ticked on `day`."""
        statement = (
            select(CareGoalTick.goal_id)
            .join(CareGoal, CareGoal.id == CareGoalTick.goal_id)
            .where(CareGoal.owner_id == self._owner.id, CareGoalTick.day == day)
        )
        return set(self._session.scalars(statement))

    def kept_days(
        self, goal_ids: Collection[int], first: dt.date, last: dt.date
    ) -> dict[int, list[dt.date]]:
        """The ticked days of each of these goals inside first..last, oldest first."""
        found: dict[int, list[dt.date]] = {goal_id: [] for goal_id in goal_ids}
        if not goal_ids:
            return found
        statement = (
            select(CareGoalTick.goal_id, CareGoalTick.day)
            .join(CareGoal, CareGoal.id == CareGoalTick.goal_id)
            .where(
                CareGoal.owner_id == self._owner.id,
                CareGoalTick.goal_id.in_(list(goal_ids)),
                CareGoalTick.day >= first,
                CareGoalTick.day <= last,
            )
            .order_by(CareGoalTick.goal_id, CareGoalTick.day)
        )
        for goal_id, day in self._session.execute(statement):
            found[goal_id].append(day)
        return found

    def count_kept(self, goal_id: int, first: dt.date, last: dt.date) -> int:
        statement = (
            select(func.count())
            .select_from(CareGoalTick)
            .join(CareGoal, CareGoal.id == CareGoalTick.goal_id)
            .where(
                CareGoal.owner_id == self._owner.id,
                CareGoalTick.goal_id == goal_id,
                CareGoalTick.day >= first,
                CareGoalTick.day <= last,
            )
        )
        return int(self._session.scalar(statement) or 0)

    def untick(self, day: dt.date, goal_ids: Iterable[int]) -> None:
        ids = list(goal_ids)
        if not ids:
            return
        self._session.execute(
            delete(CareGoalTick).where(
                CareGoalTick.day == day,
                CareGoalTick.goal_id.in_(ids),
                CareGoalTick.goal_id.in_(self._owned_goal_ids()),
            )
        )

    def tick(self, day: dt.date, goal_ids: Iterable[int], *, now: dt.datetime) -> None:
        """Callers pass only the owner's own goals (checked against `active_on`). A tick that is
        already there (a double submit racing this one) is left as it is."""
        rows = [{"goal_id": goal_id, "day": day, "created_at": now} for goal_id in goal_ids]
        if not rows:
            return
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(CareGoalTick).on_conflict_do_nothing(
            index_elements=[CareGoalTick.goal_id, CareGoalTick.day]
        )
        self._session.execute(statement, rows)


class ImpactRepository:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def for_month(self, month: dt.date) -> ImpactRating | None:
        statement = select(ImpactRating).where(
            and_(ImpactRating.owner_id == self._owner.id, ImpactRating.month == month)
        )
        return self._session.scalar(statement)

    def all(self) -> list[ImpactRating]:
        """Oldest month first."""
        statement = (
            select(ImpactRating)
            .where(ImpactRating.owner_id == self._owner.id)
            .order_by(ImpactRating.month)
        )
        return list(self._session.scalars(statement))

    def upsert(self, month: dt.date, scores: dict[str, int], *, now: dt.datetime) -> None:
        """Insert the month's rating or replace its scores in one statement (no read-then-write
        race between two tabs saving the same month)."""
        dialect = self._session.get_bind().dialect.name
        parameters: dict[str, Any] = {name: scores[name] for name in IMPACT_COLUMNS}
        parameters.update(owner_id=self._owner.id, month=month, created_at=now, updated_at=now)
        self._session.connection().execute(_impact_upsert(dialect), parameters)
        self._session.expire_all()


_IMPACT_TABLE = cast(Table, ImpactRating.__table__)


@cache
def _impact_upsert(dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = (*IMPACT_COLUMNS, "owner_id", "month", "created_at", "updated_at")
    inserted = insert(_IMPACT_TABLE).values({name: bindparam(name) for name in columns})
    updates: dict[str, Any] = {name: inserted.excluded[name] for name in IMPACT_COLUMNS}
    updates["updated_at"] = inserted.excluded.updated_at
    return inserted.on_conflict_do_update(
        index_elements=[_IMPACT_TABLE.c.owner_id, _IMPACT_TABLE.c.month], set_=updates
    )
