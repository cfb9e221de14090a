"""Browser fixtures: one live server and one Chromium for the session, a fresh page per test.

The server runs the real app on its own migrated database with real commits (not the per-test
rollback of the rest of the suite) and the system clock, so "today" is the actual day. Every test
works in its own account, so tests do not see each other's check-ins.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from affectrange import migrate
from affectrange.app import create_app
from affectrange.clock import SystemClock
from affectrange.db import create_database
from tests.browser.live import AXE_JS, CHROMIUM, CHROMIUM_ARGS, LiveServer, serve
from tests.conftest import DatabaseFactory, make_settings
from tests.support.environment import unavailable


@pytest.fixture(scope="session")
def live_server(databases: DatabaseFactory) -> Iterator[LiveServer]:
    url = databases.new_url("browser")
    database = create_database(url)
    migrate.upgrade(database)
    app = create_app(make_settings(url), database=database, clock=SystemClock())
    try:
        with serve(app) as base_url:
            yield LiveServer(base_url, database_url=url)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url,
        timezone_id=live_server.timezone,
        locale="en-US",
        viewport={"width": 1000, "height": 900},
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE_JS.exists():
        unavailable(f"axe-core is not installed at {AXE_JS} (run npm ci)")
    return str(AXE_JS)
