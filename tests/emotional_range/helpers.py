"""Filling an account with a simulated story: check-ins and medication events through the same
services the pages and the API use."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.items import ITEM_IDS
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

# What the analysis engine finds in the seeded demo story ending on TODAY (2026-06-15): the
# story's truth is an onset 28 days after the start; the detected onset is one day later.
SERTRALINE_START = dt.date(2026, 2, 26)
DOSE_CHANGE = dt.date(2026, 4, 2)
ONSET = dt.date(2026, 3, 27)
LAG_DAYS = 29


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
    story = demo_story(end=TODAY, n_days=STORY_DAYS)
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
