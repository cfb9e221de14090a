"""The rules of sharing against a real database: invite, preview, accept once, expiry,
cancelling, who may do what, changing and revoking.

Runs on SQLite and PostgreSQL (`--db`). Alice invites on NOW (15 June 2026, 16:00 UTC); a code
works until exactly 7 days later, 22 June 2026, 16:00 UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.errors import Forbidden, InvalidInput, NotFound
from affectrange.sharing import service
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW
from tests.sharing.helpers import (
    ADDRESS,
    active_shares,
    audit_count,
    invitation_row,
    invite,
    share,
)

WEEK = dt.timedelta(days=7)
EXPIRES = dt.datetime(2026, 6, 22, 16, 0, tzinfo=dt.UTC)


def test_an_invitation_shares_everything_but_notes_unless_asked(
    session: Session, alice: User
) -> None:
    created = invite(session, alice)

    assert created.invitation.scopes == Scopes(
        checkins=True, questionnaires=True, medications=True, notes=False, safety=True
    )
    assert created.invitation.expires_at == EXPIRES
    pending = service.pending_invitations(session, alice, now=NOW)
    assert [row.id for row in pending] == [created.invitation.id]


def test_only_the_codes_hash_is_stored(session: Session, alice: User) -> None:
    created = invite(session, alice)

    stored = invitation_row(session, created.invitation.id)
    assert created.code.replace("-", "") not in stored.code_hash
    assert stored.code_hash == service.code_digest(created.code)
    assert len(stored.code_hash) == 64


def test_two_invitations_get_different_codes(session: Session, alice: User) -> None:
    first, second = invite(session, alice), invite(session, alice)

    assert first.code != second.code


def test_the_clinician_sees_who_invites_and_what_before_accepting(
    session: Session, alice: User, carol: User
) -> None:
    created = invite(session, alice, Scopes(medications=False))

    preview = service.preview_invitation(session, carol, created.code, now=NOW)

    assert preview.person_name == "Alice"
    assert preview.scopes.shared_names() == ("checkins", "questionnaires", "safety")
    assert preview.expires_at == EXPIRES
    # Previewing does not use the code up.
    assert invitation_row(session, created.invitation.id).accepted_at is None


def test_accepting_creates_the_share_the_person_sees(
    session: Session, alice: User, carol: User
) -> None:
    scopes = Scopes(questionnaires=False, notes=True)
    created = invite(session, alice, scopes)

    record = service.accept_invitation(session, carol, created.code, now=NOW, address=ADDRESS)
    session.commit()

    assert (record.person.id, record.clinician.id, record.scopes) == (alice.id, carol.id, scopes)
    listed = service.shared_with(session, alice)
    assert [(item.clinician_name, item.clinician_email, item.scopes) for item in listed] == [
        ("Carol", "carol@example.org", scopes)
    ]
    assert service.pending_invitations(session, alice, now=NOW) == []
    assert [row.person.id for row in service.shared_records(session, carol)] == [alice.id]


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda code: code.lower(), id="lower case"),
        pytest.param(lambda code: code.replace("-", " "), id="spaces"),
        pytest.param(lambda code: code.replace("-", ""), id="no dashes"),
    ],
)
def test_a_code_typed_by_hand_is_still_recognised(
    session: Session, alice: User, carol: User, typed: Callable[[str], str]
) -> None:
    created = invite(session, alice)

    record = service.accept_invitation(
        session, carol, typed(created.code), now=NOW, address=ADDRESS
    )

    assert record.person.id == alice.id


def test_a_code_works_once(session: Session, alice: User, carol: User, dave: User) -> None:
    code = invite(session, alice).code
    service.accept_invitation(session, carol, code, now=NOW, address=ADDRESS)
    session.commit()
    entries = audit_count(session)

    with pytest.raises(InvalidInput) as refused:
        service.accept_invitation(session, dave, code, now=NOW, address=ADDRESS)

    assert refused.value.fields == {"code": service.INVALID_CODE_MESSAGE}
    session.rollback()
    assert service.shared_records(session, dave) == []
    assert [row.clinician_id for row in active_shares(session)] == [carol.id]
    assert audit_count(session) == entries


def test_a_code_stops_working_after_seven_days(session: Session, alice: User, carol: User) -> None:
    created = invite(session, alice)
    just_before = NOW + WEEK - dt.timedelta(seconds=1)

    assert service.preview_invitation(session, carol, created.code, now=just_before)
    with pytest.raises(InvalidInput) as refused:
        service.accept_invitation(session, carol, created.code, now=NOW + WEEK, address=ADDRESS)

    assert set(refused.value.fields) == {"code"}
    session.rollback()
    assert active_shares(session) == []
    assert invitation_row(session, created.invitation.id).accepted_at is None
    assert service.pending_invitations(session, alice, now=NOW + WEEK) == []


def test_a_cancelled_code_is_refused(session: Session, alice: User, carol: User) -> None:
    created = invite(session, alice)
    service.cancel_invitation(session, alice, created.invitation.id, now=NOW, address=ADDRESS)
    session.commit()

    with pytest.raises(InvalidInput) as refused:
        service.accept_invitation(session, carol, created.code, now=NOW, address=ADDRESS)

    assert set(refused.value.fields) == {"code"}
    session.rollback()
    assert active_shares(session) == []
    assert service.pending_invitations(session, alice, now=NOW) == []


def test_a_made_up_code_is_refused_and_an_empty_one_asked_for(
    session: Session, carol: User, alice: User
) -> None:
    invite(session, alice)

    with pytest.raises(InvalidInput) as made_up:
        service.accept_invitation(session, carol, "ABCD-EFGH-JKMN", now=NOW, address=ADDRESS)
    with pytest.raises(InvalidInput) as empty:
        service.accept_invitation(session, carol, " - ", now=NOW, address=ADDRESS)

    assert made_up.value.fields == {"code": service.INVALID_CODE_MESSAGE}
    assert empty.value.fields == {"code": "Enter the code the person gave you."}
    session.rollback()
    assert active_shares(session) == []


def test_bob_cannot_cancel_alices_invitation(session: Session, alice: User, bob: User) -> None:
    created = invite(session, alice)

    with pytest.raises(NotFound):
        service.cancel_invitation(session, bob, created.invitation.id, now=NOW, address=ADDRESS)

    session.rollback()
    assert [row.id for row in service.pending_invitations(session, alice, now=NOW)] == [
        created.invitation.id
    ]


def test_a_person_cannot_accept_and_a_clinician_cannot_invite(
    session: Session, alice: User, bob: User, carol: User
) -> None:
    code = invite(session, alice).code

    with pytest.raises(Forbidden):
        service.accept_invitation(session, bob, code, now=NOW, address=ADDRESS)
    with pytest.raises(Forbidden):
        service.preview_invitation(session, bob, code, now=NOW)
    with pytest.raises(Forbidden):
        service.create_invitation(session, carol, scopes=Scopes(), now=NOW, address=ADDRESS)

    session.rollback()
    assert active_shares(session) == []
    assert service.pending_invitations(session, carol, now=NOW) == []


def test_sharing_nothing_is_refused_naming_the_scopes_field(
    session: Session, alice: User, carol: User
) -> None:
    nothing = Scopes(checkins=False, questionnaires=False, medications=False, safety=False)
    assert not nothing.anything

    with pytest.raises(InvalidInput) as on_invite:
        service.create_invitation(session, alice, scopes=nothing, now=NOW, address=ADDRESS)
    record = share(session, alice, carol)
    with pytest.raises(InvalidInput) as on_change:
        service.change_share(
            session, alice, record.share_id, scopes=nothing, now=NOW, address=ADDRESS
        )

    assert set(on_invite.value.fields) == {"scopes"}
    assert set(on_change.value.fields) == {"scopes"}
    session.rollback()
    assert [row.scopes for row in active_shares(session)] == [Scopes()]


def test_accepting_a_second_invitation_replaces_the_earlier_choice(
    session: Session, alice: User, carol: User
) -> None:
    share(session, alice, carol)
    later = invite(session, alice, Scopes(medications=False, notes=True)).code

    service.accept_invitation(session, carol, later, now=NOW, address=ADDRESS)
    session.commit()

    shares = active_shares(session)
    assert [(row.clinician_id, row.scopes) for row in shares] == [
        (carol.id, Scopes(medications=False, notes=True))
    ]


def test_changing_what_is_shared_is_seen_by_the_clinicians_next_look(
    session: Session, alice: User, carol: User
) -> None:
    record = share(session, alice, carol)

    service.change_share(
        session,
        alice,
        record.share_id,
        scopes=Scopes(medications=False),
        now=NOW,
        address=ADDRESS,
    )
    session.commit()

    reopened = service.open_shared_record(session, carol, alice.id)
    assert reopened.scopes == Scopes(medications=False)
    assert not reopened.scopes.medications


def test_revoking_closes_the_door_at_once(session: Session, alice: User, carol: User) -> None:
    record = share(session, alice, carol)

    service.revoke_share(session, alice, record.share_id, now=NOW, address=ADDRESS)
    session.commit()

    with pytest.raises(NotFound):
        service.open_shared_record(session, carol, alice.id)
    assert service.shared_records(session, carol) == []
    assert service.shared_with(session, alice) == []
    with pytest.raises(NotFound):  # revoking twice: nothing left to revoke
        service.revoke_share(session, alice, record.share_id, now=NOW, address=ADDRESS)


def test_bob_cannot_change_or_revoke_alices_share(
    session: Session, alice: User, bob: User, carol: User
) -> None:
    record = share(session, alice, carol)

    with pytest.raises(NotFound):
        service.change_share(
            session, bob, record.share_id, scopes=Scopes(notes=True), now=NOW, address=ADDRESS
        )
    with pytest.raises(NotFound):
        service.revoke_share(session, bob, record.share_id, now=NOW, address=ADDRESS)

    session.rollback()
    assert [row.scopes for row in active_shares(session)] == [Scopes()]


def test_a_clinician_opens_only_records_shared_with_them(
    session: Session, alice: User, bob: User, carol: User, dave: User
) -> None:
    share(session, alice, carol)

    with pytest.raises(NotFound):
        service.open_shared_record(session, dave, alice.id)
    with pytest.raises(NotFound):
        service.open_shared_record(session, carol, bob.id)
    with pytest.raises(Forbidden):
        service.open_shared_record(session, bob, alice.id)
    assert service.open_shared_record(session, carol, alice.id).person.id == alice.id
