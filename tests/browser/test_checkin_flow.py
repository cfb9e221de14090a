"""The daily check-in in a real Chromium: sign up, answer, save, see it charted, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from affectrange.analysis.items import AFFECT_ITEMS, ITEM_IDS
from affectrange.checkins.routes import ITEM_MISSING_MESSAGE
from tests.browser.live import LiveServer
from tests.browser.pages import answer, register, today_for

pytestmark = pytest.mark.browser

SERIES = ("pa", "na", "numbness")


def test_check_in_then_see_it_charted_then_sign_out(page: Page, live_server: LiveServer) -> None:
    register(page, live_server, "flow")
    answers = {item.id: index % 7 for index, item in enumerate(AFFECT_ITEMS)}
    for item, value in answers.items():
        answer(page, item, value)
    answer(page, "event_pleasantness", 2)

    page.get_by_text("Add context (optional)").click()
    page.get_by_label("Sleep last night").fill("7.5")
    page.get_by_label("Note").fill("Long walk by the river with Ana.")
    page.get_by_role("button", name="Save check-in").click()

    expect(page).to_have_url(re.compile(r"/checkins\?saved=\d{4}-\d\d-\d\d&created=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My check-ins")
    expect(page.get_by_test_id("saved-notice")).to_contain_text("Saved your check-in")

    today = today_for(live_server)
    chart = page.locator("svg.affect-chart")
    for key in SERIES:
        point = chart.locator(f"g[data-series='{key}'] use[data-date='{today.isoformat()}']")
        expect(point).to_have_count(1)
    rows = page.locator("table.checkins-table tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("th")).to_contain_text(today.strftime("%a %b %-d"))
    expect(row).to_contain_text("7.5")
    expect(row).to_contain_text("+2")
    expect(row).to_contain_text("Long walk by the river with Ana.")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    page.goto("/checkins")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcheckins$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_unanswered_item_is_shown_in_place_and_nothing_is_saved(
    page: Page, live_server: LiveServer
) -> None:
    register(page, live_server, "missing")
    skipped = "lonely"
    for item in ITEM_IDS:
        if item != skipped:
            answer(page, item, 4)
    answer(page, "event_pleasantness", -1)
    # A full page load would drop this marker; htmx's in-place swap keeps it.
    page.evaluate("window.__sameDocument = true")

    with page.expect_response(
        lambda r: r.url.endswith("/checkins") and r.request.method == "POST"
    ) as posted:
        page.get_by_role("button", name="Save check-in").click()
    response = posted.value
    assert response.status == 422
    assert response.request.headers.get("hx-request") == "true"

    error = page.locator(f"#{skipped}-error")
    expect(error).to_have_text(ITEM_MISSING_MESSAGE)
    group = page.locator("fieldset.scale", has=page.locator(f"#{skipped}-0"))
    expect(group).to_have_class(re.compile(r"\binvalid\b"))
    expect(group).to_have_attribute("aria-describedby", f"{skipped}-error")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved yet")
    assert page.evaluate("window.__sameDocument === true")
    expect(page).to_have_url(re.compile(r"/checkins/new\?welcome=1$"))
    for item in ITEM_IDS:
        if item != skipped:
            expect(page.locator(f"#{item}-4")).to_be_checked()
    expect(page.locator("#event_pleasantness--1")).to_be_checked()
    expect(page.locator(f"input[name='{skipped}']:checked")).to_have_count(0)

    # Nothing was saved: look from a second tab, leaving the corrected form where it is.
    other = page.context.new_page()
    other.goto("/checkins")
    expect(other.get_by_text("No check-ins in this period yet.")).to_be_visible()
    today = today_for(live_server).isoformat()
    expect(other.locator(f"svg.affect-chart use[data-date='{today}']")).to_have_count(0)
    other.close()

    # The swapped-in form still works: answer the missing item and save.
    answer(page, skipped, 1)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_test_id("saved-notice")).to_contain_text("Saved your check-in")
    expect(page.locator("table.checkins-table tbody tr")).to_have_count(1)
