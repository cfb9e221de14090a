"""What a person does in the browser, shared by the browser tests."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.live import LiveServer
from tests.conftest import PASSWORD

_accounts = itertools.count(1)


def unique_email(label: str) -> str:
    """A new address per call: the live database keeps every account for the whole session."""
    return f"{label}-{next(_accounts)}-{secrets.token_hex(3)}@example.org"


def register(page: Page, server: LiveServer, label: str) -> str:
    """Create an account through the form; the app then opens the first check-in."""
    email = unique_email(label)
    page.goto("/register")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("What should we call you?").fill(label.title())
    page.get_by_label("Password (at least").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Your time zone").select_option(server.timezone)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/checkins/new\?welcome=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("How did today feel?")
    return email


def answer(page: Page, item: str, value: int) -> None:
    """Click the styled label (the radio itself is visually hidden), as a person would."""
    page.locator(f"label[for='{item}-{value}']").click()
    expect(page.locator(f"#{item}-{value}")).to_be_checked()


def today_for(server: LiveServer) -> dt.date:
    return dt.datetime.now(ZoneInfo(server.timezone)).date()
