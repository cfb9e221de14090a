"""GET /report, /report.pdf and /api/v1/report: the person's own report, bad dates, whose data,
and the audit entry every download leaves."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.audit.service import entries_about
from affectrange.reports.service import LAST_IN_FUTURE, NOT_A_DATE, TOO_LONG
from tests.conftest import TODAY, api_token, sign_in
from tests.reports.helpers import SECTION_HEADINGS, Recorded, load_year, long_day, pdf_text, text_of

ALICE = "alice@example.org"
BOB = "bob@example.org"
DEFAULT_FIRST = TODAY - dt.timedelta(days=89)


@pytest.fixture
def year(session: Session, alice: User) -> Recorded:
    return load_year(session, alice)


def export_entries(session: Session, person: User) -> list[tuple[str, str, str]]:
    session.expire_all()
    return [
        (entry.action, entry.detail, entry.actor_label)
        for entry in entries_about(session, person)
        if entry.action == "export_report"
    ]


def test_the_page_shows_the_last_90_days_with_a_pdf_link(
    client: TestClient, alice: User, year: Recorded
) -> None:
    sign_in(client, ALICE)

    response = client.get("/report")

    assert response.status_code == 200
    words = text_of(response.text)
    assert f'value="{DEFAULT_FIRST.isoformat()}"' in response.text
    assert f'value="{TODAY.isoformat()}"' in response.text
    href = f"/report.pdf?from={DEFAULT_FIRST.isoformat()}&amp;to={TODAY.isoformat()}"
    assert f'href="{href}"' in response.text
    assert "Download PDF for my appointment" in words
    for heading in SECTION_HEADINGS:
        assert heading in words
    assert f"{long_day(DEFAULT_FIRST)} to {long_day(TODAY)} (90 days)" in words
    assert '<a href="/report">Report</a>' in response.text  # in the navigation


def test_the_page_shows_the_period_asked_for(
    client: TestClient, alice: User, year: Recorded
) -> None:
    sign_in(client, ALICE)
    first = TODAY - dt.timedelta(days=200)
    last = TODAY - dt.timedelta(days=20)

    response = client.get("/report", params={"from": first.isoformat(), "to": last.isoformat()})

    assert response.status_code == 200
    assert f"{long_day(first)} to {long_day(last)} (181 days)" in text_of(response.text)


BAD_DATES = {
    "not-a-date": ({"from": "last week"}, "from", NOT_A_DATE),
    "future": ({"to": (TODAY + dt.timedelta(days=1)).isoformat()}, "to", LAST_IN_FUTURE),
    "too-long": ({"from": "2020-01-01"}, "from", TOO_LONG),
}


@pytest.mark.parametrize("case", BAD_DATES)
def test_bad_dates_show_the_form_again_naming_the_field(
    client: TestClient, session: Session, alice: User, case: str
) -> None:
    params, field, message = BAD_DATES[case]
    sign_in(client, ALICE)

    for path in ("/report", "/report.pdf"):
        response = client.get(path, params=params)

        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/html")
        assert f'<p class="field-error" id="{field}-error">{message}</p>' in response.text
        assert f'id="{field}" name="{field}"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'data-testid="report"' not in response.text
        assert "Download PDF" not in response.text
    assert export_entries(session, alice) == []


def test_what_was_typed_is_shown_back(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)

    response = client.get("/report", params={"from": "2026-02-30", "to": "2026-03-01"})

    assert response.status_code == 422
    assert 'value="2026-02-30"' in response.text
    assert 'value="2026-03-01"' in response.text


def test_the_pdf_download_is_a_pdf_and_is_audited(
    client: TestClient, session: Session, alice: User, year: Recorded, tmp_path: Path
) -> None:
    sign_in(client, ALICE)
    first = TODAY - dt.timedelta(days=179)
    assert export_entries(session, alice) == []

    response = client.get("/report.pdf", params={"from": first.isoformat()})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    expected_name = f"affectrange-report-{first.isoformat()}-to-{TODAY.isoformat()}.pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{expected_name}"'
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert "Emotional range over time" in pdf_text(response.content, tmp_path)
    assert export_entries(session, alice) == [
        (
            "export_report",
            f"report {first.isoformat()} to {TODAY.isoformat()} as a PDF",
            "Alice <alice@example.org>",
        )
    ]


def test_showing_the_page_is_not_an_export(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, ALICE)

    assert client.get("/report").status_code == 200
    assert export_entries(session, alice) == []


def test_bob_gets_his_own_report_never_alices(
    client: TestClient, session: Session, alice: User, *, bob: User, year: Recorded, tmp_path: Path
) -> None:
    sign_in(client, BOB)

    page = client.get("/report")
    pdf = client.get("/report.pdf")

    words = text_of(page.text)
    assert "Bob" in words
    assert "Alice" not in words
    assert "sertraline" not in page.text
    assert "No check-ins in this period." in words
    assert "No questionnaires in this period." in words
    assert "No safety events in this period." in words
    text = pdf_text(pdf.content, tmp_path)
    assert "Alice" not in text
    assert "sertraline" not in text
    assert export_entries(session, alice) == []
    assert len(export_entries(session, bob)) == 1


def test_signed_out_goes_to_sign_in_and_a_clinician_has_no_report(
    client: TestClient, carol: User
) -> None:
    for path in ("/report", "/report.pdf"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")

    sign_in(client, "carol@example.org")
    assert client.get("/report").status_code == 403
    assert client.get("/report.pdf").status_code == 403


# --- the API ------------------------------------------------------------------------------------


def test_the_api_returns_the_pdf_and_audits_it(
    client: TestClient, session: Session, alice: User, year: Recorded
) -> None:
    headers = api_token(client, ALICE)
    first = TODAY - dt.timedelta(days=29)

    response = client.get(
        "/api/v1/report",
        params={"from": first.isoformat(), "to": TODAY.isoformat()},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    [entry] = export_entries(session, alice)
    assert entry[1] == f"report {first.isoformat()} to {TODAY.isoformat()} as a PDF"


def test_the_api_names_a_bad_field_in_the_house_error(
    client: TestClient, session: Session, alice: User
) -> None:
    headers = api_token(client, ALICE)

    response = client.get("/api/v1/report", params={"to": "2026-99-01"}, headers=headers)

    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "invalid_input"
    assert body["error"]["fields"] == {"to": NOT_A_DATE}
    assert export_entries(session, alice) == []


def test_the_api_needs_a_person(client: TestClient, carol: User) -> None:
    assert client.get("/api/v1/report").status_code == 401
    headers = api_token(client, "carol@example.org")
    assert client.get("/api/v1/report", headers=headers).status_code == 403


def test_the_api_is_in_the_openapi_document_as_a_pdf(client: TestClient) -> None:
    operation = client.get("/api/openapi.json").json()["paths"]["/api/v1/report"]["get"]

    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {"from", "to"}


def test_the_download_link_is_followed_with_its_own_period(
    client: TestClient, alice: User, year: Recorded
) -> None:
    sign_in(client, ALICE)
    page = client.get("/report", params={"from": "2026-03-01", "to": "2026-04-30"}).text
    match = re.search(r'href="(/report\.pdf\?[^"]+)"', page)
    assert match is not None

    response = client.get(match.group(1).replace("&amp;", "&"))

    assert response.status_code == 200
    assert "2026-03-01-to-2026-04-30" in response.headers["content-disposition"]
