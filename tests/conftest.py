"""Fixtures for the whole suite.

The suite runs once per database: `pytest --db=sqlite` (default) and `pytest --db=postgresql`
(a throwaway server started for the run). The schema is migrated once per run with Alembic; each
test runs inside a transaction that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from affectrange import migrate
from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role, User
from affectrange.accounts.schemas import RegisterForm
from affectrange.analysis.items import ITEM_IDS
from affectrange.app import create_app
from affectrange.config import Settings
from affectrange.db import Database, create_database
from tests.support.cli import Cli, cli_for
from tests.support.clock import FrozenClock
from tests.support.environment import unavailable
from tests.support.postgres import PostgresUnavailable, throwaway_postgres
from tests.support.postgres import create_database as create_pg_database

# Noon in New York on a Monday: "today" for every test unless it moves the clock.
NOW = dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 15)
PASSWORD = "correct horse battery"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database backend the suite runs against",
    )


class DatabaseFactory:
    """Hands out fresh, empty databases of the selected backend."""

    def __init__(self, backend: str, root: Path, server_url: str | None) -> None:
        self.backend = backend
        self._root = root
        self._server_url = server_url
        self._count = 0

    def new_url(self, label: str) -> str:
        self._count += 1
        name = f"{re.sub(r'[^a-z0-9_]', '_', label.lower())[:40]}_{self._count}"
        if self.backend == "sqlite":
            return f"sqlite:///{self._root / (name + '.sqlite3')}"
        assert self._server_url is not None
        return create_pg_database(self._server_url, name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out tests about the other backend: not applicable, so deselected, never skipped."""
    other = "postgresql_only" if config.getoption("--db") == "sqlite" else "sqlite_only"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    deselected = [item for item in items if item.get_closest_marker(other) is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def databases(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    root = tmp_path_factory.mktemp("databases")
    if backend == "sqlite":
        yield DatabaseFactory("sqlite", root, None)
        return
    try:
        server = throwaway_postgres()
        server_url = server.__enter__()
    except PostgresUnavailable as error:
        unavailable(str(error))
    try:
        yield DatabaseFactory("postgresql", root, server_url)
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def migrated_database(databases: DatabaseFactory) -> Iterator[Database]:
    database = create_database(databases.new_url("suite"))
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def committing_database(databases: DatabaseFactory) -> Iterator[Database]:
    """A fresh, migrated database with real commits (no per-test rollback): for what runs in
    other threads or processes (the CLI, the writer, a live server)."""
    database = create_database(databases.new_url("committing"))
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def cli(
    committing_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    """The `affectrange` command against `committing_database`."""
    with cli_for(committing_database, tmp_path, monkeypatch) as commands:
        yield commands


@pytest.fixture
def connection(migrated_database: Database) -> Iterator[Connection]:
    with migrated_database.engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def database(connection: Connection) -> Database:
    """The app's Database, bound to the test's connection: commits become savepoints."""
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    return Database(engine=connection.engine, session_factory=factory)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session_factory() as session:
        yield session


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def make_settings(database_url: str = "sqlite://") -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        timezone="America/New_York",
        _env_file=None,
    )


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings, database: Database, clock: FrozenClock) -> FastAPI:
    return create_app(settings, database=database, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:
        yield client


# --- personas --------------------------------------------------------------------------------


def make_user(session: Session, settings: Settings, email: str, role: Role = Role.PERSON) -> User:
    form = RegisterForm(
        email=email,
        display_name=email.split("@", maxsplit=1)[0].title(),
        password=PASSWORD,
        password_repeat=PASSWORD,
        timezone="America/New_York",
    )
    user = accounts.register_user(session, settings, form, now=NOW, role=role)
    session.commit()
    return user


@pytest.fixture
def alice(session: Session, settings: Settings) -> User:
    """A person keeping check-ins."""
    return make_user(session, settings, "alice@example.org")


@pytest.fixture
def bob(session: Session, settings: Settings) -> User:
    """Another person: must never see alice's data."""
    return make_user(session, settings, "bob@example.org")


@pytest.fixture
def carol(session: Session, settings: Settings) -> User:
    """A clinician alice will share with (sharing arrives in a later issue)."""
    return make_user(session, settings, "carol@example.org", Role.CLINICIAN)


@pytest.fixture
def dave(session: Session, settings: Settings) -> User:
    """A clinician alice does not share with."""
    return make_user(session, settings, "dave@example.org", Role.CLINICIAN)


CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a browser would."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def api_token(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def checkin_payload(day: dt.date = TODAY, value: int = 3, **overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {"date": day.isoformat(), **dict.fromkeys(ITEM_IDS, value)}
    payload.update(overrides)
    return payload
