"""The reminder scheduler: every minute, find the reminders due, claim each once, send them.

Runs inside `affectrange serve` (a background thread) and as `affectrange worker` for deployments
with several processes or machines; any number may run at once.

Never twice: a reminder has a key (the person, the kind, the day or due date). Before an e-mail
goes out, its keys are claimed in the database (`sent_reminders`, unique per person and key) and
that claim is committed; a second process, or this one after a restart, finds the claim and skips
it. If sending fails for a known reason (the server refused, or could not be reached), the claim is
marked failed and tried again later, at most `MAX_ATTEMPTS` times; a claim left by a crash in the
middle of sending is never retried, because the e-mail may have gone out.

E-mails carry no health information: the subject and text say only that a check-in or a
questionnaire is waiting, with a link, since e-mail is often read by others or on shared screens.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.checkins import service as checkins
from affectrange.clock import Clock
from affectrange.db import Database, session_scope
from affectrange.mail import Mailer, MailError, OutgoingMail
from affectrange.questionnaires import service as questionnaires
from affectrange.reminders.models import ReminderSettings
from affectrange.reminders.repository import ReminderLedger
from affectrange.reminders.service import ReminderKind, unsubscribe_token

logger = logging.getLogger(__name__)

TICK_SECONDS: Final = 60.0
MAX_ATTEMPTS: Final = 3
RETRY_AFTER: Final = dt.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    owner_id: int
    kind: ReminderKind
    keys: tuple[str, ...]
    mail: OutgoingMail


@dataclass(frozen=True, slots=True)
class RunReport:
    sent: int = 0
    failed: int = 0
    already_claimed: int = 0


@dataclass(frozen=True, slots=True)
class MailLinks:
    base_url: str
    secret: bytes

    def unsubscribe(self, owner_id: int, kind: ReminderKind) -> str:
        token = unsubscribe_token(self.secret, owner_id, kind)
        return f"{self.base_url.rstrip('/')}/reminders/unsubscribe?token={token}"

    def page(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"


def plan_reminders(
    session: Session, user: User, choices: ReminderSettings, *, now: dt.datetime, links: MailLinks
) -> list[PlannedReminder]:
    """What this person should get now, before looking at what was already sent."""
    local_now = now.astimezone(ZoneInfo(user.timezone))
    today = local_now.date()
    if local_now.time() < choices.checkin_time:
        return []  # the person's chosen time has not come yet today
    planned = []
    if choices.checkin_enabled and checkins.checkin_on(session, user, today) is None:
        planned.append(_checkin_reminder(user, today, links))
    if choices.questionnaires_enabled:
        due = questionnaires.due_questionnaires(session, user, today=today)
        if due:
            keys = tuple(f"questionnaire:{item.instrument}:{item.due_on}" for item in due)
            planned.append(_questionnaire_reminder(user, keys, today, links))
    return planned


def _checkin_reminder(user: User, today: dt.date, links: MailLinks) -> PlannedReminder:
    key = f"checkin:{today.isoformat()}"
    text = (
        f"Hello {user.display_name},\n\n"
        "This is your daily reminder to check in with AffectRange. It takes about a minute:\n"
        f"{links.page('/checkins/new')}\n\n"
        f"You can change the time or switch reminders off at {links.page('/reminders')}."
    )
    mail = OutgoingMail(
        to=user.email,
        subject="Your daily check-in",
        text=text,
        message_key=f"{user.id}:{key}",
        unsubscribe_url=links.unsubscribe(user.id, ReminderKind.CHECKIN),
    )
    return PlannedReminder(user.id, ReminderKind.CHECKIN, (key,), mail)


def _questionnaire_reminder(
    user: User, keys: tuple[str, ...], today: dt.date, links: MailLinks
) -> PlannedReminder:
    count = len(keys)
    waiting = "A questionnaire is" if count == 1 else f"{count} questionnaires are"
    text = (
        f"Hello {user.display_name},\n\n"
        f"{waiting} waiting for you in AffectRange:\n"
        f"{links.page('/questionnaires')}\n\n"
        f"You can change how often you are asked at {links.page('/questionnaires/schedule')}, "
        f"and your reminders at {links.page('/reminders')}."
    )
    mail = OutgoingMail(
        to=user.email,
        subject="A questionnaire is waiting" if count == 1 else "Questionnaires are waiting",
        text=text,
        message_key=f"{user.id}:questionnaires:{today.isoformat()}:{'|'.join(sorted(keys))}",
        unsubscribe_url=links.unsubscribe(user.id, ReminderKind.QUESTIONNAIRES),
    )
    return PlannedReminder(user.id, ReminderKind.QUESTIONNAIRES, keys, mail)


def run_due_reminders(
    database: Database, mailer: Mailer, *, now: dt.datetime, links: MailLinks
) -> RunReport:
    """One pass: plan, claim, send, record. Safe to run in several processes at once."""
    with session_scope(database, write=False) as session:
        subscribers = [
            (user.id, planned)
            for user, choices in ReminderLedger(session).subscribers()
            for planned in plan_reminders(session, user, choices, now=now, links=links)
        ]
    sent = failed = skipped = 0
    for owner_id, planned in subscribers:
        with session_scope(database) as session:
            won = _claim(ReminderLedger(session), owner_id, planned.keys, now=now)
        if not won:
            skipped += 1
            continue
        error = _send(mailer, planned.mail)
        with session_scope(database) as session:
            ReminderLedger(session).mark(owner_id, won, sent_at=None if error else now, error=error)
        if error:
            failed += 1
        else:
            sent += 1
    return RunReport(sent=sent, failed=failed, already_claimed=skipped)


def _claim(
    ledger: ReminderLedger, owner_id: int, keys: tuple[str, ...], *, now: dt.datetime
) -> list[str]:
    """The keys this process may send: newly claimed, or failed earlier and due a retry.

    A questionnaire e-mail lists everything due; it goes out when at least one of its keys is
    new, so a questionnaire that fell due today is not held back by one reminded of yesterday.
    """
    won = ledger.claim(owner_id, keys, now=now)
    rest = [key for key in keys if key not in won]
    if rest:
        won += ledger.retake(
            owner_id, rest, now=now, failed_before=now - RETRY_AFTER, max_attempts=MAX_ATTEMPTS
        )
    return won


def _send(mailer: Mailer, mail: OutgoingMail) -> str | None:
    try:
        mailer.send(mail)
    except MailError as error:
        logger.warning("reminder not sent: %s", error)
        return str(error)
    return None


class ReminderScheduler:
    """Runs `run_due_reminders` every `interval` seconds on a daemon thread until stopped."""

    def __init__(
        self,
        database: Database,
        mailer: Mailer,
        clock: Clock,
        links: MailLinks,
        *,
        interval: float = TICK_SECONDS,
    ) -> None:
        self._database = database
        self._mailer = mailer
        self._clock = clock
        self._links = links
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reminders", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> RunReport:
        return run_due_reminders(
            self._database, self._mailer, now=self._clock.now(), links=self._links
        )

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.run_once()
                if report.sent or report.failed:
                    logger.info("reminders: %d sent, %d failed", report.sent, report.failed)
            except Exception:
                # A database hiccup must not end reminders for good: log it, try next tick.
                logger.exception("reminder pass failed")
            self._stop.wait(self._interval)
