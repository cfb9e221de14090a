"""The person's own questions: add, change, reorder and remove through the forms and the API,
the limits (10 questions, 300 characters) refused naming the field, whose questions they are,
and the cards free text can bring."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.preparation import service
from affectrange.preparation.models import MAX_QUESTIONS
from affectrange.preparation.schemas import QuestionIn
from affectrange.safety_events.service import list_safety_events
from tests.conftest import api_token, sign_in
from tests.preparation.helpers import (
    ALICE,
    BOB,
    CAROL,
    LONGEST,
    add,
    add_directly,
    field_error,
    listed,
    post_form,
    texts,
)

# --- the forms ----------------------------------------------------------------------------------


def test_questions_are_added_changed_moved_and_removed_in_order(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, ALICE)

    for text in ("Why do I feel flat?", "Is this normal?", "What happens next?"):
        response = add(client, text)
        assert response.status_code == 303
        assert response.headers["location"] == "/prepare?done=added#questions"
    first, second, third = (q.id for q in service.list_questions(session, alice))

    page = client.get("/prepare").text
    assert listed(page) == ["Why do I feel flat?", "Is this normal?", "What happens next?"]
    assert "Question added." not in page
    assert "Question added." in client.get("/prepare?done=added").text

    edit_page = client.get(f"/prepare/questions/{second}/edit")
    assert edit_page.status_code == 200
    assert "Is this normal?" in edit_page.text
    changed = post_form(client, f"/prepare/questions/{second}/edit", {"text": "Is this common?"})
    assert changed.status_code == 303
    assert texts(session, alice) == ["Why do I feel flat?", "Is this common?", "What happens next?"]

    moved = post_form(client, f"/prepare/questions/{third}/move", {"direction": "up"})
    assert moved.status_code == 303
    assert texts(session, alice) == ["Why do I feel flat?", "What happens next?", "Is this common?"]
    post_form(client, f"/prepare/questions/{first}/move", {"direction": "down"})
    assert texts(session, alice) == ["What happens next?", "Why do I feel flat?", "Is this common?"]

    removed = post_form(client, f"/prepare/questions/{first}/delete")
    assert removed.status_code == 303
    assert texts(session, alice) == ["What happens next?", "Is this common?"]
    assert listed(client.get("/prepare").text) == ["What happens next?", "Is this common?"]


def test_moving_past_either_end_changes_nothing_and_after_a_removal_still_moves(
    session: Session, alice: User
) -> None:
    one, two, three, four = add_directly(session, alice, "one?", "two?", "three?", "four?")

    service.move_question(session, alice, one, "up")
    service.move_question(session, alice, four, "down")
    assert texts(session, alice) == ["one?", "two?", "three?", "four?"]

    service.delete_question(session, alice, two)
    service.move_question(session, alice, three, "up")
    assert texts(session, alice) == ["three?", "one?", "four?"]
    service.move_question(session, alice, one, "down")
    assert texts(session, alice) == ["three?", "four?", "one?"]


def test_a_move_must_say_up_or_down(client: TestClient, session: Session, alice: User) -> None:
    [question] = add_directly(session, alice, "Is this normal?")
    sign_in(client, ALICE)

    response = post_form(client, f"/prepare/questions/{question}/move", {"direction": "sideways"})

    assert response.status_code == 422
    assert "direction: Choose up or down." in response.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "This is required."),
        ("   \n  ", "This is required."),
        (LONGEST + "?", "Too long: at most 300 characters."),
        ("Why\x00 this?", "Contains a control character; please remove it."),
    ],
)
def test_bad_text_is_refused_naming_the_field_and_kept_in_the_form(
    client: TestClient, session: Session, alice: User, typed: str, message: str
) -> None:
    sign_in(client, ALICE)

    response = add(client, typed)

    assert response.status_code == 422
    assert field_error(response.text) == message
    assert 'aria-invalid="true"' in response.text
    if typed.strip() and "\x00" not in typed:
        assert typed in response.text  # what was typed comes back
    assert texts(session, alice) == []


def test_an_edit_with_bad_text_changes_nothing(
    client: TestClient, session: Session, alice: User
) -> None:
    [question] = add_directly(session, alice, "Is this normal?")
    sign_in(client, ALICE)

    response = post_form(client, f"/prepare/questions/{question}/edit", {"text": LONGEST + "!"})

    assert response.status_code == 422
    assert field_error(response.text) == "Too long: at most 300 characters."
    assert texts(session, alice) == ["Is this normal?"]


def test_the_longest_question_and_line_breaks(session: Session, alice: User) -> None:
    add_directly(session, alice, LONGEST)
    assert texts(session, alice) == [LONGEST]

    form = QuestionIn.model_validate({"text": "  Why\r\nnow,\n\n and   not before?  "})
    assert form.text == "Why now, and not before?"


def test_an_eleventh_question_is_refused_naming_the_field(
    client: TestClient, session: Session, alice: User
) -> None:
    add_directly(session, alice, *(f"Question {n}?" for n in range(1, MAX_QUESTIONS + 1)))
    sign_in(client, ALICE)

    page = client.get("/prepare").text
    assert 'data-testid="questions-full"' in page
    assert 'action="/prepare/questions" class="stack' not in page  # no add form at the limit
    response = add(client, "One more?")

    assert response.status_code == 422
    assert field_error(response.text) == service.TOO_MANY_MESSAGE
    assert len(texts(session, alice)) == MAX_QUESTIONS
    assert "One more?" not in texts(session, alice)

    api = client.post(
        "/api/v1/preparation/questions",
        json={"text": "One more?"},
        headers=api_token(client, ALICE),
    )
    assert api.status_code == 422
    assert api.json()["error"]["fields"] == {"text": service.TOO_MANY_MESSAGE}


def test_removing_one_at_the_limit_makes_room(session: Session, alice: User) -> None:
    ids = add_directly(session, alice, *(f"Question {n}?" for n in range(1, MAX_QUESTIONS + 1)))
    service.delete_question(session, alice, ids[3])

    add_directly(session, alice, "One more?")

    assert texts(session, alice)[-1] == "One more?"
    assert len(texts(session, alice)) == MAX_QUESTIONS


def test_a_suggestion_is_added_in_one_click_and_then_no_longer_offered(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, ALICE)
    page = client.get("/prepare").text
    for suggestion in service.SUGGESTIONS:
        assert f'aria-label="Add: {suggestion}"' in page

    response = add(client, "Could this be a side effect?")

    assert response.status_code == 303
    assert texts(session, alice) == ["Could this be a side effect?"]
    page = client.get("/prepare").text
    assert 'aria-label="Add: Could this be a side effect?"' not in page
    assert 'aria-label="Add: What are my options?"' in page


# --- whose questions ----------------------------------------------------------------------------


def test_bob_gets_404_on_alices_questions_and_changes_nothing(
    client: TestClient, session: Session, alice: User, bob: User
) -> None:
    [question] = add_directly(session, alice, "Alice's own question?")
    sign_in(client, BOB)

    assert client.get(f"/prepare/questions/{question}/edit").status_code == 404
    assert (
        post_form(client, f"/prepare/questions/{question}/edit", {"text": "Bob's?"}).status_code
        == 404
    )
    assert (
        post_form(client, f"/prepare/questions/{question}/move", {"direction": "up"}).status_code
        == 404
    )
    assert post_form(client, f"/prepare/questions/{question}/delete").status_code == 404
    headers = api_token(client, BOB)
    url = f"/api/v1/preparation/questions/{question}"
    assert client.put(url, json={"text": "Bob's?"}, headers=headers).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    assert client.get("/api/v1/preparation/questions", headers=headers).json() == {"questions": []}
    assert "Alice&#39;s own question?" not in client.get("/prepare").text

    assert texts(session, alice) == ["Alice's own question?"]
    assert texts(session, bob) == []


def test_a_clinician_cannot_open_the_sheet_and_signed_out_goes_to_sign_in(
    client: TestClient, carol: User
) -> None:
    for path in ("/prepare", "/prepare.pdf"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")

    sign_in(client, CAROL)
    assert client.get("/prepare").status_code == 403
    assert client.get("/prepare.pdf").status_code == 403
    assert add(client, "Carol's question?").status_code == 403
    headers = api_token(client, CAROL)
    assert client.get("/api/v1/preparation/questions", headers=headers).status_code == 403


def test_a_number_out_of_range_is_not_found(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)

    assert client.get("/prepare/questions/0/edit").status_code == 422
    assert client.get(f"/prepare/questions/{2**31}/edit").status_code == 422
    assert client.get("/prepare/questions/999/edit").status_code == 404


# --- the API ------------------------------------------------------------------------------------


def test_the_api_adds_lists_changes_and_removes(
    client: TestClient, session: Session, alice: User
) -> None:
    headers = api_token(client, ALICE)
    url = "/api/v1/preparation/questions"

    created = client.post(url, json={"text": "What are my options?"}, headers=headers)
    second = client.post(url, json={"text": "Is this normal?"}, headers=headers)

    assert created.status_code == 201
    body = created.json()
    assert (body["number"], body["text"]) == (1, "What are my options?")
    assert body["talk_to_prescriber"] is False
    assert body["crisis_support"] is None
    assert second.json()["number"] == 2
    listing = client.get(url, headers=headers).json()["questions"]
    assert [(item["number"], item["text"]) for item in listing] == [
        (1, "What are my options?"),
        (2, "Is this normal?"),
    ]

    changed = client.put(f"{url}/{body['id']}", json={"text": "What else?"}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["text"] == "What else?"
    assert client.delete(f"{url}/{body['id']}", headers=headers).status_code == 204
    assert texts(session, alice) == ["Is this normal?"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": LONGEST + "."}, "text"),
        ({}, "text"),
        ({"text": "Ok?", "x": 1}, "x"),
    ],
)
def test_the_api_names_the_bad_field(
    client: TestClient, session: Session, alice: User, body: dict[str, object], field: str
) -> None:
    response = client.post(
        "/api/v1/preparation/questions", json=body, headers=api_token(client, ALICE)
    )

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {field}
    assert texts(session, alice) == []


# --- free text: the cards -----------------------------------------------------------------------


def test_crisis_language_brings_the_crisis_card_and_is_recorded_once(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, ALICE)

    response = add(client, "Is it normal that I want to die?")

    assert response.status_code == 303
    assert "support=1" in response.headers["location"]
    page = client.get(response.headers["location"]).text
    assert page.index('data-testid="crisis-card"') < page.index("<h1>")
    [question] = service.list_questions(session, alice)
    post_form(client, f"/prepare/questions/{question.id}/edit", {"text": "Why do I want to die?"})
    events = list_safety_events(session, alice)
    assert [(event.source, event.source_id) for event in events] == [(service.SOURCE, question.id)]


def test_words_about_stopping_bring_the_prescriber_card(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, ALICE)

    response = add(client, "What if I want to stop taking sertraline?")

    assert "prescriber=1" in response.headers["location"]
    assert 'data-testid="prescriber-card"' in client.get(response.headers["location"]).text
    assert 'data-testid="prescriber-card"' not in client.get("/prepare").text
    assert list_safety_events(session, alice) == []
