"""Creating an account through the HTML form."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.models import Role, User
from tests.accounts.support import (
    SESSION_COOKIE,
    count_rows,
    field_error,
    input_values,
    is_sent_to_sign_in,
)
from tests.conftest import csrf_from, sign_in

NEW_EMAIL = "erin@example.org"
NEW_PASSWORD = "Tulip-Ladder-Orbit-42"


def register(client: TestClient, **overrides: str) -> httpx2.Response:
    form = {
        "email": NEW_EMAIL,
        "display_name": "Erin Example",
        "password": NEW_PASSWORD,
        "password_repeat": NEW_PASSWORD,
        "timezone": "Europe/Berlin",
        "csrf_token": csrf_from(client.get("/register").text),
    }
    form.update(overrides)
    return client.post("/register", data=form, follow_redirects=False)


def stored_user(session: Session, email: str) -> User | None:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def test_registering_creates_a_person_and_signs_them_in(
    client: TestClient, session: Session
) -> None:
    response = register(client)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/checkins/new")
    assert client.cookies.get(SESSION_COOKIE)
    account = client.get("/account", follow_redirects=False)
    assert account.status_code == 200
    assert NEW_EMAIL in account.text
    user = stored_user(session, NEW_EMAIL)
    assert user is not None
    assert user.role is Role.PERSON
    assert user.display_name == "Erin Example"
    assert user.timezone == "Europe/Berlin"


def test_the_password_is_stored_as_an_argon2id_hash(client: TestClient, session: Session) -> None:
    register(client)

    user = stored_user(session, NEW_EMAIL)
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash


def test_a_registered_person_can_sign_out_and_back_in(client: TestClient) -> None:
    register(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").text)})
    assert is_sent_to_sign_in(client.get("/account", follow_redirects=False))

    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": NEW_EMAIL, "password": NEW_PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        pytest.param(
            {"password_repeat": "Tulip-Ladder-Orbit-43"},
            "password_repeat",
            "same",
            id="mismatched-passwords",
        ),
        pytest.param(
            {"password": "Zq9-xk", "password_repeat": "Zq9-xk"},
            "password",
            "10",
            id="too-short-password",
        ),
        pytest.param({"email": "erin-at-example.org"}, "email", "email", id="invalid-email"),
        pytest.param({"email": ""}, "email", "required", id="missing-email"),
        pytest.param(
            {"timezone": "Mars/Olympus_Mons"}, "timezone", "time zone", id="unknown-time-zone"
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_creates_nothing(
    client: TestClient,
    session: Session,
    overrides: dict[str, str],
    field: str,
    words: str,
) -> None:
    users_before = count_rows(session, "users")

    response = register(client, **overrides)

    assert response.status_code == 422
    message = field_error(response.text, field)
    assert message is not None, f"no message for {field}"
    assert words in message.lower()
    assert count_rows(session, "users") == users_before
    assert client.cookies.get(SESSION_COOKIE) is None


def test_a_refused_form_keeps_what_was_typed_but_never_the_password(client: TestClient) -> None:
    typed_email = "erin-at-example.org"
    response = register(client, email=typed_email, display_name="Erin <Example>")

    assert response.status_code == 422
    values = input_values(response.text)
    assert values["email"] == typed_email
    assert values["display_name"] == "Erin <Example>"
    assert values["password"] == ""
    assert values["password_repeat"] == ""
    assert NEW_PASSWORD not in response.text


def test_an_email_that_already_has_an_account_is_refused(
    client: TestClient, session: Session, alice: User
) -> None:
    hash_before = alice.password_hash
    users_before = count_rows(session, "users")

    response = register(client, email="Alice@Example.org")

    assert response.status_code == 422
    message = field_error(response.text, "email")
    assert message is not None
    assert "already exists" in message
    assert count_rows(session, "users") == users_before
    alice_now = stored_user(session, "alice@example.org")
    assert alice_now is not None
    assert alice_now.password_hash == hash_before
    assert client.cookies.get(SESSION_COOKIE) is None


def test_a_signed_in_person_visiting_register_is_sent_home(client: TestClient, alice: User) -> None:
    sign_in(client, alice.email)

    response = client.get("/register", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
