"""Contact requests: stored, e-mailed through a real SMTP server with only the person's words,
throttled, and listed to their writer alone.

The providers are those of tests/directory/test_routes.py: Ana Rivera and Cara Lind have e-mail
addresses, Ben Okafor has none. NOW is 16:00 UTC on Monday 15 June 2026, noon in New York, where
alice lives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.app import create_app
from affectrange.checkins import service as checkins
from affectrange.checkins.schemas import CheckinIn
from affectrange.config import Settings
from affectrange.db import Database
from affectrange.directory.contact import SUBJECT
from affectrange.directory.importers.common import DirectoryWriter, ImportSummary
from affectrange.directory.models import ContactRequest
from affectrange.instruments import get_instrument
from affectrange.mail import OutgoingMail, SmtpMailer
from affectrange.medications import service as medications
from affectrange.medications.schemas import MedicationEventIn
from affectrange.questionnaires import service as questionnaires
from tests.conftest import NOW, TODAY, api_token, checkin_payload, csrf_from, sign_in
from tests.directory.test_routes import (
    ALICE,
    ANA,
    ANA_EMAIL,
    BEN,
    BEN_PHONE,
    BOB,
    CARA,
    CARA_EMAIL,
    DEV,
    EVE,
    ClientFor,
    client_for,
    field_error,
    practitioner,
    providers,
    text_of,
)
from tests.support.clock import FrozenClock
from tests.support.smtp import LocalSmtpServer, free_port, local_smtp_server

__all__ = ["client_for", "providers"]  # fixtures shared with test_routes.py
pytestmark = pytest.mark.usefixtures("providers")

SENDER = "AffectRange <directory@affectrange.example>"
NOTE = "Kept thinking about the lighthouse at Stonington and felt nothing at all"
"""A check-in note no e-mail to a provider may ever carry."""
MESSAGE = (
    "Hello Ms Rivera,\n\nI am looking for a therapist for a first appointment in July, "
    "ideally on a weekday evening. Do you have any openings?"
)
FOOTER = (
    "This message was written by a person using the therapist directory of AffectRange, which "
    "lists providers from public records such as the NPI registry. AffectRange added nothing to "
    "it. To answer, reply to this e-mail; your reply goes to {reply_to}."
)


def smtp_mailer(port: int, clock: FrozenClock) -> SmtpMailer:
    return SmtpMailer(
        host="127.0.0.1",
        port=port,
        sender=SENDER,
        starttls=False,  # the local server has no certificate
        timeout_seconds=5,
        clock=clock,
    )


@pytest.fixture
def smtp() -> Iterator[LocalSmtpServer]:
    with local_smtp_server() as server:
        yield server


@pytest.fixture
def app(
    settings: Settings, database: Database, clock: FrozenClock, smtp: LocalSmtpServer
) -> FastAPI:
    """The app, sending e-mail to the test's own SMTP server."""
    return create_app(
        settings, database=database, clock=clock, mailer=smtp_mailer(smtp.port, clock)
    )


def stored(session: Session) -> list[ContactRequest]:
    """Every contact request as the database holds it now, oldest first."""
    session.expire_all()
    rows = list(session.scalars(select(ContactRequest).order_by(ContactRequest.id)))
    session.commit()
    return rows


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content()).replace("\r\n", "\n")  # SMTP carries CRLF line ends


def post_contact(browser: TestClient, npi: str, **fields: str) -> Any:
    page = browser.get(f"/therapists/{npi}/contact")
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_from(page.text), **fields}
    return browser.post(f"/therapists/{npi}/contact", data=data, follow_redirects=False)


def give_alice_a_record(session: Session, alice: User) -> None:
    """A check-in with a distinctive note, a medication start and a finished PHQ-9."""
    entry = CheckinIn.model_validate(checkin_payload(TODAY, 2, note=NOTE))
    checkins.record_checkin(session, alice, entry, today=TODAY, now=NOW)
    start = MedicationEventIn.model_validate(
        {"medication": "sertraline", "event": "start", "date": dt.date(2026, 4, 1), "dose_mg": 50}
    )
    medications.record_medication_event(session, alice, start, now=NOW)
    answers: dict[str, Any] = {f"q{n}": 2 for n in range(1, 10)} | {"q9": 0}
    questionnaires.save_answers(
        session, alice, get_instrument("phq9"), answers, finish=True, now=NOW, today=TODAY
    )
    session.commit()


# --- sending ---------------------------------------------------------------------------------


def test_the_provider_receives_the_persons_words_and_nothing_from_their_record(
    session: Session,
    alice: User,
    client_for: ClientFor,
    smtp: LocalSmtpServer,
) -> None:
    give_alice_a_record(session, alice)
    browser = client_for(ALICE)

    form = browser.get(f"/therapists/{ANA}/contact")
    assert 'value="alice@example.org"' in form.text  # the reply address starts as hers
    assert "Nothing from your check-ins, questionnaires, medications or analysis is sent." in (
        text_of(form.text)
    )
    response = post_contact(
        browser, ANA, message=MESSAGE, reply_to="alice.private@example.net", sign_as="A. Smith"
    )

    assert response.status_code == 303, response.text
    [row] = stored(session)
    assert response.headers["location"] == f"/therapists/contacts?sent={row.id}"
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == (ANA_EMAIL,)
    message = mail.message
    assert message["To"] == ANA_EMAIL
    assert message["From"] == SENDER
    assert message["Reply-To"] == "alice.private@example.net"
    assert message["Subject"] == SUBJECT
    assert plain_text(message) == (
        f"{MESSAGE}\n\nA. Smith\n\n-- \n"
        + FOOTER.format(reply_to="alice.private@example.net")
        + "\n"
    )
    whole = message.as_string()
    for private in (NOTE, "lighthouse", "sertraline", "PHQ", "alice@example.org", "Alice"):
        assert private not in whole, private
    assert (row.practitioner_npi, row.practitioner_name, row.delivery) == (
        ANA,
        "Ana Rivera, LCSW",
        "emailed",
    )
    assert row.reply_to == "alice.private@example.net"
    assert row.message == f"{MESSAGE}\n\nA. Smith"
    assert row.owner_id == alice.id
    assert row.created_at == NOW

    confirmation = browser.get(response.headers["location"])
    words = text_of(confirmation.text)
    assert (
        "Your message to Ana Rivera, LCSW was sent. Their answer will come to "
        "alice.private@example.net." in words
    )
    assert "Written 15 June 2026, 12:00." in words  # noon in New York
    assert "Hello Ms Rivera" in words


def test_the_reply_address_defaults_to_the_account_e_mail_in_the_api(
    session: Session, alice: User, client: TestClient, smtp: LocalSmtpServer
) -> None:
    response = client.post(
        f"/api/v1/directory/providers/{CARA}/contact",
        json={"message": "Do you see adults for anxiety on Saturdays?"},
        headers=api_token(client, ALICE),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    [row] = stored(session)
    assert body == {
        "id": row.id,
        "npi": CARA,
        "provider_name": "Cara Lind, PHD",
        "message": "Do you see adults for anxiety on Saturdays?",
        "reply_to": "alice@example.org",
        "created_at": "2026-06-15T16:00:00Z",
        "delivery": "emailed",
        "provider_phone": None,
    }
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == (CARA_EMAIL,)
    assert mail.message["Reply-To"] == "alice@example.org"
    assert plain_text(mail.message).startswith(
        "Do you see adults for anxiety on Saturdays?\n\n-- \n"
    )


def test_a_provider_without_an_e_mail_address_gets_nothing_and_the_person_is_told_to_phone(
    session: Session,
    alice: User,
    client_for: ClientFor,
    smtp: LocalSmtpServer,
) -> None:
    browser = client_for(ALICE)

    form = browser.get(f"/therapists/{BEN}/contact")
    response = post_contact(browser, BEN, message="Are you taking new patients?")

    assert "This provider has no e-mail address in the directory" in text_of(form.text)
    assert ">Save message</button>" in form.text
    assert response.status_code == 303
    [row] = stored(session)
    assert row.delivery == "no_address"
    assert smtp.messages == []
    page = browser.get(response.headers["location"])
    assert (
        "Your message is saved here, but it was not sent: Ben Okafor, MD has no e-mail address "
        f"in the directory. Please phone them at {BEN_PHONE}." in text_of(page.text)
    )
    api = browser.get("/api/v1/directory/contacts", headers=api_token(browser, ALICE))
    assert [(item["delivery"], item["provider_phone"]) for item in api.json()["requests"]] == [
        ("no_address", BEN_PHONE)
    ]


def test_when_the_mail_server_refuses_the_request_is_kept_and_the_person_told_to_phone(
    session: Session, settings: Settings, database: Database, alice: User
) -> None:
    clock = FrozenClock(NOW)
    nowhere = smtp_mailer(free_port(), clock)  # nobody listens: connection refused
    app = create_app(settings, database=database, clock=clock, mailer=nowhere)
    with TestClient(app, base_url="http://testserver") as browser:
        sign_in(browser, ALICE)
        response = post_contact(browser, ANA, message="Could we talk on the phone next week?")
        page = browser.get(response.headers["location"])
        api = browser.post(
            f"/api/v1/directory/providers/{CARA}/contact",
            json={"message": "Hello"},
            headers=api_token(browser, ALICE),
        )

    assert response.status_code == 303
    assert [row.delivery for row in stored(session)] == ["failed", "failed"]
    assert (
        "Your message is saved here, but the mail server did not accept it, so it did not reach "
        "Ana Rivera, LCSW. Please phone them instead at (860) 555-0101." in text_of(page.text)
    )
    assert api.status_code == 201
    assert api.json()["delivery"] == "failed"
    assert api.json()["provider_phone"] == "(860) 555-0103"


def test_crisis_words_in_a_message_bring_up_the_crisis_card(
    session: Session, alice: User, client_for: ClientFor, smtp: LocalSmtpServer
) -> None:
    browser = client_for(ALICE)

    response = post_contact(browser, ANA, message="Some nights I want to die. Can you help me?")

    assert response.headers["location"].endswith("&support=1")
    page = browser.get(response.headers["location"])
    assert 'data-testid="crisis-card"' in page.text
    assert page.text.index('data-testid="crisis-card"') < page.text.index("<h1>")
    assert "Your message is saved. A provider's inbox is not watched around the clock" in page.text
    assert len(smtp.wait_for(1)) == 1  # sent all the same


# --- throttles -------------------------------------------------------------------------------


def add_providers_with_e_mail(session: Session, count: int) -> list[str]:
    writer = DirectoryWriter(session, ImportSummary(source="test"), now=NOW)
    npis = [f"20000000{index:02d}" for index in range(count)]
    writer.upsert(
        "practitioners",
        [
            practitioner(
                npi,
                "Extra",
                f"Provider{index}",
                specialties=("101YM0800X",),
                email=f"extra{index}@example.net",
            )
            for index, npi in enumerate(npis)
        ],
    )
    writer.finish()
    session.commit()
    return npis


def api_contact(client: TestClient, npi: str, headers: dict[str, str], text: str = "Hello") -> Any:
    return client.post(
        f"/api/v1/directory/providers/{npi}/contact", json={"message": text}, headers=headers
    )


def test_at_most_five_requests_in_24_hours(
    session: Session,
    alice: User,
    client_for: ClientFor,
    clock: FrozenClock,
    smtp: LocalSmtpServer,
) -> None:
    browser = client_for(ALICE)
    headers = api_token(browser, ALICE)
    for npi in (ANA, CARA, DEV, EVE, BEN):
        assert api_contact(browser, npi, headers).status_code == 201
        clock.advance(dt.timedelta(hours=1))
    sixth_provider = add_providers_with_e_mail(session, 1)[0]

    refused = api_contact(browser, sixth_provider, headers)
    refused_page = post_contact(browser, sixth_provider, message="Typed before the refusal")

    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert (
        "You can send the next one from 16 June 2026 at 12:00. Nothing was sent."
        in (error["message"])
    )
    assert refused.headers["Retry-After"] == str(19 * 3600)  # the first one ages out at 16:00 UTC
    assert refused_page.status_code == 429
    assert "Typed before the refusal</textarea>" in refused_page.text
    assert 'data-testid="refused"' in refused_page.text
    assert len(stored(session)) == 5
    assert len(smtp.wait_for(4)) == 4  # Ben has no address: four e-mails for five requests

    clock.moment = NOW + dt.timedelta(hours=24)
    assert api_contact(browser, sixth_provider, headers).status_code == 201
    assert len(stored(session)) == 6


def test_one_request_per_provider_a_week(
    session: Session,
    *,
    alice: User,
    bob: User,
    client_for: ClientFor,
    clock: FrozenClock,
    smtp: LocalSmtpServer,
) -> None:
    browser = client_for(ALICE)
    headers = api_token(browser, ALICE)

    first = api_contact(browser, ANA, headers)
    clock.advance(dt.timedelta(days=6, hours=23))
    again = api_contact(browser, ANA, headers)
    again_page = post_contact(browser, ANA, message="A second try")
    bobs = api_contact(client_for(BOB), ANA, api_token(browser, BOB))

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert again.json()["error"]["message"] == (
        "You already wrote to Ana Rivera, LCSW on 15 June 2026. To keep their inbox usable, one "
        "message a week goes to each provider; you can write to them again from 22 June 2026 at "
        "12:00. Nothing was sent. To reach them sooner, phone them at (860) 555-0101."
    )
    assert again_page.status_code == 409
    assert "A second try</textarea>" in again_page.text
    assert bobs.status_code == 201  # the limit is per person
    assert [row.owner_id for row in stored(session)] == [alice.id, bob.id]

    clock.moment = NOW + dt.timedelta(days=7)
    assert api_contact(browser, ANA, headers).status_code == 201
    assert len(smtp.wait_for(3)) == 3


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"message": "   "}, "message", "This is required."),
        ({"message": "x" * 2001}, "message", "Too long: at most 2000 characters."),
        ({"message": "Hello", "reply_to": "not an address"}, "reply_to", "value is not a valid"),
        ({"message": "Hello", "sign_as": "A\nB"}, "sign_as", "Contains a control character"),
    ],
)
def test_a_bad_message_is_refused_next_to_its_field_and_nothing_is_sent(
    session: Session,
    *,
    alice: User,
    client_for: ClientFor,
    smtp: LocalSmtpServer,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = post_contact(client_for(ALICE), ANA, **fields)

    assert response.status_code == 422
    shown = field_error(response.text, field)
    assert shown is not None
    assert shown.startswith(message)
    assert stored(session) == []
    assert smtp.messages == []


def test_the_api_refuses_bad_bodies_naming_the_field_and_takes_exactly_2000_characters(
    session: Session, alice: User, client: TestClient, smtp: LocalSmtpServer
) -> None:
    headers = api_token(client, ALICE)
    url = f"/api/v1/directory/providers/{ANA}/contact"

    too_long = client.post(url, json={"message": "y" * 2001}, headers=headers)
    unknown = client.post(url, json={"message": "Hi", "diagnosis": "x"}, headers=headers)
    missing = client.post(url, json={}, headers=headers)
    assert stored(session) == []
    just_right = client.post(url, json={"message": "y" * 2000}, headers=headers)

    assert too_long.status_code == 422
    assert too_long.json()["error"]["fields"] == {"message": "Too long: at most 2000 characters."}
    assert unknown.status_code == 422
    assert list(unknown.json()["error"]["fields"]) == ["diagnosis"]
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"message": "This is required."}
    assert just_right.status_code == 201
    assert len(smtp.wait_for(1)) == 1


def test_an_unknown_npi_is_404(session: Session, alice: User, client_for: ClientFor) -> None:
    browser = client_for(ALICE)
    token = csrf_from(browser.get(f"/therapists/{ANA}/contact").text)

    page = browser.get("/therapists/1999999999/contact")
    posted = browser.post(
        "/therapists/1999999999/contact",
        data={"csrf_token": token, "message": "Hello"},
        follow_redirects=False,
    )
    api = api_contact(browser, "1999999999", api_token(browser, ALICE))

    assert page.status_code == 404
    assert posted.status_code == 404
    assert api.status_code == 404
    assert api.json()["error"] == {
        "code": "not_found",
        "message": "There is no provider with this NPI in the directory.",
    }
    assert stored(session) == []


def test_a_form_without_its_csrf_token_is_refused(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    response = client_for(ALICE).post(
        f"/therapists/{ANA}/contact", data={"message": "Hello"}, follow_redirects=False
    )

    assert response.status_code == 403
    assert stored(session) == []


# --- ownership -------------------------------------------------------------------------------


def test_each_person_sees_only_their_own_contact_requests(
    session: Session,
    alice: User,
    bob: User,
    client_for: ClientFor,
    smtp: LocalSmtpServer,
) -> None:
    alices = client_for(ALICE)
    bobs = client_for(BOB)
    sent = post_contact(alices, ANA, message="Alice writes about a Tuesday slot")
    alice_request = stored(session)[0]

    bob_page = bobs.get(f"/therapists/contacts?sent={alice_request.id}")
    bob_api = bobs.get("/api/v1/directory/contacts", headers=api_token(bobs, BOB))
    alice_page = alices.get(sent.headers["location"])
    alice_api = alices.get("/api/v1/directory/contacts", headers=api_token(alices, ALICE))

    assert bob_page.status_code == 200
    assert "Tuesday slot" not in bob_page.text
    assert "Ana Rivera" not in bob_page.text
    assert 'data-testid="sent-notice"' not in bob_page.text
    assert "You have not written to any provider yet." in text_of(bob_page.text)
    assert bob_api.json() == {"requests": []}
    assert "Alice writes about a Tuesday slot" in alice_page.text
    assert [item["id"] for item in alice_api.json()["requests"]] == [alice_request.id]


# --- the e-mail's Reply-To -------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply_to",
    [
        "alice@example.org\r\nBcc: everyone@example.org",
        "alice@example.org, bob@example.org",
        "nobody",
    ],
)
def test_a_reply_to_that_could_forge_headers_or_reach_others_is_refused(reply_to: str) -> None:
    with pytest.raises(ValueError, match="reply_to"):
        OutgoingMail(
            to=ANA_EMAIL, subject=SUBJECT, text="Hello", message_key="k", reply_to=reply_to
        )
