"""In Chromium: answering the PHQ-9, resuming it, and the crisis card before any score."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.live import LiveServer
from tests.browser.pages import register
from tests.browser.test_accessibility import assert_accessible, assert_reflows

NOT_AT_ALL = "Not at all"
SEVERAL_DAYS = "Several days"


def choose(page: Page, question: int, label: str) -> None:
    item = page.locator(f"#item-q{question}")
    item.get_by_text(label, exact=True).click()


def test_phq9_with_item_9_at_1_shows_the_crisis_card_before_the_score(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "phq9-crisis")
    page.goto("/")
    due = page.get_by_test_id("due-list")
    expect(due).to_contain_text("PHQ-9")  # a new person: the PHQ-9 is due
    due.get_by_role("link", name=re.compile("PHQ-9")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PHQ-9")

    for question in range(1, 9):
        choose(page, question, SEVERAL_DAYS if question <= 2 else NOT_AT_ALL)
    choose(page, 9, SEVERAL_DAYS)  # item 9 at 1
    page.get_by_role("button", name="Finish and see my result").click()

    expect(page).to_have_url(re.compile(r"/questionnaires/responses/\d+\?support=1$"))
    card = page.get_by_test_id("crisis-card")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")
    # The card comes before anything else on the page, the score included.
    first_heading = page.locator("main h1, main h2").first
    expect(first_heading).to_have_text("You do not have to carry this alone")
    card_top = card.bounding_box()
    score_top = page.get_by_test_id("result").bounding_box()
    assert card_top is not None
    assert score_top is not None
    assert card_top["y"] < score_top["y"]
    expect(page.get_by_test_id("result")).to_contain_text("3")  # 1 + 1 + 1, hand-added
    expect(page.get_by_test_id("result")).to_contain_text("none-minimal")
    assert_accessible(page, axe_script)
    assert_reflows(page)


def test_a_questionnaire_can_be_left_and_resumed(page: Page, live_server: LiveServer) -> None:
    register(page, live_server, "phq9-resume")
    page.goto("/questionnaires/gad7")
    expect(page.get_by_test_id("progress")).to_contain_text("0 of 7 answered")
    choose(page, 1, SEVERAL_DAYS)
    choose(page, 2, NOT_AT_ALL)
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_text("Your answers so far are saved")).to_be_visible()

    page.goto("/")
    page.goto("/questionnaires/gad7")
    expect(page.get_by_test_id("progress")).to_contain_text("2 of 7 answered")
    expect(page.locator("#item-q1").get_by_label(SEVERAL_DAYS)).to_be_checked()
    for question in range(3, 8):
        choose(page, question, "More than half the days")
    page.get_by_role("button", name="Finish and see my result").click()

    expect(page).to_have_url(re.compile(r"/questionnaires/responses/\d+$"))
    expect(page.get_by_test_id("crisis-card")).to_have_count(0)
    result = page.get_by_test_id("result")
    expect(result).to_contain_text("11")  # 1 + 0 + 5 x 2
    expect(result).to_contain_text("moderate")  # GAD-7 10-14
    expect(page.locator("figure svg")).to_be_visible()  # the trend chart, bands shaded
