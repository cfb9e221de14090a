"""emotional_range(...): which days it reads, what it hands on, and whose."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.events import MedicationEvent
from affectrange.checkins import service as checkins
from affectrange.emotional_range.service import MAX_DAYS, MIN_CHECKINS, emotional_range
from tests.conftest import TODAY
from tests.emotional_range.helpers import record_days, record_events, steady_days


def test_the_range_runs_from_the_first_check_in_to_today(session: Session, alice: User) -> None:
    record_days(session, alice, steady_days(3, end=TODAY - dt.timedelta(days=10)))

    view = emotional_range(session, alice, TODAY)

    assert view.series.first == TODAY - dt.timedelta(days=12)
    assert view.series.n_days == 13
    assert view.n_checkins == 3
    assert [day.date for day in view.days] == [
        TODAY - dt.timedelta(days=offset) for offset in (12, 11, 10)
    ]
    assert not view.enough


def test_at_most_the_last_730_days(session: Session, alice: User) -> None:
    record_days(session, alice, steady_days(1, end=TODAY - dt.timedelta(days=800)))
    record_days(session, alice, steady_days(MIN_CHECKINS, end=TODAY))

    view = emotional_range(session, alice, TODAY)

    assert view.series.first == TODAY - dt.timedelta(days=MAX_DAYS - 1)
    assert view.n_checkins == MIN_CHECKINS
    assert view.enough
    assert checkins.first_checkin_day(session, alice) == TODAY - dt.timedelta(days=800)


def test_no_check_ins_is_an_empty_day_today(session: Session, alice: User) -> None:
    view = emotional_range(session, alice, TODAY)

    assert (view.series.first, view.series.n_days) == (TODAY, 1)
    assert view.days == ()
    assert view.analysis.pattern == "insufficient_data"


def test_the_whole_timeline_is_handed_on_oldest_first(session: Session, alice: User) -> None:
    record_days(session, alice, steady_days(20))
    later = MedicationEvent(TODAY - dt.timedelta(days=5), "sertraline", "dose_change", 100.0)
    early = MedicationEvent(TODAY - dt.timedelta(days=400), "sertraline", "start", 50.0)
    record_events(session, alice, [later, early])

    view = emotional_range(session, alice, TODAY)

    assert view.events == (early, later)
    assert [item.event for item in view.analysis.event_comparisons] == [early, later]


def test_only_the_persons_own_data(session: Session, alice: User, bob: User) -> None:
    record_days(session, alice, steady_days(30, value=5))
    record_events(session, alice, [MedicationEvent(TODAY, "sertraline", "start", 50.0)])
    record_days(session, bob, steady_days(2, value=1))

    view = emotional_range(session, bob, TODAY)

    assert view.n_checkins == 2
    assert view.events == ()
    assert {day.pa for day in view.days} == {1.0}
    assert checkins.first_checkin_day(session, bob) == TODAY - dt.timedelta(days=1)
