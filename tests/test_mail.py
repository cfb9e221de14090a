"""Outgoing e-mail: what a person's mail program receives, through a real local SMTP server or
the outbox folder a developer opens."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

import pytest

from affectrange.config import Settings
from affectrange.mail import (
    MailError,
    OutboxMailer,
    OutgoingMail,
    SmtpMailer,
    build_message,
    mailer_from_settings,
    read_outbox,
)
from tests.conftest import NOW
from tests.support.clock import FrozenClock
from tests.support.smtp import LocalSmtpServer, free_port, local_smtp_server

SENDER = "AffectRange <reminders@affectrange.example>"
UNSUBSCRIBE = "https://affectrange.example/unsubscribe/3f9c2a?kind=daily"
# What the Date header must say for the frozen test clock (Monday 15 June 2026, 16:00 UTC).
NOW_HEADER = "Mon, 15 Jun 2026 16:00:00 +0000"


def reminder(key: str = "daily-checkin:alice:2026-06-15", **changes: str | None) -> OutgoingMail:
    fields: dict[str, str | None] = {
        "to": "Alice <alice@example.org>",
        "subject": "Time for today's check-in",
        "text": "Hello Alice,\n\nToday's check-in takes about a minute.\n",
        "unsubscribe_url": UNSUBSCRIBE,
    }
    fields.update(changes)
    return OutgoingMail(message_key=key, **fields)  # type: ignore[arg-type]


def smtp_mailer(server: LocalSmtpServer, **changes: object) -> SmtpMailer:
    options: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "sender": SENDER,
        "starttls": False,  # the local server has no certificate
        "timeout_seconds": 5,
        "clock": FrozenClock(NOW),
    }
    options.update(changes)
    return SmtpMailer(**options)  # type: ignore[arg-type]


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return body.get_content()  # type: ignore[no-any-return]


def assert_reminder_headers(message: EmailMessage) -> None:
    assert message["From"] == SENDER
    assert message["To"] == "Alice <alice@example.org>"
    assert message["Subject"] == "Time for today's check-in"
    assert message["Date"] == NOW_HEADER
    assert message["Date"].datetime == NOW
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-AffectRange-Key"] == "daily-checkin:alice:2026-06-15"
    assert message["Message-ID"].endswith("@affectrange.example>")
    text = plain_text(message)
    assert "Today's check-in takes about a minute." in text
    assert text.rstrip().endswith(UNSUBSCRIBE)  # the link closes the body, after the greeting


# --- SMTP ------------------------------------------------------------------------------------


def test_a_reminder_arrives_at_the_smtp_server_with_one_click_unsubscribe() -> None:
    with local_smtp_server() as server:
        smtp_mailer(server).send(reminder())
        [received] = server.wait_for(1)

    assert received.rcpt_tos == ("alice@example.org",)
    assert received.mail_from == "reminders@affectrange.example"
    assert received.login is None
    assert_reminder_headers(received.message)


def test_sending_the_same_reminder_twice_gives_the_same_message_id_so_copies_can_be_dropped() -> (
    None
):
    with local_smtp_server() as server:
        mailer = smtp_mailer(server)
        mailer.send(reminder())
        mailer.send(reminder())
        mailer.send(reminder(key="daily-checkin:alice:2026-06-16"))
        first, retry, next_day = (mail.message for mail in server.wait_for(3))

    assert first["Message-ID"] == retry["Message-ID"]
    assert first["Message-ID"] != next_day["Message-ID"]


def test_a_mail_without_an_unsubscribe_link_has_no_unsubscribe_headers() -> None:
    with local_smtp_server() as server:
        smtp_mailer(server).send(reminder(unsubscribe_url=None))
        [received] = server.wait_for(1)

    assert received.message["List-Unsubscribe"] is None
    assert received.message["List-Unsubscribe-Post"] is None
    assert "unsubscribe" not in plain_text(received.message).lower()


def test_an_html_version_travels_beside_the_text_and_carries_the_link_too() -> None:
    mail = reminder(html="<p>Hello Alice, today's check-in takes about a minute.</p>")
    with local_smtp_server() as server:
        smtp_mailer(server).send(mail)
        [received] = server.wait_for(1)

    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    html = html_part.get_content()
    assert "Hello Alice" in html
    assert 'href="https://affectrange.example/unsubscribe/3f9c2a?kind=daily"' in html
    assert plain_text(message).rstrip().endswith(UNSUBSCRIBE)


def test_the_mailer_logs_in_when_a_user_is_configured() -> None:
    with local_smtp_server(logins={"reminders": "s3cret-pass"}) as server:
        smtp_mailer(server, username="reminders", password="s3cret-pass").send(reminder())
        [received] = server.wait_for(1)

    assert received.login == "reminders"
    assert received.rcpt_tos == ("alice@example.org",)


def test_a_wrong_smtp_password_fails_naming_the_server_and_sends_nothing() -> None:
    with local_smtp_server(logins={"reminders": "s3cret-pass"}) as server:
        mailer = smtp_mailer(server, username="reminders", password="wrong")
        with pytest.raises(MailError, match=f"{server.host}:{server.port}: 535") as raised:
            mailer.send(reminder())
        assert server.messages == []

    assert "wrong" not in str(raised.value)


def test_with_starttls_on_a_server_without_it_is_refused_rather_than_sent_in_clear_text() -> None:
    with local_smtp_server() as server:
        with pytest.raises(MailError, match=f"through {server.host}:{server.port}:"):
            smtp_mailer(server, starttls=True).send(reminder())
        assert server.messages == []


def test_an_unreachable_smtp_server_fails_naming_host_and_port() -> None:
    port = free_port()  # nothing listens there
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender=SENDER, timeout_seconds=5)

    with pytest.raises(MailError, match=f"127.0.0.1:{port}: Connection refused"):
        mailer.send(reminder())


# --- outbox ----------------------------------------------------------------------------------


def test_the_outbox_holds_one_readable_eml_file_per_mail_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "outbox"  # does not exist yet
    mailer = OutboxMailer(folder=folder, sender=SENDER, clock=FrozenClock(NOW))

    mailer.send(reminder())
    mailer.send(reminder(key="weekly-phq9:alice:2026-06-15", subject="Your weekly questionnaire"))

    names = sorted(path.name for path in folder.iterdir())
    assert len(names) == 2
    assert all(name.startswith("20260615T160000000000Z-") for name in names)
    assert all(name.endswith(".eml") for name in names)  # no temporary file left behind
    first, second = read_outbox(folder)
    assert_reminder_headers(first)
    assert second["Subject"] == "Your weekly questionnaire"
    assert second["Message-ID"] != first["Message-ID"]
    # RFC 5322 line endings, so any mail program opens the file as it would arrive.
    raw = (folder / names[0]).read_bytes()
    assert b"\r\nSubject: Time for today's check-in\r\n" in raw


def test_outbox_files_are_in_the_order_they_were_written(tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    mailer = OutboxMailer(folder=tmp_path, sender=SENDER, clock=clock)

    mailer.send(reminder(key="z-first", subject="first"))
    clock.advance(dt.timedelta(seconds=1))
    mailer.send(reminder(key="a-second", subject="second"))

    assert [message["Subject"] for message in read_outbox(tmp_path)] == ["first", "second"]


def test_an_outbox_that_cannot_be_made_fails_naming_the_folder(tmp_path: Path) -> None:
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be")
    mailer = OutboxMailer(folder=blocked, sender=SENDER, clock=FrozenClock(NOW))

    with pytest.raises(MailError, match=f"could not write e-mail to {blocked}"):
        mailer.send(reminder())


def test_an_empty_or_missing_outbox_reads_as_no_mail(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "never-made") == []


# --- choosing a mailer ---------------------------------------------------------------------


def mail_settings(**changes: object) -> Settings:
    return Settings(_env_file=None, mail_from=SENDER, **changes)  # type: ignore[arg-type]


def test_without_an_smtp_host_mail_goes_to_the_outbox_folder(tmp_path: Path) -> None:
    settings = mail_settings(mail_outbox_dir=tmp_path / "outbox")

    mailer = mailer_from_settings(settings, FrozenClock(NOW))
    mailer.send(reminder())

    assert isinstance(mailer, OutboxMailer)
    [message] = read_outbox(tmp_path / "outbox")
    assert_reminder_headers(message)


def test_with_an_smtp_host_mail_goes_to_that_server() -> None:
    with local_smtp_server(logins={"reminders": "s3cret-pass"}) as server:
        settings = mail_settings(
            smtp_host=server.host,
            smtp_port=server.port,
            smtp_starttls=False,
            smtp_username="reminders",
            smtp_password="s3cret-pass",
            smtp_timeout_seconds=5,
        )
        mailer = mailer_from_settings(settings, FrozenClock(NOW))
        mailer.send(reminder())
        [received] = server.wait_for(1)

    assert isinstance(mailer, SmtpMailer)
    assert "s3cret-pass" not in repr(mailer)
    assert received.login == "reminders"
    assert_reminder_headers(received.message)


def test_by_default_nothing_leaves_the_machine() -> None:
    settings = Settings(_env_file=None)

    assert settings.smtp_host is None
    assert isinstance(mailer_from_settings(settings), OutboxMailer)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Check-in\r\nBcc: everyone@example.org"),
        ("to", "alice@example.org\nBcc: everyone@example.org"),
        ("unsubscribe_url", "https://affectrange.example/u\r\nX-Evil: 1"),
        ("to", "alice@example.org, bob@example.org"),
        ("to", "not an address"),
    ],
)
def test_a_mail_that_could_forge_headers_or_reach_others_is_refused(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=field):
        reminder(**{field: value})


def test_an_empty_message_key_is_refused() -> None:
    with pytest.raises(ValueError, match="message_key"):
        reminder(key="  ")


def test_a_date_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_message(reminder(), sender=SENDER, now=dt.datetime(2026, 6, 15, 16, 0))
