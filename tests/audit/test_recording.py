"""Every clinician read of a person's record leaves exactly one entry per person, naming who,
what, from where and when; refused reads leave none; the person sees them on "Who looked at my
data"; the sequence has no gaps and the chain verifies.

Alice and bob both share with carol. Each read below runs one minute after the one before, so
each entry's time is the clock's at that read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.audit import service as audit
from affectrange.audit.models import AuditAction, AuditEntry
from affectrange.sharing.scopes import Scopes
from tests.conftest import api_token
from tests.sharing.conftest import ClientFor
from tests.sharing.helpers import (
    ALICE,
    CAROL,
    CAROL_LABEL,
    TEST_CLIENT_ADDRESS,
    audit_entries,
    page_csrf,
    record_checkins,
    share,
    text_of,
)
from tests.support.clock import FrozenClock


@dataclass(frozen=True)
class Read:
    url: str
    action: AuditAction
    every_person: bool = False
    """A dashboard: one entry for each person on it, not only alice."""
    content_type: str = "text/html"


def reads(alice_id: int) -> list[Read]:
    person = f"/clinician/people/{alice_id}"
    api = f"/api/v1/clinician/people/{alice_id}"
    return [
        Read("/clinician", AuditAction.VIEW_DASHBOARD, every_person=True),
        Read(person, AuditAction.VIEW_RECORD),
        Read(f"{person}/report", AuditAction.VIEW_REPORT),
        Read(f"{person}/report.pdf", AuditAction.EXPORT_REPORT, content_type="application/pdf"),
        Read(f"{api}/range", AuditAction.EXPORT_DATA, content_type="application/json"),
        Read(f"{api}/report", AuditAction.EXPORT_REPORT, content_type="application/pdf"),
        Read(
            "/api/v1/clinician/people",
            AuditAction.VIEW_DASHBOARD,
            every_person=True,
            content_type="application/json",
        ),
    ]


READ_NAMES = [
    "dashboard",
    "person page",
    "report page",
    "report pdf",
    "api range",
    "api report",
    "api people",
]


@pytest.fixture
def shared(session: Session, alice: User, bob: User, carol: User) -> tuple[User, User]:
    record_checkins(session, alice, 20)
    record_checkins(session, bob, 20)
    share(session, alice, carol)
    share(session, bob, carol, Scopes(medications=False))
    return alice, bob


def fetch(browser: TestClient, headers: dict[str, str], read: Read) -> None:
    response = browser.get(read.url, headers=headers if read.url.startswith("/api/") else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(read.content_type)


def new_entries(session: Session, after: int) -> list[AuditEntry]:
    return [entry for entry in audit_entries(session) if entry.seq > after]


@pytest.mark.parametrize("index", range(7), ids=READ_NAMES)
def test_each_clinician_read_adds_one_entry_per_person(  # noqa: PLR0917 (fixtures)
    client_for: ClientFor,
    session: Session,
    clock: FrozenClock,
    shared: tuple[User, User],
    carol: User,
    index: int,
) -> None:
    alice, bob = shared
    read = reads(alice.id)[index]
    browser = client_for(CAROL)
    headers = api_token(browser, CAROL)
    last = audit_entries(session)[-1].seq
    clock.advance(dt.timedelta(minutes=5))

    fetch(browser, headers, read)

    added = new_entries(session, last)
    expected_subjects = sorted([alice.id, bob.id] if read.every_person else [alice.id])
    assert sorted(entry.subject_id or 0 for entry in added) == expected_subjects
    for entry in added:
        assert entry.action == read.action.value
        assert entry.actor_id == carol.id
        assert entry.actor_label == CAROL_LABEL
        assert entry.actor_role == "clinician"
        assert entry.address == TEST_CLIENT_ADDRESS
        assert entry.at == clock.now()


def test_a_realistic_visit_is_logged_in_order_without_gaps_and_verifies(
    client_for: ClientFor,
    session: Session,
    clock: FrozenClock,
    shared: tuple[User, User],
) -> None:
    alice, _ = shared
    browser = client_for(CAROL)
    headers = api_token(browser, CAROL)
    start = audit_entries(session)[-1].seq

    times = []
    for read in reads(alice.id):
        clock.advance(dt.timedelta(minutes=1))
        times.append(clock.now())
        fetch(browser, headers, read)

    about_alice = [entry for entry in new_entries(session, start) if entry.subject_id == alice.id]
    assert [entry.action for entry in about_alice] == [
        read.action.value for read in reads(alice.id)
    ]
    assert [entry.at for entry in about_alice] == times
    every = audit_entries(session)
    assert [entry.seq for entry in every] == list(range(1, len(every) + 1))
    report = audit.verify_log(session)
    session.commit()
    assert report.intact, report.problems
    assert report.entries == len(every)
    assert (report.head_seq, report.head_hash) == (every[-1].seq, every[-1].hash)


def test_alice_sees_who_looked_on_her_activity_page(
    client_for: ClientFor, clock: FrozenClock, shared: tuple[User, User]
) -> None:
    alice, _ = shared
    carol_browser = client_for(CAROL)
    clock.advance(dt.timedelta(hours=1, minutes=7))
    assert carol_browser.get(f"/clinician/people/{alice.id}").status_code == 200

    page = client_for(ALICE).get("/sharing/activity")

    assert page.status_code == 200
    rows = [
        text_of(row) for row in re.findall(r"<tr data-action=[^>]*>.*?</tr>", page.text, flags=re.S)
    ]
    newest = rows[0]
    assert newest.startswith("15 Jun 2026 17:07")
    assert CAROL_LABEL in newest
    assert "opened your record" in newest
    assert TEST_CLIENT_ADDRESS in newest
    # Alice's own invitation is hers ("You"); carol's acceptance names carol.
    assert any(row.startswith("15 Jun 2026 16:00 You created an invitation") for row in rows)
    assert any(CAROL_LABEL in row and "accepted your invitation" in row for row in rows)


def test_alices_log_through_the_api_is_newest_first_and_pages(
    client_for: ClientFor, clock: FrozenClock, shared: tuple[User, User]
) -> None:
    alice, _ = shared
    carol_browser = client_for(CAROL)
    for _ in range(55):
        clock.advance(dt.timedelta(minutes=1))
        assert carol_browser.get(f"/clinician/people/{alice.id}").status_code == 200
    alice_browser = client_for(ALICE)
    headers = api_token(alice_browser, ALICE)

    first = alice_browser.get("/api/v1/audit", headers=headers).json()
    rest = alice_browser.get(
        "/api/v1/audit", params={"before": first[-1]["seq"]}, headers=headers
    ).json()

    assert len(first) == 50
    seqs = [item["seq"] for item in first + rest]
    assert seqs == sorted(seqs, reverse=True)
    assert len(seqs) == len(set(seqs)) == 55 + 2  # 55 visits, the invitation, the acceptance
    assert first[0]["actor"] == CAROL_LABEL
    assert first[0]["action"] == "view_record"
    assert rest[-1]["action"] == "share_invited"


def test_refused_reads_leave_no_entry_about_alice(
    client_for: ClientFor, session: Session, shared: tuple[User, User], dave: User
) -> None:
    alice, _ = shared
    carol_browser = client_for(CAROL)
    carol_headers = api_token(carol_browser, CAROL)
    dave_browser = client_for("dave@example.org")
    dave_headers = api_token(dave_browser, "dave@example.org")
    alice_browser = client_for(ALICE)
    [share_id] = [
        item["id"]
        for item in alice_browser.get(
            "/api/v1/shares", headers=api_token(alice_browser, ALICE)
        ).json()["shares"]
    ]

    for read in reads(alice.id):
        if not read.every_person:
            dave_browser.get(read.url, headers=dave_headers)
    bad_period = carol_browser.get(
        f"/clinician/people/{alice.id}/report", params={"from": "2026-06-20", "to": "2026-06-01"}
    )
    assert bad_period.status_code == 422
    revoked = alice_browser.post(
        f"/sharing/shares/{share_id}/revoke",
        data={"csrf_token": page_csrf(alice_browser, "/sharing")},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    after_revoke = audit_entries(session, subject=alice)
    for read in reads(alice.id):
        carol_browser.get(read.url, headers=carol_headers)

    about_alice = audit_entries(session, subject=alice)
    assert [entry.action for entry in about_alice] == [
        "share_invited",
        "share_accepted",
        "share_revoked",
    ]
    assert [entry.seq for entry in about_alice] == [entry.seq for entry in after_revoke]
