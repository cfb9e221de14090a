"""axe-core in Chromium: no "serious" or "critical" violation on the pages people use daily."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

import pytest
from playwright.sync_api import Page, expect

from affectrange.analysis.items import ITEM_IDS
from tests.browser.live import LiveServer
from tests.browser.pages import answer, register, today_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = frozenset({"serious", "critical"})

RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""


class Violation(TypedDict):
    id: str
    impact: str | None
    help: str
    targets: list[str]


def axe_violations(page: Page, axe_script: str) -> list[Violation]:
    page.add_script_tag(path=axe_script)
    found: list[Violation] = page.evaluate(RUN_AXE)
    return found


def assert_accessible(page: Page, axe_script: str) -> None:
    blocking = [v for v in axe_violations(page, axe_script) if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"  {v['impact']} {v['id']} ({v['help']}): {', '.join(v['targets'][:8])}" for v in blocking
    )
    assert not blocking, f"axe-core found on {page.url}:\n{report}"


def assert_reflows(page: Page, width: int = 320) -> None:
    """WCAG 1.4.10: at 320 CSS px nothing makes the whole page scroll sideways."""
    page.set_viewport_size({"width": width, "height": 800})
    scroll_width: int = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide at a {width}px viewport"


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_sign_in_and_sign_up_pages(page: Page, axe_script: str, path: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, axe_script)
    assert_reflows(page)


def test_checkin_form_blank_and_with_an_error(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "axe-form")
    assert_accessible(page, axe_script)

    for item in ITEM_IDS[1:]:
        answer(page, item, 2)
    page.get_by_text("Add context (optional)").click()
    page.get_by_label("Sleep last night").fill("30")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(f"#{ITEM_IDS[0]}-error")).to_be_visible()
    expect(page.locator("#sleep_hours-error")).to_be_visible()
    assert_accessible(page, axe_script)
    assert_reflows(page)


def test_chart_page_with_entries(page: Page, live_server: LiveServer, axe_script: str) -> None:
    email = register(page, live_server, "axe-chart")
    token = page.request.post(
        "/api/v1/auth/token", data={"email": email, "password": PASSWORD, "name": "axe"}
    )
    assert token.ok, token.text()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    today = today_for(live_server)
    for offset in (0, 1, 2, 4, 5, 6, 9, 12):
        day = today - dt.timedelta(days=offset)
        payload: dict[str, Any] = {
            "date": day.isoformat(),
            **{item: (offset + index) % 7 for index, item in enumerate(ITEM_IDS)},
            "event_pleasantness": offset % 7 - 3,
            "sleep_hours": 6.5 + offset % 3,
            "note": f"Day {offset} before today" if offset % 2 else None,
        }
        created = page.request.post("/api/v1/checkins", data=payload, headers=headers)
        assert created.status == 201, created.text()

    page.goto("/checkins?days=30")
    expect(page.locator("table.checkins-table tbody tr")).to_have_count(8)
    assert_accessible(page, axe_script)
    assert_reflows(page)


def test_a_risky_note_opens_the_crisis_card_first_and_it_is_accessible(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    register(page, live_server, "crisis-card")
    for item in ITEM_IDS:
        answer(page, item, 1)
    page.get_by_text("Add context (optional)").click()
    page.get_by_label("Note").fill("Nothing matters. I want to die.")
    page.get_by_role("button", name="Save check-in").click()

    card = page.get_by_test_id("crisis-card")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")
    first_heading = page.locator("main h1, main h2").first
    expect(first_heading).to_have_text("You do not have to carry this alone")
    expect(page.get_by_test_id("saved-notice")).to_be_visible()  # saved all the same
    assert_accessible(page, axe_script)
    assert_reflows(page)


def test_emotional_range_empty_and_with_a_month_of_entries(
    page: Page, live_server: LiveServer, axe_script: str
) -> None:
    email = register(page, live_server, "axe-range")
    page.goto("/range")
    expect(page.get_by_test_id("range-empty")).to_be_visible()
    assert_accessible(page, axe_script)

    token = page.request.post("/api/v1/auth/token", data={"email": email, "password": PASSWORD})
    assert token.ok, token.text()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    today = today_for(live_server)
    for offset in range(30):
        payload: dict[str, Any] = {
            "date": (today - dt.timedelta(days=offset)).isoformat(),
            **{item: (offset * 3 + index) % 7 for index, item in enumerate(ITEM_IDS)},
            "event_pleasantness": offset % 7 - 3,
            "sleep_hours": 5.5 + offset % 4,
        }
        created = page.request.post("/api/v1/checkins", data=payload, headers=headers)
        assert created.status == 201, created.text()
    start = {
        "medication": "sertraline",
        "event": "start",
        "date": (today - dt.timedelta(days=20)).isoformat(),
        "dose_mg": 50,
    }
    added = page.request.post("/api/v1/medications", data=start, headers=headers)
    assert added.status == 201, added.text()

    page.goto("/range")
    expect(page.get_by_test_id("pattern-card")).to_be_visible()
    expect(page.locator("[data-testid=range-chart] g.medication-marker")).to_have_count(1)
    summaries = page.locator("details.all-associations summary")
    if summaries.count():
        summaries.click()  # check the collapsed table too
    assert_accessible(page, axe_script)
    assert_reflows(page)
