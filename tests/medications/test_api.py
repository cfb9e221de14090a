"""The medication timeline's /api/v1 endpoints, with a bearer token.

TODAY is 15 June 2026 in alice's New York; a start on 28 May 2026 is re-assessed on 11 June,
25 June and 23 July 2026.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.medications.models import MedicationEvent
from affectrange.questionnaires.models import Reassessment
from tests.conftest import api_token

ALICE = "alice@example.org"
BOB = "bob@example.org"
URL = "/api/v1/medications"


def payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "medication": "sertraline",
        "event": "start",
        "date": "2026-05-28",
        "dose_mg": 50,
    }
    body.update(overrides)
    return body


def count(session: Session, model: type[MedicationEvent] | type[Reassessment]) -> int:
    found = session.scalar(select(func.count()).select_from(model))
    session.commit()
    return int(found or 0)


@pytest.fixture
def headers(client: TestClient, alice: User) -> dict[str, str]:
    return api_token(client, ALICE)


def create(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post(URL, json=payload(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_answers_201_with_the_code_and_the_reassessments(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = create(client, headers)

    assert body["medication"] == "sertraline"
    assert body["rxcui"] == "36437"
    assert (body["event"], body["date"], body["dose_mg"], body["note"]) == (
        "start",
        "2026-05-28",
        50.0,
        None,
    )
    assert {item["due_on"] for item in body["reassessments"]} == {
        "2026-06-11",
        "2026-06-25",
        "2026-07-23",
    }
    assert {
        "instrument": "phq9",
        "due_on": "2026-06-11",
        "reason": "2 weeks after starting sertraline on 28 May 2026",
    } in body["reassessments"]
    assert body["talk_to_prescriber"] is False
    assert body["crisis_support"] is None


def test_list_get_update_and_delete(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    first = create(client, headers)
    second = create(client, headers, event="dose_change", dose_mg=100, date="2026-06-01")

    listed = client.get(URL, headers=headers).json()["events"]
    fetched = client.get(f"{URL}/{first['id']}", headers=headers)
    updated = client.put(f"{URL}/{first['id']}", json=payload(date="2026-06-04"), headers=headers)

    assert [event["id"] for event in listed] == [first["id"], second["id"]]  # oldest first
    assert fetched.status_code == 200
    assert fetched.json()["date"] == "2026-05-28"
    assert updated.status_code == 200
    assert {item["due_on"] for item in updated.json()["reassessments"]} == {
        "2026-06-18",
        "2026-07-02",
        "2026-07-30",
    }
    reassessments_before = count(session, Reassessment)

    deleted = client.delete(f"{URL}/{first['id']}", headers=headers)

    assert deleted.status_code == 204
    assert client.get(f"{URL}/{first['id']}", headers=headers).status_code == 404
    assert count(session, MedicationEvent) == 1
    assert count(session, Reassessment) == reassessments_before // 2


def test_a_stop_without_a_dose_asks_for_the_prescriber_card(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = create(client, headers, event="stop", dose_mg=None, date="2026-06-15")

    assert body["dose_mg"] is None
    assert body["talk_to_prescriber"] is True


def test_the_catalogue_search(client: TestClient, headers: dict[str, str]) -> None:
    sert = client.get(f"{URL}/catalogue", params={"q": "sert"}, headers=headers).json()
    ssri = client.get(f"{URL}/catalogue", params={"q": "ssri"}, headers=headers).json()
    limited = client.get(f"{URL}/catalogue", params={"q": "a", "limit": 2}, headers=headers)

    assert sert["medications"] == [
        {
            "name": "sertraline",
            "drug_class": "SSRI",
            "class_name": "selective serotonin reuptake inhibitor",
            "rxcui": "36437",
            "rxcui_status": "CPIC",
            "note": None,
        }
    ]
    assert len(ssri["medications"]) == 6
    assert len(limited.json()["medications"]) == 2


def test_the_api_needs_a_token(client: TestClient) -> None:
    for response in (
        client.get(URL),
        client.post(URL, json=payload()),
        client.get(f"{URL}/catalogue", params={"q": "sert"}),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"dose_mg": None}, "dose_mg"),
        ({"event": "dose_change", "dose_mg": None}, "dose_mg"),
        ({"dose_mg": 0}, "dose_mg"),
        ({"dose_mg": 10_001}, "dose_mg"),
        ({"date": "2026-06-16"}, "date"),
        ({"date": "1899-12-31"}, "date"),
        ({"date": "not a date"}, "date"),
        ({"event": "pause"}, "event"),
        ({"event": None}, "event"),
        ({"medication": ""}, "medication"),
        ({"medication": "x" * 121}, "medication"),
        ({"medication": "sertra\x00line"}, "medication"),
        ({"note": "x" * 1001}, "note"),
        ({"frequency": "daily"}, "frequency"),
    ],
)
def test_bad_input_answers_422_naming_the_field_and_changes_nothing(
    client: TestClient,
    headers: dict[str, str],
    session: Session,
    overrides: dict[str, Any],
    field: str,
) -> None:
    response = client.post(URL, json=payload(**overrides), headers=headers)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert list(error["fields"]) == [field]
    assert count(session, MedicationEvent) == 0
    assert count(session, Reassessment) == 0


def test_a_bad_update_changes_nothing(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    created = create(client, headers)

    response = client.put(
        f"{URL}/{created['id']}", json=payload(dose_mg=0, unknown=1), headers=headers
    )

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"dose_mg", "unknown"}
    assert client.get(f"{URL}/{created['id']}", headers=headers).json()["dose_mg"] == 50


def test_an_id_that_cannot_exist_is_404_or_422_never_500(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert client.get(f"{URL}/0", headers=headers).status_code == 422
    assert client.get(f"{URL}/{2**31}", headers=headers).status_code == 422
    assert client.get(f"{URL}/12345", headers=headers).status_code == 404


# --- owners -----------------------------------------------------------------------------------


def test_bob_gets_404_for_alices_event_and_his_list_never_shows_it(
    client: TestClient, headers: dict[str, str], bob: User, session: Session
) -> None:
    created = create(client, headers)
    bobs = api_token(client, BOB)
    target = f"{URL}/{created['id']}"

    responses = (
        client.get(target, headers=bobs),
        client.put(target, json=payload(dose_mg=200), headers=bobs),
        client.delete(target, headers=bobs),
    )

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert all(r.json()["error"]["code"] == "not_found" for r in responses)
    assert client.get(URL, headers=bobs).json() == {"events": []}
    assert client.get(target, headers=headers).json()["dose_mg"] == 50
    assert count(session, MedicationEvent) == 1
