"""In Chromium: someone who is not signed in finds the learning pages from the navigation, reads
one, moves on to the next, reaches "When to seek help" with its crisis card; a signed-in person
follows the link from a questionnaire result. No serious accessibility issue on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from affectrange.learning.content import PAGES
from tests.browser.live import LiveServer
from tests.browser.pages import register
from tests.browser.test_accessibility import assert_accessible, assert_reflows

pytestmark = pytest.mark.browser


def test_signed_out_reader_finds_the_pages_and_the_crisis_card(page: Page, axe_script: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()

    expect(page).to_have_url(re.compile(r"/learn$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn about emotional blunting")
    expect(page.get_by_test_id("learn-index").get_by_role("link")).to_have_count(len(PAGES))
    assert_accessible(page, axe_script)
    assert_reflows(page)

    page.set_viewport_size({"width": 1000, "height": 900})
    page.get_by_role("link", name="What is emotional blunting?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is emotional blunting?")
    # A citation jumps to its entry in the list of sources.
    page.get_by_test_id("learn-body").get_by_role("link", name="Goodwin 2017").first.click()
    expect(page).to_have_url(re.compile(r"#source-goodwin2017$"))
    expect(page.locator("#source-goodwin2017")).to_contain_text("Emotional blunting with")
    page.get_by_role("link", name="Next: Blunting, anhedonia and dissociation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Blunting, anhedonia and dissociation"
    )

    page.goto("/learn")
    page.get_by_role("link", name="When to seek help").click()
    card = page.get_by_test_id("crisis-card")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")
    expect(page.locator("main h1, main h2").nth(1)).to_have_text(
        "You do not have to carry this alone"
    )
    assert_accessible(page, axe_script)
    assert_reflows(page)


def test_a_person_follows_learn_more_from_a_questionnaire_result(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "learn-result")
    page.goto("/questionnaires/pcptsd5")
    # "No" to the trauma question completes the screen.
    page.locator("input[name=trauma][value='0']").check()
    page.get_by_role("button", name="Finish and see my result").click()
    expect(page.get_by_test_id("result")).to_be_visible()

    page.get_by_role("link", name="PTSD and emotional numbness").click()

    expect(page).to_have_url(re.compile(r"/learn/causes#ptsd$"))
    expect(page.locator("#ptsd")).to_be_in_viewport()
    assert_accessible(page, axe_script)
