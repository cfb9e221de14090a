"""The "Your data" page and its API (issue 8): the counts, both downloads with their headers and
audit entries, whose data a download holds, importing by upload and by API, a bad file refused
with its reason, and who may use any of it."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.audit.service import actor_for, entries_about
from affectrange.portability import service
from affectrange.portability.service import ExportFormat
from tests.conftest import NOW, api_token, csrf_from, sign_in
from tests.portability.foreign import as_file, phq9
from tests.portability.helpers import NOTE, load_everything, record_in, row_counts

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"
FHIR_NAME = "affectrange-record-2026-06-15.fhir.json"
CSV_NAME = "affectrange-record-2026-06-15.csv.zip"
ALL_COUNTS = {
    "Check-ins": 4,
    "Questionnaire responses": 3,
    "Medication events": 4,
    "Care-plan goals": 2,
    "Impact ratings": 2,
    "Appointment questions": 2,
    "Safety events": 3,
    "Contact requests": 1,
}
NOTHING = dict.fromkeys(ALL_COUNTS, 0)
SIGNED_IN = Callable[[str], TestClient]


@pytest.fixture
def loaded(session: Session, alice: User, tmp_path: Path) -> User:
    load_everything(session, alice, tmp_path / "outbox")
    return alice


@pytest.fixture
def browser_for(app: FastAPI) -> Iterator[SIGNED_IN]:
    """`browser_for(email)`: a separate cookie jar signed in as that account."""
    with ExitStack() as stack:

        def signed_in(email: str) -> TestClient:
            client = stack.enter_context(TestClient(app, base_url="http://testserver"))
            sign_in(client, email)
            return client

        yield signed_in


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def counts_on(page: str) -> dict[str, int]:
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td></tr>', page)
    return {html.unescape(kind): int(count) for kind, count in rows}


def upload(client: TestClient, content: bytes, filename: str = "my-record.fhir.json") -> Any:
    token = csrf_from(client.get("/account/data").text)
    return client.post(
        "/account/data/import",
        data={"csrf_token": token},
        files={"file": (filename, content, "application/fhir+json")},
    )


def exports_of(session: Session, person: User) -> list[tuple[str, str, str, str]]:
    session.expire_all()
    entries = [
        (entry.action, entry.actor_label, entry.detail, entry.address)
        for entry in entries_about(session, person)
    ]
    session.commit()
    return entries


def alices_export(session: Session, alice: User) -> bytes:
    export = service.export_record(
        session,
        alice,
        file_format=ExportFormat.FHIR,
        now=NOW,
        actor=actor_for(alice),
        address="testclient",
    )
    session.commit()
    return export.content


# --- the page ------------------------------------------------------------------------------------


def test_the_page_counts_what_the_record_holds(loaded: User, browser_for: SIGNED_IN) -> None:
    page = browser_for(ALICE).get("/account/data")

    assert page.status_code == 200
    assert counts_on(page.text) == ALL_COUNTS
    assert 'href="/account/data/export?format=fhir"' in page.text
    assert 'href="/account/data/export?format=csv"' in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_an_empty_record_counts_nothing(bob: User, browser_for: SIGNED_IN) -> None:
    page = browser_for(BOB).get("/account/data")

    assert counts_on(page.text) == NOTHING


# --- downloads -----------------------------------------------------------------------------------


def test_the_fhir_download_is_the_whole_record_and_is_audited(
    session: Session, loaded: User, browser_for: SIGNED_IN
) -> None:
    response = browser_for(ALICE).get("/account/data/export?format=fhir")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.headers["content-disposition"] == f'attachment; filename="{FHIR_NAME}"'
    assert response.headers["cache-control"] == "no-store"
    Bundle.model_validate_json(response.content)
    assert record_in(response.content) == service.read_record(session, loaded)
    assert exports_of(session, loaded) == [
        (
            "export_data",
            "Alice <alice@example.org>",
            f"Whole record as FHIR R4 ({FHIR_NAME})",
            "testclient",
        )
    ]


def test_the_csv_download_is_the_whole_record_and_is_audited(
    session: Session, loaded: User, browser_for: SIGNED_IN
) -> None:
    response = browser_for(ALICE).get("/account/data/export?format=csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == f'attachment; filename="{CSV_NAME}"'
    assert response.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
    assert record_in(response.content) == service.read_record(session, loaded)
    assert [entry[2] for entry in exports_of(session, loaded)] == [
        f"Whole record as CSV ({CSV_NAME})"
    ]


def test_each_download_adds_its_own_entry(
    session: Session, loaded: User, browser_for: SIGNED_IN
) -> None:
    browser = browser_for(ALICE)
    for _ in range(3):
        assert browser.get("/account/data/export").status_code == 200  # FHIR by default

    assert [entry[0] for entry in exports_of(session, loaded)] == ["export_data"] * 3


def test_bob_downloads_his_own_record_only(
    session: Session, loaded: User, bob: User, browser_for: SIGNED_IN
) -> None:
    response = browser_for(BOB).get("/account/data/export?format=fhir")

    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert json.dumps(NOTE)[1:-1] not in text
    assert ALICE not in text
    record = record_in(response.content)
    assert record.person.email == BOB
    assert record.is_empty()
    assert exports_of(session, loaded) == []  # nothing of alice's left the system
    assert [entry[0] for entry in exports_of(session, bob)] == ["export_data"]


def test_an_unknown_format_is_refused(loaded: User, browser_for: SIGNED_IN) -> None:
    response = browser_for(ALICE).get("/account/data/export?format=pdf")

    assert response.status_code == 422


# --- upload --------------------------------------------------------------------------------------


def test_uploading_an_export_into_an_empty_account_shows_what_came_in(
    session: Session, loaded: User, bob: User, browser_for: SIGNED_IN
) -> None:
    content = alices_export(session, loaded)

    page = upload(browser_for(BOB), content)

    assert page.status_code == 200, page.text
    assert (
        "Imported 4 check-ins, 3 questionnaire responses, 4 medication events, 2 care-plan "
        "goals, 2 impact ratings, 2 appointment questions, 3 safety events, 1 contact request."
    ) in text_of(page.text)
    assert counts_on(page.text) == ALL_COUNTS
    assert service.read_record(session, bob).checkins[1].note == NOTE


def test_a_foreign_phq9_with_item_9_shows_the_crisis_card_first(
    bob: User, browser_for: SIGNED_IN
) -> None:
    # 0+1+1+1+0+0+1+0+2 = 6, item 9 answered 2 ("more than half the days")
    page = upload(browser_for(BOB), as_file(phq9((0, 1, 1, 1, 0, 0, 1, 0, 2))), "phq9.json")

    assert page.status_code == 200
    assert page.text.index('data-testid="crisis-card"') < page.text.index("<h1>Your data</h1>")
    words = text_of(page.text)
    assert "A questionnaire you imported says you had thoughts" in words
    assert "Imported 1 questionnaire response." in words
    assert counts_on(page.text)["Safety events"] == 1


def test_a_bad_file_is_refused_with_its_reason_and_changes_nothing(
    session: Session, bob: User, browser_for: SIGNED_IN
) -> None:
    browser = browser_for(BOB)
    before = row_counts(session)

    page = upload(browser, b"<html>not a record</html>", "record.json")

    assert page.status_code == 422
    assert (
        "Nothing was imported. record.json: not JSON (line 1, column 1: Expecting value)"
        in text_of(page.text)
    )
    assert 'data-testid="import-result"' not in page.text
    assert row_counts(session) == before


def test_an_export_into_an_account_with_records_is_refused_on_the_page(
    session: Session, loaded: User, browser_for: SIGNED_IN
) -> None:
    before = row_counts(session)

    page = upload(browser_for(ALICE), alices_export(session, loaded))

    assert page.status_code == 422
    assert "Nothing was imported. my-record.fhir.json: this account already holds records." in (
        text_of(page.text)
    )
    assert row_counts(session) == before


def test_submitting_without_a_file_asks_for_one(bob: User, browser_for: SIGNED_IN) -> None:
    browser = browser_for(BOB)
    token = csrf_from(browser.get("/account/data").text)

    page = browser.post("/account/data/import", data={"csrf_token": token})

    assert page.status_code == 422
    assert "Nothing was imported. Choose a file to import." in text_of(page.text)


def test_an_upload_without_the_csrf_token_is_refused(
    session: Session, bob: User, browser_for: SIGNED_IN
) -> None:
    before = row_counts(session)

    response = browser_for(BOB).post(
        "/account/data/import",
        files={"file": ("phq9.json", as_file(phq9((1,) * 9)), "application/json")},
    )

    assert response.status_code == 403
    assert row_counts(session) == before


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/account/data"),
        ("GET", "/account/data/export?format=fhir"),
        ("GET", "/account/data/export?format=csv"),
    ],
)
def test_a_clinician_is_refused(
    session: Session, carol: User, browser_for: SIGNED_IN, method: str, url: str
) -> None:
    response = browser_for(CAROL).request(method, url)

    assert response.status_code == 403
    assert exports_of(session, carol) == []


def test_a_clinician_cannot_import(session: Session, carol: User, browser_for: SIGNED_IN) -> None:
    browser = browser_for(CAROL)
    token = csrf_from(browser.get("/clinician").text)  # a valid token: refused for the role
    before = row_counts(session)

    response = browser.post(
        "/account/data/import",
        data={"csrf_token": token},
        files={"file": ("phq9.json", as_file(phq9((1,) * 9)), "application/json")},
    )

    assert response.status_code == 403
    assert "This page is for people keeping their own check-ins." in text_of(response.text)
    assert row_counts(session) == before


def test_signed_out_the_page_sends_to_sign_in(client: TestClient) -> None:
    response = client.get("/account/data", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


# --- the API -------------------------------------------------------------------------------------


def test_the_api_export_is_the_fhir_bundle_and_is_audited(
    session: Session, loaded: User, client: TestClient
) -> None:
    headers = api_token(client, ALICE)

    response = client.get("/api/v1/export?format=fhir", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.headers["content-disposition"] == f'attachment; filename="{FHIR_NAME}"'
    assert response.headers["cache-control"] == "no-store"
    Bundle.model_validate_json(response.content)
    assert len(record_in(response.content).checkins) == 4
    assert [entry[:3] for entry in exports_of(session, loaded)] == [
        ("export_data", "Alice <alice@example.org>", f"Whole record as FHIR R4 ({FHIR_NAME})")
    ]


def test_the_api_import_answers_with_a_summary(
    session: Session, loaded: User, bob: User, client: TestClient
) -> None:
    content = alices_export(session, loaded)

    response = client.post("/api/v1/import", content=content, headers=api_token(client, BOB))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "added": {
            "check-ins": 4,
            "questionnaire responses": 3,
            "medication events": 4,
            "care-plan goals": 2,
            "impact ratings": 2,
            "appointment questions": 2,
            "safety events": 3,
            "contact requests": 1,
        },
        "skipped": 0,
        "not_imported": {},
        "summary": "Imported 4 check-ins, 3 questionnaire responses, 4 medication events, "
        "2 care-plan goals, 2 impact ratings, 2 appointment questions, 3 safety events, "
        "1 contact request.",
        "crisis_support": None,
    }
    assert len(service.read_record(session, bob).checkins) == 4


def test_the_api_import_of_item_9_carries_crisis_support(bob: User, client: TestClient) -> None:
    response = client.post(
        "/api/v1/import",
        content=as_file(phq9((0, 0, 0, 0, 0, 0, 0, 0, 1))),
        headers=api_token(client, BOB),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["added"] == {"questionnaire responses": 1}
    assert body["crisis_support"] is not None
    assert "988" in json.dumps(body["crisis_support"])


def test_the_api_refuses_a_bad_file_in_json_and_writes_nothing(
    session: Session, bob: User, client: TestClient
) -> None:
    before = row_counts(session)

    response = client.post("/api/v1/import", content=b"[1, 2]", headers=api_token(client, BOB))

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "the request body: a FHIR file holds one JSON object"
    )
    assert row_counts(session) == before


@pytest.mark.parametrize(("method", "url"), [("GET", "/api/v1/export"), ("POST", "/api/v1/import")])
def test_the_api_without_a_token_is_401(
    session: Session, client: TestClient, method: str, url: str
) -> None:
    before = row_counts(session)

    response = client.request(method, url, content=as_file(phq9((1,) * 9)))

    assert response.status_code == 401
    assert row_counts(session) == before


def test_a_clinicians_token_is_refused_by_the_api(carol: User, client: TestClient) -> None:
    response = client.get("/api/v1/export", headers=api_token(client, CAROL))

    assert response.status_code == 403
