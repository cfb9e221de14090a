"""Crisis language in a check-in note brings up the crisis card at once, and never blocks saving."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from tests.checkins.helpers import count_checkins, form_csrf, form_data
from tests.conftest import TODAY, api_token, checkin_payload, sign_in

RISKY_NOTE = "Numb all week. Some days I just want to die."
CALM_NOTE = "Numb all week, but dinner with Alex was fine."


def save_from_form(client: TestClient, note: str) -> str:
    data = form_data(form_csrf(client), TODAY, note=note)
    response = client.post("/checkins", data=data)
    assert response.status_code == 200, response.text
    return response.text


def test_a_risky_note_saves_and_opens_the_next_page_with_the_crisis_card_first(
    client: TestClient, alice: User, session: Session
) -> None:
    sign_in(client, alice.email)

    page = save_from_form(client, RISKY_NOTE)

    assert count_checkins(session) == 1  # saved all the same
    card_at = page.index('data-testid="crisis-card"')
    assert card_at < page.index("<h1>My check-ins</h1>")
    card = page[card_at : page.index("</section>", card_at)]
    assert 'href="tel:988"' in card
    assert "838255" in card  # Veterans: text 838255
    assert re.search(r"immediate danger, call 911", card)


def test_a_calm_note_shows_no_crisis_card(client: TestClient, alice: User) -> None:
    sign_in(client, alice.email)

    page = save_from_form(client, CALM_NOTE)

    assert "crisis-card" not in page
    assert "Saved your check-in" in page


def test_the_card_comes_back_on_every_new_risky_note(client: TestClient, alice: User) -> None:
    sign_in(client, alice.email)

    first = save_from_form(client, RISKY_NOTE)
    second = save_from_form(client, "Still feel like I want to end my life.")

    assert "crisis-card" in first
    assert "crisis-card" in second


def test_the_api_returns_crisis_support_with_the_saved_checkin(
    client: TestClient, alice: User
) -> None:
    headers = api_token(client, alice.email)

    risky = client.post(
        "/api/v1/checkins", json=checkin_payload(note=RISKY_NOTE), headers=headers
    ).json()
    calm = client.post(
        "/api/v1/checkins", json=checkin_payload(note=CALM_NOTE), headers=headers
    ).json()

    support = risky["crisis_support"]
    assert support["country"] == "US"
    assert support["emergency_number"] == "911"
    assert any(r["href"] == "tel:988" for r in support["resources"])
    assert risky["note"] == RISKY_NOTE
    assert calm["crisis_support"] is None
