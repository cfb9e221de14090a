"""A real SMTP server on 127.0.0.1 for tests: aiosmtpd in a background thread, keeping what it
receives, so the mail code is tested against the protocol rather than a mock of smtplib.

    with local_smtp_server() as server:
        SmtpMailer(host=server.host, port=server.port, ...).send(mail)
        [received] = server.wait_for(1)
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    login: str | None
    """The user the client logged in as, or None when it did not log in."""


class LocalSmtpServer:
    """What the server has received so far; filled from the server's thread."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._received: list[ReceivedMail] = []
        self._changed = threading.Condition()

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._changed:
            return list(self._received)

    def record(self, mail: ReceivedMail) -> None:
        with self._changed:
            self._received.append(mail)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """At least `count` messages, or an AssertionError saying how many came."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self._received) >= count, timeout)
            if not arrived:
                raise AssertionError(
                    f"expected {count} message(s) within {timeout} s, got {len(self._received)}"
                )
            return list(self._received)


class _CollectingHandler:
    def __init__(self, server: LocalSmtpServer) -> None:
        self._server = server

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        content = envelope.original_content or b""
        message = BytesParser(_class=EmailMessage, policy=default_policy).parsebytes(content)
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        self._server.record(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
                login=login,
            )
        )
        return "250 Message accepted for delivery"


def _authenticator(logins: Mapping[str, str]) -> Any:
    def check(
        smtp: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        expected = logins.get(data.login.decode())
        success = expected is not None and expected == data.password.decode()
        return AuthResult(success=success, handled=False, auth_data=data)

    return check


def free_port() -> int:
    """A port nobody listens on (just now): for the server, or for 'connection refused'."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def local_smtp_server(*, logins: Mapping[str, str] | None = None) -> Iterator[LocalSmtpServer]:
    """Start a server on a free port; stop it on exit.

    With `logins` (user -> password) the server offers AUTH PLAIN and LOGIN without TLS (fine
    on the loopback interface, and it avoids a test certificate) and refuses wrong passwords;
    logging in stays optional, and each received message records who logged in. Without
    `logins` the server offers no AUTH at all.
    """
    options: dict[str, Any] = {"server_hostname": "localhost"}
    if logins is not None:
        options.update(auth_require_tls=False, authenticator=_authenticator(logins))
    for attempt in range(3):
        server = LocalSmtpServer(HOST, free_port())
        controller = Controller(
            _CollectingHandler(server), hostname=HOST, port=server.port, **options
        )
        try:
            controller.start()
        except OSError:
            # Someone took the port between free_port() and the bind: try another.
            if attempt == 2:
                raise
            continue
        try:
            yield server
        finally:
            controller.stop()
        return
