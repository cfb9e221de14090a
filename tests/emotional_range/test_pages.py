"""The "My emotional range" page through the real app: the pattern card, what changed and since
when, the chart with its markers, the limits, the empty state, and who may see it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.events import MedicationEvent
from affectrange.emotional_range.wording import LIMITS, ORDER_NOT_CAUSE
from affectrange.safety import medication_advice_in
from tests.conftest import TODAY, sign_in
from tests.emotional_range.helpers import (
    ALICE,
    BOB,
    CAROL,
    DOSE_CHANGE,
    LAG_DAYS,
    SERTRALINE_START,
    load_story,
    record_days,
    record_events,
    steady_days,
    text_of,
)

MARKER = re.compile(r'<g class="medication-marker" data-date="([0-9-]+)">')
PATTERN = re.compile(r'data-testid="pattern-card" data-pattern="([a-z_]+)"')


@pytest.fixture
def alice_story(session: Session, alice: User) -> User:
    load_story(session, alice)
    return alice


def open_range(client: TestClient, email: str) -> str:
    sign_in(client, email)
    page = client.get("/range")
    assert page.status_code == 200, page.text
    return page.text


def test_the_card_says_blunting_like_and_names_the_start_and_the_lag(
    client: TestClient, alice_story: User
) -> None:
    page = open_range(client, ALICE)
    words = text_of(page)

    assert PATTERN.findall(page) == ["blunting_like"]
    assert "The last 4 weeks: a blunting-like pattern" in words
    assert (
        "In the last 4 weeks your feelings, good and bad, have been quieter and steadier than "
        "before, and you have often felt numb or flat." in words
    )
    onset = (
        f"This began around 27 March 2026, {LAG_DAYS} days after you started sertraline "
        "on 26 February."
    )
    assert onset in words
    # The order-in-time caveat follows the date at once, in the card and in "What changed".
    assert f"{onset} {ORDER_NOT_CAUSE}" in words
    assert words.count(ORDER_NOT_CAUSE) == 2


def test_the_card_shows_the_numbers_behind_it(client: TestClient, alice_story: User) -> None:
    page = open_range(client, ALICE)
    words = text_of(page)

    criteria = re.search(r'data-testid="criteria">(.*?)</table>', page, re.S)
    assert criteria is not None
    rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>",
        criteria.group(1),
    )
    assert [row[3] for row in rows] == ["yes", "yes", "yes", "yes"]
    assert rows[0][0] == "Feeling numb, indifferent or detached, on average (0-6)"
    assert rows[0][2] == "at least 2.5"
    metrics = re.search(r'data-testid="metrics">(.*?)</table>', page, re.S)
    assert metrics is not None
    assert metrics.group(1).count("<tr data-metric=") == 10
    # Too few pleasant events in the last 4 weeks for positive reactivity (SCIENCE.md 4.3).
    assert re.search(
        r'data-metric="pa_reactivity"><th scope="row">[^<]*</th><td>not enough data</td>',
        metrics.group(1),
    )
    assert (
        "The baseline, the period the last 4 weeks are compared with, is the 4 weeks before "
        "your first recorded medication event." in words
    )


def test_before_and_after_each_medication_event(client: TestClient, alice_story: User) -> None:
    page = open_range(client, ALICE)
    words = text_of(page)

    articles = re.findall(r'data-testid="comparison" data-date="([0-9-]+)"', page)
    assert articles == [SERTRALINE_START.isoformat(), DOSE_CHANGE.isoformat()]
    assert "sertraline 50 mg start, 26 February 2026" in words
    # Weeks 5-8 after the start, against the 28 days before it: NA -1.90 (-2.63 to -1.16).
    assert "negative feelings about 1.9 points lower (1.2 to 2.6)" in words
    # Weeks 1-4: NA -0.53 with an interval from -1.20 to +0.51, so no direction is claimed.
    assert "negative feelings about 0.5 points lower (from 1.2 lower to 0.5 higher)" in words
    assert "<td>-1.90</td><td>-2.63 to -1.16</td>" in page.replace("+", "")


def test_associations_are_labelled_and_only_clear_ones_are_listed(
    client: TestClient, alice_story: User
) -> None:
    page = open_range(client, ALICE)
    words = text_of(page)

    assert "Association, not proof." in words
    listed = re.search(r'data-testid="clear-associations">(.*?)</ul>', page, re.S)
    assert listed is not None
    items = re.findall(r"<li>(.*?)</li>", listed.group(1))
    # Same-day sleep and PA: r = 0.19 (0.02 to 0.35), the story's one interval clear of 0.
    assert any(
        "Days with more sleep went with higher positive feelings the same day" in item
        for item in items
    )
    assert all("95% interval" in item for item in items)
    assert "more showed no clear link either way" in words
    assert "<summary>All 16 associations</summary>" in page


def test_the_chart_has_a_marker_per_medication_event_the_baseline_and_the_onset(
    client: TestClient, alice_story: User
) -> None:
    page = open_range(client, ALICE)

    assert MARKER.findall(page) == [SERTRALINE_START.isoformat(), DOSE_CHANGE.isoformat()]
    assert "sertraline 50 mg start" in page
    assert "sertraline 100 mg dose change" in page
    assert 'data-testid="onset-marker" data-date="2026-03-27"' in page
    assert 'data-window="baseline" data-first="2026-01-29" data-last="2026-02-25"' in page
    assert 'data-window="current" data-first="2026-05-19" data-last="2026-06-15"' in page
    assert re.search(r'<g class="range-band" data-band="pa"[^>]*>\s*<path d="M', page)
    assert re.search(r'<g class="range-band" data-band="na"[^>]*>\s*<path d="M', page)
    assert 'id="range-chart-table"' in page  # the screen readers' copy of the data


def test_an_event_before_the_first_check_in_is_not_drawn(
    client: TestClient, session: Session, alice_story: User
) -> None:
    early = MedicationEvent(TODAY.replace(year=2025), "bupropion", "start", 150.0)
    record_events(session, alice_story, [early])
    session.commit()

    page = open_range(client, ALICE)

    assert MARKER.findall(page) == [SERTRALINE_START.isoformat(), DOSE_CHANGE.isoformat()]


def test_the_limits_and_the_prompt_are_there_and_nothing_advises_on_medication(
    client: TestClient, alice_story: User
) -> None:
    page = open_range(client, ALICE)
    words = text_of(page)

    assert LIMITS in words
    assert "Worth discussing with your prescriber or therapist." in words
    assert 'href="/medications"' in page
    assert 'href="/questionnaires/results"' in page
    assert medication_advice_in(words) == ()


def test_fewer_than_14_check_ins_show_a_friendly_empty_state(
    client: TestClient, session: Session, alice: User
) -> None:
    record_days(session, alice, steady_days(13))
    session.commit()

    page = open_range(client, ALICE)
    words = text_of(page)

    assert 'data-testid="range-empty"' in page
    assert "Your emotional range appears after 14 check-ins" in words
    assert "You have 13 so far, 1 to go." in words
    assert 'data-testid="range-chart"' not in page
    assert 'data-testid="pattern-card"' not in page


def test_no_check_ins_at_all(client: TestClient, alice: User) -> None:
    words = text_of(open_range(client, ALICE))

    assert "You have 0 so far." in words


def test_without_medication_events_there_is_no_onset_link_and_no_marker(
    client: TestClient, session: Session, alice: User
) -> None:
    load_story(session, alice, with_events=False)

    page = open_range(client, ALICE)
    words = text_of(page)

    assert MARKER.findall(page) == []
    assert "No medication events are recorded yet." in words
    assert "after you started" not in words


def test_bob_sees_his_own_range_never_alices(
    client: TestClient, session: Session, alice_story: User, bob: User
) -> None:
    record_days(session, bob, steady_days(20, value=2))
    session.commit()

    page = open_range(client, BOB)
    words = text_of(page)

    assert "20 check-ins" in words
    assert "sertraline" not in page
    assert MARKER.findall(page) == []
    assert 'data-testid="onset-marker"' not in page
    assert "144 check-ins" not in words


def test_signed_out_goes_to_the_sign_in_page(client: TestClient) -> None:
    response = client.get("/range", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Frange"


def test_a_clinician_has_no_range_page(client: TestClient, carol: User) -> None:
    sign_in(client, CAROL)

    assert client.get("/range").status_code == 403


def test_the_navigation_links_to_the_page(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)

    assert '<a href="/range">My emotional range</a>' in client.get("/").text
