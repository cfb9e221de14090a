"""The rules of sharing: invitations, acceptance, what is shared, revocation, and the access
check every clinician request goes through.

A clinician reaches a person's data only through `open_shared_record`, which finds an active
share between the two (404 otherwise, so a record's existence is never revealed), and records the
access with `record_access` before the data leaves. Revoking sets `revoked_at` in the person's
transaction; the clinician's next request finds no active share and is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from affectrange import db
from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role, User
from affectrange.audit import service as audit
from affectrange.audit.models import AuditAction
from affectrange.errors import Forbidden, InvalidInput, NotFound
from affectrange.sharing.models import Share, ShareInvitation
from affectrange.sharing.repository import ClinicianShares, InvitationLookup, PersonShares
from affectrange.sharing.scopes import Scopes, describe_scopes

INVITATION_DAYS: Final = 7
"""An unused invitation stops working after a week (the issue's rule)."""

MAX_PENDING_INVITATIONS: Final = 10
"""Enough for every clinician a person might see; a bound on codes that could be guessed."""

CODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives."""

CODE_LENGTH: Final = 12
"""60 bits: guessing one of at most ten live codes online is hopeless within a week."""

_LOOKALIKES: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})

INVALID_CODE_MESSAGE: Final = (
    "This code is not valid: it may have expired, been used already, or been cancelled. "
    "Ask the person for a new one."
)
NOT_SHARED_MESSAGE: Final = "No one with that number shares their record with you."


@dataclass(frozen=True, slots=True)
class CreatedInvitation:
    invitation: ShareInvitation
    code: str
    """Shown to the person once; only its hash is stored."""


@dataclass(frozen=True, slots=True)
class SharedWith:
    """One clinician a person shares with, for the sharing page."""

    share_id: int
    clinician_name: str
    clinician_email: str
    scopes: Scopes
    since: dt.datetime


@dataclass(frozen=True, slots=True)
class SharedRecord:
    """A clinician's access to one person's record: who, what, since when."""

    share_id: int
    person: User
    clinician: User
    scopes: Scopes
    since: dt.datetime


@dataclass(frozen=True, slots=True)
class InvitationPreview:
    person_name: str
    scopes: Scopes
    expires_at: dt.datetime


# --- codes -------------------------------------------------------------------------------------


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    """Upper case, without spaces or dashes, look-alike letters read as digits."""
    kept = "".join(ch for ch in code.upper() if ch not in " -\t")
    return kept.translate(_LOOKALIKES)


def code_digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


# --- the person's side -------------------------------------------------------------------------


def create_invitation(
    session: Session, person: User, *, scopes: Scopes, now: dt.datetime, address: str
) -> CreatedInvitation:
    _ensure_role(person, Role.PERSON, "Only a person keeping their own record can invite.")
    if not scopes.anything:
        raise InvalidInput({"scopes": "Choose at least one part of your record to share."})
    shares = PersonShares(session, person)
    if len(shares.pending_invitations(now)) >= MAX_PENDING_INVITATIONS:
        raise InvalidInput(
            {"scopes": f"You have {MAX_PENDING_INVITATIONS} unused invitations: cancel one first."}
        )
    code = new_code()
    invitation = ShareInvitation(
        code_hash=code_digest(code),
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    invitation.set_scopes(scopes)
    shares.add_invitation(invitation)
    _record_own_change(
        session,
        person,
        AuditAction.SHARE_INVITED,
        f"invitation {invitation.id} to share {describe_scopes(scopes)}; "
        f"valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC",
        address=address,
        now=now,
    )
    return CreatedInvitation(invitation, code)


def pending_invitations(
    session: Session, person: User, *, now: dt.datetime
) -> list[ShareInvitation]:
    return PersonShares(session, person).pending_invitations(now)


def cancel_invitation(
    session: Session, person: User, invitation_id: int, *, now: dt.datetime, address: str
) -> None:
    invitation = PersonShares(session, person).invitation(invitation_id)
    if invitation is None or invitation.accepted_at is not None or invitation.cancelled_at:
        raise NotFound("There is no unused invitation with that number.")
    invitation.cancelled_at = now
    _record_own_change(
        session,
        person,
        AuditAction.INVITATION_CANCELLED,
        f"invitation {invitation.id}",
        address=address,
        now=now,
    )
    session.flush()


def shared_with(session: Session, person: User) -> list[SharedWith]:
    """Who can see the person's record now, and what of it."""
    result = []
    for share in PersonShares(session, person).active():
        clinician = accounts.get_user(session, _Account(share.clinician_id))
        result.append(
            SharedWith(
                share_id=share.id,
                clinician_name=clinician.display_name,
                clinician_email=clinician.email,
                scopes=share.scopes,
                since=share.created_at,
            )
        )
    return result


def change_share(
    session: Session,
    person: User,
    share_id: int,
    *,
    scopes: Scopes,
    now: dt.datetime,
    address: str,
) -> Share:
    if not scopes.anything:
        raise InvalidInput(
            {"scopes": "Choose at least one part, or stop sharing with this clinician."}
        )
    share = _own_active_share(session, person, share_id)
    share.set_scopes(scopes)
    share.updated_at = now
    _record_own_change(
        session,
        person,
        AuditAction.SHARE_CHANGED,
        f"share {share.id} with {_clinician_label(session, share)} now covers "
        f"{describe_scopes(scopes)}",
        address=address,
        now=now,
    )
    session.flush()
    return share


def revoke_share(
    session: Session, person: User, share_id: int, *, now: dt.datetime, address: str
) -> None:
    """Ends the share at once: committed with this request, checked by every clinician request."""
    share = _own_active_share(session, person, share_id)
    share.revoked_at = now
    share.updated_at = now
    _record_own_change(
        session,
        person,
        AuditAction.SHARE_REVOKED,
        f"share {share.id} with {_clinician_label(session, share)}",
        address=address,
        now=now,
    )
    session.flush()


def _record_own_change(
    session: Session,
    person: User,
    action: AuditAction,
    detail: str,
    *,
    address: str,
    now: dt.datetime,
) -> None:
    """A person's own change to who may see what: in their log beside everyone else's reads."""
    audit.record(
        session,
        actor=audit.actor_for(person),
        subject=person,
        action=action,
        detail=detail,
        address=address,
        now=now,
    )


def _own_active_share(session: Session, person: User, share_id: int) -> Share:
    share = PersonShares(session, person).active_share(share_id)
    if share is None:
        raise NotFound("You do not share your record under that number.")
    return share


def _clinician_label(session: Session, share: Share) -> str:
    clinician = accounts.get_user(session, _Account(share.clinician_id))
    return f"{clinician.display_name} <{clinician.email}>"


# --- the clinician's side ----------------------------------------------------------------------


def preview_invitation(
    session: Session, clinician: User, code: str, *, now: dt.datetime
) -> InvitationPreview:
    """Who is inviting and to see what, before the clinician accepts."""
    _ensure_role(clinician, Role.CLINICIAN, "Only a clinician account can accept an invitation.")
    invitation = _usable_invitation(session, code, now=now, for_update=False)
    person = accounts.get_user(session, _Account(invitation.owner_id))
    return InvitationPreview(person.display_name, invitation.scopes, invitation.expires_at)


def accept_invitation(
    session: Session, clinician: User, code: str, *, now: dt.datetime, address: str
) -> SharedRecord:
    """Use the code once. An earlier share between the same two is replaced by the new choice."""
    _ensure_role(clinician, Role.CLINICIAN, "Only a clinician account can accept an invitation.")
    invitation = _usable_invitation(session, code, now=now, for_update=True)
    person = accounts.get_user(session, _Account(invitation.owner_id))
    invitation.accepted_at = now
    invitation.accepted_by_id = clinician.id
    shares = PersonShares(session, person)
    share = shares.active_with(clinician.id)
    if share is None:
        share = Share(clinician_id=clinician.id, created_at=now, updated_at=now)
        share.set_scopes(invitation.scopes)
        shares.add_share(share)
    else:
        share.set_scopes(invitation.scopes)
        share.updated_at = now
    audit.record(
        session,
        actor=audit.actor_for(clinician),
        subject=person,
        action=AuditAction.SHARE_ACCEPTED,
        detail=f"invitation {invitation.id}: share {share.id} covers "
        f"{describe_scopes(share.scopes)}",
        address=address,
        now=now,
    )
    session.flush()
    return SharedRecord(share.id, person, clinician, share.scopes, share.created_at)


def _usable_invitation(
    session: Session, code: str, *, now: dt.datetime, for_update: bool
) -> ShareInvitation:
    if not normalise_code(code):
        raise InvalidInput({"code": "Enter the code the person gave you."})
    invitation = InvitationLookup(session).by_code_hash(code_digest(code), for_update=for_update)
    usable = (
        invitation is not None
        and invitation.accepted_at is None
        and invitation.cancelled_at is None
        and invitation.expires_at > now
    )
    if not usable or invitation is None:
        raise InvalidInput({"code": INVALID_CODE_MESSAGE})
    return invitation


def shared_records(session: Session, clinician: User) -> list[SharedRecord]:
    """Everyone who shares with the clinician now."""
    _ensure_role(clinician, Role.CLINICIAN, "This page is for clinicians.")
    return [
        _record(session, clinician, share) for share in ClinicianShares(session, clinician).active()
    ]


def open_shared_record(session: Session, clinician: User, person_id: int) -> SharedRecord:
    """The one door to a person's data for a clinician: an active share, or 404."""
    _ensure_role(clinician, Role.CLINICIAN, "This page is for clinicians.")
    share = ClinicianShares(session, clinician).active_for(person_id)
    if share is None:
        raise NotFound(NOT_SHARED_MESSAGE)
    return _record(session, clinician, share)


def record_access(
    session: Session,
    record: SharedRecord,
    *,
    action: AuditAction,
    detail: str,
    address: str,
    now: dt.datetime,
) -> None:
    """Audit a read before its data leaves; refuse it if the share ended meanwhile.

    The read ran in a read transaction (no lock held while charts and PDFs are drawn); this
    switches to a short write transaction, checks again that the share is active (a revoke may
    have committed in between), and appends the entry. The entry commits before the response.
    """
    db.switch_to_writing(session)
    if ClinicianShares(session, record.clinician).active_for(record.person.id) is None:
        raise NotFound(NOT_SHARED_MESSAGE)
    audit.record(
        session,
        actor=audit.actor_for(record.clinician),
        subject=record.person,
        action=action,
        detail=detail,
        address=address,
        now=now,
    )


def record_dashboard_view(
    session: Session,
    clinician: User,
    records: list[SharedRecord],
    *,
    address: str,
    now: dt.datetime,
) -> list[SharedRecord]:
    """Audit a dashboard showing these people's flags; returns those still shared (a revoke
    that committed while the dashboard was drawn drops that person from the page)."""
    db.switch_to_writing(session)
    still_shared = []
    shares = ClinicianShares(session, clinician)
    for record in records:
        if shares.active_for(record.person.id) is None:
            continue
        audit.record(
            session,
            actor=audit.actor_for(clinician),
            subject=record.person,
            action=AuditAction.VIEW_DASHBOARD,
            detail=f"dashboard summary ({describe_scopes(record.scopes)})",
            address=address,
            now=now,
        )
        still_shared.append(record)
    return still_shared


def end_shares_of_deleted_clinician(session: Session, clinician: User, *, now: dt.datetime) -> int:
    """A clinician deleting their account: tell each person who shared with them, in their own
    log, that the share ended. The shares themselves go with the account (`accounts.deletion`);
    the entry names the clinician as the person's other entries about them do. No address is
    recorded: the deletion is not a read of anyone's data. Returns how many shares ended."""
    if clinician.role is not Role.CLINICIAN:
        return 0
    shares = ClinicianShares(session, clinician).active()
    for share in shares:
        audit.record(
            session,
            actor=audit.actor_for(clinician),
            subject=_Account(share.owner_id),
            action=AuditAction.SHARE_REVOKED,
            detail=f"share {share.id} ended: the clinician deleted their account",
            address="",
            now=now,
        )
    return len(shares)


def _record(session: Session, clinician: User, share: Share) -> SharedRecord:
    person = accounts.get_user(session, _Account(share.owner_id))
    return SharedRecord(share.id, person, clinician, share.scopes, share.created_at)


def _ensure_role(user: User, role: Role, message: str) -> None:
    if user.role is not role:
        raise Forbidden(message)


@dataclass(frozen=True, slots=True)
class _Account:
    id: int
