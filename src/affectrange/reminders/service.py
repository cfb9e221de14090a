"""A person's reminder choices, and one-click unsubscribe links that need no sign-in.

Reminders are opt-in. An unsubscribe link carries the account id, what to stop, and an HMAC of
both under the installation's secret key: it works from any mail client without a password, and
cannot be forged for another person or another kind of reminder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.errors import InvalidInput, NotFound
from affectrange.reminders.models import SentReminder
from affectrange.reminders.repository import ReminderSettingsRepository

DEFAULT_CHECKIN_TIME: Final = dt.time(19, 0)
"""An evening default: a check-in describes the day, so it is best made near its end."""
BAD_LINK_MESSAGE: Final = "This unsubscribe link is not valid. Sign in to change your reminders."


class ReminderKind(StrEnum):
    CHECKIN = "checkin"
    QUESTIONNAIRES = "questionnaires"


@dataclass(frozen=True, slots=True)
class ReminderChoices:
    checkin_enabled: bool
    checkin_time: dt.time
    questionnaires_enabled: bool


def reminder_choices(session: Session, person: Owner) -> ReminderChoices:
    row = ReminderSettingsRepository(session, person).get()
    if row is None:
        return ReminderChoices(False, DEFAULT_CHECKIN_TIME, False)
    return ReminderChoices(row.checkin_enabled, row.checkin_time, row.questionnaires_enabled)


def change_reminders(
    session: Session, person: Owner, choices: ReminderChoices, *, now: dt.datetime
) -> None:
    if choices.checkin_time.second or choices.checkin_time.microsecond:
        raise InvalidInput({"checkin_time": "Choose a time in hours and minutes."})
    ReminderSettingsRepository(session, person).save(
        checkin_enabled=choices.checkin_enabled,
        checkin_time=choices.checkin_time,
        questionnaires_enabled=choices.questionnaires_enabled,
        now=now,
    )


def recent_reminders(session: Session, person: Owner, *, since: dt.datetime) -> list[SentReminder]:
    return ReminderSettingsRepository(session, person).sent_since(since)


# One-click unsubscribe


def unsubscribe_token(secret: bytes, owner_id: int, kind: ReminderKind) -> str:
    return f"{owner_id}.{kind.value}.{_signature(secret, owner_id, kind)}"


def _signature(secret: bytes, owner_id: int, kind: ReminderKind) -> str:
    message = f"unsubscribe:{owner_id}:{kind.value}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class UnsubscribeRequest:
    owner_id: int
    kind: ReminderKind

    @property
    def id(self) -> int:
        """An `Owner`: the verified link stands for the account it was made for."""
        return self.owner_id


def read_unsubscribe_token(secret: bytes, token: str) -> UnsubscribeRequest:
    owner_text, _, rest = token.partition(".")
    kind_text, _, signature = rest.partition(".")
    try:
        owner_id = int(owner_text)
        kind = ReminderKind(kind_text)
    except ValueError:
        raise NotFound(BAD_LINK_MESSAGE) from None
    if not hmac.compare_digest(signature, _signature(secret, owner_id, kind)):
        raise NotFound(BAD_LINK_MESSAGE)
    return UnsubscribeRequest(owner_id, kind)


def unsubscribe(session: Session, request: UnsubscribeRequest, *, now: dt.datetime) -> None:
    """Switch that kind of reminder off (idempotent: a second click changes nothing)."""
    _switch(session, request, on=False, now=now)


def resubscribe(session: Session, request: UnsubscribeRequest, *, now: dt.datetime) -> None:
    """Undo an unsubscribe from the same link's page."""
    _switch(session, request, on=True, now=now)


def _switch(session: Session, request: UnsubscribeRequest, *, on: bool, now: dt.datetime) -> None:
    repository = ReminderSettingsRepository(session, request)
    row = repository.get()
    if row is None:
        return
    is_checkin = request.kind is ReminderKind.CHECKIN
    repository.save(
        checkin_enabled=on if is_checkin else row.checkin_enabled,
        checkin_time=row.checkin_time,
        questionnaires_enabled=row.questionnaires_enabled if is_checkin else on,
        now=now,
    )
