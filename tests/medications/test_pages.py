"""The medication timeline in the browser: add, edit, delete, bad input, the prescriber card.

Alice lives in New York; TODAY is 15 June 2026. A start on 28 May 2026 brings re-assessments on
11 June, 25 June and 23 July 2026.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.medications.models import MedicationEvent
from affectrange.questionnaires.models import Reassessment
from tests.conftest import TODAY, csrf_from, sign_in

ALICE = "alice@example.org"
BOB = "bob@example.org"


def count_events(session: Session) -> int:
    """Rows in medication_events, as the app's own connection sees them."""
    count = session.scalar(select(func.count()).select_from(MedicationEvent))
    session.commit()
    return int(count or 0)


def due_dates(session: Session) -> set[dt.date]:
    dates = set(session.scalars(select(Reassessment.due_on)))
    session.commit()
    return dates


def page_csrf(client: TestClient) -> str:
    page = client.get("/medications")
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def form_data(client: TestClient, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": page_csrf(client),
        "medication": "sertraline",
        "event": "start",
        "date": "2026-05-28",
        "dose_mg": "50",
        "note": "",
    }
    data.update(overrides)
    return data


def post(client: TestClient, url: str = "/medications", **overrides: str) -> Any:
    return client.post(url, data=form_data(client, **overrides), follow_redirects=False)


def add(client: TestClient, **overrides: str) -> int:
    """Add through the form; returns the new event's id."""
    response = post(client, **overrides)
    assert response.status_code == 303, response.text
    match = re.match(r"/medications\?saved=(\d+)&created=1", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def field_error(html: str, name: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def timeline(html: str) -> str:
    start = html.index('data-testid="medication-timeline"')
    return html[start : html.index("</table>", start)]


def prescriber_card(html: str) -> str | None:
    if 'data-testid="prescriber-card"' not in html:
        return None
    start = html.index('data-testid="prescriber-card"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def signed_in(client: TestClient, alice: User) -> TestClient:
    sign_in(client, ALICE)
    return client


# --- the page ---------------------------------------------------------------------------------


def test_the_page_asks_for_sign_in(client: TestClient) -> None:
    response = client.get("/medications", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_form_finds_medications_by_typing_with_and_without_javascript(
    signed_in: TestClient,
) -> None:
    page = signed_in.get("/medications").text

    assert 'hx-get="/medications/catalogue"' in page
    assert 'hx-trigger="input changed delay:200ms"' in page
    assert 'list="medication-catalogue"' in page
    assert '<option value="sertraline">SSRI</option>' in page
    assert 'href="/medications"' in page  # the navigation link
    for words in ("Started", "Changed the dose", "Stopped"):
        assert f"<span>{words}</span>" in page
    assert "No medication events yet." in page


def test_suggestions_while_typing(signed_in: TestClient) -> None:
    # htmx sends the input's own name; other clients may send q.
    by_input = signed_in.get("/medications/catalogue", params={"medication": "sert"})
    by_query = signed_in.get("/medications/catalogue", params={"q": "ssri"})
    unknown = signed_in.get("/medications/catalogue", params={"q": "esketamine"})

    assert by_input.status_code == 200
    assert re.findall(r'value="([^"]+)" data-rxcui', by_input.text) == ["sertraline"]
    assert 'data-rxcui="36437"' in by_input.text
    assert len(re.findall(r'data-rxcui="', by_query.text)) == 6
    assert "Not in the catalogue. You can still save it as typed." in unknown.text


# --- adding -----------------------------------------------------------------------------------


def test_adding_a_start_shows_it_and_the_planned_questionnaires(
    signed_in: TestClient, session: Session
) -> None:
    event_id = add(signed_in)

    page = signed_in.get(f"/medications?saved={event_id}&created=1").text

    assert count_events(session) == 1
    assert due_dates(session) == {dt.date(2026, 6, 11), dt.date(2026, 6, 25), dt.date(2026, 7, 23)}
    assert "Saved: starting sertraline on 28 May 2026." in page
    planned = page[page.index('data-testid="planned-reassessments"') :]
    assert "<strong>11 June 2026</strong>: Patient Health Questionnaire (PHQ-9)" in planned
    assert "<strong>23 July 2026</strong>" in planned
    row = timeline(page)
    assert "sertraline" in row
    assert "SSRI" in row
    assert "50 mg" in row
    assert f'href="/medications/{event_id}/edit"' in row
    assert f'action="/medications/{event_id}/delete"' in row
    assert prescriber_card(page) is None


def test_the_timeline_is_newest_first(signed_in: TestClient) -> None:
    add(signed_in)
    add(signed_in, event="dose_change", dose_mg="100", date="2026-06-01")

    rows = timeline(signed_in.get("/medications").text)

    assert rows.index("1 Jun 2026") < rows.index("28 May 2026")
    assert rows.index("Dose changed") < rows.index("Started")


def test_htmx_gets_a_redirect_header_instead_of_a_303(signed_in: TestClient) -> None:
    response = signed_in.post(
        "/medications", data=form_data(signed_in), headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert re.fullmatch(r"/medications\?saved=\d+&created=1", response.headers["HX-Redirect"])


def test_a_stop_shows_the_prescriber_card_on_the_next_page(
    signed_in: TestClient, session: Session
) -> None:
    response = post(signed_in, event="stop", dose_mg="", date=TODAY.isoformat())

    assert response.status_code == 303
    assert response.headers["location"].endswith("&prescriber=1")
    page = signed_in.get(response.headers["location"]).text
    card = prescriber_card(page)
    assert card is not None
    assert "Talk to your prescriber first" in card
    assert "Saved: stopping sertraline on 15 June 2026." in page
    assert count_events(session) == 1


def test_the_stop_button_shows_the_prescriber_card(signed_in: TestClient) -> None:
    page = signed_in.get("/medications").text
    link = re.search(r'<a [^>]*data-testid="prescriber-link"[^>]*>([^<]*)</a>', page)

    assert link is not None
    assert link.group(1) == "I want to stop, or have stopped, a medication"
    assert 'href="/medications?prescriber=1"' in link.group(0)
    assert prescriber_card(page) is None
    assert prescriber_card(signed_in.get("/medications?prescriber=1").text) is not None


def test_a_free_text_medication_is_saved_as_typed(signed_in: TestClient) -> None:
    add(signed_in, medication="Esketamine nasal spray", dose_mg="56")

    row = timeline(signed_in.get("/medications").text)

    assert "Esketamine nasal spray" in row
    assert "56 mg" in row


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"dose_mg": ""}, "dose_mg", "Enter the dose in mg: the daily amount from this day on."),
        ({"dose_mg": "0"}, "dose_mg", "Enter a dose above 0 and at most 10,000 mg."),
        ({"dose_mg": "-5"}, "dose_mg", "Enter a dose above 0 and at most 10,000 mg."),
        ({"dose_mg": "10001"}, "dose_mg", "Enter a dose above 0 and at most 10,000 mg."),
        ({"dose_mg": "lots"}, "dose_mg", "Enter a number."),
        ({"date": "2026-06-16"}, "date", "This day has not happened yet."),
        ({"date": "1899-12-31"}, "date", "Must be at least 1900-01-01."),
        ({"event": "pause"}, "event", "Choose started, changed the dose, or stopped."),
        ({"medication": "  "}, "medication", "This is required."),
        ({"note": "x" * 1001}, "note", "Too long: at most 1000 characters."),
    ],
)
def test_bad_input_re_renders_with_the_message_at_the_field_and_saves_nothing(
    signed_in: TestClient,
    session: Session,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = post(signed_in, **overrides)

    assert response.status_code == 422
    shown = field_error(response.text, field)
    assert shown is not None
    assert shown.startswith(message)
    assert 'value="sertraline"' in response.text  # what was typed stays
    assert count_events(session) == 0
    assert due_dates(session) == set()


def test_a_missing_dose_is_named_together_with_other_mistakes(signed_in: TestClient) -> None:
    response = post(signed_in, medication="", dose_mg="")

    assert response.status_code == 422
    assert field_error(response.text, "medication") == "This is required."
    assert field_error(response.text, "dose_mg") is not None


def test_htmx_bad_input_swaps_only_the_form(signed_in: TestClient) -> None:
    response = signed_in.post(
        "/medications", data=form_data(signed_in, dose_mg="0"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert field_error(response.text, "dose_mg") == "Enter a dose above 0 and at most 10,000 mg."


def test_a_post_without_the_csrf_token_is_refused(signed_in: TestClient, session: Session) -> None:
    data = form_data(signed_in)
    del data["csrf_token"]

    response = signed_in.post("/medications", data=data, follow_redirects=False)

    assert response.status_code == 403
    assert count_events(session) == 0


# --- editing and deleting ---------------------------------------------------------------------


def test_editing_moves_the_reassessments(signed_in: TestClient, session: Session) -> None:
    event_id = add(signed_in)
    edit_page = signed_in.get(f"/medications/{event_id}/edit")
    assert edit_page.status_code == 200
    assert 'value="2026-05-28"' in edit_page.text
    assert 'value="50"' in edit_page.text

    response = post(signed_in, f"/medications/{event_id}/edit", date="2026-06-04", dose_mg="75")

    assert response.status_code == 303
    assert response.headers["location"] == f"/medications?saved={event_id}&updated=1"
    assert due_dates(session) == {dt.date(2026, 6, 18), dt.date(2026, 7, 2), dt.date(2026, 7, 30)}
    page = signed_in.get(response.headers["location"]).text
    assert "Updated: starting sertraline on 4 June 2026." in page
    assert "75 mg" in timeline(page)


def test_a_bad_edit_re_renders_the_edit_page_and_changes_nothing(
    signed_in: TestClient, session: Session
) -> None:
    event_id = add(signed_in)

    response = post(signed_in, f"/medications/{event_id}/edit", date="2030-01-01")

    assert response.status_code == 422
    assert field_error(response.text, "date") is not None
    assert f'action="/medications/{event_id}/edit"' in response.text
    assert due_dates(session) == {dt.date(2026, 6, 11), dt.date(2026, 6, 25), dt.date(2026, 7, 23)}


def test_deleting_removes_the_event_and_its_reassessments(
    signed_in: TestClient, session: Session
) -> None:
    event_id = add(signed_in)

    response = signed_in.post(
        f"/medications/{event_id}/delete",
        data={"csrf_token": page_csrf(signed_in)},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/medications?deleted=1"
    assert count_events(session) == 0
    assert due_dates(session) == set()
    assert "The medication event is deleted" in signed_in.get("/medications?deleted=1").text


# --- owners -----------------------------------------------------------------------------------


def test_bob_gets_404_for_alices_event_and_never_sees_it(
    client: TestClient, alice: User, bob: User, session: Session
) -> None:
    sign_in(client, ALICE)
    event_id = add(client, medication="mirtazapine", dose_mg="15")
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    sign_in(client, BOB)

    edit = client.get(f"/medications/{event_id}/edit")
    update = post(client, f"/medications/{event_id}/edit", dose_mg="30")
    delete = client.post(f"/medications/{event_id}/delete", data={"csrf_token": page_csrf(client)})
    page = client.get(f"/medications?saved={event_id}").text

    assert (edit.status_code, update.status_code, delete.status_code) == (404, 404, 404)
    assert 'data-testid="medication-timeline"' not in page
    assert "No medication events yet." in page
    assert 'data-testid="saved-notice"' not in page
    assert count_events(session) == 1
    assert len(due_dates(session)) == 3


def test_crisis_language_in_a_medication_note_brings_the_crisis_card_about_this_entry(
    signed_in: TestClient, session: Session
) -> None:
    response = post(signed_in, note="Some days I want to die.")

    assert response.status_code == 303
    page = signed_in.get(response.headers["location"]).text
    assert 'data-testid="crisis-card"' in page
    assert page.index('data-testid="crisis-card"') < page.index("Saved: starting sertraline")
    assert "Your medication entry is saved." in page
    assert "Your check-in is saved." not in page
    assert count_events(session) == 1
