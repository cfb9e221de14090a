"""Signing in under real concurrency, against a live server with real commits."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from sqlalchemy.engine import make_url

from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role
from affectrange.accounts.schemas import RegisterForm
from affectrange.accounts.security import verify_password
from affectrange.app import create_app
from affectrange.clock import SystemClock
from affectrange.config import Settings
from affectrange.db import Database, session_scope
from tests.browser.live import serve
from tests.conftest import NOW, PASSWORD, make_settings


@pytest.fixture
def settings_for(committing_database: Database) -> Settings:
    settings = make_settings(committing_database.engine.url.render_as_string(hide_password=False))
    with session_scope(committing_database) as session:
        form = RegisterForm(email="alice@example.org", password=PASSWORD, password_repeat=PASSWORD)
        accounts.register_user(session, settings, form, now=NOW, role=Role.PERSON)
    return settings


def test_parallel_wrong_passwords_cannot_slip_past_the_limit(
    committing_database: Database, settings_for: Settings
) -> None:
    app = create_app(settings_for, database=committing_database, clock=SystemClock())
    attempts = 30

    def attempt(url: str) -> int:
        body = {"email": "alice@example.org", "password": "a wrong guess"}
        return httpx2.post(f"{url}/api/v1/auth/token", json=body, timeout=60).status_code

    with serve(app) as url, ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(attempt, [url] * attempts))

    limit = settings_for.login_max_failures_per_account
    assert statuses.count(401) == limit
    assert statuses.count(429) == attempts - limit


@pytest.mark.sqlite_only  # SQLite's database-wide write lock is what this is about
def test_a_sign_in_does_not_hold_the_write_lock_while_it_hashes(
    committing_database: Database, settings_for: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(str(make_url(str(committing_database.engine.url)).database))
    other_writer_got_the_lock: list[bool] = []

    def verify_while_another_writer_writes(settings: Settings, hashed: str, password: str) -> bool:
        # Mid-sign-in (the slow hash): another writer must get the lock at once (timeout 0).
        with sqlite3.connect(path, timeout=0, isolation_level=None) as other:
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                other_writer_got_the_lock.append(True)
            except sqlite3.OperationalError:
                other_writer_got_the_lock.append(False)
        return verify_password(settings, hashed, password)

    monkeypatch.setattr(
        "affectrange.accounts.service.verify_password", verify_while_another_writer_writes
    )
    app = create_app(settings_for, database=committing_database, clock=SystemClock())
    with serve(app) as url:
        body = {"email": "alice@example.org", "password": PASSWORD}
        response = httpx2.post(f"{url}/api/v1/auth/token", json=body, timeout=60)

    assert response.status_code == 200
    assert other_writer_got_the_lock == [True]
