"""Filling an account with a simulated story: check-ins and medication events through the same
services the pages and the API use."""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.change import EventLink
from affectrange.analysis.engine import PersonAnalysis, analyze
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.items import ITEM_IDS
from affectrange.analysis.series import CONTEXT_FIELDS, DailySeries, series_from_rows
from affectrange.checkins import service as checkins
from affectrange.checkins.schemas import CheckinIn
from affectrange.medications import service as medications
from affectrange.medications.schemas import MedicationEventIn
from affectrange.simulate import SimulatedDay, SimulatedPerson, demo_story
from tests.conftest import NOW, TODAY

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"
STORY_DAYS = 150
ONSET_TOLERANCE_DAYS = 10
"""How far a detected onset may lie from the story's true one (tests/analysis/test_cohort.py)."""
WINDOW = dt.timedelta(days=28)
"""The current window (the last 4 weeks) and the baseline (the 4 weeks before the first
medication event) are both 28 days long (docs/analysis.md)."""


@functools.cache
def demo() -> SimulatedPerson:
    """The demo story ending on TODAY, as `load_story` records it (pure and deterministic)."""
    return demo_story(end=TODAY, n_days=STORY_DAYS)


def story_series(story: SimulatedPerson) -> DailySeries:
    """The story's days as the engine's arrays, built straight from the simulation: the
    independent path the database-backed page and API are checked against."""
    return series_from_rows(
        story.days[0].date,
        story.days[-1].date,
        (
            (
                day.date,
                {**day.items, **{field: getattr(day, field) for field in CONTEXT_FIELDS}},
                day.event_pleasantness,
            )
            for day in story.days
        ),
    )


@functools.cache
def demo_analysis() -> PersonAnalysis:
    """What the pure engine finds in the demo story, without a database in between."""
    story = demo()
    return analyze(story_series(story), story.medication_events)


def found_onset(story: SimulatedPerson, analysis: PersonAnalysis) -> tuple[dt.date, EventLink]:
    """The detected onset and the event it follows, after checking them against the story's
    truth: near the true onset, after the sertraline start, the lag counted from its date."""
    truth = story.truth
    start = story.medication_events[0]
    onset, link = analysis.blunting.onset_date, analysis.blunting.after_event
    assert analysis.blunting.detected
    assert onset is not None
    assert link is not None
    assert truth.onset_date is not None
    assert abs((onset - truth.onset_date).days) <= ONSET_TOLERANCE_DAYS
    assert (start.medication, start.event) == ("sertraline", "start")
    assert link.event == truth.after_event == start
    assert link.lag_days == (onset - start.date).days
    return onset, link


def long_day(day: dt.date) -> str:
    """A date as the page writes it in full: "26 February 2026"."""
    return f"{day.day} {day:%B %Y}"


def day_near(day: dt.date, reference: dt.date) -> str:
    """A date as the page writes it next to another: without the year when they share it."""
    return long_day(day) if day.year != reference.year else f"{day.day} {day:%B}"


def windows_of(story: SimulatedPerson) -> dict[str, tuple[dt.date, dt.date]]:
    """The baseline and current windows by hand: the 28 days before the first medication event,
    and the last 28 days of the story."""
    first_event = story.medication_events[0].date
    last = story.days[-1].date
    return {
        "baseline": (first_event - WINDOW, first_event - dt.timedelta(days=1)),
        "current": (last - WINDOW + dt.timedelta(days=1), last),
    }


def entry(day: SimulatedDay) -> CheckinIn:
    values: dict[str, object] = {item: day.items[item] for item in ITEM_IDS}
    values.update(
        date=day.date,
        event_pleasantness=day.event_pleasantness,
        sleep_hours=day.sleep_hours,
        exercise_minutes=day.exercise_minutes,
        social_minutes=day.social_minutes,
        alcohol_drinks=day.alcohol_drinks,
    )
    return CheckinIn.model_validate(values)


def record_days(session: Session, person: User, days: Iterable[SimulatedDay]) -> int:
    count = 0
    for day in days:
        checkins.record_checkin(session, person, entry(day), today=TODAY, now=NOW)
        count += 1
    return count


def record_events(session: Session, person: User, events: Iterable[MedicationEvent]) -> None:
    for event in events:
        form = MedicationEventIn.model_validate(
            {
                "medication": event.medication,
                "event": event.event,
                "date": event.date,
                "dose_mg": event.dose_mg,
            }
        )
        medications.record_medication_event(session, person, form, now=NOW)


def load_story(session: Session, person: User, *, with_events: bool = True) -> SimulatedPerson:
    """The demo story (sertraline, then a blunting-like change) as `person`'s own, committed."""
    story = demo()
    record_days(session, person, story.days)
    if with_events:
        record_events(session, person, story.medication_events)
    session.commit()
    return story


def steady_days(
    n_days: int, value: int = 3, *, end: dt.date = TODAY, items: Mapping[str, int] | None = None
) -> list[SimulatedDay]:
    """`n_days` consecutive days up to `end`, every item at `value` except those in `items`."""
    ratings = dict.fromkeys(ITEM_IDS, value) | dict(items or {})
    return [
        SimulatedDay(date=end - dt.timedelta(days=offset), items=ratings, event_pleasantness=None)
        for offset in reversed(range(n_days))
    ]


def text_of(page: str) -> str:
    """The page's words on one line: tags dropped, entities decoded, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(without_tags).split())
