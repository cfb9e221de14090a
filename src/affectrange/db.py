"""Database engine, the declarative base, and the two ways to get a session.

`get_session` is the request dependency: it commits *before* the response is sent (it is declared
with `scope="function"`), so a page never says "saved" for a write that then fails to commit.
`session_scope()` is the same contract for the command line.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.requests import Request

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BEGIN_OPTION: Final = "affectrange_sqlite_begin"

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_values(members: type[StrEnum]) -> list[str]:
    """For `Enum(..., values_callable=enum_values)`: store the lower-case values ("person"),
    not the member names."""
    return [member.value for member in members]


@dataclass(frozen=True, slots=True)
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def create_database(url: str, **engine_options: Any) -> Database:
    """Build the engine for `url`; SQLite gets WAL, durable commits and explicit BEGIN."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        engine = _create_sqlite_engine(url, **engine_options)
    else:
        engine = create_engine(url, pool_pre_ping=True, **engine_options)
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    return Database(engine=engine, session_factory=factory)


def _create_sqlite_engine(url: str, **engine_options: Any) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, **engine_options
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; SQLAlchemy's documented
    # workaround is to switch it off and emit BEGIN ourselves (see _begin_sqlite_transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL syncs the WAL at every commit: an acknowledged check-in survives a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads
    # first and writes later can fail with SQLITE_BUSY under concurrent writers, without waiting.
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_for_write(session: Session) -> None:
    """Start the session's transaction as a writer (takes SQLite's write lock at once)."""
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def switch_to_writing(session: Session) -> None:
    """End a read-only first phase and continue as a writer, in a new transaction.

    For work that is slow before it writes (password hashing): the slow part runs without holding
    SQLite's write lock, which would stall every other writer. Call it before the first write;
    anything read earlier is re-read in the new transaction (so check again what must hold).
    """
    if _is_writing(session):
        return  # a writer from the start (a CLI scope, an ordinary write request): carry on
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("switch_to_writing() must come before the first write")
    session.rollback()  # a reader so far, nothing written: this only ends the read snapshot
    begin_for_write(session)


def _is_writing(session: Session) -> bool:
    if not session.in_transaction():
        return False
    options = session.connection().get_execution_options()
    return bool(options.get(SQLITE_BEGIN_OPTION) == "IMMEDIATE")


_READ_FIRST = "__affectrange_read_first__"
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def read_first(endpoint: _Endpoint) -> _Endpoint:
    """Mark a write endpoint whose service hashes first, then calls switch_to_writing()."""
    setattr(endpoint, _READ_FIRST, True)
    return endpoint


def get_session(request: Request) -> Iterator[Session]:
    """Request-scoped session; commits before the response when the endpoint returns normally."""
    database: Database = request.app.state.database
    with database.session_factory() as session:
        writes = request.method not in SAFE_METHODS
        if writes and not getattr(request.scope.get("endpoint"), _READ_FIRST, False):
            begin_for_write(session)
        try:
            yield session
        except BaseException:
            # Rollback expires every loaded object; detach them first so the error page can still
            # show the signed-in user (request.state.user) after this session has closed.
            session.expunge_all()
            session.rollback()
            raise
        session.commit()


@contextmanager
def session_scope(database: Database, *, write: bool = True) -> Iterator[Session]:
    """A unit of work for the command line: commit on success, roll back on any error."""
    with database.session_factory() as session:
        if write:
            begin_for_write(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()
