"""The audit log and its head. Append-only: the database refuses deletes of entries and every
update but one, the erasure of an entry's personal fields when the account it is about is deleted
(triggers in the migrations), and the hash chain (`audit.chain`) shows any change made around them.

No foreign keys to `users`: the log outlives the accounts it mentions. A deleted person's entries
stay as erased entries (when and what, never who), and `actor_label` keeps who acted as they were
then.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime


class AuditAction(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    """A clinician's dashboard showed this person's flags."""
    VIEW_RECORD = "view_record"
    """A clinician opened the person's page."""
    VIEW_REPORT = "view_report"
    """A report was shown as a web page."""
    EXPORT_REPORT = "export_report"
    """A report was downloaded or written as a PDF (by anyone, the person included)."""
    EXPORT_DATA = "export_data"
    """The person's data left the system another way (the API, a file)."""
    SHARE_INVITED = "share_invited"
    SHARE_ACCEPTED = "share_accepted"
    SHARE_CHANGED = "share_changed"
    SHARE_REVOKED = "share_revoked"
    INVITATION_CANCELLED = "invitation_cancelled"
    ACCOUNT_DELETED = "account_deleted"
    """An account was deleted at its owner's request; the entry says how many it erased."""
    DATA_IMPORTED = "data_imported"
    """The person brought data into their record from a file."""


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject_seq", "subject_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    """1, 2, 3, ... with no gaps: the chain's order (ids from a sequence may skip on rollback)."""
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[int | None]
    """The account that acted; None for the command line (the operator of the machine)."""
    actor_label: Mapped[str] = mapped_column(String(400))
    """Who acted, as they were named then: "Dr Carol Reyes <carol@example.org>"."""
    actor_role: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int | None]
    """The person whose data was read or changed."""
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text())
    address: Mapped[str] = mapped_column(String(64))
    """The client's network address, or "command line"."""
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 over seq, at, actor_role, action, previous_hash, personal_digest and erases."""
    personal_salt: Mapped[str | None] = mapped_column(String(32))
    """16 random bytes in hex; None once the entry is erased."""
    personal_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 over the salt and the personal fields (actor_id, actor_label, subject_id, detail,
    address): the hash covers this, so those fields can be erased without breaking the chain."""
    erased_by_seq: Mapped[int | None]
    """The `seq` of the deletion entry that erased this entry's personal fields."""
    erases: Mapped[int | None]
    """Only on a deletion entry: how many earlier entries it erased (hashed, so it cannot be
    changed to cover a forged erasure)."""


class AuditHead(Base):
    """One row: the last entry's sequence number and hash (catches a removed tail)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
