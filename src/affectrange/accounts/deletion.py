"""Deleting an account at its owner's request: everything goes, the audit log keeps a pseudonym.

A module of its own because deletion reaches across features (the audit log, the shares of a
deleted clinician), and those features import `accounts.service` themselves: kept apart, the
imports stay one-way.

The order inside the one transaction: the password is checked again (as a sign-in, throttled),
the people who shared with a deleted clinician get an entry saying the share ended, the audit log
erases the entries about the account and records the deletion under a pseudonym, and then every
row that belongs to the account or names it is deleted (`accounts.repository.AccountEraser`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy.orm import Session

from affectrange.accounts import service as accounts
from affectrange.accounts.principal import Owner
from affectrange.accounts.schemas import CONFIRMATION_MESSAGE, is_confirmed
from affectrange.audit import service as audit
from affectrange.config import Settings
from affectrange.errors import InvalidInput
from affectrange.sharing import service as sharing

REAUTHENTICATION_FAILED_MESSAGE: Final = "This is not your password."
PSEUDONYM_PURPOSE: Final = "deleted-account:"
"""Keeps this use of the secret key apart from its others (CSRF tokens, unsubscribe links)."""
PSEUDONYM_LENGTH: Final = 32
"""128 bits of the HMAC: no two deleted accounts share one in practice."""


def deleted_account_pseudonym(settings: Settings, email: str) -> str:
    """The name a deletion is recorded under: HMAC-SHA256 of the e-mail with the secret key.

    The operator (who has the key) can answer "was this e-mail's account deleted?"; anyone with
    only the database cannot turn the pseudonym back into an e-mail or test a guess. A new secret
    key makes the deletions recorded before it unfindable this way.
    """
    key = settings.resolved_secret_key().encode("utf-8")
    message = (PSEUDONYM_PURPOSE + email.strip().lower()).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


@dataclass(frozen=True, slots=True)
class DeletionResult:
    """On success the pseudonym, the entries erased and the rows deleted per table; otherwise
    the field errors to show, and nothing was deleted."""

    pseudonym: str | None
    errors: dict[str, str]
    erased_entries: int = 0
    deleted_rows: Mapping[str, int] = field(default_factory=dict)

    @property
    def deleted(self) -> bool:
        return self.pseudonym is not None


def delete_account(
    session: Session,
    settings: Settings,
    account: Owner,
    *,
    password: str,
    confirmation: str,
    address: str,
    now: dt.datetime,
) -> DeletionResult:
    """Delete `account` and everything that is its owner's, after the password is given again.

    A missing confirmation word raises InvalidInput before the password is tried. A wrong password
    is returned, not raised: it is recorded as a failed sign-in, and that must be committed.
    Raises TooManyAttempts while the account or the address is throttled. Never commits.
    """
    if not is_confirmed(confirmation):
        raise InvalidInput({"confirm": CONFIRMATION_MESSAGE})
    user = accounts.get_user(session, account)
    if not accounts.reauthenticate(session, settings, user, password, address=address, now=now):
        return DeletionResult(None, {"password": REAUTHENTICATION_FAILED_MESSAGE})
    pseudonym = deleted_account_pseudonym(settings, user.email)
    sharing.end_shares_of_deleted_clinician(session, user, now=now)
    deletion = audit.erase_subject(session, user, pseudonym=pseudonym, now=now)
    deleted_rows = accounts.erase_account(session, user)
    return DeletionResult(pseudonym, {}, deletion.erases or 0, deleted_rows)


def deletion_recorded_at(session: Session, settings: Settings, email: str) -> dt.datetime | None:
    """When the account with this e-mail was deleted, if the log records it: for an operator
    asked "did you delete my account?". Only the pseudonym is compared; the e-mail was never
    kept."""
    entry = audit.deletion_entry(session, deleted_account_pseudonym(settings, email))
    return entry.at if entry is not None else None
