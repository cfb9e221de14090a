"""All SQL for invitations and shares.

Two owners, two repositories: `PersonShares(session, person)` sees only the shares and
invitations a person made; `ClinicianShares(session, clinician)` sees only the active shares made
with that clinician. Accepting an invitation is the one look-up by code (`InvitationLookup`): the
clinician holds the code, not an owner id, which is the documented exception (like sign-in).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.principal import Owner
from affectrange.sharing.models import Share, ShareInvitation


class PersonShares:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def add_invitation(self, invitation: ShareInvitation) -> ShareInvitation:
        invitation.owner_id = self._owner.id
        self._session.add(invitation)
        self._session.flush()
        return invitation

    def pending_invitations(self, now: dt.datetime) -> list[ShareInvitation]:
        statement = select(ShareInvitation).where(
            ShareInvitation.owner_id == self._owner.id,
            ShareInvitation.accepted_at.is_(None),
            ShareInvitation.cancelled_at.is_(None),
            ShareInvitation.expires_at > now,
        )
        return list(self._session.scalars(statement.order_by(ShareInvitation.created_at.desc())))

    def invitation(self, invitation_id: int) -> ShareInvitation | None:
        statement = select(ShareInvitation).where(
            ShareInvitation.id == invitation_id, ShareInvitation.owner_id == self._owner.id
        )
        return self._session.scalars(statement).first()

    def active(self) -> list[Share]:
        statement = select(Share).where(
            Share.owner_id == self._owner.id, Share.revoked_at.is_(None)
        )
        return list(self._session.scalars(statement.order_by(Share.created_at)))

    def active_share(self, share_id: int) -> Share | None:
        statement = select(Share).where(
            Share.id == share_id, Share.owner_id == self._owner.id, Share.revoked_at.is_(None)
        )
        return self._session.scalars(statement).first()

    def active_with(self, clinician_id: int) -> Share | None:
        statement = select(Share).where(
            Share.owner_id == self._owner.id,
            Share.clinician_id == clinician_id,
            Share.revoked_at.is_(None),
        )
        return self._session.scalars(statement).first()

    def add_share(self, share: Share) -> Share:
        share.owner_id = self._owner.id
        self._session.add(share)
        self._session.flush()
        return share


class ClinicianShares:
    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def active(self) -> list[Share]:
        statement = select(Share).where(
            Share.clinician_id == self._owner.id, Share.revoked_at.is_(None)
        )
        return list(self._session.scalars(statement.order_by(Share.created_at)))

    def active_for(self, person_id: int) -> Share | None:
        statement = select(Share).where(
            Share.clinician_id == self._owner.id,
            Share.owner_id == person_id,
            Share.revoked_at.is_(None),
        )
        return self._session.scalars(statement).first()


class InvitationLookup:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_code_hash(self, code_hash: str, *, for_update: bool = False) -> ShareInvitation | None:
        statement = select(ShareInvitation).where(ShareInvitation.code_hash == code_hash)
        if for_update:
            statement = statement.with_for_update()
        return self._session.scalars(statement).first()
