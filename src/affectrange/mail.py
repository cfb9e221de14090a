"""Outgoing e-mail: build a message, then send it through SMTP or write it to an outbox folder.

Reminders are few, so each e-mail opens its own SMTP connection: nothing to keep alive or
reconnect, and a failure affects one e-mail only. Without an SMTP server configured, e-mail is
written to `.eml` files instead, so a development machine never sends anything to anyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as default_policy
from email.utils import format_datetime, getaddresses, parseaddr
from pathlib import Path
from typing import Protocol

from affectrange.clock import Clock, SystemClock
from affectrange.config import Settings

KEY_HEADER = "X-AffectRange-Key"
FALLBACK_DOMAIN = "affectrange.local"
ONE_CLICK = "List-Unsubscribe=One-Click"


class MailError(Exception):
    """An e-mail could not be handed over; the message names the server or folder."""


@dataclass(frozen=True)
class OutgoingMail:
    """One e-mail to one person.

    `message_key` is the caller's idempotency key (say, one per reminder and day): the same key
    gives the same Message-ID, so a receiving system can drop a copy sent twice after a retry.
    """

    to: str
    subject: str
    text: str
    message_key: str
    html: str | None = None
    unsubscribe_url: str | None = None
    reply_to: str | None = None
    """Where a reply goes instead of the sender (a person writing to a provider)."""

    def __post_init__(self) -> None:
        # A line break in a header value would let text forge further headers.
        for name in ("to", "subject", "message_key", "unsubscribe_url", "reply_to"):
            value = getattr(self, name)
            if value is not None and ("\r" in value or "\n" in value):
                raise ValueError(f"{name} must be one line")
        if not self.message_key.strip():
            raise ValueError("message_key must not be empty")
        addresses = getaddresses([self.to])
        if len(addresses) != 1 or "@" not in addresses[0][1]:
            raise ValueError(f"to must be exactly one e-mail address, not {self.to!r}")
        if self.reply_to is not None:
            replies = getaddresses([self.reply_to])
            if len(replies) != 1 or "@" not in replies[0][1]:
                raise ValueError(
                    f"reply_to must be exactly one e-mail address, not {self.reply_to!r}"
                )


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> None:
        """Hand the e-mail over, or raise MailError."""
        ...


def build_message(mail: OutgoingMail, *, sender: str, now: dt.datetime) -> EmailMessage:
    """The complete message as it is sent and as it is written to the outbox."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware: a Date header needs its offset")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    if mail.reply_to is not None:
        message["Reply-To"] = mail.reply_to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(mail.message_key, sender)
    message[KEY_HEADER] = mail.message_key
    # RFC 3834: tells auto-responders (vacation replies) not to answer.
    message["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe_url is not None:
        # RFC 8058: mail clients show an "unsubscribe" button that POSTs to the link.
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(_text_body(mail))
    if mail.html is not None:
        message.add_alternative(_html_body(mail), subtype="html")
    return message


def message_id(message_key: str, sender: str) -> str:
    """A Message-ID that depends only on the key and the sender's domain.

    email.utils.make_msgid adds the time and a random number, so a retry would carry a new id
    and could not be recognised as a copy; this id is the same every time. The readable part
    is shortened and stripped to safe characters; the hash keeps keys that read alike apart.
    """
    return f"<{safe_key(message_key)}@{_sender_domain(sender)}>"


def safe_key(message_key: str) -> str:
    """The key as letters, digits, '-' and '_' plus a hash: fit for a Message-ID or a file name."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", message_key).strip("-")[:60] or "mail"
    digest = hashlib.sha256(message_key.encode("utf-8")).hexdigest()[:16]
    return f"{readable}.{digest}"


def _sender_domain(sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2].strip()
    if not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        return FALLBACK_DOMAIN
    return domain


def _text_body(mail: OutgoingMail) -> str:
    body = mail.text.rstrip() + "\n"
    if mail.unsubscribe_url is None:
        return body
    # "-- " is the customary signature separator: mail clients grey out what follows.
    return f"{body}\n-- \nTo stop these e-mails, open this link:\n{mail.unsubscribe_url}\n"


def _html_body(mail: OutgoingMail) -> str:
    assert mail.html is not None
    if mail.unsubscribe_url is None:
        return mail.html
    link = html.escape(mail.unsubscribe_url, quote=True)
    return f'{mail.html}\n<p><a href="{link}">Stop these e-mails</a></p>\n'


@dataclass(frozen=True)
class SmtpMailer:
    """Sends through an SMTP server, one connection per e-mail."""

    host: str
    port: int
    sender: str
    starttls: bool = True
    implicit_tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 30
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> SmtpMailer:
        if settings.smtp_host is None:
            raise ValueError("smtp_host is not set")
        password = settings.smtp_password
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            starttls=settings.smtp_starttls,
            implicit_tls=settings.smtp_ssl,
            username=settings.smtp_username,
            password=password.get_secret_value() if password is not None else None,
            timeout_seconds=settings.smtp_timeout_seconds,
            clock=clock or SystemClock(),
        )

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, mail: OutgoingMail) -> None:
        message = build_message(mail, sender=self.sender, now=self.clock.now())
        handed_over = False
        try:
            with self._connect() as client:
                if self.starttls and not self.implicit_tls:
                    # Raises when the server does not offer STARTTLS: never fall back to
                    # sending a person's e-mail in clear text.
                    client.starttls(context=ssl.create_default_context())
                if self.username is not None:
                    client.login(self.username, self.password or "")
                client.send_message(message)
                handed_over = True
        except (smtplib.SMTPException, OSError) as error:
            if handed_over:
                # The server accepted the message; only saying goodbye (QUIT) failed. Reporting
                # an error would make the caller retry and send it twice.
                return
            raise MailError(
                f"could not send e-mail through {self.server}: {_describe(error)}"
            ) from error

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=self.timeout_seconds,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)


def _describe(error: smtplib.SMTPException | OSError) -> str:
    """What went wrong, without the recipient's address (error messages end up in logs)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the server refused the recipient"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


@dataclass(frozen=True)
class OutboxMailer:
    """Writes each e-mail as an .eml file, for development: open them in a mail program."""

    folder: Path
    sender: str
    clock: Clock = field(default_factory=SystemClock)

    def send(self, mail: OutgoingMail) -> None:
        now = self.clock.now()
        message = build_message(mail, sender=self.sender, now=now)
        name = f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}-{safe_key(mail.message_key)}.eml"
        try:
            _write_atomically(self.folder, name, message.as_bytes(policy=SMTP_POLICY))
        except OSError as error:
            raise MailError(
                f"could not write e-mail to {self.folder}: {_describe(error)}"
            ) from error


def _write_atomically(folder: Path, name: str, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place: a reader (or
    a crash) never sees half a message. The name starts with '.' and ends in '.tmp', so
    read_outbox never picks it up."""
    # The outbox holds people's e-mail: private to the account running the app.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: a directory entry is written with its folder)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def mailer_from_settings(settings: Settings, clock: Clock | None = None) -> Mailer:
    """SMTP when a server is configured, otherwise the outbox folder."""
    if settings.smtp_host is not None:
        return SmtpMailer.from_settings(settings, clock)
    return OutboxMailer(
        folder=settings.mail_outbox_dir, sender=settings.mail_from, clock=clock or SystemClock()
    )


def read_outbox(folder: Path) -> list[EmailMessage]:
    """The e-mails in an outbox folder, oldest first (file names start with the time)."""
    if not folder.is_dir():
        return []
    parser = BytesParser(_class=EmailMessage, policy=default_policy)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]
