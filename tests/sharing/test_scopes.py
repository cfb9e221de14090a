"""What alice shares is what carol sees, from carol's very next request after alice changes it.

Alice's record is the demo story (150 days of check-ins, sertraline started, then a blunting-like
change), a finished PHQ-9 and a note on today's check-in. Every "not there" assertion has its
"there" twin before the change, so it cannot pass by the page never showing the thing at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.checkins import service as checkins
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW, TODAY, api_token
from tests.emotional_range.helpers import entry, load_story
from tests.sharing.conftest import ClientFor
from tests.sharing.helpers import (
    ALICE,
    CAROL,
    CHECKIN_NOTE,
    MEDICATION_NOTE,
    finish_phq9,
    form_scopes,
    page_csrf,
    record_checkins,
    record_medication,
    share,
    text_of,
)

MEDICATION = "sertraline"
"""The medication of the demo story."""
QUESTIONNAIRES_HEADING = 'id="trends-heading"'
NOTES_HEADING = 'id="notes-heading"'


@pytest.fixture
def alice_record(session: Session, alice: User) -> User:
    story = load_story(session, alice)
    today = entry(story.days[-1]).model_copy(update={"note": CHECKIN_NOTE})
    checkins.record_checkin(session, alice, today, today=TODAY, now=NOW)
    session.commit()
    finish_phq9(session, alice, 1, 1, 1, 1, 1, 1, 1, 1, 0)
    return alice


def change_scopes(browser: TestClient, share_id: int, scopes: Scopes) -> None:
    """Alice ticks `scopes` on her sharing page and saves."""
    data = {"csrf_token": page_csrf(browser, "/sharing"), **form_scopes(scopes)}
    response = browser.post(f"/sharing/shares/{share_id}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/sharing?changed=scopes"


def person_page(carol: TestClient, alice: User) -> str:
    response = carol.get(f"/clinician/people/{alice.id}")
    assert response.status_code == 200, response.text
    return response.text


def range_body(carol: TestClient, headers: dict[str, str], alice: User) -> tuple[str, Any]:
    response = carol.get(f"/api/v1/clinician/people/{alice.id}/range", headers=headers)
    assert response.status_code == 200, response.text
    return response.text, response.json()


def test_turning_medications_off_hides_every_medication_from_carols_next_request(
    client_for: ClientFor, session: Session, alice_record: User, carol: User
) -> None:
    record = share(session, alice_record, carol)
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    headers = api_token(carol_browser, CAROL)

    before_page = person_page(carol_browser, alice_record)
    _, before_json = range_body(carol_browser, headers, alice_record)
    assert MEDICATION in before_page
    assert 'data-testid="medication-timeline"' in before_page
    assert before_json["medication_events"]
    assert {event["medication"] for event in before_json["medication_events"]} == {MEDICATION}
    assert before_json["blunting"]["after_event"]["medication"] == MEDICATION

    change_scopes(alice_browser, record.share_id, Scopes(medications=False))

    after_page = person_page(carol_browser, alice_record)
    after_text, after_json = range_body(carol_browser, headers, alice_record)
    assert MEDICATION not in after_page.lower()
    assert 'data-testid="medication-timeline"' not in after_page
    assert MEDICATION not in after_text.lower()
    assert after_json["medication_events"] == []
    assert after_json["blunting"]["after_event"] is None
    assert after_json["event_comparisons"] == []
    # The check-ins are still shared: the analysis itself is still there.
    assert after_json["n_days"] == before_json["n_days"]
    assert after_json["blunting"]["detected"] is True


def test_turning_questionnaires_off_removes_the_section(
    client_for: ClientFor, session: Session, alice_record: User, carol: User
) -> None:
    record = share(session, alice_record, carol)
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    assert QUESTIONNAIRES_HEADING in person_page(carol_browser, alice_record)

    change_scopes(alice_browser, record.share_id, Scopes(questionnaires=False))

    page = person_page(carol_browser, alice_record)
    assert QUESTIONNAIRES_HEADING not in page
    assert "PHQ-9" not in page
    assert "trend-section" not in page


def test_notes_stay_private_until_alice_ticks_them(
    client_for: ClientFor, session: Session, alice_record: User, carol: User
) -> None:
    record = share(session, alice_record, carol)
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    headers = api_token(carol_browser, CAROL)

    hidden = person_page(carol_browser, alice_record)
    hidden_json, _ = range_body(carol_browser, headers, alice_record)
    assert CHECKIN_NOTE not in hidden
    assert NOTES_HEADING not in hidden
    assert CHECKIN_NOTE not in hidden_json

    change_scopes(alice_browser, record.share_id, Scopes(notes=True))

    shown = person_page(carol_browser, alice_record)
    assert NOTES_HEADING in shown
    assert CHECKIN_NOTE in text_of(shown)


def test_a_medication_note_shows_only_with_notes_shared(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    record_medication(session, alice, note=MEDICATION_NOTE)
    record = share(session, alice, carol)
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)

    without_notes = person_page(carol_browser, alice)
    assert "escitalopram" in without_notes
    assert MEDICATION_NOTE not in without_notes

    change_scopes(alice_browser, record.share_id, Scopes(notes=True))

    assert MEDICATION_NOTE in person_page(carol_browser, alice)


def test_without_checkins_there_is_no_range_through_the_api(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    record_checkins(session, alice, 20, note_on_last=CHECKIN_NOTE)
    record = share(session, alice, carol)
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    headers = api_token(carol_browser, CAROL)
    assert range_body(carol_browser, headers, alice)[1]["n_days"] == 20

    change_scopes(alice_browser, record.share_id, Scopes(checkins=False))

    response = carol_browser.get(f"/api/v1/clinician/people/{alice.id}/range", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    page = person_page(carol_browser, alice)
    assert "Check-ins are not shared with you." in text_of(page)
    assert 'data-testid="pattern-card"' not in page


def test_changing_scopes_through_the_api_answers_the_new_choice(
    client: TestClient, session: Session, alice: User, carol: User
) -> None:
    record = share(session, alice, carol)
    headers = api_token(client, ALICE)

    response = client.put(
        f"/api/v1/shares/{record.share_id}",
        json={"medications": False, "notes": True},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["clinician_name"] == "Carol"
    assert body["scopes"] == {
        "checkins": True,
        "questionnaires": True,
        "medications": False,
        "notes": True,
        "safety": True,
    }
    listed = client.get("/api/v1/shares", headers=headers).json()
    assert [item["scopes"] for item in listed["shares"]] == [body["scopes"]]
