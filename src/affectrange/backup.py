"""Whole-instance backups (`affectrange backup PATH`) and restoring them (`affectrange restore`).

A backup is one file: an SQLite database (for an SQLite instance) or a pg_dump custom-format
archive (for PostgreSQL). Both are consistent snapshots taken while the app keeps serving:

- SQLite: Python's `sqlite3.Connection.backup()` copies every page in one step, inside one read
  transaction on the live database. WAL mode lets writers commit meanwhile; the copy is the
  database as of the moment that read transaction began, so each transaction is in it whole or
  not at all.
- PostgreSQL: pg_dump reads every table in one REPEATABLE READ transaction (one snapshot).

Restoring refuses a bad file whole, before anything changes, and then replaces the configured
database in one transaction (SQLite: the backup API in one step; PostgreSQL: one psql
transaction), so a failure leaves the instance as it was. A backup of an older schema is
migrated afterwards; one made by a newer AffectRange (an unknown Alembic revision) is refused.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Final

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from affectrange import migrate
from affectrange.db import create_database

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC: Final = b"PGDMP"
REQUIRED_TABLES: Final = ("alembic_version", "users", "checkins", "audit_entries", "audit_head")
"""Tables every AffectRange database has had since the audit log arrived (revision 0004);
a file without them is someone else's database, or a damaged one."""

PG_BIN_DIRS: Final = "/usr/lib/postgresql/*/bin"
"""Where Debian installs each major version's client tools when they are not on PATH."""

_ERROR_LINE: Final = re.compile(r"\b(error|ERROR|FATAL|fatal):")
_TOC_TABLE: Final = re.compile(r"^\d+; \d+ \d+ TABLE (?P<schema>\S+) (?P<name>\S+) ", re.MULTILINE)

# Counted in the restore's summary line; fixed names, never built from input.
_COUNT_USERS: Final = text("SELECT count(*) FROM users")
_COUNT_CHECKINS: Final = text("SELECT count(*) FROM checkins")
_COUNT_AUDIT_ENTRIES: Final = text("SELECT count(*) FROM audit_entries")

# Run in the restore's transaction before the archive's own statements: drops every table, view,
# sequence and function of the public schema that no extension owns. pg_restore --clean drops
# only what the archive holds, so restoring an older backup into a newer instance would keep the
# newer tables (and their foreign keys to `users` would stop the drop of `users`). The statements
# are collected first, then run, so a cascade never leaves a name to look up again.
_DROP_PUBLIC_OBJECTS: Final = """
DO $affectrange$
DECLARE
    statements text[];
    statement text;
BEGIN
    SELECT coalesce(array_agg(doomed.sql), '{}') INTO statements FROM (
        SELECT format(
            'DROP %s IF EXISTS %I.%I CASCADE',
            CASE c.relkind
                WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE'
            END,
            n.nspname, c.relname) AS sql
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
        UNION ALL
        SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE',
                      n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    ) AS doomed;
    FOREACH statement IN ARRAY statements LOOP
        EXECUTE statement;
    END LOOP;
END
$affectrange$;
"""


class BackupRefused(Exception):
    """Bad input (the file or the path given): nothing was changed. Names the file and why."""


class BackupFailed(Exception):
    """A tool or the database failed on the way; the message says what happened to the data."""


class BackupKind(StrEnum):
    SQLITE = "SQLite"
    POSTGRESQL = "PostgreSQL"


@dataclass(frozen=True, slots=True)
class Backup:
    """A backup file, read and found restorable by this AffectRange."""

    path: Path
    kind: BackupKind
    revision: str


@dataclass(frozen=True, slots=True)
class MadeBackup:
    path: Path
    kind: BackupKind
    revision: str | None
    """None when the database was never migrated (a backup is made all the same)."""
    size_bytes: int


@dataclass(frozen=True, slots=True)
class Restored:
    backup: Backup
    revision: str
    """The revision after the restore: the backup's, or the head when it was migrated."""
    users: int
    checkins: int
    audit_entries: int

    @property
    def migrated(self) -> bool:
        return self.revision != self.backup.revision


@dataclass(frozen=True, slots=True)
class _Contents:
    """What a file holds, as far as restoring it is concerned."""

    tables: frozenset[str]
    revision: str | None


# --- the configured database ------------------------------------------------------------------


def describe_database(database_url: str) -> str:
    """The configured database in words, without its password."""
    url = make_url(database_url)
    if _kind_of(url) is BackupKind.SQLITE:
        return f"the SQLite database {url.database}"
    place = url.host or "the local socket"
    if url.port is not None:
        place = f"{place}:{url.port}"
    return f"the PostgreSQL database {url.database} on {place}"


def _kind_of(url: URL) -> BackupKind:
    if url.get_backend_name() == "sqlite":
        return BackupKind.SQLITE
    if url.get_backend_name() == "postgresql":
        return BackupKind.POSTGRESQL
    raise BackupFailed(f"cannot back up a {url.get_backend_name()} database")


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("the configured SQLite database is in memory: there is no file")
    return Path(url.database)


# --- making a backup --------------------------------------------------------------------------


def make_backup(database_url: str, target: Path) -> MadeBackup:
    """Write a consistent copy of the whole configured database to `target`, atomically: the
    copy is checked before it is renamed into place, so `target` is a whole backup or untouched."""
    url = make_url(database_url)
    kind = _kind_of(url)
    _check_output_path(target)
    if kind is BackupKind.SQLITE:
        source = _sqlite_file(url)
        if not source.is_file():
            raise BackupFailed(f"{source}: no such database file (nothing to back up)")
        if _same_file_family(target, source):
            raise BackupRefused(f"{target}: is the database itself; choose another file")
    try:
        with _atomic_output(target) as temporary:
            if kind is BackupKind.SQLITE:
                _copy_sqlite(_sqlite_file(url), temporary)
            else:
                _pg_dump(url, temporary)
            contents = _check_copy(temporary, kind, target)
            size = temporary.stat().st_size
    except OSError as error:  # the folder is not writable, the disk is full, ...
        raise BackupFailed(f"{target}: {error.strerror or error}; it was not written") from error
    except sqlite3.Error as error:
        raise BackupFailed(
            f"copying the database failed ({error}); {target} was not written"
        ) from error
    return MadeBackup(path=target, kind=kind, revision=contents.revision, size_bytes=size)


def _check_copy(copy: Path, kind: BackupKind, target: Path) -> _Contents:
    """Read the new backup as a restore would (integrity, tables): a damaged copy never
    replaces a good older file."""
    try:
        return _read_contents(copy, kind)
    except BackupRefused as problem:
        raise BackupFailed(
            f"the copy failed its check, so {target} was not written: {problem}"
        ) from problem


def _check_output_path(target: Path) -> None:
    if target.is_dir():
        raise BackupRefused(f"{target}: is a directory; give the backup file's name")
    if not target.parent.is_dir():
        raise BackupRefused(f"{target}: no such directory {target.parent}")


def _same_file_family(candidate: Path, database: Path) -> bool:
    """The database file or one of SQLite's files beside it (never to be overwritten)."""
    family = {database.resolve()} | {
        database.resolve().with_name(database.name + suffix)
        for suffix in ("-wal", "-shm", "-journal", ".write-lock")
    }
    return candidate.resolve() in family


@contextmanager
def _atomic_output(target: Path) -> Iterator[Path]:
    """A private temporary file beside `target`, fsynced and renamed over it on success.

    The file stays readable by its owner only (mkstemp's 0600): it holds everyone's health data.
    """
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        temporary.replace(target)
        _fsync(target.parent)  # the rename itself survives a power cut
    finally:
        temporary.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_sqlite(database: Path, copy: Path) -> None:
    # pages=-1 copies every page in a single backup step, which holds one read transaction on the
    # live database from the first page to the last: the copy is one snapshot. Copying in chunks
    # (pages=N) would let writers commit between steps; SQLite then restarts the copy from the
    # start, and under steady writes it might never finish. WAL mode lets the app's writers go on
    # committing meanwhile, so neither SQLite's write lock nor the writers' `.write-lock` file
    # (writer.py) is taken: the app does not pause for a backup.
    with (
        closing(sqlite3.connect(database, timeout=30)) as live,
        closing(sqlite3.connect(copy)) as backup,
    ):
        live.backup(backup, pages=-1)
        # A backup is one self-contained file: rollback journal, not WAL (which would want
        # -wal and -shm files beside it whenever it is opened).
        backup.execute("PRAGMA journal_mode=DELETE")


# --- reading a backup file --------------------------------------------------------------------


def read_backup(path: Path, database_url: str) -> Backup:
    """Everything that can be known about `path` before restoring it; refuses anything this
    AffectRange cannot restore into the configured database, naming the file and the reason."""
    if not path.exists():
        raise BackupRefused(f"{path}: no such file")
    if not path.is_file():
        raise BackupRefused(f"{path}: not a file")
    kind = _kind_of_file(path)
    url = make_url(database_url)
    configured = _kind_of(url)
    if kind is not configured:
        raise BackupRefused(
            f"{path}: is a backup of a {kind} database, but the configured database is "
            f"{configured}; restore it into a {kind} instance"
        )
    if kind is BackupKind.SQLITE and _same_file_family(path, _sqlite_file(url)):
        raise BackupRefused(f"{path}: is the configured database itself, not a backup")
    contents = _read_contents(path, kind)
    revision = _check_affectrange(path, contents)
    return Backup(path=path, kind=kind, revision=revision)


def _kind_of_file(path: Path) -> BackupKind:
    try:
        with path.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupRefused(f"{path}: {error.strerror or error}") from error
    if start == SQLITE_MAGIC:
        return BackupKind.SQLITE
    if start.startswith(PG_CUSTOM_MAGIC):
        return BackupKind.POSTGRESQL
    raise BackupRefused(
        f"{path}: not an AffectRange backup (neither an SQLite database nor a pg_dump "
        "custom-format archive)"
    )


def _read_contents(path: Path, kind: BackupKind) -> _Contents:
    if kind is BackupKind.SQLITE:
        return _read_sqlite(path)
    return _read_pg_archive(path)


def _check_affectrange(path: Path, contents: _Contents) -> str:
    missing = [table for table in REQUIRED_TABLES if table not in contents.tables]
    if missing:
        raise BackupRefused(f"{path}: not an AffectRange database (no table {', '.join(missing)})")
    if contents.revision is None:
        raise BackupRefused(f"{path}: has no schema revision (its alembic_version is empty)")
    if contents.revision not in known_revisions():
        raise BackupRefused(
            f"{path}: schema revision {contents.revision} is unknown to this AffectRange; "
            "it was made by a newer version: upgrade AffectRange, then restore"
        )
    return contents.revision


def known_revisions() -> frozenset[str]:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return frozenset(script.revision for script in scripts.walk_revisions())


def _read_sqlite(path: Path) -> _Contents:
    """Integrity first (a damaged file is refused whatever it holds), then tables and revision.

    Opened read-only through a URI: reading a backup never changes it or creates files beside it.
    """
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as file:
            problems = [str(row[0]) for row in file.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupRefused(
                    f"{path}: fails SQLite's integrity check ({'; '.join(problems[:3])})"
                )
            tables = frozenset(
                str(row[0])
                for row in file.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
            revision = None
            if "alembic_version" in tables:
                row = file.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = None if row is None else str(row[0])
    except sqlite3.DatabaseError as error:  # not readable at all: a damaged header or pages
        raise BackupRefused(f"{path}: a damaged or unreadable SQLite database ({error})") from error
    return _Contents(tables=tables, revision=revision)


def _read_pg_archive(path: Path) -> _Contents:
    """The archive's table of contents (`pg_restore --list`) and its alembic_version data."""
    pg_restore = client_tool("pg_restore")
    listing = _run([str(pg_restore), "--list", str(path)])
    if listing.returncode != 0:
        problem = _tool_message(listing.stderr)
        raise BackupRefused(f"{path}: not a readable pg_dump custom-format archive ({problem})")
    tables = frozenset(
        match["name"]
        for match in _TOC_TABLE.finditer(listing.stdout)
        if match["schema"] == "public"
    )
    revision = None
    if "alembic_version" in tables:
        data = _run(
            [str(pg_restore), "--data-only", "--table=alembic_version", "--file=-", str(path)]
        )
        if data.returncode != 0:
            raise BackupRefused(f"{path}: damaged archive ({_tool_message(data.stderr)})")
        revision = _first_copied_value(data.stdout)
    return _Contents(tables=tables, revision=revision)


def _first_copied_value(script: str) -> str | None:
    """The first column of the first row of the first COPY ... FROM stdin block."""
    lines = iter(script.splitlines())
    for line in lines:
        if line.startswith("COPY ") and line.endswith("FROM stdin;"):
            first = next(lines, "\\.")
            return None if first == "\\." else first.split("\t", 1)[0]
    return None


# --- restoring --------------------------------------------------------------------------------


def restore_backup(backup: Backup, database_url: str) -> Restored:
    """Replace the whole configured database with `backup` (read by `read_backup`), then
    migrate it when it is older than this code."""
    url = make_url(database_url)
    if backup.kind is BackupKind.SQLITE:
        _restore_sqlite(backup.path, _sqlite_file(url))
    else:
        _restore_postgresql(backup.path, url)
    database = create_database(database_url)
    try:
        if backup.revision != migrate.head_revision():
            try:
                migrate.upgrade(database)
            except (SQLAlchemyError, CommandError) as error:
                raise BackupFailed(
                    f"{backup.path} was restored at revision {backup.revision}, but migrating "
                    f"it failed ({error}); run `affectrange migrate`"
                ) from error
        revision = migrate.current_revision(database) or backup.revision
        with database.engine.connect() as connection:
            users = connection.execute(_COUNT_USERS).scalar_one()
            checkins = connection.execute(_COUNT_CHECKINS).scalar_one()
            audit_entries = connection.execute(_COUNT_AUDIT_ENTRIES).scalar_one()
    finally:
        database.dispose()
    return Restored(
        backup=backup,
        revision=revision,
        users=users,
        checkins=checkins,
        audit_entries=audit_entries,
    )


def _restore_sqlite(backup: Path, database: Path) -> None:
    # One backup step (pages=-1) is one write transaction on the live database: other
    # connections see the old database or the restored one, never a mixture, and a failure
    # rolls it back. The writers' lock file is held meanwhile so the app's batching writers
    # queue on it (as they do for each other) instead of polling SQLite's lock.
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            _writers_paused(database),
            closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(database, timeout=30)) as live,
        ):
            source.backup(live, pages=-1)
    except sqlite3.Error as error:
        raise BackupFailed(f"restoring {backup} failed ({error}); nothing was changed") from error


@contextmanager
def _writers_paused(database: Path) -> Iterator[None]:
    """The exclusive lock writer.py's `_ProcessTurns` takes around each batch it writes."""
    with Path(f"{database}.write-lock").open("a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _restore_postgresql(archive: Path, url: URL) -> None:
    """pg_restore turns the archive into SQL; psql runs it after `_DROP_PUBLIC_OBJECTS`, all in
    one transaction that is committed only when pg_restore has written all of it: a damaged
    archive or any failed statement rolls everything back."""
    pg_restore, psql = client_tool("pg_restore"), client_tool("psql")
    dbname, env = _libpq_connection(url)
    env["PGOPTIONS"] = "-c client_min_messages=warning"  # no notice per dropped object
    with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as restore_errors:
        runner = subprocess.Popen(  # noqa: S603  # fixed arguments, no shell
            [str(psql), "--no-psqlrc", "--quiet", f"--dbname={dbname}", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        assert runner.stdin is not None
        sent = _send(runner.stdin, "\\set ON_ERROR_STOP on\nBEGIN;\n" + _DROP_PUBLIC_OBJECTS)
        # --clean --if-exists: the archive's own objects are dropped before they are created
        # (a no-op after the statement above for tables, but it covers any other kind). Owners
        # and grants name roles the target server may not have: the restoring user owns all.
        dumped = subprocess.run(  # noqa: S603  # fixed arguments, no shell
            [
                str(pg_restore),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--file=-",
                str(archive),
            ],
            stdout=runner.stdin,
            stderr=restore_errors,
            env=env,
            check=False,
        )
        committed = sent and dumped.returncode == 0 and _send(runner.stdin, "COMMIT;\n")
        _close_quietly(runner.stdin)  # without COMMIT, psql's exit rolls the transaction back
        psql_code = runner.wait()
        if not committed or psql_code != 0:
            detail = _tool_message(_read_all(psql_errors) + _read_all(restore_errors))
            raise BackupFailed(f"restoring {archive} failed ({detail}); nothing was changed")


def _send(stream: IO[bytes], sql: str) -> bool:
    try:
        stream.write(sql.encode("utf-8"))
        stream.flush()
    except BrokenPipeError:  # psql stopped at an error: its message says which
        return False
    return True


def _close_quietly(stream: IO[bytes]) -> None:
    with suppress(BrokenPipeError):  # psql already stopped: nothing left to tell it
        stream.close()


def _read_all(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", errors="replace")


# --- PostgreSQL client tools ------------------------------------------------------------------


def _pg_dump(url: URL, archive: Path) -> None:
    dbname, env = _libpq_connection(url)
    pg_dump = client_tool("pg_dump")
    dumped = _run(
        [str(pg_dump), "--format=custom", f"--file={archive}", f"--dbname={dbname}"], env=env
    )
    if dumped.returncode != 0:
        raise BackupFailed(f"pg_dump failed ({_tool_message(dumped.stderr)})")


def _libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and an environment carrying the password in
    PGPASSWORD: a command line is visible to every user of the machine (ps), the environment
    is not."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def client_tool(
    name: str, *, search_path: str | None = None, versioned_dirs: str = PG_BIN_DIRS
) -> Path:
    """A PostgreSQL client program: from PATH, else the newest of Debian's versioned folders."""
    found = shutil.which(name, path=search_path)
    if found is not None:
        return Path(found)
    candidates = sorted(
        (Path(candidate) for candidate in glob.glob(f"{versioned_dirs}/{name}")),
        key=_major_version,
        reverse=True,
    )
    if not candidates:
        raise BackupFailed(
            f"{name} was not found: install PostgreSQL's client tools of the server's major "
            "version (Debian: postgresql-client-NN)"
        )
    return candidates[0]


def _major_version(program: Path) -> int:
    """15 for /usr/lib/postgresql/15/bin/pg_dump (numbers, so 15 sorts after 9)."""
    folder = program.parent.parent.name
    return int(folder) if folder.isdigit() else -1


def _run(
    command: Sequence[str], *, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # a client tool found above, fixed arguments, no shell
        command, capture_output=True, text=True, env=env, check=False
    )


def _tool_message(output: str) -> str:
    """The lines of a client tool's stderr that say what went wrong (the last line is often
    only "aborting"), on one line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if _ERROR_LINE.search(line)]
    if errors:
        return "; ".join(errors[:3])
    return lines[-1] if lines else "no message"
