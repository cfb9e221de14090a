"""Bad input to sharing, the clinician pages and the audit log: a clear 404 or 422 naming the
field, never a 500, and nothing changes."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.sharing.scopes import Scopes
from tests.conftest import api_token
from tests.sharing.conftest import ClientFor
from tests.sharing.helpers import (
    ALICE,
    CAROL,
    active_shares,
    audit_count,
    page_csrf,
    record_checkins,
    share,
)

BAD_IDS = ["0", "-1", "2147483648", "1" + "0" * 30, "abc", "1.5", "%20"]
MISSING_ID = "2147483647"
"""A well-formed id no row has: refused as not found, not as bad input."""


@pytest.fixture
def alice_shares(session: Session, alice: User, carol: User) -> User:
    record_checkins(session, alice, 20)
    share(session, alice, carol)
    return alice


def assert_refused(response: Any, field: str | None = None) -> None:
    assert response.status_code in (404, 422), (response.status_code, response.text)
    if response.status_code == 422 and field and response.request.url.path.startswith("/api/"):
        assert field in response.json()["error"]["fields"], response.text


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_person_ids_on_clinician_pages_and_endpoints(
    client_for: ClientFor, alice_shares: User, bad: str
) -> None:
    browser = client_for(CAROL)
    headers = api_token(browser, CAROL)

    for url in (
        f"/clinician/people/{bad}",
        f"/clinician/people/{bad}/report",
        f"/clinician/people/{bad}/report.pdf",
    ):
        assert_refused(browser.get(url))
    for url in (f"/api/v1/clinician/people/{bad}/range", f"/api/v1/clinician/people/{bad}/report"):
        assert_refused(browser.get(url, headers=headers), "person_id")


def test_a_well_formed_unknown_person_id_is_not_found(
    client_for: ClientFor, alice_shares: User
) -> None:
    browser = client_for(CAROL)
    headers = api_token(browser, CAROL)

    assert browser.get(f"/clinician/people/{MISSING_ID}").status_code == 404
    api = browser.get(f"/api/v1/clinician/people/{MISSING_ID}/range", headers=headers)
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("bad", [*BAD_IDS, MISSING_ID])
def test_bad_share_and_invitation_ids_change_nothing(
    client_for: ClientFor, session: Session, alice_shares: User, bad: str
) -> None:
    browser = client_for(ALICE)
    headers = api_token(browser, ALICE)
    csrf = {"csrf_token": page_csrf(browser, "/sharing")}
    entries = audit_count(session)

    for url in (
        f"/sharing/invitations/{bad}/cancel",
        f"/sharing/shares/{bad}",
        f"/sharing/shares/{bad}/revoke",
    ):
        assert_refused(browser.post(url, data=csrf, follow_redirects=False))
    assert_refused(
        browser.delete(f"/api/v1/shares/invitations/{bad}", headers=headers), "invitation_id"
    )
    assert_refused(browser.put(f"/api/v1/shares/{bad}", json={}, headers=headers), "share_id")
    assert_refused(browser.delete(f"/api/v1/shares/{bad}", headers=headers), "share_id")

    assert [row.scopes for row in active_shares(session)] == [Scopes()]
    assert audit_count(session) == entries


class BadBody(NamedTuple):
    method: str
    url: str
    body: dict[str, Any]
    field: str


NO_SCOPE = {"checkins": False, "questionnaires": False, "medications": False, "safety": False}


@pytest.fixture
def share_id(session: Session, alice: User, carol: User) -> int:
    return share(session, alice, carol).share_id


@pytest.mark.parametrize(
    "case",
    [
        BadBody("POST", "/api/v1/shares/invitations", {"checkins": True, "all": True}, "all"),
        BadBody("POST", "/api/v1/shares/invitations", {"notes": "maybe"}, "notes"),
        BadBody("POST", "/api/v1/shares/invitations", NO_SCOPE, "scopes"),
        BadBody("PUT", "/api/v1/shares/{share}", {"notes": True, "share_all": 1}, "share_all"),
        BadBody("PUT", "/api/v1/shares/{share}", {"medications": [True]}, "medications"),
        BadBody("PUT", "/api/v1/shares/{share}", NO_SCOPE, "scopes"),
    ],
    ids=lambda case: f"{case.method} {case.field}",
)
def test_the_sharing_api_refuses_bad_bodies_naming_the_field(
    client_for: ClientFor, session: Session, share_id: int, case: BadBody
) -> None:
    browser = client_for(ALICE)
    headers = api_token(browser, ALICE)
    entries = audit_count(session)

    response = browser.request(
        case.method, case.url.format(share=share_id), json=case.body, headers=headers
    )

    assert response.status_code == 422, response.text
    assert case.field in response.json()["error"]["fields"]
    assert [row.scopes for row in active_shares(session)] == [Scopes()]
    listed = browser.get("/api/v1/shares", headers=headers).json()
    assert listed["invitations"] == []
    assert audit_count(session) == entries


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "ABCD-EFGH-JKMN", "person_id": 1}, "person_id"),
        ({"code": ""}, "code"),
        ({"code": "A" * 41}, "code"),
        ({}, "code"),
        ({"code": "ABCD-EFGH-JKMN"}, "code"),
    ],
)
def test_accepting_through_the_api_refuses_bad_bodies_naming_the_field(
    client_for: ClientFor,
    session: Session,
    carol: User,
    body: dict[str, Any],
    field: str,
) -> None:
    browser = client_for(CAROL)

    response = browser.post("/api/v1/shares/accept", json=body, headers=api_token(browser, CAROL))

    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]
    assert active_shares(session) == []


def test_a_person_cannot_accept_and_a_clinician_cannot_invite_through_the_api(
    client: TestClient, session: Session, alice: User, carol: User
) -> None:
    alice_headers, carol_headers = api_token(client, ALICE), api_token(client, CAROL)
    created = client.post("/api/v1/shares/invitations", json={}, headers=alice_headers)
    assert created.status_code == 201
    assert created.json()["scopes"]["notes"] is False

    by_person = client.post(
        "/api/v1/shares/accept", json={"code": created.json()["code"]}, headers=alice_headers
    )
    by_clinician = client.post("/api/v1/shares/invitations", json={}, headers=carol_headers)

    assert by_person.status_code == 403
    assert by_clinician.status_code == 403
    assert active_shares(session) == []
    accepted = client.post(
        "/api/v1/shares/accept", json={"code": created.json()["code"]}, headers=carol_headers
    )
    assert accepted.status_code == 201
    assert accepted.json()["display_name"] == "Alice"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "15/06/2026"}, "to"),
        ({"from": "2026-06-14", "to": "2026-06-01"}, "from"),
    ],
)
def test_a_bad_report_period_names_the_field_and_is_not_logged(
    client_for: ClientFor,
    session: Session,
    alice_shares: User,
    params: dict[str, str],
    field: str,
) -> None:
    browser = client_for(CAROL)
    headers = api_token(browser, CAROL)
    entries = audit_count(session)

    page = browser.get(f"/clinician/people/{alice_shares.id}/report", params=params)
    api = browser.get(
        f"/api/v1/clinician/people/{alice_shares.id}/report", params=params, headers=headers
    )

    assert page.status_code == 422
    assert api.status_code == 422
    assert field in api.json()["error"]["fields"]
    assert audit_count(session) == entries


@pytest.mark.parametrize("before", ["0", "-5", "abc", "2147483648"])
def test_a_bad_page_of_the_audit_log_is_refused(
    client_for: ClientFor, alice_shares: User, before: str
) -> None:
    browser = client_for(ALICE)

    page = browser.get("/sharing/activity", params={"before": before})
    api = browser.get("/api/v1/audit", params={"before": before}, headers=api_token(browser, ALICE))

    assert page.status_code == 422
    assert api.status_code == 422
    assert "before" in api.json()["error"]["fields"]
