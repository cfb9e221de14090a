"""Bad input gets a clear message naming the field and changes nothing (API and HTML form)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from tests.checkins.helpers import (
    ALICE,
    count_checkins,
    field_error,
    form_csrf,
    form_data,
    radio_checked,
    record,
)
from tests.conftest import TODAY, api_token, checkin_payload, sign_in

TOMORROW = TODAY + dt.timedelta(days=1)
LONG_NOTE = "x" * 4001


class ApiCase(NamedTuple):
    changes: dict[str, object]
    """Sent instead of a good value; None leaves the field out."""
    field: str
    words: str
    """Part of the message expected for that field."""


API_CASES = [
    ApiCase({"joyful": 7}, "joyful", "at most 6"),
    ApiCase({"sad": -1}, "sad", "at least 0"),
    ApiCase({"event_pleasantness": 4}, "event_pleasantness", "at most 3"),
    ApiCase({"date": TOMORROW.isoformat()}, "date", "has not happened yet"),
    ApiCase({"mood": 3}, "mood", "Unknown field"),
    ApiCase({"calm": "abc"}, "calm", "whole number"),
    ApiCase({"calm": 2.5}, "calm", "whole number"),
    ApiCase({"lonely": None}, "lonely", "required"),
    ApiCase({"note": LONG_NOTE}, "note", "at most 4000 characters"),
    ApiCase({"sleep_hours": 25}, "sleep_hours", "at most 24"),
    ApiCase({"date": "15/06/2026"}, "date", "YYYY-MM-DD"),
    ApiCase({"date": "1899-12-31"}, "date", "at least 1900-01-01"),
    ApiCase({"note": "a\x00b"}, "note", "control character"),
    ApiCase({"other_substances": "x\ny"}, "other_substances", "control character"),
]


def case_id(case: ApiCase | FormCase) -> str:
    value = next(iter(case.changes.values()))
    shown = "missing" if value in (None, "") else str(value)[:12]
    return f"{case.field}={shown}"


def bad_payload(changes: dict[str, object], value: int = 5) -> dict[str, object]:
    """A check-in for today with `changes`; a None value leaves that field out."""
    payload = checkin_payload(TODAY, value=value, **changes)
    return {key: item for key, item in payload.items() if item is not None}


@pytest.fixture
def headers(client: TestClient, alice: User) -> dict[str, str]:
    return api_token(client, ALICE)


@pytest.fixture
def existing(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Alice's entry for today, made before the bad input arrives."""
    entry: dict[str, Any] = record(client, headers, checkin_payload(TODAY, value=2, note="Fine"))
    return entry


def todays_entry(client: TestClient, headers: dict[str, str], checkin_id: int) -> Any:
    return client.get(f"/api/v1/checkins/{checkin_id}", headers=headers).json()


# --- API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", API_CASES, ids=case_id)
def test_api_rejects_bad_input_naming_the_field(
    client: TestClient, headers: dict[str, str], session: Session, case: ApiCase
) -> None:
    response = client.post("/api/v1/checkins", json=bad_payload(case.changes), headers=headers)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert set(error["fields"]) == {case.field}
    assert case.words in error["fields"][case.field]
    assert case.field in error["message"]
    assert count_checkins(session) == 0


@pytest.mark.parametrize("case", API_CASES, ids=case_id)
def test_api_bad_input_leaves_the_days_entry_as_it_was(
    client: TestClient,
    headers: dict[str, str],
    existing: dict[str, Any],
    session: Session,
    case: ApiCase,
) -> None:
    response = client.post("/api/v1/checkins", json=bad_payload(case.changes), headers=headers)

    assert response.status_code == 422
    assert todays_entry(client, headers, existing["id"]) == existing
    assert count_checkins(session) == 1


def test_api_names_every_bad_field_at_once(client: TestClient, headers: dict[str, str]) -> None:
    payload = bad_payload({"joyful": 7, "event_pleasantness": 4, "sleep_hours": 25})

    response = client.post("/api/v1/checkins", json=payload, headers=headers)

    assert response.json()["error"]["fields"] == {
        "joyful": "Must be at most 6.",
        "event_pleasantness": "Must be at most 3.",
        "sleep_hours": "Must be at most 24.0.",
    }


def test_api_missing_items_are_each_named(client: TestClient, headers: dict[str, str]) -> None:
    payload = {"date": TODAY.isoformat(), "joyful": 3, "calm": 3}

    response = client.post("/api/v1/checkins", json=payload, headers=headers)

    fields = response.json()["error"]["fields"]
    assert response.status_code == 422
    assert len(fields) == 14
    assert "joyful" not in fields
    assert fields["detached"] == "This is required."


# --- HTML form ----------------------------------------------------------------------------------


class FormCase(NamedTuple):
    changes: dict[str, str]
    """Form fields changed from a complete form; an empty value is an unanswered question."""
    field: str
    words: str


FORM_CASES = [
    FormCase({"joyful": "7"}, "joyful", "at most 6"),
    FormCase({"sad": "-1"}, "sad", "at least 0"),
    FormCase({"event_pleasantness": "4"}, "event_pleasantness", "at most 3"),
    FormCase({"date": TOMORROW.isoformat()}, "date", "has not happened yet"),
    FormCase({"calm": "abc"}, "calm", "whole number"),
    FormCase({"calm": "2.5"}, "calm", "whole number"),
    FormCase({"lonely": ""}, "lonely", "0 (not at all) to 6 (extremely)"),
    FormCase({"note": LONG_NOTE}, "note", "at most 4000 characters"),
    FormCase({"sleep_hours": "25"}, "sleep_hours", "at most 24"),
]


@pytest.fixture
def csrf(client: TestClient, alice: User) -> str:
    sign_in(client, ALICE)
    return form_csrf(client)


@pytest.mark.parametrize("case", FORM_CASES, ids=case_id)
def test_form_rerenders_with_a_message_next_to_the_bad_field(
    client: TestClient, csrf: str, session: Session, case: FormCase
) -> None:
    data = form_data(csrf, value=5, note="Typed with care")
    data.update(case.changes)

    response = client.post("/checkins", data=data)

    assert response.status_code == 422
    assert "<html" in response.text
    message = field_error(response.text, case.field)
    assert message is not None
    assert case.words in message
    assert "Nothing was saved yet. Please check 1 answer:" in response.text
    assert count_checkins(session) == 0


@pytest.mark.parametrize("case", FORM_CASES, ids=case_id)
def test_form_keeps_what_was_typed(client: TestClient, csrf: str, case: FormCase) -> None:
    data = form_data(csrf, value=5, hopeful="1", sleep_hours="7.5", note="Typed with care")
    data.update(case.changes)

    html = client.post("/checkins", data=data).text

    assert radio_checked(html, "hopeful", 1)
    assert radio_checked(html, "detached", 5)
    assert not radio_checked(html, "detached", 4)
    if case.field != "note":
        assert ">Typed with care</textarea>" in html
    if case.field != "sleep_hours":
        assert 'value="7.5"' in html


def test_form_keeps_a_too_long_note_so_nothing_typed_is_lost(client: TestClient, csrf: str) -> None:
    html = client.post("/checkins", data=form_data(csrf, note=LONG_NOTE)).text

    assert f">{LONG_NOTE}</textarea>" in html


def test_form_keeps_the_out_of_range_choice_unchecked_and_the_rest_checked(
    client: TestClient, csrf: str
) -> None:
    html = client.post("/checkins", data=form_data(csrf, value=4, joyful="7")).text

    assert not any(radio_checked(html, "joyful", value) for value in range(7))
    assert radio_checked(html, "calm", 4)


def test_form_unknown_field_is_named_in_the_summary(
    client: TestClient, csrf: str, session: Session
) -> None:
    response = client.post("/checkins", data=form_data(csrf, mood="3"))

    assert response.status_code == 422
    assert '<a href="#mood-error">mood</a>: Unknown field' in response.text
    assert count_checkins(session) == 0


def test_form_bad_input_leaves_the_days_entry_as_it_was(
    client: TestClient, csrf: str, session: Session
) -> None:
    headers = api_token(client, ALICE)
    before = record(client, headers, checkin_payload(TODAY, value=2, note="Fine"))

    response = client.post(
        "/checkins", data=form_data(csrf, value=6, joyful="7", note="Changed my mind")
    )

    assert response.status_code == 422
    assert todays_entry(client, headers, before["id"]) == before
    assert count_checkins(session) == 1
    # What was typed is shown, not the stored entry, so nothing typed is lost.
    assert ">Changed my mind</textarea>" in response.text
    assert radio_checked(response.text, "calm", 6)


def test_form_names_every_bad_field(client: TestClient, csrf: str) -> None:
    data = form_data(csrf, joyful="9", event_pleasantness="-4", sleep_hours="25")

    html = client.post("/checkins", data=data).text

    assert "Please check 3 answers:" in html
    assert field_error(html, "joyful") == "Must be at most 6."
    assert field_error(html, "event_pleasantness") == "Must be at least -3."
    assert field_error(html, "sleep_hours") == "Must be at most 24.0."
    assert field_error(html, "calm") is None


def test_htmx_bad_input_answers_with_the_form_alone(
    client: TestClient, csrf: str, session: Session
) -> None:
    response = client.post(
        "/checkins", data=form_data(csrf, joyful="7"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<form method="post" action="/checkins"')
    assert field_error(response.text, "joyful") == "Must be at most 6."
    assert count_checkins(session) == 0


def test_form_without_a_csrf_token_is_refused_and_saves_nothing(
    client: TestClient, csrf: str, session: Session
) -> None:
    data = form_data(csrf)
    del data["csrf_token"]

    response = client.post("/checkins", data=data)

    assert response.status_code == 403
    assert count_checkins(session) == 0


def test_api_malformed_json_is_refused_with_a_plain_reason(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    before = count_checkins(session)

    response = client.post(
        "/api/v1/checkins",
        content=b'{"date": "2026-06-15", "joyful": ',
        headers={**headers, "content-type": "application/json"},
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["fields"]["body"].startswith("Invalid JSON")
    assert count_checkins(session) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/checkins/99999999999999999999"),
        ("DELETE", "/api/v1/checkins/99999999999999999999"),
        ("GET", "/api/v1/checkins/0"),
        ("DELETE", "/api/v1/auth/tokens/99999999999999999999"),
        ("GET", "/api/v1/checkins?to=0001-01-01"),
        ("GET", "/api/v1/checkins?from=0001-01-01&to=0001-01-02"),
    ],
)
def test_api_impossible_ids_and_dates_are_refused_naming_the_parameter(
    client: TestClient, headers: dict[str, str], method: str, path: str
) -> None:
    response = client.request(method, path, headers=headers)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert set(error["fields"]) <= {"checkin_id", "token_id", "from", "to"}


def test_api_a_note_keeps_its_line_breaks(client: TestClient, headers: dict[str, str]) -> None:
    note = "Slept badly.\nStill went for a walk.\tFelt nothing."

    entry = record(client, headers, checkin_payload(TODAY, note=note))

    assert entry["note"] == note


def test_html_impossible_id_is_refused_not_a_server_error(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)

    response = client.get("/checkins/99999999999999999999")

    assert response.status_code == 422
    assert "<html" in response.text
