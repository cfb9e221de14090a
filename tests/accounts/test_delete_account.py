"""Deleting one's account on the account page and through DELETE /api/v1/account: the password
is asked again (and throttled like a sign-in), the word DELETE must be typed, a refusal names the
field and deletes nothing, and afterwards the cookie, the tokens and the password stop working.
"""

from __future__ import annotations

import re

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.config import Settings
from affectrange.safety import medication_advice_in
from tests.accounts.support import (
    SESSION_COOKIE,
    alert_text,
    count_rows,
    database_rows,
    field_error,
    is_sent_to_sign_in,
    page_token,
    post_login,
    request_token,
    set_cookie_attributes,
)
from tests.conftest import PASSWORD, sign_in
from tests.sharing.conftest import ClientFor, client_for
from tests.sharing.helpers import record_checkins, share, text_of

__all__ = ["client_for"]  # the fixture shared with the sharing tests

WRONG = "not my password at all"


def delete_form(
    client: TestClient, password: str = PASSWORD, confirm: str | None = "DELETE"
) -> httpx2.Response:
    data = {"password": password, "csrf_token": page_token(client, "/account/delete")}
    if confirm is not None:
        data["confirm"] = confirm
    return client.post("/account/delete", data=data, follow_redirects=False)


def delete_api(client: TestClient, headers: dict[str, str], **body: object) -> httpx2.Response:
    payload = {"password": PASSWORD, "confirm": "DELETE", **body}
    return client.request("DELETE", "/api/v1/account", json=payload, headers=headers)


def bearer(client: TestClient, email: str) -> dict[str, str]:
    response = request_token(client, email)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def account_exists(session: Session, email: str) -> bool:
    return count_users(session, email) == 1


def count_users(session: Session, email: str) -> int:
    session.expire_all()
    count = session.scalar(select(func.count()).select_from(User).where(User.email == email))
    session.commit()
    return int(count or 0)


@pytest.fixture
def signed_in(client: TestClient, alice: User) -> TestClient:
    sign_in(client, alice.email)
    return client


# --- the pages ---------------------------------------------------------------------------------


def test_the_account_page_ends_with_a_way_to_delete_the_account(signed_in: TestClient) -> None:
    page = signed_in.get("/account").text

    sections = re.findall(r'<section aria-labelledby="([^"]+)"', page)
    assert sections[-1] == "delete-heading"
    assert 'href="/account/delete"' in page


def test_the_delete_page_says_what_goes_what_the_log_keeps_and_offers_the_data_first(
    signed_in: TestClient,
) -> None:
    response = signed_in.get("/account/delete")

    assert response.status_code == 200
    words = text_of(response.text)
    for part in ("check-ins", "questionnaire answers", "medication timeline", "API token"):
        assert part in words
    assert "every entry about you is erased" in words
    assert "cannot be undone" in words
    assert 'href="/account/data"' in response.text
    assert "Type DELETE to confirm" in words
    assert not medication_advice_in(words)


def test_the_delete_page_needs_sign_in(client: TestClient) -> None:
    assert is_sent_to_sign_in(client.get("/account/delete", follow_redirects=False))


def test_deleting_signs_out_and_shows_that_the_account_is_gone(
    signed_in: TestClient, app: FastAPI, session: Session, alice: User
) -> None:
    old_cookie = signed_in.cookies.get(SESSION_COOKIE)

    response = delete_form(signed_in)

    assert response.status_code == 303
    assert response.headers["location"] == "/account/deleted"
    cookie = set_cookie_attributes(response.headers.get_list("set-cookie"), SESSION_COOKIE)
    assert cookie["max-age"] == "0"
    page = signed_in.get("/account/deleted")
    assert "Your account has been deleted" in text_of(page.text)
    assert not account_exists(session, "alice@example.org")
    with TestClient(app) as replayed:
        assert old_cookie is not None
        replayed.cookies.set(SESSION_COOKIE, old_cookie)
        assert is_sent_to_sign_in(replayed.get("/account", follow_redirects=False))
        assert replayed.get("/api/v1/checkins").status_code == 401
    with TestClient(app) as other:
        assert post_login(other, "alice@example.org").status_code == 401


def test_a_wrong_password_deletes_nothing_and_says_so_next_to_the_field(
    signed_in: TestClient, session: Session
) -> None:
    before = database_rows(session)

    response = delete_form(signed_in, password=WRONG)

    assert response.status_code == 422
    assert field_error(response.text, "password") == "This is not your password."
    assert alert_text(response.text) == "Nothing was deleted. Please correct the marked fields."
    assert WRONG not in response.text
    after = database_rows(session)
    assert after.pop("login_failures") != before.pop("login_failures")  # counted as a failure
    assert after == before
    assert signed_in.get("/account", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("confirm", [None, "", "delete", "DELETE it", "yes"])
def test_without_the_word_delete_nothing_is_deleted_and_no_attempt_is_counted(
    signed_in: TestClient, session: Session, confirm: str | None
) -> None:
    before = database_rows(session)

    response = delete_form(signed_in, confirm=confirm)

    assert response.status_code == 422
    assert field_error(response.text, "confirm") == "Type DELETE in capital letters to confirm."
    assert field_error(response.text, "password") is None
    assert database_rows(session) == before


def test_an_empty_password_is_named_and_what_was_typed_is_kept(
    signed_in: TestClient, session: Session
) -> None:
    before = database_rows(session)

    response = delete_form(signed_in, password="", confirm="delete")

    assert response.status_code == 422
    assert field_error(response.text, "password") == "This is required."
    assert field_error(response.text, "confirm")
    assert 'value="delete"' in response.text
    assert database_rows(session) == before


def test_guessing_the_password_to_delete_is_throttled_like_signing_in(
    signed_in: TestClient, app: FastAPI, session: Session, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures_per_account):
        assert delete_form(signed_in, password=WRONG).status_code == 422

    throttled = delete_form(signed_in)

    assert throttled.status_code == 429
    assert "Too many sign-in attempts" in throttled.text
    assert account_exists(session, "alice@example.org")
    with TestClient(app) as other:
        assert post_login(other, "alice@example.org").status_code == 429


def test_the_same_e_mail_can_make_a_new_empty_account_afterwards(
    signed_in: TestClient, session: Session, alice: User
) -> None:
    record_checkins(session, alice, 3)
    delete_form(signed_in)
    form = {
        "email": "alice@example.org",
        "display_name": "Alice Again",
        "password": PASSWORD,
        "password_repeat": PASSWORD,
        "csrf_token": page_token(signed_in, "/register"),
    }

    registered = signed_in.post("/register", data=form, follow_redirects=False)

    assert registered.status_code == 303, registered.text
    assert signed_in.get("/api/v1/checkins").json() == {"checkins": []}
    assert "Nothing yet" in signed_in.get("/sharing/activity").text


# --- other people ------------------------------------------------------------------------------


def test_others_pages_keep_working_after_a_person_deletes(
    client_for: ClientFor, session: Session, alice: User, bob: User, carol: User
) -> None:
    share(session, alice, carol)
    share(session, bob, carol)
    record_checkins(session, alice, 3)
    record_checkins(session, bob, 3)
    carols = client_for(carol.email)
    assert carols.get(f"/clinician/people/{alice.id}").status_code == 200
    assert carols.get(f"/clinician/people/{bob.id}").status_code == 200
    alice_id = alice.id

    assert delete_form(client_for(alice.email)).status_code == 303

    dashboard = carols.get("/clinician")
    assert dashboard.status_code == 200
    assert "Bob" in text_of(dashboard.text)
    assert "Alice" not in text_of(dashboard.text)
    assert carols.get(f"/clinician/people/{alice_id}").status_code == 404
    activity = client_for(bob.email).get("/sharing/activity")
    assert activity.status_code == 200
    assert "Carol <carol@example.org>" in text_of(activity.text)


def test_a_person_still_sees_a_deleted_clinicians_reads_and_that_the_share_ended(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    share(session, alice, carol)
    record_checkins(session, alice, 3)
    assert client_for(carol.email).get(f"/clinician/people/{alice.id}").status_code == 200

    assert delete_form(client_for(carol.email)).status_code == 303

    alices = client_for(alice.email)
    activity = text_of(alices.get("/sharing/activity").text)
    assert re.search(
        r"Carol <carol@example\.org> ended a share share \d+ ended: "
        r"the clinician deleted their account",
        activity,
    )
    assert "Carol <carol@example.org> opened your record" in activity
    sharing_page = alices.get("/sharing")
    assert sharing_page.status_code == 200
    assert "Who can see your record No one." in text_of(sharing_page.text)


# --- the API -----------------------------------------------------------------------------------


def test_the_api_deletes_with_a_bearer_token_and_the_token_stops_working(
    client: TestClient, session: Session, alice: User
) -> None:
    headers = bearer(client, alice.email)
    other_token = bearer(client, alice.email)

    response = delete_api(client, headers)

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert not account_exists(session, "alice@example.org")
    for used in (headers, other_token):
        assert client.get("/api/v1/auth/tokens", headers=used).status_code == 401
    assert request_token(client, "alice@example.org").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": WRONG}, "password"),
        ({"password": ""}, "password"),
        ({"confirm": "delete"}, "confirm"),
        ({"confirm": ""}, "confirm"),
        ({"shred": True}, "shred"),
    ],
    ids=["wrong-password", "empty-password", "lower-case", "no-word", "unknown-field"],
)
def test_the_api_names_the_field_and_deletes_nothing(
    client: TestClient, session: Session, alice: User, body: dict[str, object], field: str
) -> None:
    headers = bearer(client, alice.email)
    before = database_rows(session)

    response = delete_api(client, headers, **body)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in error["fields"]
    after = database_rows(session)
    if field == "password" and body["password"]:
        assert after.pop("login_failures") != before.pop("login_failures")
    assert after == before


def test_the_api_without_the_confirmation_word_names_it(client: TestClient, alice: User) -> None:
    headers = bearer(client, alice.email)

    response = client.request(
        "DELETE", "/api/v1/account", json={"password": PASSWORD}, headers=headers
    )

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"confirm"}


def test_the_api_needs_credentials(client: TestClient, session: Session, alice: User) -> None:
    response = delete_api(client, {})

    assert response.status_code == 401
    assert account_exists(session, "alice@example.org")


def test_the_api_with_the_browsers_cookie_needs_the_csrf_header(
    signed_in: TestClient, session: Session
) -> None:
    refused = delete_api(signed_in, {})
    assert refused.status_code == 403
    assert account_exists(session, "alice@example.org")

    accepted = delete_api(signed_in, {"X-CSRF-Token": page_token(signed_in)})

    assert accepted.status_code == 204
    assert not account_exists(session, "alice@example.org")


def test_the_api_throttles_password_guesses(
    client: TestClient, session: Session, settings: Settings, alice: User
) -> None:
    headers = bearer(client, alice.email)
    for _ in range(settings.login_max_failures_per_account):
        assert delete_api(client, headers, password=WRONG).status_code == 422

    throttled = delete_api(client, headers)

    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert account_exists(session, "alice@example.org")
    assert count_rows(session, "api_tokens") == 1
