"""In Chromium: a person adds a suggested question and one of their own, opens the sheet, prints
it (print media: the navigation and the buttons gone, the questions there) and downloads the PDF;
the page has no serious accessibility issue and reflows at 320 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import LiveServer
from tests.browser.pages import register, today_for
from tests.browser.test_accessibility import assert_accessible, assert_reflows

pytestmark = pytest.mark.browser

SUGGESTED = "Could this be a side effect?"
OWN = "Why does music not move me the way it used to?"


def test_add_questions_print_the_sheet_and_download_it(
    page: Page, live_server: LiveServer, axe_script: str, tmp_path: Path
) -> None:
    register(page, live_server, "prepare")
    page.get_by_role("link", name="Prepare for an appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare for my appointment")
    expect(page.get_by_test_id("no-questions")).to_be_visible()
    assert_accessible(page, axe_script)

    page.get_by_role("button", name=f"Add: {SUGGESTED}").click()
    expect(page).to_have_url(re.compile(r"/prepare\?done=added#questions$"))
    expect(page.get_by_role("button", name=f"Add: {SUGGESTED}")).to_have_count(0)
    page.get_by_label("A question in your own words").fill(OWN)
    page.get_by_role("button", name="Add question").click()

    questions = page.get_by_test_id("question")
    expect(questions).to_have_count(2)
    expect(questions.nth(0)).to_contain_text(SUGGESTED)
    expect(questions.nth(1)).to_contain_text(OWN)
    page.get_by_role("button", name="Move question 2 up").click()
    expect(page.get_by_test_id("question").nth(0)).to_contain_text(OWN)
    assert_accessible(page, axe_script)

    page.get_by_role("button", name="Add question").click()  # empty: refused, named
    expect(page.locator("#text-error")).to_have_text("This is required.")
    expect(page.get_by_label("A question in your own words")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(page, axe_script)
    page.goto("/prepare")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Add question")).to_be_hidden()
    expect(page.get_by_role("button", name="Remove question 1")).to_be_hidden()
    expect(page.get_by_test_id("download-sheet")).to_be_hidden()
    expect(page.get_by_test_id("question").nth(0)).to_be_visible()
    expect(page.get_by_test_id("question").nth(0)).to_contain_text(OWN)
    expect(page.get_by_test_id("question").nth(1)).to_contain_text(SUGGESTED)
    expect(page.get_by_role("heading", name="What changed, and since when")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("download-sheet").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"affectrange-appointment-sheet-{today_for(live_server).isoformat()}.pdf"
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    assert_reflows(page)


def test_a_question_is_changed_and_removed(page: Page, live_server: LiveServer) -> None:
    register(page, live_server, "prepare-edit")
    page.goto("/prepare")
    page.get_by_label("A question in your own words").fill("Is this normal?")
    page.get_by_role("button", name="Add question").click()

    page.get_by_role("link", name="Edit question 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change question 1")
    page.get_by_label("Question 1, in your own words").fill("Is this common?")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_test_id("question").locator(".question-text")).to_have_text(
        "Is this common?"
    )

    page.get_by_role("button", name="Remove question 1").click()
    expect(page.get_by_test_id("question")).to_have_count(0)
    expect(page.get_by_test_id("done")).to_have_text("Question removed.")
