"""Changing the password on the account page."""

from __future__ import annotations

import httpx2
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from tests.accounts.support import (
    NEW_PASSWORD,
    alert_text,
    field_error,
    is_sent_to_sign_in,
    page_token,
    post_login,
)
from tests.conftest import PASSWORD, sign_in


def change_password(
    client: TestClient, current: str, new: str, repeat: str | None = None
) -> httpx2.Response:
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "new_password_repeat": new if repeat is None else repeat,
            "csrf_token": page_token(client),
        },
        follow_redirects=False,
    )


def current_hash(session: Session, user: User) -> str:
    session.refresh(user)
    return user.password_hash


def test_a_wrong_current_password_is_refused_and_changes_nothing(
    client: TestClient, app: FastAPI, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)
    hash_before = current_hash(session, alice)

    response = change_password(client, "not my current password", NEW_PASSWORD)

    assert response.status_code == 422
    message = field_error(response.text, "current_password")
    assert message is not None
    assert "current password" in message
    assert current_hash(session, alice) == hash_before
    assert NEW_PASSWORD not in response.text
    with TestClient(app) as other:
        assert post_login(other, alice.email, NEW_PASSWORD).status_code == 401
        assert post_login(other, alice.email, PASSWORD).status_code == 303


def test_mismatched_new_passwords_are_refused(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)
    hash_before = current_hash(session, alice)

    response = change_password(client, PASSWORD, NEW_PASSWORD, repeat=NEW_PASSWORD + "!")

    assert response.status_code == 422
    assert field_error(response.text, "new_password_repeat")
    assert alert_text(response.text)
    assert current_hash(session, alice) == hash_before


def test_a_too_short_new_password_is_refused(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)
    hash_before = current_hash(session, alice)

    response = change_password(client, PASSWORD, "short")

    assert response.status_code == 422
    message = field_error(response.text, "new_password")
    assert message is not None
    assert "10" in message
    assert current_hash(session, alice) == hash_before


def test_after_a_change_only_the_new_password_signs_in(
    client: TestClient, app: FastAPI, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)

    response = change_password(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/account")
    assert current_hash(session, alice).startswith("$argon2id$")
    with TestClient(app) as other:
        assert post_login(other, alice.email, PASSWORD).status_code == 401
        assert post_login(other, alice.email, NEW_PASSWORD).status_code == 303


def test_a_change_signs_out_other_browsers_but_not_this_one(
    client: TestClient, app: FastAPI, alice: User
) -> None:
    with TestClient(app) as other_browser:
        sign_in(other_browser, alice.email)
        sign_in(client, alice.email)

        changed = change_password(client, PASSWORD, NEW_PASSWORD)

        assert is_sent_to_sign_in(other_browser.get("/account", follow_redirects=False))
    page = client.get(changed.headers["location"], follow_redirects=False)
    assert page.status_code == 200
    assert "Other browsers were signed out" in page.text


def test_other_people_stay_signed_in_when_someone_changes_their_password(
    client: TestClient, app: FastAPI, alice: User, bob: User
) -> None:
    with TestClient(app) as bobs_browser:
        sign_in(bobs_browser, bob.email)
        sign_in(client, alice.email)

        change_password(client, PASSWORD, NEW_PASSWORD)

        assert bobs_browser.get("/account", follow_redirects=False).status_code == 200


def test_the_account_page_needs_sign_in(client: TestClient) -> None:
    assert is_sent_to_sign_in(client.get("/account", follow_redirects=False))


def test_guessing_the_current_password_is_throttled_like_signing_in(
    client: TestClient, app: FastAPI, alice: User
) -> None:
    sign_in(client, alice.email)
    for _ in range(5):
        assert change_password(client, "a wrong guess", NEW_PASSWORD).status_code == 422

    throttled = change_password(client, PASSWORD, NEW_PASSWORD)

    assert throttled.status_code == 429
    assert "Too many sign-in attempts" in throttled.text
    with TestClient(app) as other:
        assert post_login(other, alice.email, PASSWORD).status_code == 429
