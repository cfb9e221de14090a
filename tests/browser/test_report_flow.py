"""In Chromium: the demo person opens "Report", chooses a period, reads the report and downloads
the PDF for their appointment; the page has no serious accessibility issue and reflows at 320 px.

The demo is loaded into a server of this module's own, as `affectrange demo` loads it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr

from affectrange import migrate
from affectrange.app import create_app
from affectrange.clock import SystemClock, local_today
from affectrange.db import create_database, session_scope
from affectrange.demo import DEMO_TIMEZONE, PERSON_EMAIL, load_demo
from tests.browser.live import LiveServer, serve
from tests.browser.test_accessibility import assert_accessible, assert_reflows
from tests.conftest import PASSWORD, DatabaseFactory, make_settings
from tests.reports.helpers import SECTION_HEADINGS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(databases: DatabaseFactory) -> Iterator[LiveServer]:
    url = databases.new_url("report_demo")
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
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill(PERSON_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    yield page
    context.close()


def test_the_demo_person_reads_the_report_and_downloads_the_pdf(
    demo_page: Page, axe_script: str, tmp_path: Path
) -> None:
    page = demo_page
    today = local_today(SystemClock(), DEMO_TIMEZONE)
    first = today - dt.timedelta(days=119)

    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report for my appointment")
    page.get_by_role("textbox", name="From").fill(first.isoformat())
    page.get_by_role("button", name="Show this period").click()

    expect(page).to_have_url(re.compile(rf"/report\?from={first.isoformat()}&to="))
    report = page.get_by_test_id("report")
    for heading in SECTION_HEADINGS:
        expect(report.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(report.locator("#range-chart svg").first).to_be_visible()
    expect(report.locator("#range-chart g.medication-marker")).to_have_count(2)
    expect(report.get_by_test_id("onset")).to_contain_text("sertraline")
    assert_accessible(page, axe_script)

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"affectrange-report-{first.isoformat()}-to-{today.isoformat()}.pdf"
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    assert_reflows(page)


def test_a_bad_date_is_named_next_to_its_field(demo_page: Page, axe_script: str) -> None:
    page = demo_page
    page.goto("/report?from=2000-01-01")

    expect(page.locator("#from-error")).to_contain_text("at most 730 days")
    expect(page.get_by_role("textbox", name="From")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("report")).to_have_count(0)
    assert_accessible(page, axe_script)
