"""The care-plan service: goal summaries for the preparation sheet, the progress view's weeks and
associations, and the monthly impact rating. Numbers are checked by hand.

TODAY is Monday 15 June 2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.careplan import service
from affectrange.careplan.models import ImpactRating
from affectrange.careplan.schemas import GoalIn, ImpactIn
from affectrange.checkins.schemas import CheckinIn
from affectrange.errors import InvalidInput
from tests.careplan.helpers import count_rows
from tests.conftest import NOW, TODAY, checkin_payload


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def goal(session: Session, person: User, strategy: str, started: dt.date, times: int = 3) -> int:
    form = GoalIn(strategy_id=strategy, times_per_week=times, started_on=started)
    return service.add_goal(session, person, form, today=TODAY, now=NOW).id


def check_in(
    session: Session, person: User, day: dt.date, kept: list[int], value: float = 3
) -> None:
    entry = CheckinIn.model_validate(checkin_payload(day, int(value)))
    service.record_checkin_with_goals(session, person, entry, goals_kept=kept, today=TODAY, now=NOW)


def test_goal_summaries_count_kept_days_and_weeks_inside_the_range(
    session: Session, alice: User, bob: User
) -> None:
    # Ended before the range: left out.
    old = goal(session, alice, "mindfulness", d(4, 1))
    service.pause_goal(session, alice, old, today=d(5, 1), now=NOW)
    # Movement: 1 May to 5 June (paused), kept 2, 10, 20 and 31 May and 3 June.
    walk = goal(session, alice, "movement", d(5, 1), times=3)
    for day in (d(5, 2), d(5, 10), d(5, 20), d(5, 31), d(6, 3)):
        check_in(session, alice, day, [walk])
    service.pause_goal(session, alice, walk, today=d(6, 5), now=NOW)
    # Sleep: from 1 June, open; kept 1, 2 and 14 June.
    sleep = goal(session, alice, "sleep", d(6, 1), times=5)
    for day in (d(6, 1), d(6, 2), d(6, 14)):
        check_in(session, alice, day, [sleep])
    # Therapy begins after the range: left out. Bob's goal is not Alice's.
    goal(session, alice, "therapy", d(6, 14))
    goal(session, bob, "creative", d(5, 1))

    summaries = service.goal_summaries(session, alice, first=d(5, 15), last=d(6, 10))

    # Movement overlaps 15 May..5 June = 22 days; kept inside: 20 and 31 May, 3 June.
    # Sleep overlaps 1..10 June = 10 days; kept inside: 1 and 2 June.
    assert summaries == [
        service.GoalSummary("Move your body", 3, 3, pytest.approx(22 / 7)),  # type: ignore[arg-type]
        service.GoalSummary("Keep a regular sleep time", 5, 2, pytest.approx(10 / 7)),  # type: ignore[arg-type]
    ]
    assert service.goal_summaries(session, bob, first=d(5, 15), last=d(6, 10))[0].kept_days == 0


def test_progress_counts_kept_days_per_monday_week(session: Session, alice: User) -> None:
    sleep = goal(session, alice, "sleep", d(6, 1), times=5)
    for day in (d(6, 1), d(6, 2), d(6, 14)):
        check_in(session, alice, day, [sleep])

    plan = service.progress(session, alice, today=TODAY)

    assert plan.week_starts[0] == d(4, 27)
    assert plan.week_starts[-1] == TODAY  # a Monday
    (row,) = plan.active
    assert row.kept_total == 3
    counts = [(w.monday, w.kept, w.active_days, w.partial) for w in row.weeks]
    assert counts[-3:] == [(d(6, 1), 2, 7, False), (d(6, 8), 1, 7, False), (d(6, 15), 0, 1, True)]
    assert all(active == 0 for _, _, active, _ in counts[:-3])


def test_progress_associations_match_the_hand_computed_welch_interval(
    session: Session, alice: User
) -> None:
    # The goal begins 2 June; check-ins every day 2..15 June (14 days), kept on 2, 4, ... 14 June.
    # Kept days score 4,5,3,4,5,4,3 and other days 2,3,2,1,3,2,1 on every item: difference 2.0,
    # 95% interval 2 -+ 2.178813 * 0.436436 = 1.049082 to 2.950918 (see the analysis tests).
    # A check-in on 1 June (before the goal) must not count.
    walk = goal(session, alice, "movement", d(6, 2))
    check_in(session, alice, d(6, 1), [], value=6)
    kept_values = [4, 5, 3, 4, 5, 4, 3]
    other_values = [2, 3, 2, 1, 3, 2, 1]
    for offset in range(14):
        day = d(6, 2) + dt.timedelta(days=offset)
        if offset % 2 == 0:
            check_in(session, alice, day, [walk], kept_values[offset // 2])
        else:
            check_in(session, alice, day, [], other_values[offset // 2])

    (row,) = service.progress(session, alice, today=TODAY).active
    by_key = {(a.outcome, a.lag): a for a in row.associations}

    for outcome in ("pa", "na", "numb"):
        same = by_key[outcome, "same_day"]
        assert (same.n_kept, same.n_not_kept) == (7, 7)
        assert same.difference == pytest.approx(2.0)
        assert same.ci_low == pytest.approx(1.049082, abs=1e-5)
        assert same.ci_high == pytest.approx(2.950918, abs=1e-5)
        # The last day (today) has no next day yet: 13 pairs, one short.
        assert by_key[outcome, "next_day"].more_days_needed == 1


def test_ticks_for_an_inactive_goal_change_nothing(session: Session, alice: User) -> None:
    walk = goal(session, alice, "movement", TODAY)

    with pytest.raises(InvalidInput) as refused:
        check_in(session, alice, d(6, 14), [walk])

    assert refused.value.fields == {
        "goals_kept": "Tick only goals that were part of your plan on that day."
    }
    assert service.progress(session, alice, today=TODAY).active[0].kept_total == 0


def test_resuming_after_a_gap_opens_a_new_period(session: Session, alice: User) -> None:
    walk = goal(session, alice, "movement", d(5, 1))
    service.pause_goal(session, alice, walk, today=d(5, 10), now=NOW)

    again = service.resume_goal(session, alice, walk, today=TODAY, now=NOW)

    assert again.id != walk
    assert (again.started_on, again.ended_on, again.title) == (TODAY, None, "Move your body")
    assert [(g.started_on, g.ended_on) for g in service.list_goals(session, alice)] == [
        (d(5, 1), d(5, 10)),
        (TODAY, None),
    ]


def scores(connect: int, misread: int, drive: int, satisfaction: int) -> ImpactIn:
    return ImpactIn(connect=connect, misread=misread, drive=drive, satisfaction=satisfaction)


def test_one_impact_rating_per_month_a_second_save_replaces_it(
    session: Session, alice: User, bob: User
) -> None:
    assert service.impact_due(session, alice, today=TODAY)

    month = service.save_impact(session, alice, scores(1, 2, 3, 4), today=d(6, 3), now=NOW)
    service.save_impact(session, alice, scores(0, 1, 1, 2), today=TODAY, now=NOW)
    service.save_impact(session, alice, scores(4, 4, 4, 4), today=d(5, 20), now=NOW)
    service.save_impact(session, bob, scores(3, 3, 3, 3), today=TODAY, now=NOW)

    assert month == d(6, 1)
    assert count_rows(session, ImpactRating) == 3
    assert service.impact_history(session, alice) == [
        service.ImpactPoint(d(5, 1), 16, 16),
        service.ImpactPoint(d(6, 1), 4, 16),
    ]
    assert not service.impact_due(session, alice, today=TODAY)
    assert service.impact_due(session, alice, today=d(7, 1))


def test_an_impact_score_outside_0_to_4_is_refused() -> None:
    with pytest.raises(ValueError, match="less than or equal to 4"):
        scores(5, 0, 0, 0)
