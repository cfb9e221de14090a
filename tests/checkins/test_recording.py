"""Recording a day's check-in through the API and the HTML form: one entry per day."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from tests.checkins.helpers import ALICE, count_checkins, form_csrf, form_data, record
from tests.conftest import TODAY, api_token, checkin_payload, sign_in
from tests.support.clock import FrozenClock


@pytest.fixture
def headers(client: TestClient, alice: User) -> dict[str, str]:
    return api_token(client, ALICE)


def list_days(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get("/api/v1/checkins", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [entry["date"] for entry in response.json()["checkins"]]


def test_api_post_creates_then_a_second_post_the_same_day_replaces_it(
    client: TestClient, headers: dict[str, str], session: Session, clock: FrozenClock
) -> None:
    first = client.post("/api/v1/checkins", json=checkin_payload(value=4), headers=headers)
    clock.advance(dt.timedelta(hours=3))
    second = client.post(
        "/api/v1/checkins", json=checkin_payload(value=1, joyful=6), headers=headers
    )

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert (second.json()["joyful"], second.json()["calm"], second.json()["sad"]) == (6, 1, 1)
    # PA = (6 + 1*6) / 7; NA and numbness are all ones.
    assert second.json()["pa"] == pytest.approx(12 / 7, abs=1e-3)
    assert (second.json()["na"], second.json()["numbness"]) == (1.0, 1.0)
    assert count_checkins(session) == 1


def test_a_double_submit_in_the_same_instant_is_an_update(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    first = client.post("/api/v1/checkins", json=checkin_payload(value=4), headers=headers)
    again = client.post("/api/v1/checkins", json=checkin_payload(value=5), headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["calm"] == 5
    assert count_checkins(session) == 1


def test_html_form_saves_and_redirects_to_the_list_with_a_notice(
    client: TestClient, alice: User, session: Session
) -> None:
    sign_in(client, ALICE)
    data = form_data(form_csrf(client), value=2, joyful="5", note="Quiet day")

    response = client.post("/checkins", data=data, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/checkins?saved=2026-06-15&created=1"
    page = client.get(response.headers["location"])
    assert "Saved your check-in for Monday, June 15." in page.text
    assert "Quiet day" in page.text
    saved = client.get("/api/v1/checkins", headers=api_token(client, ALICE)).json()["checkins"]
    assert [(c["date"], c["joyful"], c["calm"], c["note"]) for c in saved] == [
        ("2026-06-15", 5, 2, "Quiet day")
    ]
    assert count_checkins(session) == 1


def test_html_form_second_save_the_same_day_says_updated(
    client: TestClient, alice: User, session: Session
) -> None:
    sign_in(client, ALICE)
    csrf = form_csrf(client)
    client.post("/checkins", data=form_data(csrf, value=2), follow_redirects=False)

    again = client.post("/checkins", data=form_data(csrf, value=4), follow_redirects=False)

    assert again.headers["location"] == "/checkins?saved=2026-06-15&updated=1"
    assert count_checkins(session) == 1


def test_htmx_form_post_answers_204_with_hx_redirect(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)

    response = client.post(
        "/checkins",
        data=form_data(form_csrf(client)),
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/checkins?saved=2026-06-15&created=1"


def test_form_for_an_existing_day_is_prefilled_with_its_answers(
    client: TestClient, headers: dict[str, str]
) -> None:
    record(client, headers, checkin_payload(value=1, hopeful=6, note="Rainy"))
    sign_in(client, ALICE)

    page = client.get("/checkins/new")

    assert 'id="hopeful-6" name="hopeful" value="6" checked' in page.text
    assert 'id="calm-1" name="calm" value="1" checked' in page.text
    assert "saving replaces its answers" in page.text
    assert ">Rainy</textarea>" in page.text


def test_backfilled_day_is_marked_and_today_is_not(
    client: TestClient, headers: dict[str, str]
) -> None:
    yesterday = record(client, headers, checkin_payload(TODAY - dt.timedelta(days=1)))
    today = record(client, headers, checkin_payload(TODAY))

    assert yesterday["backfilled"] is True
    assert today["backfilled"] is False


def test_changing_todays_entry_after_midnight_marks_it_backfilled(
    client: TestClient, headers: dict[str, str], clock: FrozenClock
) -> None:
    on_time = record(client, headers, checkin_payload(TODAY, value=3))
    clock.advance(dt.timedelta(days=1))  # 2026-06-16, noon in New York

    late = client.post("/api/v1/checkins", json=checkin_payload(TODAY, value=4), headers=headers)

    assert on_time["backfilled"] is False
    assert late.status_code == 200
    assert (late.json()["id"], late.json()["backfilled"]) == (on_time["id"], True)


def test_a_backfilled_entry_stays_marked_after_a_later_edit_on_time(
    client: TestClient, headers: dict[str, str], clock: FrozenClock
) -> None:
    record(client, headers, checkin_payload(TODAY, value=3))
    clock.advance(dt.timedelta(days=1))
    record(client, headers, checkin_payload(TODAY, value=4))
    clock.advance(dt.timedelta(days=-1))

    edited = record(client, headers, checkin_payload(TODAY, value=5))

    assert (edited["calm"], edited["backfilled"]) == (5, True)


def test_optional_context_fields_round_trip(client: TestClient, headers: dict[str, str]) -> None:
    context: dict[str, object] = {
        "event_pleasantness": -2,
        "sleep_hours": 7.5,
        "exercise_minutes": 30,
        "social_minutes": 120,
        "alcohol_drinks": 2,
        "other_substances": "coffee, 3 cups",
        "note": "Long walk by the river.\nFelt better after.",
    }
    saved = record(client, headers, {**checkin_payload(), **context})

    read = client.get(f"/api/v1/checkins/{saved['id']}", headers=headers).json()

    assert {key: read[key] for key in context} == context


def test_context_left_out_is_empty_and_blank_text_is_stored_as_empty(
    client: TestClient, headers: dict[str, str]
) -> None:
    saved = record(client, headers, checkin_payload(note="   ", other_substances=""))

    assert saved["note"] is None
    assert saved["other_substances"] is None
    assert saved["event_pleasantness"] is None
    assert saved["sleep_hours"] is None


def test_html_form_context_fields_round_trip(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)
    data = form_data(
        form_csrf(client),
        event_pleasantness="3",
        sleep_hours="6.5",
        exercise_minutes="45",
        social_minutes="90",
        alcohol_drinks="1",
        other_substances="none",
        note="Birthday dinner",
    )

    client.post("/checkins", data=data, follow_redirects=False)

    saved = client.get("/api/v1/checkins", headers=api_token(client, ALICE)).json()["checkins"][0]
    assert (
        saved["event_pleasantness"],
        saved["sleep_hours"],
        saved["exercise_minutes"],
        saved["social_minutes"],
        saved["alcohol_drinks"],
        saved["other_substances"],
        saved["note"],
    ) == (3, 6.5, 45, 90, 1, "none", "Birthday dinner")


def test_list_filters_the_range_inclusively(client: TestClient, headers: dict[str, str]) -> None:
    for day in (1, 5, 10, 15):
        record(client, headers, checkin_payload(dt.date(2026, 6, day)))

    days = list_days(client, headers, **{"from": "2026-06-05", "to": "2026-06-10"})

    assert days == ["2026-06-05", "2026-06-10"]


def test_list_defaults_to_the_last_90_days(client: TestClient, headers: dict[str, str]) -> None:
    # 2026-03-18 is 89 days before 2026-06-15, so the 90th day back; 2026-03-17 is the 91st.
    for day in (dt.date(2026, 3, 17), dt.date(2026, 3, 18), TODAY):
        record(client, headers, checkin_payload(day))

    assert list_days(client, headers) == ["2026-03-18", "2026-06-15"]


def test_list_with_start_after_end_is_refused_naming_from(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get(
        "/api/v1/checkins", params={"from": "2026-06-10", "to": "2026-06-01"}, headers=headers
    )

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"from"}


def test_late_evening_in_new_york_is_still_the_same_day(
    client: TestClient, headers: dict[str, str], clock: FrozenClock, session: Session
) -> None:
    clock.moment = dt.datetime(2026, 6, 16, 2, 0, tzinfo=dt.UTC)  # 22:00 on June 15 in New York

    tomorrow = client.post(
        "/api/v1/checkins", json=checkin_payload(dt.date(2026, 6, 16)), headers=headers
    )
    today = client.post(
        "/api/v1/checkins", json=checkin_payload(dt.date(2026, 6, 15)), headers=headers
    )

    assert tomorrow.status_code == 422
    assert "not happened yet" in tomorrow.json()["error"]["fields"]["date"]
    assert today.status_code == 201
    assert today.json()["backfilled"] is False
    assert count_checkins(session) == 1
