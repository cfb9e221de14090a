"""In Chromium: a person searches the therapist finder near ZIP 06105 for therapists, reads why
each one matched, adds a kind of therapy and sees the order change, then writes to a provider and
sees the confirmation; the message arrives at a real local SMTP server.

The server here is the suite's live-server set-up with two differences: its own database, loaded
with the providers of tests/directory/test_routes.py, and a mailer aimed at the test's SMTP server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from playwright.sync_api import Browser, Page, expect

from affectrange import migrate
from affectrange.app import create_app
from affectrange.clock import SystemClock
from affectrange.db import create_database, session_scope
from affectrange.mail import SmtpMailer
from tests.browser.live import LiveServer, serve
from tests.browser.pages import register
from tests.browser.test_accessibility import assert_accessible, assert_reflows
from tests.conftest import DatabaseFactory, make_settings
from tests.directory.test_routes import ANA, CARA, CARA_EMAIL, load_providers
from tests.support.smtp import LocalSmtpServer, local_smtp_server

pytestmark = pytest.mark.browser

MESSAGE = "Hello Dr Lind, I would like a first appointment. Weekday evenings suit me best."


@pytest.fixture(scope="module")
def smtp() -> Iterator[LocalSmtpServer]:
    with local_smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def directory_server(databases: DatabaseFactory, smtp: LocalSmtpServer) -> Iterator[LiveServer]:
    url = databases.new_url("directory_browser")
    database = create_database(url)
    migrate.upgrade(database)
    with session_scope(database) as session:
        load_providers(session)
    clock = SystemClock()
    mailer = SmtpMailer(
        host=smtp.host,
        port=smtp.port,
        sender="AffectRange <directory@affectrange.example>",
        starttls=False,
        timeout_seconds=5,
        clock=clock,
    )
    app = create_app(make_settings(url), database=database, clock=clock, mailer=mailer)
    try:
        with serve(app) as base_url:
            yield LiveServer(base_url, database_url=url)
    finally:
        database.dispose()


@pytest.fixture
def finder_page(browser: Browser, directory_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(
        base_url=directory_server.url,
        timezone_id=directory_server.timezone,
        locale="en-US",
        viewport={"width": 1000, "height": 900},
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def result_npis(page: Page) -> list[str]:
    return [str(item.get_attribute("data-npi")) for item in page.get_by_test_id("match").all()]


def test_search_filter_and_write_to_a_therapist(
    finder_page: Page, directory_server: LiveServer, smtp: LocalSmtpServer, axe_script: str
) -> None:
    page = finder_page
    register(page, directory_server, "finder")

    page.get_by_role("link", name="Find a therapist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a therapist or prescriber")
    expect(page.get_by_test_id("ranking-explained")).to_contain_text("No one pays")
    page.get_by_label("ZIP code").fill("06105")
    page.get_by_label("Therapist (talking therapy)").check()
    page.get_by_test_id("search").click()

    expect(page.get_by_test_id("results-heading")).to_have_text("2 providers match")
    expect(page.locator("#flash")).to_have_text("2 providers match")  # said to screen readers
    assert result_npis(page) == [ANA, CARA]  # the nearest first
    expect(page).to_have_url(re.compile(r"/therapists\?.*zip=06105"))  # htmx kept the address
    ana = page.locator(f"[data-npi='{ANA}']")
    expect(ana.get_by_test_id("why")).to_contain_text("0.6 miles from 06105")
    expect(ana.get_by_test_id("why")).to_contain_text("Therapist: Clinical Social Worker")
    cara = page.locator(f"[data-npi='{CARA}']")
    expect(cara.get_by_test_id("distance")).to_contain_text(
        "to the centre of the office's ZIP code"
    )
    assert_accessible(page, axe_script)

    page.get_by_label("Prolonged exposure (PE)").check()
    page.get_by_test_id("search").click()

    expect(page.locator(f"[data-npi='{CARA}'] [data-testid=why]")).to_contain_text(
        "Offers Prolonged exposure (PE)"
    )
    assert result_npis(page) == [CARA, ANA]  # the preference now comes before distance
    expect(page.locator(f"[data-npi='{ANA}'] [data-testid=unmet]")).to_have_text(
        "Does not list Prolonged exposure (PE)"
    )
    assert_accessible(page, axe_script)

    page.get_by_role("link", name="Contact Cara Lind, PHD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write to Cara Lind, PHD")
    assert_accessible(page, axe_script)
    page.get_by_label("Your message").fill(MESSAGE)
    page.get_by_label("Name to sign with").fill("Sam")
    page.get_by_role("button", name="Send message").click()

    notice = page.get_by_test_id("sent-notice")
    expect(notice).to_contain_text("Your message to Cara Lind, PHD was sent.")
    expect(page.get_by_role("heading", level=1)).to_have_text("My contact requests")
    expect(page.get_by_test_id("contact-request")).to_have_count(1)
    assert_accessible(page, axe_script)
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == (CARA_EMAIL,)
    body = mail.message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    assert str(body.get_content()).replace("\r\n", "\n").startswith(f"{MESSAGE}\n\nSam\n\n-- \n")

    page.goto("/therapists?zip=06105&provider_type=therapist")
    assert_reflows(page)


def test_a_search_without_a_place_shows_the_message_at_the_field(
    finder_page: Page, directory_server: LiveServer, axe_script: str
) -> None:
    page = finder_page
    register(page, directory_server, "finder-error")
    page.goto("/therapists")

    page.get_by_label("Also show providers who see people online").check()
    page.get_by_test_id("search").click()

    error = page.locator("#state-error")
    expect(error).to_have_text("Give a ZIP code to search nearby, or a state with online care.")
    expect(page.get_by_label("State for online sessions")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("finder-errors")).to_be_visible()
    assert_accessible(page, axe_script)

    page.get_by_label("State for online sessions").select_option("CT")
    page.get_by_test_id("search").click()
    expect(page.get_by_test_id("results-heading")).to_have_text("1 provider matches")
    expect(page.locator("#state-error")).to_have_count(0)
