"""Erasing a deleted account's entries, on a database with real commits.

The log of `test_tamper.populate` is six entries about alice (her invitation, carol's acceptance
and four reads); then the operator exports something about no one (entry 7). Erasing alice
appends deletion entry 8, which erases entries 1 to 6 and leaves entry 7 alone. The database
allows that one kind of update and nothing else; the chain still verifies; an erasure made any
other way is reported by `verify`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from affectrange.audit import service as audit
from affectrange.audit.models import AuditAction, AuditEntry
from affectrange.db import Database, session_scope
from tests.audit.test_tamper import (
    APPEND_ONLY,
    drop_triggers,
    execute,
    logged,
    messages,
    user,
    verify,
)
from tests.conftest import NOW
from tests.sharing.helpers import ALICE

__all__ = ["logged"]  # the fixture this module shares with test_tamper.py

PSEUDONYM = "0123456789abcdef0123456789abcdef"
DELETION = 8
KEPT = 7
ERASED_WORDS = (
    f"Account {PSEUDONYM} was deleted at its owner's request; "
    "6 earlier entries about it were erased."
)
ERASE_ENTRY_7 = (
    "UPDATE audit_entries SET actor_id = NULL, subject_id = NULL, actor_label = '', "
    "detail = '', address = '', personal_salt = NULL, erased_by_seq = {by}{extra} WHERE seq = 7"
)


def erasure_of_entry_7(by: int = DELETION, extra: str = "") -> str:
    return ERASE_ENTRY_7.format(by=by, extra=extra)


def entries(database: Database) -> list[AuditEntry]:
    with session_scope(database, write=False) as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        session.expunge_all()
    return rows


@pytest.fixture
def erased(logged: Database) -> Database:
    with session_scope(logged) as session:
        audit.record(
            session,
            actor=audit.OPERATOR,
            subject=None,
            action=AuditAction.EXPORT_DATA,
            detail="directory copy",
            address=audit.COMMAND_LINE_ADDRESS,
            now=NOW,
        )
    with session_scope(logged) as session:
        audit.erase_subject(session, user(session, ALICE), pseudonym=PSEUDONYM, now=NOW)
    return logged


def test_the_deletion_entry_names_only_the_pseudonym_and_the_count(erased: Database) -> None:
    deletion = entries(erased)[DELETION - 1]

    assert deletion.action == AuditAction.ACCOUNT_DELETED
    assert (deletion.actor_id, deletion.subject_id, deletion.address) == (None, None, "")
    assert deletion.actor_label == "a deleted account"
    assert deletion.actor_role == "person"
    assert deletion.detail == ERASED_WORDS
    assert deletion.erases == 6
    assert deletion.erased_by_seq is None


def test_the_entries_about_the_account_keep_only_their_place_in_the_chain(
    erased: Database,
) -> None:
    rows = entries(erased)

    for row in rows[:6]:
        assert (row.actor_id, row.subject_id) == (None, None)
        assert (row.actor_label, row.detail, row.address) == ("", "", "")
        assert row.personal_salt is None
        assert row.erased_by_seq == DELETION
        assert row.action in {action.value for action in AuditAction}
        assert len(row.personal_digest) == len(row.hash) == 64
    kept = rows[KEPT - 1]
    assert (kept.detail, kept.erased_by_seq) == ("directory copy", None)
    assert kept.personal_salt is not None


def test_an_erased_log_verifies_and_counts_what_was_erased(erased: Database) -> None:
    report = verify(erased)

    assert report.intact, report.problems
    assert (report.entries, report.erased, report.head_seq) == (8, 6, 8)
    assert report.summary() == (
        f"audit log intact: 8 entries (6 erased when accounts were deleted); "
        f"head 8 {report.head_hash}"
    )


def test_the_deletion_is_found_again_by_its_pseudonym_only(erased: Database) -> None:
    with session_scope(erased, write=False) as session:
        found = audit.deletion_entry(session, PSEUDONYM)
        assert found is not None
        assert found.seq == DELETION
        assert audit.deletion_entry(session, "f" * 32) is None


def test_erasing_again_erases_nothing_more(erased: Database) -> None:
    with session_scope(erased) as session:
        again = audit.erase_subject(session, user(session, ALICE), pseudonym=PSEUDONYM, now=NOW)

    assert again.erases == 0
    assert verify(erased).intact


# --- the database allows the erasure and nothing else -------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            "UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 7", id="edit"
        ),
        pytest.param(
            "UPDATE audit_entries SET actor_label = '', detail = '' WHERE seq = 7", id="blank-some"
        ),
        pytest.param(erasure_of_entry_7(by=3), id="naming-no-deletion"),
        pytest.param(erasure_of_entry_7(by=99), id="naming-nothing"),
        pytest.param(erasure_of_entry_7(extra=", hash = previous_hash"), id="and-a-new-hash"),
        pytest.param(erasure_of_entry_7(extra=", action = 'view_record'"), id="and-an-action"),
        pytest.param(erasure_of_entry_7(extra=", erases = 1"), id="and-a-count"),
        pytest.param(
            erasure_of_entry_7(extra=", personal_digest = previous_hash"), id="and-a-digest"
        ),
        pytest.param(
            erasure_of_entry_7().replace("personal_salt = NULL", "personal_salt = 'ab'"),
            id="keeping-a-salt",
        ),
        pytest.param(
            erasure_of_entry_7().replace("actor_label = ''", "actor_label = 'someone'"),
            id="keeping-a-label",
        ),
        pytest.param("UPDATE audit_entries SET detail = 'put back' WHERE seq = 1", id="un-erase"),
        pytest.param("UPDATE audit_entries SET erased_by_seq = 8 WHERE seq = 1", id="re-erase"),
        pytest.param("UPDATE audit_entries SET erases = 7 WHERE seq = 8", id="recount"),
        pytest.param("DELETE FROM audit_entries WHERE seq = 1", id="delete-erased"),
        pytest.param("DELETE FROM audit_entries WHERE seq = 7", id="delete-kept"),
        pytest.param("DELETE FROM audit_entries", id="delete-all"),
    ],
)
def test_the_database_refuses_everything_but_an_erasure(erased: Database, statement: str) -> None:
    before = [(row.seq, row.detail, row.erased_by_seq, row.hash) for row in entries(erased)]

    with pytest.raises(DBAPIError, match=APPEND_ONLY):
        execute(erased, statement)

    assert [(row.seq, row.detail, row.erased_by_seq, row.hash) for row in entries(erased)] == (
        before
    )
    assert verify(erased).intact


def test_an_erasure_the_database_allows_is_still_reported_when_no_deletion_counts_it(
    erased: Database,
) -> None:
    """Written by hand, an erasure passes the trigger (it names a real deletion entry), but that
    entry counted 6, not 7: `verify` reports it."""
    execute(erased, erasure_of_entry_7())

    assert messages(verify(erased)) == [
        "deletion entry 8 erased 6 earlier entries, but 7 are erased under its number"
    ]


def test_a_forged_erasure_around_the_triggers_is_reported(erased: Database) -> None:
    drop_triggers(erased)

    execute(erased, erasure_of_entry_7().replace("erased_by_seq = 8", "erased_by_seq = NULL"))

    assert messages(verify(erased)) == [
        "entry 7 was erased without a later deletion entry that accounts for it"
    ]


def test_an_un_erased_entry_around_the_triggers_is_reported(erased: Database) -> None:
    drop_triggers(erased)

    execute(erased, "UPDATE audit_entries SET detail = 'invented' WHERE seq = 2")

    assert messages(verify(erased)) == ["entry 2 was changed after it was written"]
