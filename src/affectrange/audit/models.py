"""The audit log and its head. Append-only: the database refuses updates and deletes of entries
(triggers in the migration), and the hash chain (`audit.chain`) shows any change made around them.

No foreign keys to `users`: the log must outlive the accounts it mentions (a deleted account's
entries stay, naming only its number), and `actor_label` keeps who acted as they were then.
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


class AuditHead(Base):
    """One row: the last entry's sequence number and hash (catches a removed tail)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
