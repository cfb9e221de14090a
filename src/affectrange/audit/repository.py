"""All SQL for the audit log.

`AuditLedger` is the documented system-level repository (like `ReminderLedger`): appending and
verifying work on the whole chain, for no one owner. What a person reads goes through
`AuditTrail(session, subject)`, scoped to them.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.audit.chain import GENESIS_HASH, EntryFields, entry_hash
from affectrange.audit.models import AuditEntry, AuditHead

HEAD_ID = 1
_VERIFY_BATCH = 5_000


class AuditLedger:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, draft: EntryFields) -> AuditEntry:
        """Add `draft` after the current head (its `seq` and `previous_hash` are replaced).

        The head row is locked first (FOR UPDATE on PostgreSQL; SQLite's writer already holds the
        database lock), so concurrent appends take turns and the sequence has no gaps or forks.
        """
        head = self._locked_head()
        fields = EntryFields(
            seq=head.seq + 1,
            at=draft.at,
            actor_id=draft.actor_id,
            actor_label=draft.actor_label,
            actor_role=draft.actor_role,
            subject_id=draft.subject_id,
            action=draft.action,
            detail=draft.detail,
            address=draft.address,
            previous_hash=head.hash,
        )
        entry = AuditEntry(
            seq=fields.seq,
            at=fields.at,
            actor_id=fields.actor_id,
            actor_label=fields.actor_label,
            actor_role=fields.actor_role,
            subject_id=fields.subject_id,
            action=fields.action,
            detail=fields.detail,
            address=fields.address,
            previous_hash=fields.previous_hash,
            hash=entry_hash(fields),
        )
        self._session.add(entry)
        head.seq, head.hash = entry.seq, entry.hash
        self._session.flush()
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

    def stored(self) -> Iterator[tuple[EntryFields, str]]:
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
                yield to_fields(entry), entry.hash
            after = batch[-1].seq
            for entry in batch:  # keep memory flat on a long log
                self._session.expunge(entry)


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

    def last_by_actor(self, actor_id: int, action: str) -> AuditEntry | None:
        statement = (
            select(AuditEntry)
            .where(
                AuditEntry.subject_id == self._owner.id,
                AuditEntry.actor_id == actor_id,
                AuditEntry.action == action,
            )
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )
        return self._session.scalars(statement).first()


def to_fields(entry: AuditEntry) -> EntryFields:
    return EntryFields(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        actor_role=entry.actor_role,
        subject_id=entry.subject_id,
        action=entry.action,
        detail=entry.detail,
        address=entry.address,
        previous_hash=entry.previous_hash,
    )
