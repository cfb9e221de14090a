"""GET /api/v1/range: the contract's person object for the caller, their days and timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.engine import analyze
from affectrange.analysis.serialize import CONTRACT_METRICS, person_json
from affectrange.checkins import service as checkins
from affectrange.emotional_range.schemas import RangeRead
from affectrange.medications import service as medications
from tests.conftest import TODAY, api_token
from tests.emotional_range.helpers import (
    ALICE,
    BOB,
    CAROL,
    demo,
    demo_analysis,
    found_onset,
    load_story,
    record_days,
    steady_days,
)

CONTRACT_KEYS = {"person_id", "n_days", "first_date", "last_date", "pattern", "blunting", "metrics"}
BLUNTING_KEYS = {"detected", "onset_date", "after_event"}
AFTER_EVENT_KEYS = {"medication", "event", "date", "lag_days"}


@pytest.fixture
def alice_story(session: Session, alice: User) -> User:
    load_story(session, alice)
    return alice


def get_range(client: TestClient, email: str) -> dict[str, Any]:
    response = client.get("/api/v1/range", headers=api_token(client, email))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_body_has_every_contract_key(client: TestClient, alice_story: User) -> None:
    body = get_range(client, ALICE)

    assert body.keys() >= CONTRACT_KEYS
    blunting = body["blunting"]
    assert isinstance(blunting, dict)
    assert blunting.keys() == BLUNTING_KEYS
    assert blunting["after_event"].keys() == AFTER_EVENT_KEYS
    metrics = body["metrics"]
    assert isinstance(metrics, dict)
    assert set(CONTRACT_METRICS) <= metrics["current"].keys()
    assert set(CONTRACT_METRICS) <= metrics["baseline"].keys()
    RangeRead.model_validate(body)  # the documented model describes the body, key for key


def test_the_caller_gets_the_blunting_like_change_after_the_start(
    client: TestClient, alice_story: User
) -> None:
    story = demo()
    onset, link = found_onset(story, demo_analysis())

    body = get_range(client, ALICE)

    assert body["person_id"] == str(alice_story.id)
    assert story.truth.expected_pattern == "blunting_like"
    assert body["pattern"] == "blunting_like"
    assert body["blunting"] == {
        "detected": True,
        "onset_date": onset.isoformat(),
        "after_event": {
            "medication": "sertraline",
            "event": "start",
            "date": link.event.date.isoformat(),
            "lag_days": (onset - link.event.date).days,
        },
    }
    assert body["medication_events"] == [
        {
            "medication": event.medication,
            "event": event.event,
            "date": event.date.isoformat(),
            "dose_mg": event.dose_mg,
        }
        for event in story.medication_events
    ]
    assert [event["event"] for event in body["medication_events"]] == ["start", "dose_change"]


def test_the_analysis_part_is_exactly_the_engines_person_object(
    client: TestClient, session: Session, alice_story: User
) -> None:
    body = get_range(client, ALICE)
    first = dt.date.fromisoformat(str(body["first_date"]))

    series = checkins.daily_series(session, alice_story, first, TODAY)
    expected = person_json(
        str(alice_story.id), analyze(series, medications.timeline(session, alice_story))
    )

    # And the same object from the story's days straight into the engine, no database between.
    independent = person_json(str(alice_story.id), demo_analysis())

    days = body.pop("days")
    body.pop("medication_events")
    assert body == expected == independent
    assert list(body) == list(expected)  # the contract's order, too
    assert body["first_date"] == demo().days[0].date.isoformat()
    assert isinstance(days, list)
    assert len(days) == expected["n_days"] == len(demo().days)


def test_the_days_are_the_means_of_each_valence(
    client: TestClient, session: Session, alice: User
) -> None:
    # Positive items 4, negative items 1, numbness items 2: means checked by hand.
    negative = dict.fromkeys(("sad", "anxious", "irritable", "guilty", "stressed", "lonely"), 1)
    numbness = dict.fromkeys(("numb", "indifferent", "detached"), 2)
    days = steady_days(14, value=4, items=negative | numbness)
    record_days(session, alice, days)
    session.commit()

    body = get_range(client, ALICE)

    assert body["days"][0] == {"date": "2026-06-02", "pa": 4.0, "na": 1.0, "numbness": 2.0}
    assert len(body["days"]) == 14
    assert body["first_date"] == "2026-06-02"
    assert body["n_days"] == 14


def test_no_check_ins_means_insufficient_data(client: TestClient, alice: User) -> None:
    body = get_range(client, ALICE)

    assert body["pattern"] == "insufficient_data"
    assert body["n_days"] == 0
    assert body["days"] == []
    assert body["medication_events"] == []
    assert body["blunting"] == {"detected": False, "onset_date": None, "after_event": None}
    assert body["metrics"]["baseline"] is None
    RangeRead.model_validate(body)


def test_bob_gets_his_own_numbers_never_alices(
    client: TestClient, session: Session, alice_story: User, bob: User
) -> None:
    record_days(session, bob, steady_days(20, value=2))
    session.commit()

    body = get_range(client, BOB)

    assert body["person_id"] == str(bob.id)
    assert body["n_days"] == 20
    assert body["medication_events"] == []
    assert {day["pa"] for day in body["days"]} == {2.0}
    assert body["first_date"] == (TODAY - dt.timedelta(days=19)).isoformat()


def test_without_a_token_the_answer_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/range")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_wrong_token_is_401(client: TestClient, alice: User) -> None:
    response = client.get("/api/v1/range", headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401


def test_a_clinician_is_refused(client: TestClient, carol: User) -> None:
    response = client.get("/api/v1/range", headers=api_token(client, CAROL))

    assert response.status_code == 403


def test_the_endpoint_is_in_the_openapi_document(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()

    operation = document["paths"]["/api/v1/range"]["get"]
    assert operation["security"] == [{"bearer": []}]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/RangeRead")
