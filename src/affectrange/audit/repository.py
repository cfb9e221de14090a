"""All SQL for the audit log.

`AuditLedger` is the documented system-level repository (like `ReminderLedger`): appending and
verifying work on the whole chain, for no one owner. What a person reads goes through
`AuditTrail(session, subject)`, scoped to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.audit.chain import (
    ERASED,
    GENESIS_HASH,
    EntryFields,
    Personal,
    StoredEntry,
    entry_hash,
    new_salt,
    personal_digest,
)
from affectrange.audit.models import AuditEntry, AuditHead

HEAD_ID = 1
_VERIFY_BATCH = 5_000


class AuditLedger:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        *,
        at: dt.datetime,
        actor_role: str,
        action: str,
        personal: Personal,
        erases: int | None = None,
    ) -> AuditEntry:
        """Add an entry after the current head, with a fresh salt for its personal fields.

        The head row is locked first (FOR UPDATE on PostgreSQL; SQLite's writer already holds the
        database lock), so concurrent appends take turns and the sequence has no gaps or forks.
        """
        head = self._locked_head()
        salt = new_salt()
        fields = EntryFields(
            seq=head.seq + 1,
            at=at,
            actor_role=actor_role,
            action=action,
            previous_hash=head.hash,
            personal_digest=personal_digest(salt, personal),
            erases=erases,
        )
        entry = AuditEntry(
            seq=fields.seq,
            at=fields.at,
            actor_id=personal.actor_id,
            actor_label=personal.actor_label,
            actor_role=fields.actor_role,
            subject_id=personal.subject_id,
            action=fields.action,
            detail=personal.detail,
            address=personal.address,
            previous_hash=fields.previous_hash,
            hash=entry_hash(fields),
            personal_salt=salt,
            personal_digest=fields.personal_digest,
            erased_by_seq=None,
            erases=fields.erases,
        )
        self._session.add(entry)
        head.seq, head.hash = entry.seq, entry.hash
        self._session.flush()
        return entry

    def append_erasure(
        self,
        subject_id: int,
        *,
        at: dt.datetime,
        actor_role: str,
        action: str,
        personal: Callable[[int], Personal],
    ) -> AuditEntry:
        """Append a deletion entry, then erase every earlier entry about `subject_id`.

        The head is locked before the entries are counted, so no entry about the subject can be
        appended between the count (which the deletion entry states, hashed) and the erasure.
        `personal(count)` gives the deletion entry's own personal fields.
        """
        self._locked_head()
        about = _about(subject_id)
        count = self._session.scalar(select(func.count()).select_from(AuditEntry).where(about))
        erases = int(count or 0)
        entry = self.append(
            at=at, actor_role=actor_role, action=action, personal=personal(erases), erases=erases
        )
        erasure = (
            update(AuditEntry)
            .where(about, AuditEntry.seq < entry.seq)
            .values(
                actor_id=ERASED.actor_id,
                actor_label=ERASED.actor_label,
                subject_id=ERASED.subject_id,
                detail=ERASED.detail,
                address=ERASED.address,
                personal_salt=None,
                erased_by_seq=entry.seq,
            )
        )
        # Through the session, so entries it has loaded are blanked too (synchronize_session).
        result = cast("CursorResult[Any]", self._session.execute(erasure))
        if result.rowcount != erases:  # the head lock rules this out; never state a false count
            raise RuntimeError(f"erased {result.rowcount} audit entries, expected {erases}")
        return entry

    def _locked_head(self) -> AuditHead:
        statement = select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
        head = self._session.scalars(statement).one_or_none()
        if head is None:  # the migration seeds it; a hand-made database may not have it
            head = AuditHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH)
            self._session.add(head)
        return head

    def head(self) -> tuple[int, str]:
        head = self._session.get(AuditHead, HEAD_ID)
        return (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(AuditEntry)) or 0

    def deletion_naming(self, action: str, words: str) -> AuditEntry | None:
        """The first deletion entry whose detail holds `words` (a pseudonym)."""
        statement = (
            select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.detail.contains(words, autoescape=True))
            .order_by(AuditEntry.seq)
            .limit(1)
        )
        return self._session.scalars(statement).first()

    def stored(self) -> Iterator[StoredEntry]:
        """Every entry, oldest first, in batches (a large log is never loaded whole)."""
        after = 0
        while True:
            statement = (
                select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq)
            ).limit(_VERIFY_BATCH)
            batch = list(self._session.scalars(statement))
            if not batch:
                return
            for entry in batch:
                yield to_stored(entry)
            after = batch[-1].seq
            for entry in batch:  # keep memory flat on a long log
                self._session.expunge(entry)


def _about(subject_id: int) -> ColumnElement[bool]:
    """The entries an account's deletion erases: those about it, and those it made about no one
    (none are written today; an entry it made about someone else is that person's record)."""
    return and_(
        AuditEntry.personal_salt.is_not(None),
        or_(
            AuditEntry.subject_id == subject_id,
            and_(AuditEntry.subject_id.is_(None), AuditEntry.actor_id == subject_id),
        ),
    )


class AuditTrail:
    """The entries about one person, for their "who looked at my data" page."""

    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def newest(self, limit: int, *, before_seq: int | None = None) -> list[AuditEntry]:
        statement = select(AuditEntry).where(AuditEntry.subject_id == self._owner.id)
        if before_seq is not None:
            statement = statement.where(AuditEntry.seq < before_seq)
        return list(self._session.scalars(statement.order_by(AuditEntry.seq.desc()).limit(limit)))

    def last_by_actor(self, actor_id: int, action: str, *, since: dt.datetime) -> AuditEntry | None:
        statement = (
            select(AuditEntry)
            .where(
                AuditEntry.subject_id == self._owner.id,
                AuditEntry.actor_id == actor_id,
                AuditEntry.action == action,
                AuditEntry.at >= since,
            )
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )
        return self._session.scalars(statement).first()


def to_stored(entry: AuditEntry) -> StoredEntry:
    return StoredEntry(
        fields=EntryFields(
            seq=entry.seq,
            at=entry.at,
            actor_role=entry.actor_role,
            action=entry.action,
            previous_hash=entry.previous_hash,
            personal_digest=entry.personal_digest,
            erases=entry.erases,
        ),
        hash=entry.hash,
        personal=Personal(
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            subject_id=entry.subject_id,
            detail=entry.detail,
            address=entry.address,
        ),
        personal_salt=entry.personal_salt,
        erased_by_seq=entry.erased_by_seq,
    )
