"""A deleted account leaves nothing behind.

Alice gets data in every table that can hold a person's data (the test first proves that its own
fixture covers each one, so a table added later fails here until someone gives her data in it and
makes deletion cover it). Bob has data of his own and shares with carol too. Alice then deletes
her account through the page. Afterwards no row of any table names her (her id where an account
number goes, her e-mail, her name, the words she wrote), the audit log holds one pseudonymous
deletion entry that counts the entries it erased and still verifies, and bob's and carol's data
are as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.deletion import deleted_account_pseudonym, deletion_recorded_at
from affectrange.accounts.models import User
from affectrange.audit import service as audit
from affectrange.audit.models import AuditAction, AuditEntry
from affectrange.config import Settings
from affectrange.db import Database
from affectrange.models import metadata
from affectrange.sharing.models import Share
from tests.accounts.personal_data import (
    NOT_PERSON_DATA,
    Planted,
    clinician_reads,
    give_everything,
    rows_naming,
    sign_in_failure,
)
from tests.accounts.support import page_token
from tests.conftest import NOW, PASSWORD, sign_in
from tests.sharing.helpers import share

ALICE_WORDS = Planted.for_("Alice")
BOB_WORDS = Planted.for_("Bob")


def alice_words(alice: User) -> tuple[str, ...]:
    return (alice.email, alice.display_name, *ALICE_WORDS.words())


def bob_words(bob: User) -> tuple[str, ...]:
    return (bob.email, bob.display_name, *BOB_WORDS.words())


def delete_through_the_page(client: TestClient) -> None:
    response = client.post(
        "/account/delete",
        data={
            "password": PASSWORD,
            "confirm": "DELETE",
            "csrf_token": page_token(client, "/account/delete"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account/deleted"


def entries_about(session: Session, user_id: int) -> int:
    """What the deletion must erase: entries about the account, or by it about no one."""
    session.expire_all()
    count = sum(
        1
        for entry in session.scalars(select(AuditEntry))
        if entry.subject_id == user_id or (entry.subject_id is None and entry.actor_id == user_id)
    )
    session.commit()
    return count


@pytest.fixture
def everyone(  # noqa: PLR0917 (fixtures)
    session: Session,
    database: Database,
    settings: Settings,
    client: TestClient,
    alice: User,
    bob: User,
    carol: User,
    tmp_path: Path,
) -> TestClient:
    """Alice and bob with data everywhere, both sharing with carol, who read both records;
    alice signed in (a web session) in `client`, which is returned, with one failed sign-in."""
    for person, words in ((alice, ALICE_WORDS), (bob, BOB_WORDS)):
        outbox = tmp_path / person.display_name
        give_everything(
            session, database, settings, person, clinician=carol, planted=words, outbox=outbox
        )
    clinician_reads(session, carol, alice)
    clinician_reads(session, carol, bob)
    sign_in(client, alice.email)  # a success clears the failures: sign in first
    sign_in_failure(session, settings, alice.email)
    sign_in_failure(session, settings, bob.email)
    return client


def test_the_fixture_gives_alice_data_in_every_table_that_can_hold_a_persons_data(
    everyone: TestClient, session: Session, alice: User
) -> None:
    naming = rows_naming(session, alice.id, alice_words(alice))

    uncovered = sorted(
        table.name
        for table in metadata.sorted_tables
        if table.name not in NOT_PERSON_DATA and not naming[table.name]
    )
    assert uncovered == [], (
        "these tables can hold a person's data but alice has none in them: give her some in "
        "tests/accounts/personal_data.py and make account deletion remove it"
    )
    assert set(metadata.tables) >= NOT_PERSON_DATA, "NOT_PERSON_DATA names tables that exist"
    assert all(not naming[name] for name in NOT_PERSON_DATA)


def test_a_deleted_account_leaves_nothing_behind(  # noqa: PLR0917 (fixtures)
    everyone: TestClient, session: Session, settings: Settings, alice: User, bob: User, carol: User
) -> None:
    alice_id, words = alice.id, alice_words(alice)
    pseudonym = deleted_account_pseudonym(settings, alice.email)
    to_erase = entries_about(session, alice_id)
    bobs_before = rows_naming(session, bob.id, bob_words(bob))
    carols_entries_about_bob = snapshot_entries(session, actor_id=carol.id, subject_id=bob.id)

    delete_through_the_page(everyone)

    leftovers = {name: rows for name, rows in rows_naming(session, alice_id, words).items() if rows}
    assert leftovers == {}
    deletions = deletion_entries(session)
    assert len(deletions) == 1
    assert pseudonym in deletions[0].detail
    assert deletions[0].erases == to_erase > 0
    assert deletions[0].actor_label == "a deleted account"
    report = audit.verify_log(session)
    assert report.intact, report.problems
    assert report.erased == to_erase
    assert rows_naming(session, bob.id, bob_words(bob)) == bobs_before
    assert (
        snapshot_entries(session, actor_id=carol.id, subject_id=bob.id) == carols_entries_about_bob
    )
    assert active_share_owners(session, carol.id) == [bob.id]
    assert deletion_recorded_at(session, settings, "Alice@Example.org") == NOW


def test_entries_in_which_carol_read_alice_go_with_alice_not_with_carol(
    everyone: TestClient, session: Session, alice: User, carol: User
) -> None:
    """Erased because they are about alice; nothing about carol is erased."""
    alice_id, carol_id = alice.id, carol.id

    delete_through_the_page(everyone)

    session.expire_all()
    assert session.get(User, carol_id) is not None
    by_carol = list(session.scalars(select(AuditEntry).where(AuditEntry.actor_id == carol_id)))
    assert by_carol, "carol's reads of bob's record stay"
    assert all(entry.subject_id != alice_id for entry in by_carol)
    session.commit()


def snapshot_entries(session: Session, *, actor_id: int, subject_id: int) -> list[tuple[Any, ...]]:
    session.expire_all()
    statement = (
        select(AuditEntry)
        .where(AuditEntry.actor_id == actor_id, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.seq)
    )
    rows = [
        (entry.seq, entry.actor_label, entry.detail, entry.address, entry.hash)
        for entry in session.scalars(statement)
    ]
    session.commit()
    return rows


def deletion_entries(session: Session) -> list[AuditEntry]:
    session.expire_all()
    statement = select(AuditEntry).where(AuditEntry.action == AuditAction.ACCOUNT_DELETED)
    rows = list(session.scalars(statement))
    session.commit()
    return rows


def active_share_owners(session: Session, clinician_id: int) -> list[int]:
    session.expire_all()
    statement = select(Share.owner_id).where(
        Share.clinician_id == clinician_id, Share.revoked_at.is_(None)
    )
    owners = sorted(session.scalars(statement))
    session.commit()
    return owners


def test_a_clinician_who_deletes_their_account_ends_the_shares_and_the_people_are_told(
    session: Session, settings: Settings, client: TestClient, alice: User, carol: User
) -> None:
    share(session, alice, carol)
    clinician_reads(session, carol, alice)
    carol_id, carol_words = carol.id, (carol.email, carol.display_name)
    sign_in(client, carol.email)

    delete_through_the_page(client)

    session.expire_all()
    assert active_share_owners(session, carol_id) == []
    entries = audit.entries_about(session, alice)
    ended = entries[0]
    assert ended.action == AuditAction.SHARE_REVOKED
    assert ended.detail.endswith("ended: the clinician deleted their account")
    assert ended.actor_label == "Carol <carol@example.org>"
    kept_reads = [entry for entry in entries if entry.action == AuditAction.VIEW_RECORD]
    assert [entry.actor_id for entry in kept_reads] == [carol_id]
    session.commit()
    leftovers = {
        name: rows
        for name, rows in rows_naming(session, carol_id, carol_words).items()
        if rows and name != "audit_entries"
    }
    assert leftovers == {}
    deletions = deletion_entries(session)
    assert [(entry.actor_role, entry.erases) for entry in deletions] == [("clinician", 0)]
    assert audit.verify_log(session).intact
