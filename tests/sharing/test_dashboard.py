"""Carol's dashboard: the person most in need of attention first, each with the reasons why.

Three people share with carol: alice answered PHQ-9 item 9 with 1 (a safety event, the crisis card
was shown), bob's diary is the demo story (a blunting-like change after starting sertraline), and
erin checks in quietly every day. The order is alice, bob, erin; once carol has opened alice's
page, alice's safety event is no longer "since your last visit".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.config import Settings
from affectrange.safety_events.models import SafetySignal
from affectrange.safety_events.service import record_safety_event
from affectrange.sharing import service as sharing
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW, api_token, make_user
from tests.emotional_range.helpers import demo, demo_analysis, found_onset, load_story, long_day
from tests.sharing.conftest import ClientFor
from tests.sharing.helpers import ADDRESS, CAROL, ERIN, finish_phq9, record_checkins, share, text_of
from tests.support.clock import FrozenClock

SAFETY_REASON = (
    "1 safety event on record, not yet seen by you (the crisis card was shown; latest 15 June 2026)"
)
"""Before carol's first visit; after it, new events are "since your last visit"."""


class People:
    def __init__(self, alice: User, bob: User, erin: User) -> None:
        self.alice, self.bob, self.erin = alice, bob, erin


def build(
    session: Session, settings: Settings, alice: User, bob: User, carol: User, *, bob_scopes: Scopes
) -> People:
    erin = make_user(session, settings, ERIN)
    record_checkins(session, alice, 5)
    finish_phq9(session, alice, 1, 1, 1, 1, 1, 1, 1, 1, 1)  # item 9 answered 1
    load_story(session, bob)
    record_checkins(session, erin, 5)
    for person, scopes in ((alice, Scopes()), (bob, bob_scopes), (erin, Scopes())):
        share(session, person, carol, scopes)
    return People(alice, bob, erin)


@pytest.fixture
def people(session: Session, settings: Settings, alice: User, bob: User, carol: User) -> People:
    return build(session, settings, alice, bob, carol, bob_scopes=Scopes())


def dashboard_rows(browser: TestClient) -> list[tuple[int, list[str]]]:
    """(person id, reasons) per row, in the page's order."""
    page = browser.get("/clinician")
    assert page.status_code == 200, page.text
    rows = re.findall(
        r'<li class="dashboard-row[^"]*"[^>]*data-person="(\d+)">(.*?)</li>\s*'
        r'(?=<li class="dashboard-row|</ol>)',
        page.text,
        flags=re.S,
    )
    result = []
    for person_id, body in rows:
        reasons = [text_of(item) for item in re.findall(r"<li>(.*?)</li>", body, flags=re.S)]
        result.append((int(person_id), reasons))
    return result


def api_rows(browser: TestClient) -> list[dict[str, Any]]:
    response = browser.get("/api/v1/clinician/people", headers=api_token(browser, CAROL))
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def change_reason() -> str:
    """Bob's reason, worded from the pure engine's onset and lag, not from the page."""
    onset, link = found_onset(demo(), demo_analysis())
    return (
        f"New blunting-like change since about {long_day(onset)}, "
        f"{link.lag_days} days after starting sertraline"
    )


def test_safety_first_then_a_new_change_then_the_quiet_one(
    client_for: ClientFor, people: People
) -> None:
    browser = client_for(CAROL)

    rows = dashboard_rows(browser)

    assert [person_id for person_id, _ in rows] == [
        people.alice.id,
        people.bob.id,
        people.erin.id,
    ]
    reasons = dict(rows)
    assert reasons[people.alice.id][0] == SAFETY_REASON
    assert reasons[people.bob.id][0] == change_reason()
    assert not any("safety" in reason for reason in reasons[people.bob.id])
    assert reasons[people.erin.id] == []
    assert "Nothing new since your last visit." in browser.get("/clinician").text


def test_the_api_lists_the_same_order_and_reasons(client_for: ClientFor, people: People) -> None:
    browser = client_for(CAROL)

    rows = api_rows(browser)

    assert [row["person_id"] for row in rows] == [people.alice.id, people.bob.id, people.erin.id]
    assert [row["display_name"] for row in rows] == ["Alice", "Bob", "Erin"]
    assert rows[0]["reasons"][0] == SAFETY_REASON
    assert rows[1]["reasons"][0] == change_reason()
    assert rows[2]["reasons"] == []
    assert all(row["last_visit"] is None for row in rows)


def test_opening_alices_page_clears_her_safety_reason_until_the_next_event(
    client_for: ClientFor, session: Session, clock: FrozenClock, people: People
) -> None:
    browser = client_for(CAROL)
    clock.advance(dt.timedelta(minutes=30))
    visit = browser.get(f"/clinician/people/{people.alice.id}")
    assert visit.status_code == 200
    assert 'data-testid="safety-events"' in visit.text
    assert "PHQ-9 item 9 answered 1" in text_of(visit.text)

    after_visit = dashboard_rows(browser)

    assert after_visit[0][0] == people.bob.id
    alice_reasons = dict(after_visit)[people.alice.id]
    assert not any("safety event" in reason for reason in alice_reasons)
    [alice_row] = [row for row in api_rows(browser) if row["person_id"] == people.alice.id]
    assert alice_row["last_visit"] == (NOW + dt.timedelta(minutes=30)).isoformat()

    clock.advance(dt.timedelta(hours=2))
    record_safety_event(
        session,
        people.alice,
        signal=SafetySignal.NOTE_LANGUAGE,
        source="checkin",
        source_id=999_001,
        now=clock.now(),
    )
    session.commit()

    again = dashboard_rows(browser)
    assert again[0][0] == people.alice.id
    assert again[0][1][0].startswith("1 safety event since your last visit")


def test_reading_alices_analysis_through_the_api_does_not_count_as_a_visit(
    client_for: ClientFor, clock: FrozenClock, people: People
) -> None:
    """The API's range holds no safety events: reading it must not clear them from the
    dashboard, where "since your last visit" would then hide an event carol never saw."""
    browser = client_for(CAROL)
    clock.advance(dt.timedelta(minutes=30))
    headers = api_token(browser, CAROL)
    response = browser.get(f"/api/v1/clinician/people/{people.alice.id}/range", headers=headers)
    assert response.status_code == 200
    assert "safety" not in response.text

    rows = dashboard_rows(browser)

    assert rows[0][0] == people.alice.id
    assert rows[0][1][0] == SAFETY_REASON


def test_reasons_never_name_a_medication_that_is_not_shared(  # noqa: PLR0917 (fixtures)
    client_for: ClientFor,
    session: Session,
    settings: Settings,
    alice: User,
    bob: User,
    carol: User,
) -> None:
    people = build(session, settings, alice, bob, carol, bob_scopes=Scopes(medications=False))
    browser = client_for(CAROL)

    rows = dashboard_rows(browser)
    page = browser.get("/clinician").text

    assert [person_id for person_id, _ in rows][:2] == [people.alice.id, people.bob.id]
    bob_reasons = dict(rows)[people.bob.id]
    assert bob_reasons[0].startswith("New blunting-like change since about ")
    assert "after" not in bob_reasons[0]
    assert "sertraline" not in page.lower()
    assert all(
        "sertraline" not in reason.lower() for row in api_rows(browser) for reason in row["reasons"]
    )


def test_a_person_not_sharing_safety_events_shows_none(
    client_for: ClientFor, session: Session, people: People
) -> None:
    [alice_share] = sharing.shared_with(session, people.alice)
    sharing.change_share(
        session,
        people.alice,
        alice_share.share_id,
        scopes=Scopes(safety=False),
        now=NOW,
        address=ADDRESS,
    )
    session.commit()
    browser = client_for(CAROL)

    rows = dashboard_rows(browser)

    assert rows[0][0] == people.bob.id
    assert not any("safety" in reason for _, reasons in rows for reason in reasons)
    person_page = browser.get(f"/clinician/people/{people.alice.id}").text
    assert 'data-testid="safety-events"' not in person_page
