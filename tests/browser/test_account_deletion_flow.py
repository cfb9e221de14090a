"""In Chromium: a person opens the account page, follows "Delete your account", gives a wrong
password (refused, named, nothing deleted), then the right one with DELETE; the account is gone,
the browser is signed out, and the old password no longer signs in. The pages pass axe-core and
reflow at 320 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import LiveServer
from tests.browser.pages import register
from tests.browser.test_accessibility import assert_accessible, assert_reflows
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_delete_the_account_after_a_wrong_password(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    email = register(page, live_server, "leaving")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=2).last).to_have_text("Delete your account")
    page.get_by_role("link", name="Delete your account").click()

    expect(page).to_have_url(re.compile(r"/account/delete$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    expect(page.get_by_role("link", name="download your data")).to_have_attribute(
        "href", "/account/data"
    )
    assert_accessible(page, axe_script)

    page.get_by_label("Your password").fill("not my password at all")
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete my account and all my data").click()

    expect(page.locator("#password-error")).to_have_text("This is not your password.")
    expect(page.get_by_label("Your password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was deleted")
    expect(page.get_by_label("Type DELETE to confirm")).to_have_value("DELETE")
    assert_accessible(page, axe_script)
    assert_reflows(page)
    page.set_viewport_size({"width": 1000, "height": 900})

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and all my data").click()

    expect(page).to_have_url(re.compile(r"/account/deleted$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been deleted")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    assert_accessible(page, axe_script)

    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That e-mail and password do not match an account."
    )
