"""Tampering with the audit log, on a database with real commits.

The database refuses UPDATE and DELETE of entries (triggers from the migration). An attacker with
the owner's rights can drop the triggers; then the hash chain shows what they changed, and
`affectrange audit verify` exits 1 naming the entry (0 and "intact" on an untouched log).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role, User
from affectrange.accounts.schemas import RegisterForm
from affectrange.audit import service as audit
from affectrange.audit.chain import ChainReport, entry_hash, personal_digest
from affectrange.audit.models import AuditAction, AuditEntry, AuditHead
from affectrange.audit.repository import HEAD_ID, to_stored
from affectrange.cli import app as cli
from affectrange.config import get_settings
from affectrange.db import Database, create_database, session_scope
from affectrange.sharing import service as sharing
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW, PASSWORD, make_settings
from tests.sharing.helpers import ADDRESS, ALICE, CAROL

APPEND_ONLY = "audit_entries is append-only"
ENTRIES = 6
"""The log `populate` writes: invited, accepted, and four reads by carol."""
LAST_ENTRY_DELETED = "DELETE FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries)"


def register(database: Database, email: str, role: Role) -> None:
    settings = make_settings(database.engine.url.render_as_string(hide_password=False))
    form = RegisterForm(
        email=email,
        display_name=email.split("@", maxsplit=1)[0].title(),
        password=PASSWORD,
        password_repeat=PASSWORD,
    )
    with session_scope(database) as session:
        accounts.register_user(session, settings, form, now=NOW, role=role)


def user(session: Session, email: str) -> User:
    found = accounts.user_by_email(session, email)
    assert found is not None
    return found


def populate(database: Database) -> None:
    """A realistic log: alice invites, carol accepts and reads four times, each committed."""
    register(database, ALICE, Role.PERSON)
    register(database, CAROL, Role.CLINICIAN)
    with session_scope(database) as session:
        alice = user(session, ALICE)
        code = sharing.create_invitation(
            session, alice, scopes=Scopes(), now=NOW, address=ADDRESS
        ).code
    with session_scope(database) as session:
        sharing.accept_invitation(session, user(session, CAROL), code, now=NOW, address=ADDRESS)
    actions = [
        AuditAction.VIEW_DASHBOARD,
        AuditAction.VIEW_RECORD,
        AuditAction.VIEW_REPORT,
        AuditAction.EXPORT_REPORT,
    ]
    for action in actions:
        with session_scope(database) as session:
            record = sharing.open_shared_record(
                session, user(session, CAROL), user(session, ALICE).id
            )
            sharing.record_access(
                session,
                record,
                action=action,
                detail=f"{action.value} read",
                address=ADDRESS,
                now=NOW,
            )


def verify(database: Database) -> ChainReport:
    with session_scope(database, write=False) as session:
        return audit.verify_log(session)


def execute(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def drop_triggers(database: Database) -> None:
    """What an attacker with the owner's rights could do first."""
    if database.engine.dialect.name == "sqlite":
        execute(
            database,
            "DROP TRIGGER audit_entries_only_erasure",
            "DROP TRIGGER audit_entries_no_delete",
        )
    else:
        execute(database, "DROP TRIGGER audit_entries_append_only ON audit_entries")


def messages(report: ChainReport) -> list[str]:
    return [problem.message for problem in report.problems]


@pytest.fixture
def logged(committing_database: Database) -> Database:
    populate(committing_database)
    report = verify(committing_database)
    assert report.intact, report.problems
    assert report.entries == ENTRIES
    return committing_database


# --- the database refuses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 3",
        "UPDATE audit_entries SET actor_label = 'someone else'",
        "DELETE FROM audit_entries WHERE seq = 3",
        "DELETE FROM audit_entries",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(logged: Database, statement: str) -> None:
    with pytest.raises(DBAPIError, match=APPEND_ONLY):
        execute(logged, statement)

    report = verify(logged)
    assert report.intact
    assert report.entries == ENTRIES


@pytest.mark.postgresql_only
def test_postgresql_refuses_to_truncate_the_log(logged: Database) -> None:
    with pytest.raises(DBAPIError, match=APPEND_ONLY):
        execute(logged, "TRUNCATE audit_entries")

    assert verify(logged).entries == ENTRIES


def test_new_entries_can_still_be_appended(logged: Database) -> None:
    with session_scope(logged) as session:
        record = sharing.open_shared_record(session, user(session, CAROL), user(session, ALICE).id)
        sharing.record_access(
            session,
            record,
            action=AuditAction.VIEW_RECORD,
            detail="again",
            address=ADDRESS,
            now=NOW,
        )

    report = verify(logged)
    assert report.intact
    assert report.entries == ENTRIES + 1


# --- around the triggers, the chain tells ------------------------------------------------------


def test_a_changed_detail_is_reported_as_that_entry(logged: Database) -> None:
    drop_triggers(logged)

    execute(logged, "UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 4")

    assert messages(verify(logged)) == ["entry 4 was changed after it was written"]


def test_a_changed_actor_is_reported(logged: Database) -> None:
    drop_triggers(logged)

    execute(
        logged, "UPDATE audit_entries SET actor_label = 'Dave <dave@example.org>' WHERE seq = 5"
    )

    assert messages(verify(logged)) == ["entry 5 was changed after it was written"]


def test_a_deleted_middle_entry_is_reported_missing(logged: Database) -> None:
    drop_triggers(logged)

    execute(logged, "DELETE FROM audit_entries WHERE seq = 3")

    assert messages(verify(logged)) == [
        "entry 4 follows entry 2: entry 3 missing or out of order",
        "entry 4 does not link to the entry before it",
    ]


def test_a_deleted_last_entry_no_longer_matches_the_head(logged: Database) -> None:
    drop_triggers(logged)

    execute(logged, LAST_ENTRY_DELETED)

    report = verify(logged)
    assert messages(report) == [
        f"the log ends at entry {ENTRIES - 1} but its head says {ENTRIES}: "
        "entries at the end were removed or the head was changed"
    ]


def test_removing_the_tail_and_winding_the_head_back_still_breaks_the_link(
    logged: Database,
) -> None:
    """The head is moved back too, but its hash is not the last remaining entry's."""
    drop_triggers(logged)

    execute(
        logged,
        LAST_ENTRY_DELETED,
        "UPDATE audit_head SET seq = seq - 1",
    )

    assert not verify(logged).intact


def test_a_wiped_log_is_reported(logged: Database) -> None:
    drop_triggers(logged)

    execute(logged, "DELETE FROM audit_entries")

    report = verify(logged)
    assert report.entries == 0
    assert not report.intact


# --- the command line --------------------------------------------------------------------------


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self._runner = CliRunner()
        self._env = env

    def verify(self) -> Result:
        return self._runner.invoke(cli, ["audit", "verify"], env=self._env)


@pytest.fixture
def run(logged: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    monkeypatch.chdir(tmp_path)  # no stray .env or var/ of the working tree
    env = {
        "AFFECTRANGE_DATABASE_URL": logged.engine.url.render_as_string(hide_password=False),
        "AFFECTRANGE_SECRET_KEY": "cli-test-secret-key",
    }
    get_settings.cache_clear()
    yield Cli(env)
    get_settings.cache_clear()


def test_verify_says_intact_and_prints_the_head(logged: Database, run: Cli) -> None:
    result = run.verify()

    assert result.exit_code == 0, result.stderr
    report = verify(logged)
    assert result.stdout.strip() == (
        f"audit log intact: {ENTRIES} entries; head {ENTRIES} {report.head_hash}"
    )


def test_verify_exits_1_naming_the_changed_entry(logged: Database, run: Cli) -> None:
    drop_triggers(logged)
    execute(logged, "UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 2")

    result = run.verify()

    assert result.exit_code == 1
    assert "entry 2 was changed after it was written" in result.stderr
    assert "intact" not in result.stdout


def test_verify_exits_1_naming_the_missing_entry(logged: Database, run: Cli) -> None:
    drop_triggers(logged)
    execute(logged, "DELETE FROM audit_entries WHERE seq = 3")

    result = run.verify()

    assert result.exit_code == 1
    assert "entry 3 missing" in result.stderr


def test_a_rewritten_log_prints_a_head_other_than_the_one_written_down(
    logged: Database, run: Cli
) -> None:
    """Rewriting every hash from an entry on, head included, verifies: only the head written
    down elsewhere gives it away, which is why `verify` prints it."""
    written_down = run.verify().stdout.split()[-1]
    drop_triggers(logged)
    with session_scope(logged) as session:
        previous: str | None = None
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            if entry.seq == 2:
                entry.detail = "nothing happened"
                assert entry.personal_salt is not None
                entry.personal_digest = personal_digest(
                    entry.personal_salt, to_stored(entry).personal
                )
            fields = to_stored(entry).fields
            if previous is not None:
                fields = dataclasses.replace(fields, previous_hash=previous)
                entry.previous_hash = previous
            entry.hash = previous = entry_hash(fields)
        head = session.get(AuditHead, HEAD_ID)
        assert head is not None
        assert previous is not None
        head.hash = previous

    result = run.verify()

    assert result.exit_code == 0
    assert result.stdout.split()[-1] != written_down


# --- concurrent appends ------------------------------------------------------------------------


def test_concurrent_appends_from_two_connections_leave_no_gap_or_fork(logged: Database) -> None:
    other = create_database(logged.engine.url.render_as_string(hide_password=False))
    per_thread = 15
    failures: list[BaseException] = []

    def append_many(database: Database) -> None:
        try:
            for n in range(per_thread):
                with session_scope(database) as session:
                    audit.record(
                        session,
                        actor=audit.OPERATOR,
                        subject=None,
                        action=AuditAction.EXPORT_DATA,
                        detail=f"export {n}",
                        address=audit.COMMAND_LINE_ADDRESS,
                        now=NOW,
                    )
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=append_many, args=(db,)) for db in (logged, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()

    assert failures == []
    report = verify(logged)
    assert report.intact, report.problems
    assert report.entries == report.head_seq == ENTRIES + 2 * per_thread
