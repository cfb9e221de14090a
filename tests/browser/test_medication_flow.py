"""In Chromium: adding a medication found by typing, the planned questionnaires, the chart marker,
and the prescriber card, all without a serious accessibility issue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import LiveServer
from tests.browser.pages import register, today_for
from tests.browser.test_accessibility import assert_accessible, assert_reflows

pytestmark = pytest.mark.browser


def test_add_a_start_found_by_typing_then_see_it_planned_and_marked(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "medications")
    started = today_for(live_server) - dt.timedelta(days=10)
    page.get_by_role("link", name="Medications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My medications")
    assert_accessible(page, axe_script)

    page.get_by_label("Medication", exact=True).press_sequentially("sert")
    suggestion = page.get_by_test_id("medication-suggestions").get_by_role(
        "button", name="sertraline"
    )
    suggestion.click()
    expect(page.get_by_label("Medication", exact=True)).to_have_value("sertraline")
    page.get_by_label("Started").check()
    page.get_by_label("Day").fill(started.isoformat())
    page.get_by_role("spinbutton", name=re.compile("^Dose")).fill("50")
    page.get_by_role("button", name="Add to my timeline").click()

    expect(page).to_have_url(re.compile(r"/medications\?saved=\d+&created=1$"))
    notice = page.get_by_test_id("saved-notice")
    expect(notice).to_contain_text(f"starting sertraline on {started.day} {started:%B %Y}")
    two_weeks = started + dt.timedelta(weeks=2)
    expect(page.get_by_test_id("planned-reassessments")).to_contain_text(
        f"{two_weeks.day} {two_weeks:%B %Y}"
    )
    expect(page.get_by_test_id("medication-timeline")).to_contain_text("SSRI")
    assert_accessible(page, axe_script)
    assert_reflows(page)

    page.goto("/checkins")
    expect(page.locator(".medication-marker")).to_have_count(1)
    expect(page.locator(".medication-marker text")).to_have_text("sertraline 50 mg start")


def test_a_bad_dose_is_named_then_the_stop_button_shows_the_prescriber_card(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "medications-stop")
    page.goto("/medications")
    page.get_by_label("Medication", exact=True).fill("lithium")
    page.get_by_role("spinbutton", name=re.compile("^Dose")).fill("0")
    page.get_by_role("button", name="Add to my timeline").click()

    expect(page.locator("#dose_mg-error")).to_have_text(
        "Enter a dose above 0 and at most 10,000 mg."
    )
    expect(page.get_by_label("Medication", exact=True)).to_have_value("lithium")
    assert_accessible(page, axe_script)

    page.get_by_role("link", name="I want to stop, or have stopped, a medication").click()
    card = page.get_by_test_id("prescriber-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Talk to your prescriber first")
    assert_accessible(page, axe_script)
