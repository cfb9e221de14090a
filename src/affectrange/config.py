"""Settings, read from the environment (prefix AFFECTRANGE_) and an optional .env file."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from affectrange.safety import DEFAULT_CRISIS_PHRASES

DEFAULT_SQLITE_PATH = Path("var") / "affectrange.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AFFECTRANGE_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs CSRF tokens. Unset: generated once and kept in secret_key_file.",
    )
    secret_key_file: Path = Path("var") / "secret_key"
    # Behind an https proxy the session cookie must be Secure; detected per request from the scheme,
    # this forces it regardless (for proxies that do not forward the scheme).
    force_secure_cookies: bool = False
    session_lifetime_hours: int = 14 * 24
    timezone: str = "America/New_York"
    """Default time zone for new accounts; each person can change theirs."""

    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_failure_window_minutes: int = 15

    # argon2id cost. The defaults are RFC 9106's second recommended option scaled to a small
    # server; tests lower them through the environment to keep the suite fast.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4

    demo_password: SecretStr | None = None

    crisis_country: str = "US"
    """Whose crisis lines the crisis card lists (SCIENCE.md 6.1; a table per country)."""
    crisis_phrases: tuple[str, ...] | None = None
    """Phrases in a note that show the crisis card; None means the project's default list."""

    # --- outgoing e-mail (reminders) ---------------------------------------------------------
    mail_from: str = "AffectRange <reminders@localhost>"
    """The From address of every e-mail; its domain also names the Message-IDs."""
    smtp_host: str | None = None
    """The mail server that relays e-mail. None: mail is written to mail_outbox_dir instead,
    so a development machine never sends anything."""
    smtp_port: int = 587
    """The mail server's port: 587 for submission with STARTTLS, 465 for implicit TLS."""
    smtp_starttls: bool = True
    """Upgrade the connection with STARTTLS, and refuse to send if the server cannot."""
    smtp_ssl: bool = False
    """Speak TLS from the first byte (usually port 465); STARTTLS is then not used."""
    smtp_username: str | None = None
    """Log in to the mail server as this user; None: send without logging in."""
    smtp_password: SecretStr | None = None
    """The password for smtp_username."""
    smtp_timeout_seconds: float = 30
    """How long to wait on the mail server before giving up on one e-mail."""
    mail_outbox_dir: Path = Path("var") / "outbox"
    """Where e-mail is written as .eml files when smtp_host is None (what `make run` does)."""
    public_base_url: str = "http://127.0.0.1:8000"
    """The address people reach this site at: links in e-mails start with it."""

    def crisis_phrase_list(self) -> tuple[str, ...]:
        return self.crisis_phrases if self.crisis_phrases is not None else DEFAULT_CRISIS_PHRASES

    def resolved_secret_key(self) -> str:
        """The configured key, or a per-installation key made on first use (never in the repo)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _read_or_create_secret(self.secret_key_file)


def _read_or_create_secret(path: Path) -> str:
    if not path.exists():
        _create_secret(path)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to have a new key made, or set the key")
    return key


def _create_secret(path: Path) -> None:
    """Write a new key to a private temporary file, then link it into place: two processes
    starting at once end up with the same key, and a crash never leaves a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)  # fails if another process made the key first: keep theirs
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
