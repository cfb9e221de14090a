"""Check-ins belong to the person who made them: others get 404, clinicians 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from affectrange.accounts.models import User
from tests.checkins.helpers import ALICE, BOB, CAROL, form_csrf, form_data, record
from tests.conftest import TODAY, api_token, checkin_payload, csrf_from, sign_in

ALICES_NOTE = "Argument with my sister"


@pytest.fixture
def alices_checkin(client: TestClient, alice: User) -> dict[str, Any]:
    headers = api_token(client, ALICE)
    entry: dict[str, Any] = record(
        client, headers, checkin_payload(value=2, note=ALICES_NOTE, sleep_hours=6.5)
    )
    return entry


def alices_view(client: TestClient, checkin_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/checkins/{checkin_id}", headers=api_token(client, ALICE))
    assert response.status_code == 200, response.text
    entry: dict[str, Any] = response.json()
    return entry


def test_bob_gets_404_for_alices_checkin_in_the_api(
    client: TestClient, alices_checkin: dict[str, Any], bob: User
) -> None:
    bobs_headers = api_token(client, BOB)
    url = f"/api/v1/checkins/{alices_checkin['id']}"

    read = client.get(url, headers=bobs_headers)
    deleted = client.delete(url, headers=bobs_headers)

    for response in (read, deleted):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert ALICES_NOTE not in response.text
    assert alices_view(client, alices_checkin["id"]) == alices_checkin


def test_bob_gets_404_for_alices_checkin_page_and_its_delete_button(
    client: TestClient, alices_checkin: dict[str, Any], bob: User
) -> None:
    sign_in(client, BOB)
    csrf = form_csrf(client)

    page = client.get(f"/checkins/{alices_checkin['id']}")
    deleted = client.post(
        f"/checkins/{alices_checkin['id']}/delete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )

    for response in (page, deleted):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert ALICES_NOTE not in response.text
    assert alices_view(client, alices_checkin["id"]) == alices_checkin


def test_alice_can_open_and_delete_her_own_checkin(
    client: TestClient, alices_checkin: dict[str, Any]
) -> None:
    sign_in(client, ALICE)
    page = client.get(f"/checkins/{alices_checkin['id']}")
    assert page.status_code == 200
    assert ALICES_NOTE in page.text

    deleted = client.post(
        f"/checkins/{alices_checkin['id']}/delete",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )

    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/checkins?deleted=1"
    gone = client.get(f"/api/v1/checkins/{alices_checkin['id']}", headers=api_token(client, ALICE))
    assert gone.status_code == 404


def test_bobs_lists_never_contain_alices_entries(
    client: TestClient, alices_checkin: dict[str, Any], bob: User
) -> None:
    bobs_headers = api_token(client, BOB)
    bobs_own = record(client, bobs_headers, checkin_payload(TODAY - dt.timedelta(days=1), value=5))

    listed = client.get(
        "/api/v1/checkins",
        params={"from": "2000-01-01", "to": TODAY.isoformat()},
        headers=bobs_headers,
    )
    sign_in(client, BOB)
    page = client.get("/checkins?days=365")

    assert [entry["id"] for entry in listed.json()["checkins"]] == [bobs_own["id"]]
    assert f'href="/checkins/{bobs_own["id"]}"' in page.text
    assert f'href="/checkins/{alices_checkin["id"]}"' not in page.text
    assert ALICES_NOTE not in page.text


def test_bob_posting_the_same_day_does_not_touch_alices_entry(
    client: TestClient, alices_checkin: dict[str, Any], bob: User
) -> None:
    bobs = record(client, api_token(client, BOB), checkin_payload(value=6))

    assert bobs["id"] != alices_checkin["id"]
    assert alices_view(client, alices_checkin["id"]) == alices_checkin


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/checkins"), ("GET", "/checkins/new"), ("POST", "/checkins")],
)
def test_clinician_gets_403_on_checkin_pages(
    client: TestClient, carol: User, method: str, path: str
) -> None:
    sign_in(client, CAROL)
    csrf = csrf_from(client.get("/account").text)

    response = client.request(method, path, data=form_data(csrf) if method == "POST" else None)

    assert response.status_code == 403
    assert "people keeping their own check-ins" in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/checkins"), ("POST", "/api/v1/checkins"), ("GET", "/api/v1/checkins/1")],
)
def test_clinician_gets_403_from_the_checkin_api(
    client: TestClient, carol: User, method: str, path: str
) -> None:
    headers = api_token(client, CAROL)

    response = client.request(
        method, path, headers=headers, json=checkin_payload() if method == "POST" else None
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
