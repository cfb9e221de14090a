"""Revoking: carol loses access to alice's record on her very next request, everywhere.

First in one database through two browsers; then with real commits through two independent
apps (each with its own engine and connection pool, as two server processes would be), and with
two service-level sessions where the revoke commits between carol's read and its audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role, User
from affectrange.accounts.schemas import RegisterForm
from affectrange.app import create_app
from affectrange.audit.models import AuditAction
from affectrange.config import Settings
from affectrange.db import Database, create_database, session_scope
from affectrange.errors import NotFound
from affectrange.sharing import service
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW, PASSWORD, api_token, make_settings, sign_in
from tests.sharing.conftest import ClientFor
from tests.sharing.helpers import (
    ADDRESS,
    ALICE,
    CAROL,
    audit_entries,
    page_csrf,
    record_checkins,
    share,
    text_of,
)
from tests.support.clock import FrozenClock


def clinician_urls(person_id: int) -> list[str]:
    """Every page and API endpoint that reads one person's record."""
    return [
        f"/clinician/people/{person_id}",
        f"/clinician/people/{person_id}/report",
        f"/clinician/people/{person_id}/report.pdf",
        f"/api/v1/clinician/people/{person_id}/range",
        f"/api/v1/clinician/people/{person_id}/report",
    ]


def statuses(browser: TestClient, headers: dict[str, str], person_id: int) -> dict[str, int]:
    return {
        url: browser.get(url, headers=headers if "/api/" in url else {}).status_code
        for url in clinician_urls(person_id)
    }


def revoke_in_the_browser(browser: TestClient) -> None:
    page = browser.get("/sharing").text
    [share_id] = set(re.findall(r'action="/sharing/shares/(\d+)/revoke"', page))
    response = browser.post(
        f"/sharing/shares/{share_id}/revoke",
        data={"csrf_token": page_csrf(browser, "/sharing")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    after = browser.get(response.headers["location"])
    assert 'data-testid="revoked-notice"' in after.text
    assert 'data-testid="no-shares"' in after.text


def assert_carol_sees_nothing_of(
    browser: TestClient, headers: dict[str, str], person_id: int
) -> None:
    assert statuses(browser, headers, person_id) == dict.fromkeys(clinician_urls(person_id), 404)
    dashboard = browser.get("/clinician")
    assert dashboard.status_code == 200
    assert 'data-testid="dashboard-empty"' in dashboard.text
    assert f'data-person="{person_id}"' not in dashboard.text
    people = browser.get("/api/v1/clinician/people", headers=headers)
    assert people.status_code == 200
    assert people.json() == []


def test_carols_next_request_after_alice_revokes_is_refused_everywhere(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    record_checkins(session, alice, 20)
    share(session, alice, carol)
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    headers = api_token(carol_browser, CAROL)
    assert statuses(carol_browser, headers, alice.id) == dict.fromkeys(
        clinician_urls(alice.id), 200
    )
    assert [
        row["person_id"]
        for row in carol_browser.get("/api/v1/clinician/people", headers=headers).json()
    ] == [alice.id]

    revoke_in_the_browser(alice_browser)

    assert_carol_sees_nothing_of(carol_browser, headers, alice.id)
    not_found = carol_browser.get(f"/clinician/people/{alice.id}")
    assert "Alice" not in text_of(not_found.text)


def test_revoking_through_the_api_works_the_same(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    record = share(session, alice, carol)
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    alice_headers, carol_headers = api_token(alice_browser, ALICE), api_token(carol_browser, CAROL)

    revoked = alice_browser.delete(f"/api/v1/shares/{record.share_id}", headers=alice_headers)
    again = alice_browser.delete(f"/api/v1/shares/{record.share_id}", headers=alice_headers)

    assert revoked.status_code == 204
    assert again.status_code == 404
    assert alice_browser.get("/api/v1/shares", headers=alice_headers).json()["shares"] == []
    assert_carol_sees_nothing_of(carol_browser, carol_headers, alice.id)


def test_alice_can_share_again_after_revoking(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    share(session, alice, carol)
    revoke_in_the_browser(client_for(ALICE))

    share(session, alice, carol, Scopes(medications=False))

    carol_browser = client_for(CAROL)
    assert carol_browser.get(f"/clinician/people/{alice.id}").status_code == 200
    assert [row.scopes for row in service.shared_records(session, carol)] == [
        Scopes(medications=False)
    ]


# --- real commits, independent connections -----------------------------------------------------


def register(session: Session, settings: Settings, email: str, role: Role) -> User:
    form = RegisterForm(
        email=email,
        display_name=email.split("@", maxsplit=1)[0].title(),
        password=PASSWORD,
        password_repeat=PASSWORD,
        timezone="America/New_York",
    )
    return accounts.register_user(session, settings, form, now=NOW, role=role)


class Installation:
    """Alice and carol registered and sharing, committed, in `committing_database`."""

    def __init__(self, database: Database) -> None:
        self.url = database.engine.url.render_as_string(hide_password=False)
        self.settings = make_settings(self.url)
        with session_scope(database) as session:
            alice = register(session, self.settings, ALICE, Role.PERSON)
            carol = register(session, self.settings, CAROL, Role.CLINICIAN)
            code = service.create_invitation(
                session, alice, scopes=Scopes(), now=NOW, address=ADDRESS
            ).code
            service.accept_invitation(session, carol, code, now=NOW, address=ADDRESS)
            self.alice_id, self.carol_id = alice.id, carol.id


@pytest.fixture
def installation(committing_database: Database) -> Installation:
    return Installation(committing_database)


@pytest.fixture
def second_database(installation: Installation) -> Iterator[Database]:
    """The same database file or server, opened again: nothing shared with the first."""
    database = create_database(installation.url)
    yield database
    database.dispose()


def app_on(installation: Installation, database: Database) -> FastAPI:
    return create_app(installation.settings, database=database, clock=FrozenClock(NOW))


def test_a_revoke_committed_by_one_server_is_honoured_by_another(
    committing_database: Database, second_database: Database, installation: Installation
) -> None:
    alice_app = app_on(installation, committing_database)
    carol_app = app_on(installation, second_database)
    with (
        TestClient(alice_app, base_url="http://testserver") as alice_browser,
        TestClient(carol_app, base_url="http://testserver") as carol_browser,
    ):
        sign_in(alice_browser, ALICE)
        sign_in(carol_browser, CAROL)
        headers = api_token(carol_browser, CAROL)
        person = f"/clinician/people/{installation.alice_id}"
        assert carol_browser.get(person).status_code == 200
        assert len(carol_browser.get("/api/v1/clinician/people", headers=headers).json()) == 1

        revoke_in_the_browser(alice_browser)

        assert_carol_sees_nothing_of(carol_browser, headers, installation.alice_id)


def test_a_revoke_committed_during_carols_read_refuses_that_read(
    committing_database: Database, second_database: Database, installation: Installation
) -> None:
    """Carol's read has passed the share check when alice's revoke commits; the audit step
    checks again in its own write transaction and refuses, so no data leaves unrecorded."""
    with second_database.session_factory() as carol_session:
        carol = accounts.get_user(carol_session, _Id(installation.carol_id))
        record = service.open_shared_record(carol_session, carol, installation.alice_id)

        with session_scope(committing_database) as alice_session:
            alice = accounts.get_user(alice_session, _Id(installation.alice_id))
            service.revoke_share(alice_session, alice, record.share_id, now=NOW, address=ADDRESS)

        with pytest.raises(NotFound):
            service.record_access(
                carol_session,
                record,
                action=AuditAction.VIEW_RECORD,
                detail="record page",
                address=ADDRESS,
                now=NOW,
            )
        carol_session.rollback()

    with committing_database.session_factory() as session:
        views = [
            entry
            for entry in audit_entries(session)
            if entry.action == AuditAction.VIEW_RECORD.value
        ]
        assert views == []


class _Id:
    def __init__(self, value: int) -> None:
        self.id = value
