"""Invitations to share, and the shares they become."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from affectrange.db import Base, UtcDateTime
from affectrange.sharing.scopes import Scopes


class _ScopeColumns:
    """The five choices of `sharing.scopes.Scopes`, one boolean column each (filterable)."""

    share_checkins: Mapped[bool]
    share_questionnaires: Mapped[bool]
    share_medications: Mapped[bool]
    share_notes: Mapped[bool]
    share_safety: Mapped[bool]

    @property
    def scopes(self) -> Scopes:
        return Scopes(
            checkins=self.share_checkins,
            questionnaires=self.share_questionnaires,
            medications=self.share_medications,
            notes=self.share_notes,
            safety=self.share_safety,
        )

    def set_scopes(self, scopes: Scopes) -> None:
        self.share_checkins = scopes.checkins
        self.share_questionnaires = scopes.questionnaires
        self.share_medications = scopes.medications
        self.share_notes = scopes.notes
        self.share_safety = scopes.safety


class ShareInvitation(_ScopeColumns, Base):
    """A one-time code a person gives a clinician. Only the code's SHA-256 is stored; it works
    once, until `expires_at`, unless the person cancels it first."""

    __tablename__ = "share_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Share(_ScopeColumns, Base):
    """A person (the owner) letting one clinician see chosen parts of their record.

    Revoking sets `revoked_at`; every clinician request checks for a share without one, so the
    next request after a revoke is refused. At most one active share per person and clinician.
    """

    __tablename__ = "shares"
    __table_args__ = (
        Index(
            "uq_shares_active_pair",
            "owner_id",
            "clinician_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_shares_clinician_revoked", "clinician_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
