"""Signing in and out: the session cookie, its rotation, the messages and where people land."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.app import create_app
from affectrange.config import Settings
from affectrange.db import Database
from tests.accounts.support import (
    COOKIE_DOMAIN,
    SESSION_COOKIE,
    alert_text,
    browser_destination,
    count_rows,
    input_values,
    is_sent_to_sign_in,
    page_token,
    post_login,
    request_token,
    set_cookie_attributes,
)
from tests.conftest import PASSWORD, csrf_from, sign_in
from tests.support.clock import FrozenClock


def test_the_right_password_signs_in_with_a_303_and_a_session_cookie(
    client: TestClient, alice: User
) -> None:
    response = post_login(client, alice.email)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_the_session_cookie_is_httponly_and_samesite_lax(client: TestClient, alice: User) -> None:
    response = post_login(client, alice.email)

    cookie = set_cookie_attributes(response.headers.get_list("set-cookie"), SESSION_COOKIE)
    assert "httponly" in cookie
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"


def test_the_session_cookie_is_not_secure_over_plain_http(client: TestClient, alice: User) -> None:
    response = post_login(client, alice.email)

    cookie = set_cookie_attributes(response.headers.get_list("set-cookie"), SESSION_COOKIE)
    assert "secure" not in cookie


def test_the_session_cookie_is_secure_over_https(app: FastAPI, alice: User) -> None:
    with TestClient(app, base_url="https://testserver") as browser:
        response = post_login(browser, alice.email)

        assert response.status_code == 303
        cookie = set_cookie_attributes(response.headers.get_list("set-cookie"), SESSION_COOKIE)
        assert "secure" in cookie
        assert "httponly" in cookie


def test_force_secure_cookies_marks_cookies_secure_even_over_http(
    settings: Settings, database: Database, clock: FrozenClock, alice: User
) -> None:
    forced = settings.model_copy(update={"force_secure_cookies": True})
    app = create_app(forced, database=database, clock=clock)
    with TestClient(app, base_url="http://testserver") as browser:
        form_page = browser.get("/login")
        anon = set_cookie_attributes(form_page.headers.get_list("set-cookie"), "affectrange_csrf")
        assert "secure" in anon
        # A browser would not send a Secure cookie back over http; this stands in for a proxy
        # that ends TLS in front of the app.
        response = browser.post(
            "/login",
            data={
                "email": alice.email,
                "password": PASSWORD,
                "csrf_token": csrf_from(form_page.text),
            },
            headers={"cookie": f"affectrange_csrf={anon['value']}"},
            follow_redirects=False,
        )

        assert response.status_code == 303
        cookie = set_cookie_attributes(response.headers.get_list("set-cookie"), SESSION_COOKIE)
        assert "secure" in cookie


def test_signing_in_again_issues_a_new_session_and_ends_the_old_one(
    client: TestClient, app: FastAPI, alice: User
) -> None:
    sign_in(client, alice.email)
    old_cookie = client.cookies[SESSION_COOKIE]

    response = post_login(client, alice.email, token=page_token(client))

    assert response.status_code == 303
    new_cookie = client.cookies[SESSION_COOKIE]
    assert new_cookie != old_cookie
    with TestClient(app) as replay:
        replay.cookies.set(SESSION_COOKIE, old_cookie, domain=COOKIE_DOMAIN)
        assert is_sent_to_sign_in(replay.get("/account", follow_redirects=False))


def test_a_session_cookie_planted_before_sign_in_is_replaced(
    client: TestClient, alice: User
) -> None:
    client.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker", domain=COOKIE_DOMAIN)

    post_login(client, alice.email)

    assert client.cookies[SESSION_COOKIE] != "chosen-by-an-attacker"
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_message(
    client: TestClient, alice: User
) -> None:
    wrong_password = post_login(client, alice.email, "not the password at all")
    unknown_email = post_login(client, "nobody@example.org", "not the password at all")

    assert wrong_password.status_code == unknown_email.status_code == 401
    wrong_message = alert_text(wrong_password.text)
    assert wrong_message
    assert wrong_message == alert_text(unknown_email.text)
    assert client.cookies.get(SESSION_COOKIE) is None


def test_the_api_answers_wrong_password_and_unknown_email_alike(
    client: TestClient, alice: User
) -> None:
    wrong_password = request_token(client, alice.email, "not the password at all")
    unknown_email = request_token(client, "nobody@example.org", "not the password at all")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert set(wrong_password.json()["error"]) >= {"code", "message"}


def test_a_failed_sign_in_keeps_the_email_but_not_the_password(
    client: TestClient, alice: User
) -> None:
    response = post_login(client, alice.email, "my-secret-guess-123")

    assert input_values(response.text)["email"] == alice.email
    assert "my-secret-guess-123" not in response.text


def test_the_email_is_matched_without_regard_to_case(client: TestClient, alice: User) -> None:
    response = post_login(client, "  ALICE@example.ORG ")

    assert response.status_code == 303


def test_signing_out_ends_the_session_on_the_server(
    client: TestClient, app: FastAPI, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)
    cookie = client.cookies[SESSION_COOKIE]
    sessions_before = count_rows(session, "web_sessions")

    response = client.post(
        "/logout", data={"csrf_token": page_token(client)}, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert count_rows(session, "web_sessions") == sessions_before - 1
    assert is_sent_to_sign_in(client.get("/account", follow_redirects=False))
    with TestClient(app) as replay:
        replay.cookies.set(SESSION_COOKIE, cookie, domain=COOKIE_DOMAIN)
        assert is_sent_to_sign_in(replay.get("/account", follow_redirects=False))


def test_a_page_that_needs_sign_in_sends_there_and_back(client: TestClient, alice: User) -> None:
    first = client.get("/account", follow_redirects=False)
    assert is_sent_to_sign_in(first)

    login_page = client.get(first.headers["location"])
    next_url = input_values(login_page.text).get("next")
    response = post_login(client, alice.email, token=csrf_from(login_page.text), next_url=next_url)

    assert response.headers["location"] == "/account"


@pytest.mark.parametrize("target", ["/checkins", "/account?changed=token#tokens"])
def test_next_leads_to_a_page_of_this_site(client: TestClient, alice: User, target: str) -> None:
    response = post_login(client, alice.email, next_url=target)

    assert response.status_code == 303
    assert response.headers["location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example/path",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_next_never_leads_to_another_site(
    client: TestClient, alice: User, target: str, htmx: bool
) -> None:
    headers = {"HX-Request": "true"} if htmx else None

    response = post_login(client, alice.email, next_url=target, headers=headers)

    location = response.headers["hx-redirect" if htmx else "location"]
    assert browser_destination(location) == "testserver"
    assert not location.lower().startswith("javascript:")


def test_a_signed_in_browser_on_the_login_page_does_not_follow_a_foreign_next(
    client: TestClient, alice: User
) -> None:
    sign_in(client, alice.email)

    response = client.get("/login", params={"next": "https://evil.example"}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_session_lasts_as_long_as_its_cookie_and_no_longer(
    client: TestClient, settings: Settings, clock: FrozenClock, alice: User
) -> None:
    response = post_login(client, alice.email)
    lifetime = dt.timedelta(hours=settings.session_lifetime_hours)
    cookie = set_cookie_attributes(response.headers.get_list("set-cookie"), SESSION_COOKIE)
    assert int(cookie["max-age"]) == lifetime.total_seconds()

    clock.advance(lifetime - dt.timedelta(seconds=1))
    assert client.get("/account", follow_redirects=False).status_code == 200
    clock.advance(dt.timedelta(seconds=1))
    assert is_sent_to_sign_in(client.get("/account", follow_redirects=False))


def test_registering_sets_the_same_kind_of_session_cookie(client: TestClient) -> None:
    password = "Tulip-Ladder-Orbit-42"
    response = client.post(
        "/register",
        data={
            "email": "erin@example.org",
            "password": password,
            "password_repeat": password,
            "csrf_token": csrf_from(client.get("/register").text),
        },
        follow_redirects=False,
    )

    cookie = set_cookie_attributes(response.headers.get_list("set-cookie"), SESSION_COOKIE)
    assert "httponly" in cookie
    assert cookie["samesite"].lower() == "lax"
    assert "secure" not in cookie


def test_the_sign_in_redirect_keeps_the_query_of_the_page_asked_for(
    client: TestClient, alice: User
) -> None:
    asked = client.get("/checkins/new?date=2026-06-10", follow_redirects=False)
    assert asked.headers["location"] == "/login?next=%2Fcheckins%2Fnew%3Fdate%3D2026-06-10"

    login_page = client.get(asked.headers["location"])
    response = client.post(
        "/login",
        data={
            "email": alice.email,
            "password": PASSWORD,
            "next": "/checkins/new?date=2026-06-10",
            "csrf_token": csrf_from(login_page.text),
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == "/checkins/new?date=2026-06-10"
    assert 'value="/checkins/new?date=2026-06-10"' in login_page.text


def test_a_control_character_in_the_email_is_refused_not_a_server_error(
    client: TestClient, alice: User
) -> None:
    page = client.get("/login")
    form = client.post(
        "/login",
        data={
            "email": "alice\x00@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    api = client.post(
        "/api/v1/auth/token", json={"email": "alice\x00@example.org", "password": "x"}
    )

    assert form.status_code == 422
    assert "control character" in form.text
    assert api.status_code == 422
    assert api.json()["error"]["fields"]["email"].startswith("Contains a control character")
