"""In Chromium: pick a goal, tick it in the daily check-in, see it on the progress view, rate the
month's impact; each page without a serious accessibility issue."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from affectrange.analysis.items import ITEM_IDS
from tests.browser.live import LiveServer
from tests.browser.pages import answer, register, today_for
from tests.browser.test_accessibility import assert_accessible, assert_reflows
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_pick_a_goal_tick_it_in_a_check_in_and_see_progress(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "careplan")
    page.get_by_role("link", name="My plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan")
    expect(page.get_by_test_id("impact-due")).to_be_visible()
    assert_accessible(page, axe_script)

    page.get_by_role("link", name="Add a goal").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a goal")
    assert_accessible(page, axe_script)
    page.get_by_label("Move your body").check()
    page.get_by_label("Days a week").select_option("3")
    page.get_by_label("Your words for it").fill("Walk after lunch")
    page.get_by_role("button", name="Add to my plan").click()

    expect(page).to_have_url(re.compile(r"/plan\?added=\d+$"))
    expect(page.get_by_test_id("plan-notice")).to_contain_text("Goal added.")
    expect(page.get_by_test_id("goal-not-enough")).to_contain_text("Not enough days yet")
    expect(page.get_by_test_id("not-proof")).to_contain_text("Association, not proof")
    assert_accessible(page, axe_script)

    page.get_by_role("link", name="Check in").click()
    goals = page.get_by_test_id("checkin-goals")
    expect(goals).to_be_visible()
    for item in ITEM_IDS:
        answer(page, item, 3)
    goals.get_by_label("Walk after lunch").check()
    assert_accessible(page, axe_script)
    page.get_by_role("button", name="Save check-in").click()
    expect(page).to_have_url(re.compile(r"/checkins\?saved=.*created=1$"))

    page.get_by_role("link", name="My plan").click()
    expect(page.get_by_test_id("kept-summary")).to_contain_text("Kept on 1 day so far.")
    expect(page.get_by_test_id("plan-weeks")).to_contain_text("1 of 3")
    assert_accessible(page, axe_script)
    assert_reflows(page)

    # Unticking in the same day's check-in removes the tick.
    page.get_by_role("link", name="Check in").click()
    expect(page.get_by_label("Walk after lunch")).to_be_checked()
    page.get_by_label("Walk after lunch").uncheck()
    page.get_by_role("button", name="Save check-in").click()
    expect(page).to_have_url(re.compile(r"/checkins\?saved=.*updated=1$"))
    page.goto("/plan")
    expect(page.get_by_test_id("kept-summary")).to_contain_text("Kept on 0 days so far.")


def test_rate_the_months_impact_and_see_it_charted(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "impact")
    page.goto("/plan/impact")
    expect(page.get_by_test_id("impact-label")).to_contain_text(
        "Written by AffectRange, not a validated questionnaire."
    )
    page.get_by_role("button", name="Save this month's rating").click()
    expect(page.locator("#connect-error")).to_have_text(
        "Choose an answer from 0 (not at all) to 4 (nearly always)."
    )
    assert_accessible(page, axe_script)

    for name, value in (("connect", 3), ("misread", 2), ("drive", 1), ("satisfaction", 0)):
        page.locator(f"input[name='{name}'][value='{value}']").check()
    page.get_by_role("button", name="Save this month's rating").click()

    expect(page).to_have_url(re.compile(r"/plan\?rated=1$"))
    expect(page.get_by_test_id("impact-due")).to_have_count(0)
    expect(page.locator("#trend-impact circle.trend-marker")).to_have_count(1)
    assert_accessible(page, axe_script)


def test_three_weeks_of_ticks_through_the_api_show_the_associations(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    email = register(page, live_server, "careplan-api")
    today = today_for(live_server)
    start = today - dt.timedelta(days=20)
    page.goto("/plan/goals/new")
    page.get_by_label("Spend time with people").check()
    page.get_by_label("Start on").fill(start.isoformat())
    page.get_by_role("button", name="Add to my plan").click()
    expect(page).to_have_url(re.compile(r"/plan\?added=\d+$"))

    token = page.request.post("/api/v1/auth/token", data={"email": email, "password": PASSWORD})
    assert token.ok, token.text()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    goals = page.request.get("/api/v1/plan/goals", headers=headers).json()["goals"]
    goal_id = goals[0]["id"]
    for offset in range(21):
        kept = offset % 3 != 0
        payload: dict[str, Any] = {
            "date": (start + dt.timedelta(days=offset)).isoformat(),
            **dict.fromkeys(ITEM_IDS, (4 if kept else 2) + offset % 2),
            "goals_kept": [goal_id] if kept else [],
        }
        created = page.request.post("/api/v1/checkins", data=payload, headers=headers)
        assert created.status == 201, created.text()

    page.goto("/plan")
    table = page.get_by_test_id("goal-associations")
    expect(table).to_be_visible()
    expect(table).to_contain_text("positive feelings")
    expect(page.get_by_test_id("kept-summary")).to_contain_text("Kept on 14 days so far.")
    expect(page.get_by_test_id("not-proof")).to_contain_text("Association, not proof")
    expect(page.get_by_test_id("clear-goal-associations")).to_be_visible()
    assert_accessible(page, axe_script)
    assert_reflows(page)
