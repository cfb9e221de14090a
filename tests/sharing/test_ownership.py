"""Dave (a clinician alice does not share with) and bob (another person) see nothing of alice's.

Alice shares everything, notes included, with carol, so each clinician page holds her name, her
notes and her medications for carol: the same requests by dave must answer 404 with none of it.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.sharing.scopes import Scopes
from tests.conftest import api_token
from tests.sharing.conftest import ClientFor
from tests.sharing.helpers import (
    ALICE,
    BOB,
    CAROL,
    CHECKIN_NOTE,
    DAVE,
    MEDICATION_NOTE,
    audit_entries,
    record_checkins,
    record_medication,
    share,
)
from tests.sharing.test_revocation import clinician_urls

EVERYTHING = Scopes.everything()


@pytest.fixture
def alice_shares_with_carol(session: Session, alice: User, carol: User) -> User:
    record_checkins(session, alice, 20, note_on_last=CHECKIN_NOTE)
    record_medication(session, alice, note=MEDICATION_NOTE)
    share(session, alice, carol, EVERYTHING)
    return alice


def secrets_of(alice: User) -> tuple[str, ...]:
    """What must never reach someone alice does not share with."""
    return ("Alice", ALICE, CHECKIN_NOTE, MEDICATION_NOTE, "escitalopram")


def get(browser: TestClient, url: str, headers: dict[str, str]) -> tuple[int, str]:
    response = browser.get(url, headers=headers if url.startswith("/api/") else {})
    return response.status_code, response.text


def test_carol_does_see_alices_record(client_for: ClientFor, alice_shares_with_carol: User) -> None:
    """The control for the test below: the same requests by carol do show what dave must not."""
    alice = alice_shares_with_carol
    carol = client_for(CAROL)
    headers = api_token(carol, CAROL)

    status, page = get(carol, f"/clinician/people/{alice.id}", headers)

    assert status == 200
    assert all(secret in page for secret in ("Alice", CHECKIN_NOTE, MEDICATION_NOTE))
    assert {get(carol, url, headers)[0] for url in clinician_urls(alice.id)} == {200}


def test_dave_gets_404_everywhere_without_a_word_of_alices(
    client_for: ClientFor, alice_shares_with_carol: User, dave: User
) -> None:
    alice = alice_shares_with_carol
    browser = client_for(DAVE)
    headers = api_token(browser, DAVE)

    for url in clinician_urls(alice.id):
        status, body = get(browser, url, headers)
        assert status == 404, url
        for secret in secrets_of(alice):
            assert secret.lower() not in body.lower(), (url, secret)


def test_daves_dashboard_is_empty(
    client_for: ClientFor, alice_shares_with_carol: User, dave: User
) -> None:
    browser = client_for(DAVE)
    headers = api_token(browser, DAVE)

    dashboard = browser.get("/clinician")
    people = browser.get("/api/v1/clinician/people", headers=headers)

    assert dashboard.status_code == 200
    assert 'data-testid="dashboard-empty"' in dashboard.text
    assert "alice" not in dashboard.text.lower()
    assert people.status_code == 200
    assert people.json() == []


def test_dave_leaves_no_trace_in_alices_log(
    client_for: ClientFor, session: Session, alice_shares_with_carol: User, dave: User
) -> None:
    alice = alice_shares_with_carol
    before = audit_entries(session, subject=alice)
    browser = client_for(DAVE)
    headers = api_token(browser, DAVE)

    for url in ["/clinician", "/api/v1/clinician/people", *clinician_urls(alice.id)]:
        get(browser, url, headers)

    assert [entry.seq for entry in audit_entries(session, subject=alice)] == [
        entry.seq for entry in before
    ]
    assert all(entry.actor_id != dave.id for entry in audit_entries(session))


def test_the_audit_log_is_for_people_only(
    client_for: ClientFor, alice_shares_with_carol: User, dave: User
) -> None:
    for email in (DAVE, CAROL):
        browser = client_for(email)
        headers = api_token(browser, email)

        page = browser.get("/sharing/activity")
        api = browser.get("/api/v1/audit", headers=headers)

        assert page.status_code == 403, email
        assert api.status_code == 403, email
        assert api.json()["error"]["code"] == "forbidden"
        assert "alice" not in page.text.lower()


def test_bob_sees_only_his_own_log(
    client_for: ClientFor, session: Session, alice_shares_with_carol: User, bob: User, carol: User
) -> None:
    alice = alice_shares_with_carol
    share(session, bob, carol, Scopes(notes=False))
    carol_browser = client_for(CAROL)
    assert carol_browser.get(f"/clinician/people/{alice.id}").status_code == 200
    bob_browser = client_for(BOB)

    api = bob_browser.get("/api/v1/audit", headers=api_token(bob_browser, BOB))
    page = bob_browser.get("/sharing/activity")

    assert api.status_code == 200
    assert page.status_code == 200
    ours = {entry.seq for entry in audit_entries(session, subject=bob)}
    theirs = {entry.seq for entry in audit_entries(session, subject=alice)}
    assert ours  # both have entries: the filter is what is tested
    assert theirs
    assert {entry["seq"] for entry in api.json()} == ours
    assert "record page" not in page.text  # carol opened alice's page, not bob's
    assert "alice" not in page.text.lower()
    assert "alice" not in api.text.lower()


def test_bob_is_refused_on_every_clinician_page_and_endpoint(
    client_for: ClientFor, alice_shares_with_carol: User, bob: User
) -> None:
    alice = alice_shares_with_carol
    browser = client_for(BOB)
    headers = api_token(browser, BOB)

    for url in ["/clinician", "/api/v1/clinician/people", *clinician_urls(alice.id)]:
        status, body = get(browser, url, headers)
        assert status in (403, 404), url
        for secret in secrets_of(alice):
            assert secret.lower() not in body.lower(), (url, secret)
    assert get(browser, "/clinician", headers)[0] == 403
    assert get(browser, "/api/v1/clinician/people", headers)[0] == 403
