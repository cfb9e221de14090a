"""In Chromium: a person invites a clinician, the clinician accepts and opens the record, the
person revokes, and the clinician's next request is refused; the person sees who looked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role
from affectrange.accounts.schemas import RegisterForm
from affectrange.clock import SystemClock
from affectrange.db import create_database, session_scope
from tests.browser.live import LiveServer
from tests.browser.pages import register, unique_email
from tests.browser.test_accessibility import assert_accessible, assert_reflows
from tests.conftest import PASSWORD, make_settings

pytestmark = pytest.mark.browser


def create_clinician(server: LiveServer, name: str) -> str:
    """Clinician accounts are made by an administrator (the command line), not by a form."""
    assert server.database_url is not None
    email = unique_email("clinician")
    database = create_database(server.database_url)
    try:
        with session_scope(database) as session:
            form = RegisterForm(
                email=email,
                display_name=name,
                password=PASSWORD,
                password_repeat=PASSWORD,
                timezone=server.timezone,
            )
            accounts.register_user(
                session,
                make_settings(server.database_url),
                form,
                now=SystemClock().now(),
                role=Role.CLINICIAN,
            )
    finally:
        database.dispose()
    return email


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def clinician_context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A second browser profile: the clinician's own cookies, beside the person's."""
    context = browser.new_context(
        base_url=live_server.url, timezone_id=live_server.timezone, locale="en-US"
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_invite_accept_view_revoke(
    page: Page,
    clinician_context: BrowserContext,
    live_server: LiveServer,
    axe_script: str,
) -> None:
    register(page, live_server, "sharing")
    person_name = "Sharing"
    clinician_email = create_clinician(live_server, "Dr. Okafor")

    page.get_by_role("link", name="Sharing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sharing with your clinicians")
    expect(page.get_by_test_id("no-shares")).to_be_visible()
    expect(
        page.get_by_label("The notes I write in check-ins and medication entries")
    ).not_to_be_checked()
    assert_accessible(page, axe_script)
    page.get_by_test_id("create-invitation").click()
    code = page.get_by_test_id("invitation-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    link = page.get_by_test_id("invitation-link").inner_text()
    expect(page.get_by_test_id("invitations")).to_contain_text("check-ins")

    clinician = clinician_context.new_page()
    sign_in(clinician, clinician_email)
    expect(clinician).to_have_url(re.compile(r"/clinician$"))
    expect(clinician.get_by_test_id("dashboard-empty")).to_be_visible()
    clinician.goto(link)
    expect(clinician.get_by_test_id("invitation-preview")).to_contain_text(
        f"{person_name} invites you to see their record"
    )
    expect(clinician.get_by_test_id("invitation-preview")).not_to_contain_text("notes I write")
    assert_accessible(clinician, axe_script)
    clinician.get_by_test_id("accept").click()
    expect(clinician).to_have_url(re.compile(r"/clinician/people/\d+\?accepted=1$"))
    person_url = clinician.url.split("?")[0]
    expect(clinician.get_by_role("heading", level=1)).to_have_text(person_name)
    assert_accessible(clinician, axe_script)
    assert_reflows(clinician)

    clinician.goto("/clinician")
    row = clinician.get_by_test_id("dashboard-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(person_name)
    expect(row).to_contain_text("No check-ins yet")
    assert_accessible(clinician, axe_script)

    page.goto("/sharing")
    share = page.get_by_test_id("share")
    expect(share).to_contain_text("Dr. Okafor")
    page.get_by_test_id("revoke").click()
    expect(page.get_by_test_id("revoked-notice")).to_be_visible()
    expect(page.get_by_test_id("no-shares")).to_be_visible()

    response = clinician.goto(person_url)
    assert response is not None
    assert response.status == 404
    expect(
        clinician.get_by_text("No one with that number shares their record with you.")
    ).to_be_visible()
    clinician.goto("/clinician")
    expect(clinician.get_by_test_id("dashboard-empty")).to_be_visible()

    page.goto("/sharing/activity")
    log = page.get_by_test_id("audit-log")
    expect(log.locator("tr[data-action='view_record']")).to_have_count(1)
    expect(log.locator("tr[data-action='view_record']")).to_contain_text("Dr. Okafor")
    expect(log.locator("tr[data-action='share_revoked']")).to_contain_text("You")
    assert_accessible(page, axe_script)
