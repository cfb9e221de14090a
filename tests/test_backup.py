"""`affectrange backup` and `affectrange restore`, run as an operator runs them, on databases of
their own with real commits (never the suite's rolled-back one), on the backend the run selects.

The key test takes backups while threads keep committing check-ins through the app's services,
each with an audit entry naming it in the same transaction: a consistent backup holds both or
neither of every pair, and its audit chain is intact.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import column, delete, func, insert, inspect, select, table, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from affectrange import backup as backups
from affectrange import migrate
from affectrange.accounts import service as accounts
from affectrange.accounts.models import User
from affectrange.audit import service as audit
from affectrange.audit.models import AuditAction, AuditEntry
from affectrange.checkins import service as checkins
from affectrange.checkins.models import Checkin
from affectrange.checkins.schemas import CheckinIn
from affectrange.cli import app
from affectrange.config import get_settings
from affectrange.db import Database, create_database, session_scope
from affectrange.models import metadata
from tests.conftest import NOW, TODAY, DatabaseFactory, checkin_payload, make_settings, make_user

SECRET_KEY = "backup-test-secret-key"
PAIR_DETAIL = re.compile(r"^check-in (\d+)$")


# --- running the commands ---------------------------------------------------------------------


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def run(database_url: str, *args: str, answer: str | None = None) -> Result:
    env = {"AFFECTRANGE_DATABASE_URL": database_url, "AFFECTRANGE_SECRET_KEY": SECRET_KEY}
    get_settings.cache_clear()  # settings are cached per process; each call names its database
    try:
        return CliRunner().invoke(app, list(args), env=env, input=answer)
    finally:
        get_settings.cache_clear()


def back_up(database: Database, path: Path) -> Path:
    result = run(url_of(database), "backup", str(path))
    assert result.exit_code == 0, result.stderr
    return path


def restore(database_url: str, path: Path) -> Result:
    return run(database_url, "restore", "--yes", str(path))


@pytest.fixture(autouse=True)
def _no_stray_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env or var/ of the working tree


# --- data -------------------------------------------------------------------------------------


def add_person(database: Database, email: str) -> User:
    with database.session_factory() as session:
        return make_user(session, make_settings(), email)


def save_checkin_with_entry(database: Database, person: User, day: dt.date) -> int:
    """One transaction, two rows: the day's check-in and an audit entry naming it."""
    with session_scope(database) as session:
        saved = checkins.record_checkin(
            session,
            person,
            CheckinIn.model_validate(checkin_payload(day)),
            today=TODAY,
            now=NOW,
        )
        audit.record(
            session,
            actor=audit.OPERATOR,
            subject=person,
            action=AuditAction.EXPORT_DATA,
            detail=f"check-in {saved.checkin.id}",
            address=audit.COMMAND_LINE_ADDRESS,
            now=NOW,
        )
        return saved.checkin.id


def count_checkins(database: Database) -> int:
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Checkin)) or 0


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: "exactly as it was"."""
    with database.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def execute(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


@pytest.fixture
def instance(committing_database: Database) -> Database:
    """The configured instance: alice with two check-ins (and their audit entries), bob."""
    alice = add_person(committing_database, "alice@example.org")
    add_person(committing_database, "bob@example.org")
    for days_back in (1, 0):
        save_checkin_with_entry(committing_database, alice, TODAY - dt.timedelta(days=days_back))
    return committing_database


@pytest.fixture
def fresh(databases: DatabaseFactory) -> Iterator[Database]:
    """An empty database of the selected backend (for SQLite, a file that does not exist yet)."""
    database = create_database(databases.new_url("restored"))
    yield database
    database.dispose()


@pytest.fixture
def migrated(databases: DatabaseFactory) -> Iterator[Database]:
    """Another AffectRange database, to make unusual backups from."""
    database = create_database(databases.new_url("source"))
    migrate.upgrade(database)
    yield database
    database.dispose()


# --- a backup while the app writes ------------------------------------------------------------


PAUSE_BETWEEN_WRITES = 0.005


@dataclass
class Writers:
    """Threads that commit check-in + audit-entry pairs until stopped, each for its own person."""

    database: Database
    persons: list[User]
    stop: threading.Event = field(default_factory=threading.Event)
    failures: list[BaseException] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for person in self.persons:
            thread = threading.Thread(target=self._write, args=(person,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _write(self, person: User) -> None:
        try:
            days_back = 0
            # A short pause after each commit leaves the machine some room for the backup's
            # own process, which would otherwise start slowly; the writes never stop.
            while not self.stop.wait(PAUSE_BETWEEN_WRITES):
                save_checkin_with_entry(self.database, person, TODAY - dt.timedelta(days=days_back))
                days_back += 1
        except BaseException as failure:
            self.failures.append(failure)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        assert not self.failures, self.failures


def backup_in_another_process(database: Database, path: Path) -> None:
    """`affectrange backup` as an operator runs it beside the server: its own process."""
    env = {
        **os.environ,
        "AFFECTRANGE_DATABASE_URL": url_of(database),
        "AFFECTRANGE_SECRET_KEY": SECRET_KEY,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "affectrange", "backup", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def wait_for_checkins(database: Database, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while count_checkins(database) < at_least:
        assert time.monotonic() < deadline, "the writers did not commit"
        time.sleep(0.01)


def pairs_in(database: Database) -> tuple[set[int], set[int]]:
    """Ids of the check-ins, and ids the audit entries name."""
    with database.session_factory() as session:
        checkin_ids = set(session.scalars(select(Checkin.id)))
        named = {
            int(match[1])
            for detail in session.scalars(select(AuditEntry.detail))
            if (match := PAIR_DETAIL.match(detail))
        }
    return checkin_ids, named


@dataclass(frozen=True)
class TakenBackup:
    path: Path
    committed_before: int
    committed_after: int


ROUNDS = 3


def test_backups_taken_during_writes_restore_whole_transactions(
    committing_database: Database, databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    persons = [add_person(committing_database, f"writer{n}@example.org") for n in range(4)]
    writers = Writers(committing_database, persons)
    writers.start()
    taken: list[TakenBackup] = []
    try:
        for round_number in range(ROUNDS):
            wait_for_checkins(committing_database, at_least=20 * (round_number + 1))
            before = count_checkins(committing_database)
            path = tmp_path / f"during-writes-{round_number}.backup"
            backup_in_another_process(committing_database, path)
            taken.append(TakenBackup(path, before, count_checkins(committing_database)))
    finally:
        writers.finish()

    for backup in taken:
        assert 0 < backup.committed_before < backup.committed_after
        restored = create_database(databases.new_url("restored_during_writes"))
        try:
            result = restore(url_of(restored), backup.path)

            assert result.exit_code == 0, result.stderr
            checkin_ids, named = pairs_in(restored)
            # Strictly between: writers committed after the command started and before its
            # snapshot, and again after the snapshot and before it ended. The backup ran while
            # they wrote.
            assert backup.committed_before < len(checkin_ids) < backup.committed_after
            assert checkin_ids == named  # every transaction whole: both rows or neither
            with restored.session_factory() as session:
                report = audit.verify_log(session)
            assert report.intact, report.problems
            assert report.entries == len(checkin_ids)
            assert run(url_of(restored), "audit", "verify").exit_code == 0
            if backend == "sqlite":
                with restored.engine.connect() as connection:
                    check = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
                assert check == ["ok"]
        finally:
            restored.dispose()


# --- a round trip -----------------------------------------------------------------------------


def test_restore_puts_back_exactly_what_was_backed_up(instance: Database, tmp_path: Path) -> None:
    at_backup = snapshot(instance)
    path = back_up(instance, tmp_path / "instance.backup")
    carol = add_person(instance, "carol@example.org")  # an account added after the backup
    save_checkin_with_entry(instance, carol, TODAY)
    with session_scope(instance) as session:
        session.execute(delete(Checkin).where(Checkin.day == TODAY - dt.timedelta(days=1)))
    assert snapshot(instance) != at_backup

    result = restore(url_of(instance), path)

    assert result.exit_code == 0, result.stderr
    assert snapshot(instance) == at_backup
    assert f"Restored {path} into " in result.stderr
    assert f"revision {migrate.head_revision()};" in result.stderr
    assert "users: 2, check-ins: 2, audit entries: 2." in result.stderr
    assert "Check the audit log with `affectrange audit verify`." in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    verified = run(url_of(instance), "audit", "verify")
    assert verified.exit_code == 0, verified.stderr
    # Usable afterwards: new rows get new ids (PostgreSQL's sequences came back too).
    with instance.session_factory() as session:
        bob = accounts.user_by_email(session, "bob@example.org")
    assert bob is not None
    new_id = save_checkin_with_entry(instance, bob, TODAY)
    assert new_id > max(row[0] for row in at_backup["checkins"])


def test_a_backup_restores_into_an_empty_database(
    instance: Database, fresh: Database, tmp_path: Path
) -> None:
    path = back_up(instance, tmp_path / "instance.backup")

    result = restore(url_of(fresh), path)

    assert result.exit_code == 0, result.stderr
    assert snapshot(fresh) == snapshot(instance)


def test_backup_says_what_it_wrote_and_keeps_the_file_private(
    instance: Database, backend: str, tmp_path: Path
) -> None:
    path = tmp_path / "instance.backup"
    path.write_text("an older file of that name")

    result = run(url_of(instance), "backup", str(path))

    assert result.exit_code == 0, result.stderr
    assert f"into {path} (" in result.stderr
    assert f"revision {migrate.head_revision()}," in result.stderr
    assert path.read_bytes()[:5] in {b"SQLit", b"PGDMP"}  # replaced whole
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # everyone's health data
    assert [entry.name for entry in tmp_path.iterdir() if entry.name.endswith(".tmp")] == []
    if backend == "sqlite":  # header bytes 18-19: a rollback journal, so no -wal file is needed
        assert path.read_bytes()[18:20] == b"\x01\x01"


OLDER_REVISION = "0004"
"""The oldest schema a backup can have: the audit log's tables arrived with it."""
CHECKIN_ITEMS_AT_0004 = (
    *("joyful", "calm", "interested", "close", "proud", "amused", "hopeful", "sad"),
    *("anxious", "irritable", "guilty", "stressed", "lonely", "numb", "indifferent", "detached"),
)


def add_rows_of_revision_0004(database: Database) -> None:
    """Plain rows with the columns that revision had: today's services write today's schema."""
    at = "2026-06-15 16:00:00"
    user = {
        "id": 1,
        "email": "dana@example.org",
        "display_name": "Dana",
        "password_hash": "not a hash",
        "role": "person",
        "timezone": "America/New_York",
        "created_at": at,
        "password_changed_at": at,
    }
    checkin = {
        "owner_id": 1,
        "day": TODAY.isoformat(),
        **dict.fromkeys(CHECKIN_ITEMS_AT_0004, 3),
        "backfilled": False,
        "revision": 1,
        "created_at": at,
        "updated_at": at,
    }
    with database.engine.begin() as connection:
        for name, row in (("users", user), ("checkins", checkin)):
            connection.execute(insert(table(name, *(column(key) for key in row))).values(row))


def test_a_backup_of_an_older_schema_is_migrated_after_the_restore(
    instance: Database, databases: DatabaseFactory, tmp_path: Path
) -> None:
    older = create_database(databases.new_url("older"))
    try:
        migrate.upgrade(older, OLDER_REVISION)
        add_rows_of_revision_0004(older)
        path = back_up(older, tmp_path / "older.backup")
    finally:
        older.dispose()

    result = restore(url_of(instance), path)

    assert result.exit_code == 0, result.stderr
    assert f"revision {migrate.head_revision()} (migrated from {OLDER_REVISION})" in result.stderr
    assert "users: 1, check-ins: 1, audit entries: 0." in result.stderr
    assert migrate.current_revision(instance) == migrate.head_revision()
    with instance.session_factory() as session:
        assert accounts.user_by_email(session, "dana@example.org") is not None
        assert accounts.user_by_email(session, "alice@example.org") is None  # replaced whole
    # Every table of today's schema is there (the ones the backup lacked, made by the
    # migrations), and the instance takes writes again.
    assert set(inspect(instance.engine).get_table_names()) >= {
        table.name for table in metadata.sorted_tables
    }
    with instance.session_factory() as session:
        dana = accounts.user_by_email(session, "dana@example.org")
    assert dana is not None
    save_checkin_with_entry(instance, dana, TODAY - dt.timedelta(days=1))


# --- refusals: nothing changes ----------------------------------------------------------------


def refused(instance: Database, path: Path, reason: str) -> None:
    """Restore refuses `path` naming it and `reason`, with exit 2, and changes nothing."""
    before = snapshot(instance)

    result = restore(url_of(instance), path)

    assert result.exit_code == 2, result.stderr
    assert str(path) in result.stderr
    assert reason in result.stderr
    assert "nothing was changed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(instance) == before
    assert count_checkins(instance) == 2


def test_restore_refuses_a_missing_file(instance: Database, tmp_path: Path) -> None:
    refused(instance, tmp_path / "no-such.backup", "no such file")


def test_restore_refuses_a_file_that_is_no_backup(instance: Database, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("id,day\n1,2026-06-15\n")

    refused(instance, path, "neither an SQLite database nor a pg_dump custom-format archive")


def test_restore_refuses_a_database_that_is_not_affectranges(
    instance: Database, fresh: Database, tmp_path: Path
) -> None:
    execute(fresh, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    path = back_up(fresh, tmp_path / "someone-elses.backup")

    refused(instance, path, "not an AffectRange database (no table alembic_version, users")


def test_restore_refuses_a_database_without_the_audit_head(
    instance: Database, migrated: Database, tmp_path: Path
) -> None:
    execute(migrated, "DROP TABLE audit_head")
    path = back_up(migrated, tmp_path / "no-audit-head.backup")

    refused(instance, path, "not an AffectRange database (no table audit_head)")


def test_restore_refuses_a_backup_made_by_a_newer_affectrange(
    instance: Database, migrated: Database, tmp_path: Path
) -> None:
    execute(migrated, "UPDATE alembic_version SET version_num = '9999'")
    path = back_up(migrated, tmp_path / "from-the-future.backup")

    refused(instance, path, "schema revision 9999 is unknown to this AffectRange")


def test_restore_refuses_a_backup_of_the_other_kind_of_database(
    instance: Database, backend: str, tmp_path: Path
) -> None:
    path = tmp_path / "other-kind.backup"
    if backend == "sqlite":
        # A PostgreSQL archive is recognised by its first bytes, before anything reads it.
        path.write_bytes(backups.PG_CUSTOM_MAGIC + b"\x01\x0e\x00" + bytes(200))
        reason = "a backup of a PostgreSQL database, but the configured database is SQLite"
    else:
        sqlite_instance = create_database(f"sqlite:///{tmp_path / 'sqlite-instance.sqlite3'}")
        try:
            migrate.upgrade(sqlite_instance)
            back_up(sqlite_instance, path)
        finally:
            sqlite_instance.dispose()
        reason = "a backup of a SQLite database, but the configured database is PostgreSQL"

    refused(instance, path, reason)


@pytest.mark.sqlite_only
def test_restore_refuses_an_sqlite_file_that_fails_its_integrity_check(
    instance: Database, tmp_path: Path
) -> None:
    path = back_up(instance, tmp_path / "damaged.backup")
    corrupt_the_users_email_index(path)

    refused(instance, path, "fails SQLite's integrity check")


def corrupt_the_users_email_index(path: Path) -> None:
    """Change alice's e-mail in the unique index only: the pages stay well-formed, but the index
    no longer matches its table, which only an integrity check notices."""
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root_page,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' "
            "AND sql IS NULL"  # the automatic index of UNIQUE (email)
        ).fetchone()
    connection.close()
    data = bytearray(path.read_bytes())
    start = (root_page - 1) * page_size
    page = data[start : start + page_size]
    assert b"alice@example.org" in page
    data[start : start + page_size] = page.replace(b"alice@example.org", b"alicf@example.org")
    path.write_bytes(bytes(data))


@pytest.mark.sqlite_only
def test_restore_refuses_the_configured_database_itself(instance: Database) -> None:
    path = Path(str(instance.engine.url.database))

    refused(instance, path, "is the configured database itself")


@pytest.mark.postgresql_only
def test_restore_refuses_an_archive_whose_table_of_contents_is_damaged(
    instance: Database, tmp_path: Path
) -> None:
    path = back_up(instance, tmp_path / "cut-short.backup")
    path.write_bytes(path.read_bytes()[:120])

    refused(instance, path, "not a readable pg_dump custom-format archive")


@pytest.mark.postgresql_only
def test_an_archive_that_breaks_off_in_its_data_restores_nothing(
    instance: Database, tmp_path: Path
) -> None:
    """The table of contents reads well, so the restore starts; the data ends early, so
    pg_restore fails part-way and the one transaction is rolled back."""
    path = back_up(instance, tmp_path / "truncated.backup")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 600])
    before = snapshot(instance)

    result = restore(url_of(instance), path)

    assert result.exit_code == 1, result.stderr
    assert f"restoring {path} failed" in result.stderr
    assert "nothing was changed" in result.stderr
    assert snapshot(instance) == before


# --- confirmation -----------------------------------------------------------------------------


def test_restore_asks_first_and_a_no_changes_nothing(instance: Database, tmp_path: Path) -> None:
    path = back_up(instance, tmp_path / "instance.backup")
    execute(instance, "DELETE FROM users WHERE email = 'bob@example.org'")
    before = snapshot(instance)

    declined = run(url_of(instance), "restore", str(path), answer="n\n")
    unanswered = run(url_of(instance), "restore", str(path), answer="")

    for result in (declined, unanswered):
        assert result.exit_code == 1
        assert "Replace everything in " in result.stderr
        assert "not confirmed: nothing was changed" in result.stderr
    assert snapshot(instance) == before


def test_restore_goes_ahead_when_the_answer_is_yes(instance: Database, tmp_path: Path) -> None:
    path = back_up(instance, tmp_path / "instance.backup")
    execute(instance, "DELETE FROM users WHERE email = 'bob@example.org'")

    result = run(url_of(instance), "restore", str(path), answer="y\n")

    assert result.exit_code == 0, result.stderr
    with instance.session_factory() as session:
        assert accounts.user_by_email(session, "bob@example.org") is not None


def test_restore_help_says_it_replaces_the_whole_database() -> None:
    result = run("sqlite://", "restore", "--help")

    assert result.exit_code == 0
    assert "Replace the WHOLE configured database" in result.stdout
    assert "--yes" in result.stdout


# --- backup refusals --------------------------------------------------------------------------


def test_backup_refuses_a_path_in_a_missing_folder(instance: Database, tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "instance.backup"

    result = run(url_of(instance), "backup", str(path))

    assert result.exit_code == 2
    assert f"{path}: no such directory" in result.stderr
    assert not path.parent.exists()


@pytest.mark.sqlite_only
def test_backup_refuses_to_write_over_the_database_itself(instance: Database) -> None:
    path = Path(str(make_url(url_of(instance)).database))
    before = snapshot(instance)

    result = run(url_of(instance), "backup", str(path))

    assert result.exit_code == 2
    assert f"{path}: is the database itself" in result.stderr
    assert snapshot(instance) == before


def test_a_missing_client_tool_is_named_with_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(backups.BackupFailed, match="pg_dump was not found: install PostgreSQL's"):
        backups.client_tool("pg_dump", search_path="", versioned_dirs=str(tmp_path / "*" / "bin"))


def test_the_newest_versioned_client_tool_is_chosen(tmp_path: Path) -> None:
    for version in ("9", "15", "13"):
        program = tmp_path / version / "bin" / "pg_dump"
        program.parent.mkdir(parents=True)
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)

    found = backups.client_tool(
        "pg_dump", search_path="", versioned_dirs=str(tmp_path / "*" / "bin")
    )

    assert found == tmp_path / "15" / "bin" / "pg_dump"
