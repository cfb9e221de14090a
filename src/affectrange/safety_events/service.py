"""Recording the moments the crisis card was shown (SCIENCE.md 6.1, point 4).

The record is the person's, like the rest of their data: it is shown to a clinician only through
sharing, which the person controls (the sharing feature reads `list_safety_events`). What is kept
is what triggered and when, never a risk score: the software routes, it does not assess (6.1.6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.safety import find_crisis_language
from affectrange.safety_events.models import SafetyEvent, SafetySignal
from affectrange.safety_events.repository import SafetyEventRepository


def record_safety_event(
    session: Session,
    owner: Owner,
    *,
    signal: SafetySignal,
    source: str,
    source_id: int,
    now: dt.datetime,
    item_value: int | None = None,
) -> bool:
    """Record the event once per source (a response, a day's check-in); True when new.

    The crisis card itself shows on every positive save; the record counts each answer sheet or
    day once, so editing a note three times does not read as three crises to a clinician.
    """
    events = SafetyEventRepository(session, owner)
    if events.for_source(source, source_id) is not None:
        return False
    events.add(
        SafetyEvent(
            occurred_at=now,
            signal=signal,
            item_value=item_value,
            source=source,
            source_id=source_id,
        )
    )
    return True


def record_crisis_language(
    session: Session,
    owner: Owner,
    text: str | None,
    *,
    source: str,
    source_id: int,
    now: dt.datetime,
    crisis_phrases: Sequence[str],
) -> tuple[str, ...]:
    """Look for crisis language in what the person wrote (a note, a question); when there is
    some, record the event once for its source. The phrases found decide the crisis card."""
    found = find_crisis_language(text, crisis_phrases)
    if found:
        record_safety_event(
            session,
            owner,
            signal=SafetySignal.NOTE_LANGUAGE,
            source=source,
            source_id=source_id,
            now=now,
        )
    return found


def list_safety_events(
    session: Session, owner: Owner, *, since: dt.datetime | None = None
) -> list[SafetyEvent]:
    """Newest first; `since` for "since the last visit"."""
    return SafetyEventRepository(session, owner).since(since)
