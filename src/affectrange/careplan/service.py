"""Care-plan rules: goals made from strategies, their ticks in the daily check-in, the progress
view with its associations, and the monthly impact rating.

Services flush but never commit. Ticks are saved with the day's check-in in one transaction:
`record_checkin_with_goals` checks the ticked goals first (bad input changes nothing), then saves
the check-in through the check-ins service, then the day's ticks. A goal is one active period,
`started_on` to `ended_on` inclusive; pausing closes it, taking it up again after a gap opens a
new one, so every kept day belongs to the period it was kept in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from sqlalchemy.orm import Session

from affectrange.accounts import service as accounts
from affectrange.accounts.models import User
from affectrange.accounts.principal import Owner
from affectrange.analysis.goal_associations import (
    GoalAssociation,
    goal_associations,
    kept_indicator,
)
from affectrange.analysis.series import DailySeries
from affectrange.careplan.impact import IMPACT_ITEMS, MAX_TOTAL
from affectrange.careplan.models import CareGoal, ImpactRating
from affectrange.careplan.repository import CareGoalRepository, ImpactRepository
from affectrange.careplan.schemas import GOALS_KEPT_FIELD, GoalEdit, GoalIn, ImpactIn
from affectrange.careplan.strategies import STRATEGIES_BY_ID, Strategy
from affectrange.checkins import service as checkins
from affectrange.checkins.schemas import CheckinIn
from affectrange.checkins.service import RecordedCheckin
from affectrange.clock import Clock, local_today
from affectrange.errors import InvalidInput, NotFound
from affectrange.safety import DEFAULT_CRISIS_PHRASES

GOAL_NOT_FOUND_MESSAGE: Final = "There is no goal with this number among yours."
ALREADY_ACTIVE_MESSAGE: Final = "This strategy is already one of your active goals."
FUTURE_START_MESSAGE: Final = "A goal cannot start on a day that has not happened yet."
NOT_ACTIVE_MESSAGE: Final = "Tick only goals that were part of your plan on that day."
PROGRESS_WEEKS: Final = 8
"""Weeks of kept days shown per goal on the progress view: Monday to Sunday, this one last."""


# --- goals -------------------------------------------------------------------------------------


def list_goals(session: Session, person: Owner) -> list[CareGoal]:
    """Every period of every goal, oldest first."""
    return CareGoalRepository(session, person).all()


def get_goal(session: Session, person: Owner, goal_id: int) -> CareGoal:
    goal = CareGoalRepository(session, person).get(goal_id)
    if goal is None:
        raise NotFound(GOAL_NOT_FOUND_MESSAGE)
    return goal


def active_goals(session: Session, person: Owner, day: dt.date) -> list[CareGoal]:
    return CareGoalRepository(session, person).active_on(day)


def strategy_of(goal: CareGoal) -> Strategy | None:
    return STRATEGIES_BY_ID.get(goal.strategy_id)


def add_goal(
    session: Session, person: Owner, form: GoalIn, *, today: dt.date, now: dt.datetime
) -> CareGoal:
    """Make a goal from a strategy; one active goal per strategy."""
    started = form.started_on or today
    if started > today:
        raise InvalidInput({"started_on": FUTURE_START_MESSAGE})
    repository = CareGoalRepository(session, person)
    if any(g.strategy_id == form.strategy_id and g.ended_on is None for g in repository.all()):
        raise InvalidInput({"strategy_id": ALREADY_ACTIVE_MESSAGE})
    strategy = STRATEGIES_BY_ID[form.strategy_id]
    goal = CareGoal(
        strategy_id=strategy.id,
        title=form.title or strategy.title,
        times_per_week=form.times_per_week,
        started_on=started,
        ended_on=None,
        created_at=now,
        updated_at=now,
    )
    return repository.add(goal)


def update_goal(
    session: Session, person: Owner, goal_id: int, form: GoalEdit, *, now: dt.datetime
) -> CareGoal:
    goal = get_goal(session, person, goal_id)
    goal.title = form.title
    goal.times_per_week = form.times_per_week
    goal.updated_at = now
    CareGoalRepository(session, person).save()
    return goal


def pause_goal(
    session: Session, person: Owner, goal_id: int, *, today: dt.date, now: dt.datetime
) -> CareGoal:
    """Close the goal's period with today as its last day; it leaves later check-ins."""
    goal = get_goal(session, person, goal_id)
    if goal.ended_on is None:
        goal.ended_on = max(today, goal.started_on)
        goal.updated_at = now
        CareGoalRepository(session, person).save()
    return goal


def resume_goal(
    session: Session, person: Owner, goal_id: int, *, today: dt.date, now: dt.datetime
) -> CareGoal:
    """Take a paused goal up again: the same period when it ended today or yesterday (no gap
    to record), else a new period from today with the same words and frequency."""
    goal = get_goal(session, person, goal_id)
    if goal.ended_on is None:
        return goal
    repository = CareGoalRepository(session, person)
    for other in repository.all():
        if other.strategy_id == goal.strategy_id and other.ended_on is None:
            return other  # already taken up again, perhaps in another tab
    if goal.ended_on >= today - dt.timedelta(days=1):
        goal.ended_on = None
        goal.updated_at = now
        repository.save()
        return goal
    again = CareGoal(
        strategy_id=goal.strategy_id,
        title=goal.title,
        times_per_week=goal.times_per_week,
        started_on=today,
        ended_on=None,
        created_at=now,
        updated_at=now,
    )
    return repository.add(again)


# --- ticks in the daily check-in ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoalChoice:
    """A goal as the check-in form offers it."""

    id: int
    title: str
    kept: bool


def checkin_goals(
    session: Session, person: Owner, day: dt.date, *, kept: Collection[int] | None = None
) -> list[GoalChoice]:
    """The goals active on `day`, ticked as stored (or as `kept` says, for a form shown again)."""
    repository = CareGoalRepository(session, person)
    ticked = repository.ticked_on(day) if kept is None else set(kept)
    return [
        GoalChoice(goal.id, goal.title, goal.id in ticked) for goal in repository.active_on(day)
    ]


def record_checkin_with_goals(
    session: Session,
    person: Owner,
    entry: CheckinIn,
    *,
    goals_kept: Collection[int] | None,
    goals_shown: Collection[int] | None = None,
    today: dt.date,
    now: dt.datetime,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> RecordedCheckin:
    """Save the day's check-in and its ticks together.

    `goals_kept` None leaves the day's ticks as they are (the API without the field). Otherwise
    the kept goals are ticked and the others unticked: those in `goals_shown` (the form's
    checkboxes), or, without it, every goal active that day (the API's list replaces the day's).
    A goal that was not active that day, or is not the person's, names the field and saves nothing.
    """
    if goals_kept is None:
        return checkins.record_checkin(
            session, person, entry, today=today, now=now, crisis_phrases=crisis_phrases
        )
    repository = CareGoalRepository(session, person)
    active = {goal.id for goal in repository.active_on(entry.date)}
    kept = set(goals_kept)
    if not kept <= active:
        raise InvalidInput({GOALS_KEPT_FIELD: NOT_ACTIVE_MESSAGE})
    recorded = checkins.record_checkin(
        session, person, entry, today=today, now=now, crisis_phrases=crisis_phrases
    )
    in_scope = active if goals_shown is None else active & set(goals_shown)
    ticked = repository.ticked_on(entry.date)
    repository.untick(entry.date, (in_scope - kept) & ticked)
    repository.tick(entry.date, sorted(kept - ticked), now=now)
    return recorded


def keep_goals(
    session: Session, person: Owner, day: dt.date, goal_ids: Collection[int], *, now: dt.datetime
) -> None:
    """Mark goals kept on a day that already has its check-in (the demo's story), adding ticks
    only: nothing is unticked. Goals not active that day name the field and change nothing."""
    repository = CareGoalRepository(session, person)
    wanted = set(goal_ids)
    if not wanted <= {goal.id for goal in repository.active_on(day)}:
        raise InvalidInput({GOALS_KEPT_FIELD: NOT_ACTIVE_MESSAGE})
    repository.tick(day, sorted(wanted - repository.ticked_on(day)), now=now)


def record_checkin_for_api(
    session: Session,
    credentials: accounts.ApiCredentials,
    entry: CheckinIn,
    *,
    now: dt.datetime,
    clock: Clock,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> RecordedCheckin:
    """The batching writer's unit for a check-in that carries `goals_kept`: who is asking, the
    check-in and its ticks, in one transaction. Running it twice leaves the same rows."""
    person = accounts.person_for_credentials(session, credentials, now=now, record_use=True)
    return record_checkin_with_goals(
        session,
        person,
        entry,
        goals_kept=entry.goals_kept,
        today=local_today(clock, person.timezone),
        now=now,
        crisis_phrases=crisis_phrases,
    )


# --- progress ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekCount:
    monday: dt.date
    kept: int
    active_days: int
    """Days of this week inside the goal's period, up to today; 0 before it began."""
    partial: bool
    """Fewer than 7 such days: the goal began or paused inside it, or it is this week."""


@dataclass(frozen=True, slots=True)
class GoalProgress:
    goal: CareGoal
    strategy: Strategy | None
    weeks: tuple[WeekCount, ...]
    kept_total: int
    """Kept days over the whole period."""
    associations: tuple[GoalAssociation, ...]


@dataclass(frozen=True, slots=True)
class PlanProgress:
    today: dt.date
    week_starts: tuple[dt.date, ...]
    active: tuple[GoalProgress, ...]
    paused: tuple[CareGoal, ...]
    """Closed periods, most recently paused first."""


def week_starts(today: dt.date, count: int = PROGRESS_WEEKS) -> tuple[dt.date, ...]:
    """The Mondays of the last `count` weeks, oldest first, this week's last."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return tuple(this_monday - dt.timedelta(weeks=count - 1 - k) for k in range(count))


def _period_end(goal: CareGoal, today: dt.date) -> dt.date:
    return today if goal.ended_on is None else min(goal.ended_on, today)


def _weeks(
    goal: CareGoal, kept: Sequence[dt.date], mondays: Sequence[dt.date], today: dt.date
) -> tuple[WeekCount, ...]:
    end = _period_end(goal, today)
    counts = []
    for monday in mondays:
        sunday = monday + dt.timedelta(days=6)
        first, last = max(monday, goal.started_on), min(sunday, end)
        active_days = max(0, (last - first).days + 1)
        kept_here = sum(1 for day in kept if monday <= day <= sunday)
        counts.append(WeekCount(monday, kept_here, active_days, active_days < 7))
    return tuple(counts)


def _slice(series: DailySeries, first: dt.date, last: dt.date) -> DailySeries:
    start = (first - series.first).days
    stop = (last - series.first).days + 1
    return DailySeries(
        first=first, items=series.items[start:stop], event=series.event[start:stop], context=None
    )


def goal_analysis(
    goal: CareGoal, kept: Sequence[dt.date], series: DailySeries, today: dt.date
) -> tuple[GoalAssociation, ...]:
    """Kept days against feelings over the goal's period; `series` must cover it (and the day
    after it, when that day has come, so the last day has a next day)."""
    end = max(_period_end(goal, today), goal.started_on)
    after = min(end + dt.timedelta(days=1), today) if end < today else end
    own = _slice(series, goal.started_on, after)
    n_period = (end - goal.started_on).days + 1
    indicator = kept_indicator(goal.started_on, own.answered()[:n_period], kept)
    return goal_associations(own, np.asarray(indicator))


def progress(session: Session, person: Owner, *, today: dt.date) -> PlanProgress:
    repository = CareGoalRepository(session, person)
    goals = repository.all()
    active = [goal for goal in goals if goal.ended_on is None and goal.started_on <= today]
    paused = sorted(
        (goal for goal in goals if goal.ended_on is not None),
        key=lambda goal: (goal.ended_on, goal.id),
        reverse=True,
    )
    mondays = week_starts(today)
    progress_rows: list[GoalProgress] = []
    if active:
        first = min(goal.started_on for goal in active)
        kept = repository.kept_days([goal.id for goal in active], first, today)
        series = checkins.daily_series(session, person, first, today)
        for goal in active:
            days = kept[goal.id]
            progress_rows.append(
                GoalProgress(
                    goal=goal,
                    strategy=strategy_of(goal),
                    weeks=_weeks(goal, days, mondays, today),
                    kept_total=len(days),
                    associations=goal_analysis(goal, days, series, today),
                )
            )
    return PlanProgress(today, mondays, tuple(progress_rows), tuple(paused))


@dataclass(frozen=True)
class GoalSummary:
    title: str
    times_per_week: int
    kept_days: int
    weeks: float
    """Length of the overlap of the goal's period with [first, last], in weeks (days / 7)."""


def goal_summaries(
    session: Session, person: User, *, first: dt.date, last: dt.date
) -> list[GoalSummary]:
    """Each goal period that overlaps first..last, oldest first, with its kept days there (for
    the appointment preparation sheet)."""
    repository = CareGoalRepository(session, person)
    summaries = []
    for goal in repository.overlapping(first, last):
        start = max(first, goal.started_on)
        end = last if goal.ended_on is None else min(last, goal.ended_on)
        summaries.append(
            GoalSummary(
                title=goal.title,
                times_per_week=goal.times_per_week,
                kept_days=repository.count_kept(goal.id, start, end),
                weeks=((end - start).days + 1) / 7,
            )
        )
    return summaries


# --- impact ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactPoint:
    month: dt.date
    total: int
    max_total: int


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def impact_total(rating: ImpactRating) -> int:
    return sum(int(getattr(rating, item.id)) for item in IMPACT_ITEMS)


def impact_for_month(session: Session, person: Owner, month: dt.date) -> ImpactRating | None:
    return ImpactRepository(session, person).for_month(month_of(month))


def impact_due(session: Session, person: Owner, *, today: dt.date) -> bool:
    """Due once a month: this month has no rating yet."""
    return impact_for_month(session, person, today) is None


def save_impact(
    session: Session, person: Owner, form: ImpactIn, *, today: dt.date, now: dt.datetime
) -> dt.date:
    """Rate the person's current month; a second save that month replaces the scores."""
    month = month_of(today)
    ImpactRepository(session, person).upsert(month, form.model_dump(), now=now)
    return month


def impact_history(session: Session, person: User) -> list[ImpactPoint]:
    """Every monthly total, oldest first."""
    return [
        ImpactPoint(month=rating.month, total=impact_total(rating), max_total=MAX_TOTAL)
        for rating in ImpactRepository(session, person).all()
    ]
