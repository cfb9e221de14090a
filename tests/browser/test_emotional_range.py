"""In Chromium: the demo person opens "My emotional range" and sees the blunting-like card naming
sertraline and the lag, the chart with its medication markers, and no serious accessibility issue.

The demo is loaded into a server of this module's own (the shared live server's database is not
reachable from the tests), exactly as `affectrange demo` loads it: `demo.load_demo`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr

from affectrange import migrate
from affectrange.app import create_app
from affectrange.clock import SystemClock
from affectrange.db import create_database, session_scope
from affectrange.demo import PERSON_EMAIL, load_demo
from tests.browser.live import LiveServer, serve
from tests.browser.test_accessibility import assert_accessible, assert_reflows
from tests.conftest import PASSWORD, DatabaseFactory, make_settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(databases: DatabaseFactory) -> Iterator[LiveServer]:
    url = databases.new_url("range_demo")
    # A configured password: the demo then writes no credentials file under var/.
    settings = make_settings(url).model_copy(update={"demo_password": SecretStr(PASSWORD)})
    database = create_database(url)
    try:
        migrate.upgrade(database)
        clock = SystemClock()
        with session_scope(database) as session:
            load_demo(session, settings, now=clock.now())
        with serve(create_app(settings, database=database, clock=clock)) as base_url:
            yield LiveServer(base_url)
    finally:
        database.dispose()


@pytest.fixture
def demo_page(browser: Browser, demo_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(
        base_url=demo_server.url,
        timezone_id=demo_server.timezone,
        locale="en-US",
        viewport={"width": 1000, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill(PERSON_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    yield page
    context.close()


def range_json(page: Page) -> dict[str, Any]:
    """The same analysis through the API, with the browser's own session cookie."""
    response = page.request.get("/api/v1/range")
    assert response.ok, response.text()
    body: dict[str, Any] = response.json()
    return body


def test_the_demo_person_sees_the_blunting_like_card_and_the_chart(
    demo_page: Page, axe_script: str
) -> None:
    page = demo_page
    page.get_by_role("link", name="My emotional range").click()
    expect(page).to_have_url(re.compile(r"/range$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My emotional range")
    analysis = range_json(page)
    link = analysis["blunting"]["after_event"]
    assert analysis["pattern"] == "blunting_like"
    assert link["medication"] == "sertraline"

    card = page.get_by_test_id("pattern-card")
    expect(card).to_contain_text("blunting-like pattern")
    expect(card).to_contain_text("quieter and steadier than before")
    expect(card).to_contain_text(f"{link['lag_days']} days after you started sertraline")
    expect(page.get_by_test_id("onset")).to_contain_text("sertraline")
    expect(page.get_by_test_id("what-changed")).to_contain_text("an order in time, not a cause")

    chart = page.get_by_test_id("range-chart")
    expect(chart.locator("svg").first).to_be_visible()
    markers = chart.locator("g.medication-marker")
    expect(markers).to_have_count(len(analysis["medication_events"]))
    dates = [markers.nth(i).get_attribute("data-date") for i in range(markers.count())]
    assert dates == [event["date"] for event in analysis["medication_events"]]
    expect(markers.first).to_contain_text("sertraline 50 mg start")
    expect(chart.get_by_test_id("onset-marker")).to_have_attribute(
        "data-date", analysis["blunting"]["onset_date"]
    )
    expect(page.get_by_test_id("limits")).to_contain_text("This describes, it does not diagnose.")

    page.get_by_text(re.compile(r"^All \d+ associations$")).click()  # the collapsed table, open
    expect(page.locator("table.associations-table")).to_be_visible()
    assert_accessible(page, axe_script)
    assert_reflows(page)
