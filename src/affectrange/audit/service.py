"""Recording and reading the audit log, and verifying its chain.

Who must be recorded (CONVENTIONS.md, "Sharing and the audit log"): every read or change of a
person's data by anyone but the person, every export (the person's own included), and every change
to who may see what. Entries are written in the same transaction as the change, or, for a read,
in a short write transaction after it and before the response: data never leaves without its entry
being committed first.

Deleting an account erases the entries about it (`erase_subject`): their personal fields are
blanked, their place in the chain stays, and one pseudonymous entry says that a deletion happened
and how many entries it erased. Entries in which a deleted clinician read someone else's record
are kept: they are that person's record of who saw their data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from affectrange import db
from affectrange.accounts.models import User
from affectrange.accounts.principal import Owner
from affectrange.audit.chain import ChainReport, Personal, verify_chain
from affectrange.audit.models import AuditAction, AuditEntry
from affectrange.audit.repository import AuditLedger, AuditTrail

COMMAND_LINE_ADDRESS: Final = "command line"
DELETED_ACCOUNT_LABEL: Final = "a deleted account"
"""Who the deletion entry names as its actor: never the account itself."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who read or changed something, as the log names them."""

    id: int | None
    label: str
    role: str


OPERATOR: Final = Actor(id=None, label="the operator of this installation", role="operator")
"""The command line: whoever runs `affectrange` on the server."""


def actor_for(user: User) -> Actor:
    return Actor(id=user.id, label=f"{user.display_name} <{user.email}>", role=user.role.value)


def record(
    session: Session,
    *,
    actor: Actor,
    subject: Owner | None,
    action: AuditAction,
    detail: str,
    address: str,
    now: dt.datetime,
) -> AuditEntry:
    """Append one entry. The session must already be writing (see `db.switch_to_writing`):
    a read that is recorded afterwards switches first, then checks again what allowed it."""
    personal = Personal(
        actor_id=actor.id,
        actor_label=actor.label,
        subject_id=subject.id if subject is not None else None,
        detail=detail,
        address=address,
    )
    return AuditLedger(session).append(
        at=now, actor_role=actor.role, action=action.value, personal=personal
    )


def erase_subject(
    session: Session, deleted: User, *, pseudonym: str, now: dt.datetime
) -> AuditEntry:
    """Forget `deleted` in the log: append one deletion entry, then erase the entries about them.

    The deletion entry names only the pseudonym (see `accounts.deletion`) and states how many
    entries it erased; that count is hashed into the chain, so `verify_log` can tell this erasure
    from a forged one. Erased are the entries whose subject is the account, and any it made about
    no one. Entries it made about someone else (a clinician's reads) are kept: they are the other
    person's record of who saw their data. The session must already be writing.
    """

    def deletion(count: int) -> Personal:
        return Personal(
            actor_id=None,
            actor_label=DELETED_ACCOUNT_LABEL,
            subject_id=None,
            detail=f"Account {pseudonym} was deleted at its owner's request; "
            f"{count} earlier entries about it were erased.",
            address="",
        )

    return AuditLedger(session).append_erasure(
        deleted.id,
        at=now,
        actor_role=deleted.role.value,
        action=AuditAction.ACCOUNT_DELETED.value,
        personal=deletion,
    )


def deletion_entry(session: Session, pseudonym: str) -> AuditEntry | None:
    """The entry that recorded the deletion of the account with this pseudonym, if any."""
    return AuditLedger(session).deletion_naming(AuditAction.ACCOUNT_DELETED.value, pseudonym)


def record_own_export(
    session: Session, person: User, *, detail: str, address: str, now: dt.datetime
) -> AuditEntry:
    """A person exporting their own data (a report PDF): recorded so the log shows every copy."""
    db.switch_to_writing(session)
    return record(
        session,
        actor=actor_for(person),
        subject=person,
        action=AuditAction.EXPORT_REPORT,
        detail=detail,
        address=address,
        now=now,
    )


def entries_about(
    session: Session, person: Owner, *, limit: int = 100, before_seq: int | None = None
) -> list[AuditEntry]:
    """Newest first: the person's "who looked at my data" page."""
    return AuditTrail(session, person).newest(limit, before_seq=before_seq)


def last_record_view(session: Session, person: Owner, clinician: User) -> dt.datetime | None:
    """When `clinician` last opened `person`'s page: "since the last visit" on the dashboard.

    Only views since the clinician's account was made count: the log keeps a deleted clinician's
    reads under their account number, and SQLite may give that number to a later account.
    """
    entry = AuditTrail(session, person).last_by_actor(
        clinician.id, AuditAction.VIEW_RECORD, since=clinician.created_at
    )
    return entry.at if entry is not None else None


def verify_log(session: Session) -> ChainReport:
    ledger = AuditLedger(session)
    head_seq, head_hash = ledger.head()
    return verify_chain(ledger.stored(), head_seq=head_seq, head_hash=head_hash)


ACTION_WORDS: Final[dict[str, str]] = {
    AuditAction.VIEW_DASHBOARD: "saw your summary on their dashboard",
    AuditAction.VIEW_RECORD: "opened your record",
    AuditAction.VIEW_REPORT: "viewed a report",
    AuditAction.EXPORT_REPORT: "downloaded a report as a PDF",
    AuditAction.EXPORT_DATA: "exported your data",
    AuditAction.SHARE_INVITED: "created an invitation to share",
    AuditAction.SHARE_ACCEPTED: "accepted your invitation",
    AuditAction.SHARE_CHANGED: "changed what is shared",
    AuditAction.SHARE_REVOKED: "ended a share",
    AuditAction.INVITATION_CANCELLED: "cancelled an invitation",
    AuditAction.ACCOUNT_DELETED: "deleted their account",
    AuditAction.DATA_IMPORTED: "imported data into your record",
}
"""How the "who looked at my data" page words each action."""
