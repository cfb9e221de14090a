"""Check-in rules: one entry per day, no future days, back-filled days marked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from affectrange.accounts import service as accounts
from affectrange.accounts.principal import Owner
from affectrange.analysis.items import ITEM_IDS
from affectrange.analysis.series import CONTEXT_FIELDS, DailySeries, series_from_rows
from affectrange.checkins.models import Checkin
from affectrange.checkins.repository import CheckinRepository
from affectrange.checkins.schemas import CheckinIn, CheckinRead
from affectrange.clock import Clock, local_today
from affectrange.errors import InvalidInput, NotFound
from affectrange.safety import (
    DEFAULT_CRISIS_PHRASES,
    find_stopping_language,
)
from affectrange.safety_events.service import record_crisis_language

FUTURE_DAY_MESSAGE = "This day has not happened yet. Choose today or an earlier day."


@dataclass(frozen=True, slots=True)
class RecordedCheckin:
    checkin: CheckinRead
    created: bool
    crisis_language: tuple[str, ...] = ()
    """Crisis phrases found in the note: the page must show the crisis card (SCIENCE.md 6.1)."""
    stopping_language: tuple[str, ...] = ()
    """The note says the person wants to stop, or stopped, a medication: show the
    "talk to your prescriber first" card (SCIENCE.md 6.2 rule 2)."""


def record_checkin(
    session: Session,
    person: Owner,
    entry: CheckinIn,
    *,
    today: dt.date,
    now: dt.datetime,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> RecordedCheckin:
    """Save the day's entry (creating or replacing it). `today` is the person's local date.

    The note is read for crisis language; what is found is returned so the caller shows the
    crisis card, and the event is recorded for the person's clinicians (once per day's entry).
    Saving never depends on it: the app is never blocked (SCIENCE.md 6.1).
    """
    if entry.date > today:
        raise InvalidInput({"date": FUTURE_DAY_MESSAGE})
    values = entry.model_dump(exclude={"date"})
    values["day"] = entry.date
    values["backfilled"] = entry.date < today
    row = CheckinRepository(session, person).upsert(values, now=now)
    checkin = CheckinRead.model_validate(dict(row))
    found = record_crisis_language(
        session,
        person,
        entry.note,
        source="checkin",
        source_id=checkin.id,
        now=now,
        crisis_phrases=crisis_phrases,
    )
    return RecordedCheckin(
        checkin=checkin,
        created=row["revision"] == 1,
        crisis_language=found,
        stopping_language=find_stopping_language(entry.note),
    )


def record_checkin_for_api(
    session: Session,
    credentials: accounts.ApiCredentials,
    entry: CheckinIn,
    *,
    now: dt.datetime,
    clock: Clock,
    crisis_phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES,
) -> RecordedCheckin:
    """The API's unit of work: who is asking, then the check-in, in one transaction."""
    person = accounts.person_for_credentials(session, credentials, now=now, record_use=True)
    today = local_today(clock, person.timezone)
    return record_checkin(
        session, person, entry, today=today, now=now, crisis_phrases=crisis_phrases
    )


def get_checkin(session: Session, person: Owner, checkin_id: int) -> Checkin:
    checkin = CheckinRepository(session, person).get(checkin_id)
    if checkin is None:
        raise NotFound("There is no check-in with this number among yours.")
    return checkin


def checkin_on(session: Session, person: Owner, day: dt.date) -> Checkin | None:
    return CheckinRepository(session, person).on_day(day)


def list_checkins(session: Session, person: Owner, first: dt.date, last: dt.date) -> list[Checkin]:
    if first > last:
        raise InvalidInput({"from": "The start of the range is after its end."})
    return CheckinRepository(session, person).between(first, last)


def count_checkins(session: Session, person: Owner) -> int:
    return CheckinRepository(session, person).count()


def first_checkin_day(session: Session, person: Owner) -> dt.date | None:
    """The day of the person's earliest check-in: where their own history starts."""
    return CheckinRepository(session, person).first_day()


def delete_checkin(session: Session, person: Owner, checkin_id: int) -> None:
    checkin = get_checkin(session, person, checkin_id)
    CheckinRepository(session, person).delete(checkin)


def daily_series(session: Session, person: Owner, first: dt.date, last: dt.date) -> DailySeries:
    """The person's check-ins as day-indexed arrays: the one place rows meet NumPy."""
    rows = CheckinRepository(session, person).between(first, last)
    return series_from_rows(
        first,
        last,
        (
            (
                row.day,
                {field: getattr(row, field) for field in (*ITEM_IDS, *CONTEXT_FIELDS)},
                row.event_pleasantness,
            )
            for row in rows
        ),
    )


def to_read(checkin: Checkin) -> CheckinRead:
    return CheckinRead.model_validate(checkin)
