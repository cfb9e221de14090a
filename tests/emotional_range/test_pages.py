"""The "My emotional range" page through the real app: the pattern card, what changed and since
when, the chart with its markers, the limits, the empty state, and who may see it."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.associations import Association
from affectrange.analysis.comparisons import Difference
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.metrics import MIN_EVENTS_FOR_REACTIVITY
from affectrange.analysis.pattern import Criterion
from affectrange.analysis.series import CONTEXT_FIELDS
from affectrange.emotional_range.wording import LIMITS, ORDER_NOT_CAUSE
from affectrange.safety import medication_advice_in
from tests.conftest import TODAY, sign_in
from tests.emotional_range.helpers import (
    ALICE,
    BOB,
    CAROL,
    day_near,
    demo,
    demo_analysis,
    found_onset,
    load_story,
    long_day,
    record_days,
    record_events,
    steady_days,
    text_of,
    windows_of,
)

MARKER = re.compile(r'<g class="medication-marker" data-date="([0-9-]+)">')
PATTERN = re.compile(r'data-testid="pattern-card" data-pattern="([a-z_]+)"')
MEASURES = {"pa": "positive feelings", "na": "negative feelings", "numbness": "numbness"}
FACTORS = {
    "sleep_hours": "sleep",
    "exercise_minutes": "exercise",
    "social_minutes": "time with people",
    "alcohol_drinks": "drinks",
}
LAGS = {"same_day": "the same day", "next_day": "the next day"}


def event_dates() -> list[str]:
    return [event.date.isoformat() for event in demo().medication_events]


def shown_value(criterion: Criterion) -> str:
    """A criterion's value as the card shows it: days whole, everything else to 2 decimals."""
    assert criterion.value is not None
    return f"{criterion.value:.{0 if criterion.name == 'enough_days' else 2}f}"


def shown_metric(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "not enough data"


def shown_difference(item: Difference) -> str:
    """A difference in words: its size to 1 decimal, its direction, and the 95% interval to 1
    decimal, in that direction when it does not cross 0, from lower to higher when it does."""
    size = f"{abs(item.difference):.1f}"
    if size == "0.0":
        said = "about the same"
    else:
        direction = "higher" if item.difference > 0 else "lower"
        said = f"about {size} {'point' if size == '1.0' else 'points'} {direction}"
    if item.ci_low >= 0:
        interval = f"{item.ci_low:.1f} to {item.ci_high:.1f}"
        interval += "" if said.endswith("higher") else " higher"
    elif item.ci_high <= 0:
        interval = f"{abs(item.ci_high):.1f} to {abs(item.ci_low):.1f}"
        interval += "" if said.endswith("lower") else " lower"
    else:
        interval = f"from {abs(item.ci_low):.1f} lower to {item.ci_high:.1f} higher"
    return f"{MEASURES[item.measure]} {said} ({interval})"


def shown_association(item: Association) -> str:
    direction = "higher" if item.r > 0 else "lower"
    return (
        f"Days with more {FACTORS[item.factor]} went with {direction} "
        f"{MEASURES[item.outcome]} {LAGS[item.lag]}: about {abs(item.slope):.2f} points per "
        f"{item.unit} (r = {item.r:.2f}, 95% interval {item.ci_low:.2f} to {item.ci_high:.2f}, "
        f"{item.n} days)."
    )


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
    story = demo()
    found, link = found_onset(story, demo_analysis())

    page = open_range(client, ALICE)
    words = text_of(page)

    assert story.truth.expected_pattern == "blunting_like"
    assert PATTERN.findall(page) == ["blunting_like"]
    assert "The last 4 weeks: a blunting-like pattern" in words
    assert (
        "In the last 4 weeks your feelings, good and bad, have been quieter and steadier than "
        "before, and you have often felt numb or flat." in words
    )
    onset = (
        f"This began around {long_day(found)}, {link.lag_days} days after you started "
        f"sertraline on {day_near(link.event.date, found)}."
    )
    assert onset in words
    # The order-in-time caveat follows the date at once, in the card and in "What changed".
    assert f"{onset} {ORDER_NOT_CAUSE}" in words
    assert words.count(ORDER_NOT_CAUSE) == 2


def test_the_card_shows_the_numbers_behind_it(client: TestClient, alice_story: User) -> None:
    story, expected = demo(), demo_analysis()

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
    assert [(html.unescape(row[0]), row[1]) for row in rows] == [
        (criterion.description, shown_value(criterion)) for criterion in expected.criteria
    ]
    metrics = re.search(r'data-testid="metrics">(.*?)</table>', page, re.S)
    assert metrics is not None
    assert metrics.group(1).count("<tr data-metric=") == 10
    shown = re.findall(
        r'<tr data-metric="(\w+)"><th scope="row">[^<]*</th><td>(.*?)</td><td>(.*?)</td>',
        metrics.group(1),
    )
    current, baseline = expected.current.as_dict(), expected.baseline
    assert baseline is not None
    assert shown == [
        (key, shown_metric(current[key]), shown_metric(baseline.as_dict()[key]))
        for key, _, _ in shown
    ]
    # Too few pleasant events in the last 4 weeks for positive reactivity (SCIENCE.md 4.3),
    # counted in the story itself.
    last_four_weeks = windows_of(story)["current"][0]
    pleasant = [
        day
        for day in story.days
        if day.date >= last_four_weeks and (day.event_pleasantness or 0) > 0
    ]
    assert len(pleasant) < MIN_EVENTS_FOR_REACTIVITY
    assert re.search(
        r'data-metric="pa_reactivity"><th scope="row">[^<]*</th><td>not enough data</td>',
        metrics.group(1),
    )
    assert (
        "The baseline, the period the last 4 weeks are compared with, is the 4 weeks before "
        "your first recorded medication event." in words
    )


def test_before_and_after_each_medication_event(client: TestClient, alice_story: User) -> None:
    start = demo().medication_events[0]
    comparisons = demo_analysis().event_comparisons

    page = open_range(client, ALICE)
    words = text_of(page)

    articles = re.findall(r'data-testid="comparison" data-date="([0-9-]+)"', page)
    assert articles == event_dates()
    assert f"sertraline {start.dose_mg:g} mg start, {long_day(start.date)}" in words
    assert [comparison.event for comparison in comparisons] == list(demo().medication_events)
    differences = [
        difference
        for comparison in comparisons
        for period in comparison.periods
        for difference in period.differences
    ]
    assert len(differences) == 2 * 2 * 3  # two events, two periods, three measures
    for difference in differences:
        assert shown_difference(difference) in words
        assert (
            f"<td>{difference.before_mean:.2f}</td><td>{difference.after_mean:.2f}</td>"
            f"<td>{difference.difference:+.2f}</td>"
            f"<td>{difference.ci_low:+.2f} to {difference.ci_high:+.2f}</td>"
            f"<td>{difference.n_before} / {difference.n_after}</td>"
        ) in page
    # Where an interval runs from below 0 to above it, no direction is claimed.
    uncertain = [item for item in differences if item.ci_low < 0 < item.ci_high]
    assert uncertain, "the story no longer has an interval across 0 to check the wording with"
    for difference in uncertain:
        assert f"(from {abs(difference.ci_low):.1f} lower to " in shown_difference(difference)


def test_associations_are_labelled_and_only_clear_ones_are_listed(
    client: TestClient, alice_story: User
) -> None:
    associations = demo_analysis().associations
    clear = [item for item in associations if item.ci_low > 0 or item.ci_high < 0]
    # Every factor against PA and NA, the same day and the next: 4 x 2 x 2.
    assert len(associations) == len(CONTEXT_FIELDS) * 2 * 2
    assert 0 < len(clear) < len(associations)

    page = open_range(client, ALICE)
    words = text_of(page)

    assert "Association, not proof." in words
    listed = re.search(r'data-testid="clear-associations">(.*?)</ul>', page, re.S)
    assert listed is not None
    items = re.findall(r"<li>(.*?)</li>", listed.group(1))
    assert items == [shown_association(item) for item in clear]
    assert all("95% interval" in item for item in items)
    unclear = len(associations) - len(clear)
    assert f"{unclear} more showed no clear link either way" in words
    assert f"<summary>All {len(associations)} associations</summary>" in page


def test_the_chart_has_a_marker_per_medication_event_the_baseline_and_the_onset(
    client: TestClient, alice_story: User
) -> None:
    story = demo()
    onset, _ = found_onset(story, demo_analysis())
    start, dose_change = story.medication_events

    page = open_range(client, ALICE)

    assert MARKER.findall(page) == event_dates()
    assert f"sertraline {start.dose_mg:g} mg start" in page
    assert f"sertraline {dose_change.dose_mg:g} mg dose change" in page
    assert f'data-testid="onset-marker" data-date="{onset.isoformat()}"' in page
    for kind, (first, last) in windows_of(story).items():
        assert f'data-window="{kind}" data-first="{first}" data-last="{last}"' in page
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

    assert MARKER.findall(page) == event_dates()


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
    assert f"{len(demo().days)} check-ins" not in words


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
