"""A note about stopping a medication brings the "talk to your prescriber first" card, never advice;
a risky note is recorded as a safety event for the person's clinicians (SCIENCE.md 6.1-6.2)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.safety_events.models import SafetySignal
from affectrange.safety_events.service import list_safety_events
from tests.checkins.helpers import form_csrf, form_data
from tests.conftest import TODAY, api_token, checkin_payload, sign_in

STOPPING_NOTE = "Felt nothing again. I stopped taking my sertraline on Monday."


def test_a_note_about_stopping_shows_the_prescriber_card(client: TestClient, alice: User) -> None:
    sign_in(client, alice.email)

    response = client.post(
        "/checkins", data=form_data(form_csrf(client), TODAY, note=STOPPING_NOTE)
    )

    assert response.status_code == 200
    page = response.text
    card_at = page.index('data-testid="prescriber-card"')
    card = page[card_at : page.index("</section>", card_at)]
    assert "Talk to your prescriber first" in card
    assert "Don't stop suddenly" in card
    assert "discontinuation symptoms" in card
    assert "crisis-card" not in page  # stopping is not, by itself, a crisis


def test_an_ordinary_note_shows_no_prescriber_card(client: TestClient, alice: User) -> None:
    sign_in(client, alice.email)

    data = form_data(form_csrf(client), TODAY, note="Took my meds, walked the dog, felt flat.")
    page = client.post("/checkins", data=data).text

    assert "prescriber-card" not in page


def test_the_api_flags_the_prescriber_card(client: TestClient, alice: User) -> None:
    headers = api_token(client, alice.email)

    stopping = client.post(
        "/api/v1/checkins", json=checkin_payload(note=STOPPING_NOTE), headers=headers
    )
    ordinary = client.post(
        "/api/v1/checkins", json=checkin_payload(note="A quiet day."), headers=headers
    )

    assert stopping.json()["talk_to_prescriber"] is True
    assert ordinary.json()["talk_to_prescriber"] is False


def test_a_risky_note_is_recorded_once_per_day_for_clinicians(
    client: TestClient, alice: User, bob: User, session: Session
) -> None:
    headers = api_token(client, alice.email)
    for note in ("I want to die.", "Still thinking about suicide."):
        client.post("/api/v1/checkins", json=checkin_payload(note=note), headers=headers)
    client.post("/api/v1/checkins", json=checkin_payload(note="Calm day."), headers=headers)

    events = list_safety_events(session, alice)

    assert len(events) == 1  # one day's entry, edited three times
    assert events[0].signal is SafetySignal.NOTE_LANGUAGE
    assert events[0].source == "checkin"
    assert list_safety_events(session, bob) == []
