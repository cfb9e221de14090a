"""Reminders arrive once each at a real local SMTP server, on a clock the tests move by hand."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange import migrate
from affectrange.accounts.models import User
from affectrange.checkins import service as checkins
from affectrange.checkins.schemas import CheckinIn
from affectrange.config import Settings
from affectrange.db import Database, create_database, session_scope
from affectrange.instruments import get_instrument
from affectrange.mail import SmtpMailer
from affectrange.questionnaires import service as questionnaires
from affectrange.reminders import service as reminders
from affectrange.reminders.models import SentReminder
from affectrange.reminders.scheduler import (
    RETRY_AFTER,
    MailLinks,
    ReminderScheduler,
    run_due_reminders,
)
from affectrange.reminders.service import ReminderChoices
from tests.conftest import NOW, checkin_payload, make_user
from tests.support.clock import FrozenClock
from tests.support.smtp import LocalSmtpServer, free_port, local_smtp_server

# NOW is 16:00 UTC, noon in New York (alice's time zone); her reminder time is 19:00 there.
REMINDER_TIME = dt.time(19, 0)
AT_REMINDER_TIME = NOW + dt.timedelta(hours=7)
SECRET = b"test-secret-key-not-for-production"


@pytest.fixture
def smtp() -> Iterator[LocalSmtpServer]:
    with local_smtp_server() as server:
        yield server


def smtp_mailer(server_port: int, clock: FrozenClock, settings: Settings) -> SmtpMailer:
    return SmtpMailer(
        host="127.0.0.1",
        port=server_port,
        starttls=False,
        implicit_tls=False,
        username=None,
        password=None,
        timeout_seconds=5,
        sender=settings.mail_from,
        clock=clock,
    )


def scheduler(
    database: Database, port: int, clock: FrozenClock, settings: Settings
) -> ReminderScheduler:
    """A fresh scheduler, as after a restart: it remembers nothing but what is in the database."""
    links = MailLinks("http://testserver", SECRET)
    return ReminderScheduler(database, smtp_mailer(port, clock, settings), clock, links)


def subscribe(
    session: Session, person: User, *, checkin: bool = True, questionnaires_too: bool = False
) -> None:
    choices = ReminderChoices(checkin, REMINDER_TIME, questionnaires_too)
    reminders.change_reminders(session, person, choices, now=NOW)
    session.commit()


def test_the_daily_reminder_arrives_once_at_the_chosen_time_also_across_restarts(
    session: Session,
    database: Database,
    alice: User,
    settings: Settings,
    smtp: LocalSmtpServer,
) -> None:
    subscribe(session, alice)
    clock = FrozenClock(NOW)
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0  # noon: too early
    clock.moment = AT_REMINDER_TIME
    first = scheduler(database, smtp.port, clock, settings)
    assert first.run_once().sent == 1
    clock.advance(dt.timedelta(minutes=1))
    assert first.run_once().sent == 0
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0  # "restarted"
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ("alice@example.org",)
    assert mail.message["Subject"] == "Your daily check-in"
    assert "http://testserver/checkins/new" in mail.message.get_content()
    clock.advance(dt.timedelta(days=1))
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 1
    assert len(smtp.wait_for(2)) == 2


def test_no_reminder_after_the_day_is_already_checked_in(
    session: Session,
    database: Database,
    alice: User,
    settings: Settings,
    smtp: LocalSmtpServer,
) -> None:
    subscribe(session, alice)
    today = dt.date(2026, 6, 15)
    checkins.record_checkin(
        session, alice, CheckinIn.model_validate(checkin_payload(today)), today=today, now=NOW
    )
    session.commit()
    clock = FrozenClock(AT_REMINDER_TIME)
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0
    assert smtp.messages == []


def test_nobody_gets_e_mail_without_opting_in(
    database: Database, alice: User, settings: Settings, smtp: LocalSmtpServer
) -> None:
    clock = FrozenClock(AT_REMINDER_TIME)
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0
    assert smtp.messages == []


def test_a_due_questionnaire_is_reminded_once_and_again_when_it_next_falls_due(
    session: Session,
    database: Database,
    alice: User,
    settings: Settings,
    smtp: LocalSmtpServer,
) -> None:
    subscribe(session, alice, checkin=False, questionnaires_too=True)
    clock = FrozenClock(AT_REMINDER_TIME)
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 1
    [mail] = smtp.wait_for(1)
    assert mail.message["Subject"] == "Questionnaires are waiting"
    body = mail.message.get_content()
    assert "http://testserver/questionnaires" in body
    assert "PHQ" not in body
    assert "depress" not in body.lower()
    clock.advance(dt.timedelta(days=1))
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0  # still the same

    # Alice answers the PHQ-9 that day; 14 days later it falls due again: a new reminder.
    answered_on = dt.date(2026, 6, 16)
    questionnaires.save_answers(
        session,
        alice,
        get_instrument("phq9"),
        {f"q{n}": 0 for n in range(1, 10)},
        finish=True,
        now=clock.now(),
        today=answered_on,
    )
    session.commit()
    clock.advance(dt.timedelta(days=13))
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0
    clock.advance(dt.timedelta(days=1))  # 30 June: answered_on + 14
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 1
    assert len(smtp.wait_for(2)) == 2
    keys = set(session.scalars(select(SentReminder.reminder_key)))
    assert "questionnaire:phq9:2026-06-30" in keys  # the new due date made the new e-mail
    clock.advance(dt.timedelta(days=1))
    assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0


def test_one_click_unsubscribe_from_the_e_mail_stops_that_reminder(  # noqa: PLR0917 (fixtures)
    session: Session,
    database: Database,
    alice: User,
    settings: Settings,
    client: TestClient,
    smtp: LocalSmtpServer,
) -> None:
    subscribe(session, alice, questionnaires_too=True)
    clock = FrozenClock(AT_REMINDER_TIME)
    scheduler(database, smtp.port, clock, settings).run_once()
    checkin_mail = next(
        m for m in smtp.wait_for(2) if m.message["Subject"] == "Your daily check-in"
    )
    assert checkin_mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = checkin_mail.message["List-Unsubscribe"].strip("<>")
    path = urlsplit(url).path
    token = parse_qs(urlsplit(url).query)["token"][0]

    # Opening the link (as a link scanner might) changes nothing; the page offers the button.
    page = client.get(path, params={"token": token})
    assert page.status_code == 200
    assert "Unsubscribe" in page.text
    assert reminders.reminder_choices(session, alice).checkin_enabled

    # The mail client's RFC 8058 one-click POST: no session, no CSRF token.
    done = client.post(path, params={"token": token}, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "no more daily check-in reminders" in done.text
    session.expire_all()
    choices = reminders.reminder_choices(session, alice)
    assert not choices.checkin_enabled
    assert choices.questionnaires_enabled

    clock.advance(dt.timedelta(days=1))
    scheduler(database, smtp.port, clock, settings).run_once()
    assert len(smtp.messages) == 2  # nothing new: no check-in reminder, questionnaires unchanged


def test_a_forged_or_altered_unsubscribe_link_is_refused(
    session: Session, alice: User, bob: User, client: TestClient
) -> None:
    subscribe(session, bob)
    alices = reminders.unsubscribe_token(SECRET, alice.id, reminders.ReminderKind.CHECKIN)
    forged = alices.replace(f"{alice.id}.", f"{bob.id}.", 1)
    response = client.post("/reminders/unsubscribe", params={"token": forged})
    assert response.status_code == 404
    session.expire_all()
    assert reminders.reminder_choices(session, bob).checkin_enabled


def test_a_refused_send_is_retried_later_and_then_arrives_once(
    session: Session, database: Database, alice: User, settings: Settings
) -> None:
    subscribe(session, alice)
    clock = FrozenClock(AT_REMINDER_TIME)
    closed_port = free_port()
    report = scheduler(database, closed_port, clock, settings).run_once()
    assert (report.sent, report.failed) == (0, 1)
    row = session.scalars(select(SentReminder)).one()
    assert row.sent_at is None
    assert row.error is not None
    assert "127.0.0.1" in row.error

    with local_smtp_server() as smtp:
        assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0  # too soon
        clock.advance(RETRY_AFTER + dt.timedelta(minutes=1))
        assert scheduler(database, smtp.port, clock, settings).run_once().sent == 1
        assert scheduler(database, smtp.port, clock, settings).run_once().sent == 0
        assert len(smtp.wait_for(1)) == 1
    session.expire_all()
    row = session.scalars(select(SentReminder)).one()
    assert row.sent_at == clock.now()
    assert row.error is None
    assert row.attempts == 2


def test_two_processes_at_once_send_each_reminder_once(
    committing_database: Database, settings: Settings, smtp: LocalSmtpServer
) -> None:
    with session_scope(committing_database) as session:
        people = [make_user(session, settings, f"person{n}@example.org") for n in range(6)]
        for person in people:
            reminders.change_reminders(
                session, person, ReminderChoices(True, REMINDER_TIME, True), now=NOW
            )
    links = MailLinks("http://testserver", SECRET)
    clock = FrozenClock(AT_REMINDER_TIME)
    # Two engines, as two processes would have, running the same pass at the same moment.
    other = create_database(committing_database.engine.url.render_as_string(hide_password=False))
    migrate.current_revision(other)
    start = threading.Barrier(2)
    reports = []

    def run(database: Database) -> None:
        start.wait()
        mailer = smtp_mailer(smtp.port, clock, settings)
        reports.append(run_due_reminders(database, mailer, now=clock.now(), links=links))

    threads = [threading.Thread(target=run, args=(db,)) for db in (committing_database, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    other.dispose()
    assert sum(report.sent for report in reports) == 12  # 6 people x (check-in + questionnaires)
    received = smtp.wait_for(12)
    pairs = sorted((m.rcpt_tos[0], m.message["Subject"]) for m in received)
    assert len(pairs) == len(set(pairs)) == 12
