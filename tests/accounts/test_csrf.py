"""Every form needs its CSRF token; the API needs it only when a browser's cookie authenticates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.web.csrf import verify_csrf
from tests.accounts.support import (
    NEW_PASSWORD,
    count_rows,
    database_rows,
    error_page_message,
    page_token,
    request_token,
)
from tests.conftest import PASSWORD, TODAY, checkin_payload, csrf_from, sign_in


@dataclass(frozen=True)
class FormPost:
    path: str
    data: Callable[[TestClient], dict[str, str]]
    signed_in: bool = True


def _token_id(client: TestClient) -> str:
    response = request_token(client, "alice@example.org")
    return str(response.json()["id"])


def _checkin_form(_client: TestClient) -> dict[str, str]:
    return {key: str(value) for key, value in checkin_payload().items()}


FORMS = {
    "login": FormPost(
        "/login",
        lambda _c: {"email": "alice@example.org", "password": PASSWORD},
        signed_in=False,
    ),
    "register": FormPost(
        "/register",
        lambda _c: {
            "email": "erin@example.org",
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
        signed_in=False,
    ),
    "logout": FormPost("/logout", lambda _c: {}),
    "change-password": FormPost(
        "/account/password",
        lambda _c: {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_repeat": NEW_PASSWORD,
        },
    ),
    "create-token": FormPost("/account/tokens", lambda _c: {"name": "script"}),
    "revoke-token": FormPost("/account/tokens/{token_id}/revoke", lambda _c: {}),
    "checkin": FormPost("/checkins", _checkin_form),
    "delete-account": FormPost(
        "/account/delete", lambda _c: {"password": PASSWORD, "confirm": "DELETE"}
    ),
}


def _prepare(client: TestClient, form: FormPost) -> tuple[str, str]:
    """Sign in if the form needs it; return the path to post to and the page's real token."""
    path = form.path
    if "{token_id}" in path:
        path = path.format(token_id=_token_id(client))
    if form.signed_in:
        sign_in(client, "alice@example.org")
        return path, page_token(client)
    return path, csrf_from(client.get(form.path).text)


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
@pytest.mark.parametrize(
    "presented", [None, "", "0" * 64, "forged-token"], ids=["missing", "empty", "zeros", "forged"]
)
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, session: Session, alice: User, form: FormPost, presented: str | None
) -> None:
    path, real_token = _prepare(client, form)
    data = form.data(client)
    before = database_rows(session)

    if presented is not None:
        data["csrf_token"] = presented
    response = client.post(path, data=data, follow_redirects=False)

    assert response.status_code == 403
    assert error_page_message(response.text)
    assert database_rows(session) == before
    # The same request with the page's own token goes through, so the refusal was the token's.
    accepted = client.post(path, data={**data, "csrf_token": real_token}, follow_redirects=False)
    assert accepted.status_code in {201, 303}, accepted.text
    assert database_rows(session) != before


def test_a_token_from_another_browser_is_refused(
    client: TestClient, session: Session, alice: User, bob: User
) -> None:
    sign_in(client, bob.email)
    bobs_token = page_token(client)
    client.cookies.clear()
    sign_in(client, alice.email)
    before = database_rows(session)

    response = client.post(
        "/account/tokens",
        data={"name": "planted", "csrf_token": bobs_token},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert database_rows(session) == before


def test_a_form_token_stops_working_after_sign_out(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)
    old_token = page_token(client)
    client.post("/logout", data={"csrf_token": old_token})
    sign_in(client, alice.email)
    before = count_rows(session, "api_tokens")

    response = client.post(
        "/account/tokens", data={"name": "stale", "csrf_token": old_token}, follow_redirects=False
    )

    assert response.status_code == 403
    assert count_rows(session, "api_tokens") == before


def test_a_cookie_authenticated_api_write_needs_the_csrf_header(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)

    refused = client.post("/api/v1/checkins", json=checkin_payload())

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert count_rows(session, "checkins") == 0
    forged = client.post(
        "/api/v1/checkins", json=checkin_payload(), headers={"X-CSRF-Token": "forged"}
    )
    assert forged.status_code == 403
    accepted = client.post(
        "/api/v1/checkins", json=checkin_payload(), headers={"X-CSRF-Token": page_token(client)}
    )
    assert accepted.status_code == 201, accepted.text
    assert count_rows(session, "checkins") == 1


def test_a_cookie_authenticated_api_token_revocation_needs_the_csrf_header(
    client: TestClient, session: Session, alice: User
) -> None:
    token_id = request_token(client, alice.email).json()["id"]
    sign_in(client, alice.email)

    refused = client.delete(f"/api/v1/auth/tokens/{token_id}")

    assert refused.status_code == 403
    assert count_rows(session, "api_tokens") == 1


def test_cookie_authenticated_api_reads_need_no_csrf_header(
    client: TestClient, alice: User
) -> None:
    sign_in(client, alice.email)

    response = client.get("/api/v1/checkins")

    assert response.status_code == 200


def test_a_bearer_token_api_write_needs_no_csrf_token(
    client: TestClient, session: Session, alice: User
) -> None:
    bearer = request_token(client, alice.email).json()["access_token"]
    assert not client.cookies

    response = client.post(
        "/api/v1/checkins",
        json=checkin_payload(day=TODAY),
        headers={"Authorization": f"Bearer {bearer}"},
    )

    assert response.status_code == 201, response.text
    assert count_rows(session, "checkins") == 1


def test_the_anonymous_token_no_longer_counts_once_signed_in(
    client: TestClient, alice: User, session: Session
) -> None:
    anonymous_token = csrf_from(client.get("/login").text)
    sign_in(client, alice.email)

    response = client.post("/logout", data={"csrf_token": anonymous_token}, follow_redirects=False)

    assert response.status_code == 403
    assert client.get("/account", follow_redirects=False).status_code == 200  # still signed in


def test_every_unsafe_html_route_checks_the_csrf_token(app: FastAPI) -> None:
    """A route added later without the check fails here, not in production."""
    unprotected = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.path.startswith("/api/"):
            continue
        unsafe = (route.methods or set()) - {"GET", "HEAD", "OPTIONS"}
        checked = any(d.call is verify_csrf for d in route.dependant.dependencies)
        if unsafe and not checked:
            unprotected.append(f"{sorted(unsafe)} {route.path}")

    assert unprotected == []
