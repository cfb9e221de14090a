"""API tokens (CONTRACTS.md section 6): issued, stored hashed, listed and revoked by their owner."""

from __future__ import annotations

import hashlib
import re

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from tests.accounts.support import database_rows, page_token, request_token
from tests.conftest import PASSWORD, sign_in

TOKEN_ON_PAGE = re.compile(r'data-testid="new-token">([^<]+)<')
REVOKE_ACTION = re.compile(r'action="(/account/tokens/\d+/revoke)"')


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(client: TestClient, email: str, name: str = "script") -> dict[str, object]:
    response = client.post(
        "/api/v1/auth/token",
        json={"email": email, "password": PASSWORD, "name": name},
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def list_tokens(client: TestClient, token: str) -> httpx2.Response:
    return client.get("/api/v1/auth/tokens", headers=bearer(token))


def assert_json_error(response: httpx2.Response, status: int) -> None:
    assert response.status_code == status
    error = response.json()["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]


def test_the_token_endpoint_answers_an_access_token_of_type_bearer(
    client: TestClient, alice: User
) -> None:
    response = request_token(client, alice.email)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str)
    assert len(body["access_token"]) >= 32
    assert list_tokens(client, body["access_token"]).status_code == 200


def test_each_request_gives_a_different_token(client: TestClient, alice: User) -> None:
    first = request_token(client, alice.email).json()["access_token"]
    second = request_token(client, alice.email).json()["access_token"]

    assert first != second


def test_the_token_is_stored_only_as_its_sha256(
    client: TestClient, session: Session, alice: User
) -> None:
    token = str(issue(client, alice.email)["access_token"])

    stored = database_rows(session)

    everything = "\n".join(row for rows in stored.values() for row in rows)
    assert token not in everything
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert any(digest in row for row in stored["api_tokens"])


def test_the_token_endpoint_refuses_a_wrong_password_with_the_error_shape(
    client: TestClient, alice: User
) -> None:
    assert_json_error(request_token(client, alice.email, "wrong password here"), 401)


def test_the_token_endpoint_refuses_a_malformed_body_with_the_error_shape(
    client: TestClient,
) -> None:
    response = client.post("/api/v1/auth/token", json={"email": "alice@example.org"})

    assert_json_error(response, 422)


def test_the_list_shows_only_the_callers_tokens(client: TestClient, alice: User, bob: User) -> None:
    alices = [issue(client, alice.email, name) for name in ("laptop", "export")]
    bobs = issue(client, bob.email, "bob's script")

    alice_list = list_tokens(client, str(alices[0]["access_token"])).json()
    bob_list = list_tokens(client, str(bobs["access_token"])).json()

    assert {t["id"] for t in alice_list} == {t["id"] for t in alices}
    assert {t["name"] for t in alice_list} == {"laptop", "export"}
    assert [t["id"] for t in bob_list] == [bobs["id"]]


def test_the_list_never_shows_the_secret(client: TestClient, alice: User) -> None:
    token = str(issue(client, alice.email)["access_token"])

    response = list_tokens(client, token)

    assert token not in response.text
    assert response.json()[0]["prefix"] == token[: len(response.json()[0]["prefix"])]


def test_a_revoked_token_gets_401_with_the_error_shape(client: TestClient, alice: User) -> None:
    issued = issue(client, alice.email)
    token = str(issued["access_token"])

    revoked = client.delete(f"/api/v1/auth/tokens/{issued['id']}", headers=bearer(token))

    assert revoked.status_code == 204
    assert_json_error(list_tokens(client, token), 401)
    assert_json_error(client.get("/api/v1/checkins", headers=bearer(token)), 401)


def test_revoking_one_token_leaves_the_others_working(client: TestClient, alice: User) -> None:
    keep = issue(client, alice.email, "keep")
    drop = issue(client, alice.email, "drop")

    client.delete(f"/api/v1/auth/tokens/{drop['id']}", headers=bearer(str(keep["access_token"])))

    remaining = list_tokens(client, str(keep["access_token"]))
    assert [t["id"] for t in remaining.json()] == [keep["id"]]


def test_bob_cannot_revoke_alices_token(
    client: TestClient, session: Session, alice: User, bob: User
) -> None:
    alices = issue(client, alice.email)
    bobs = issue(client, bob.email)
    before = database_rows(session)

    response = client.delete(
        f"/api/v1/auth/tokens/{alices['id']}", headers=bearer(str(bobs["access_token"]))
    )

    assert_json_error(response, 404)
    assert database_rows(session) == before
    assert list_tokens(client, str(alices["access_token"])).status_code == 200


def test_revoking_a_token_that_never_existed_is_404(client: TestClient, alice: User) -> None:
    token = str(issue(client, alice.email)["access_token"])

    assert_json_error(client.delete("/api/v1/auth/tokens/999999", headers=bearer(token)), 404)


def test_a_made_up_token_gets_401_with_the_error_shape(client: TestClient, alice: User) -> None:
    assert_json_error(list_tokens(client, "made-up-token"), 401)


def test_the_api_without_credentials_gets_401_with_the_error_shape(client: TestClient) -> None:
    assert_json_error(client.get("/api/v1/auth/tokens"), 401)


def test_a_signed_in_browser_can_list_its_tokens_through_the_api(
    client: TestClient, alice: User
) -> None:
    issued = issue(client, alice.email)
    sign_in(client, alice.email)

    response = client.get("/api/v1/auth/tokens")

    assert [t["id"] for t in response.json()] == [issued["id"]]


# --- the /account page ---------------------------------------------------------------------


def create_on_page(client: TestClient, name: str) -> httpx2.Response:
    return client.post(
        "/account/tokens",
        data={"name": name, "csrf_token": page_token(client)},
        follow_redirects=False,
    )


def test_the_account_page_shows_a_new_token_once(client: TestClient, alice: User) -> None:
    sign_in(client, alice.email)

    created = create_on_page(client, "export script")

    assert created.status_code == 201
    match = TOKEN_ON_PAGE.search(created.text)
    assert match, "the new token is not on the page"
    token = match.group(1).strip()
    assert [t["name"] for t in list_tokens(client, token).json()] == ["export script"]
    later = client.get("/account")
    assert "export script" in later.text
    assert token not in later.text
    assert not TOKEN_ON_PAGE.search(later.text)


def test_a_token_without_a_name_is_refused_on_the_account_page(
    client: TestClient, session: Session, alice: User
) -> None:
    sign_in(client, alice.email)
    before = database_rows(session)

    response = create_on_page(client, "   ")

    assert response.status_code == 422
    assert 'id="name-error"' in response.text
    assert database_rows(session) == before


def test_the_account_page_lists_only_the_owners_tokens(
    client: TestClient, alice: User, bob: User
) -> None:
    issue(client, bob.email, "bobs-private-script")
    issue(client, alice.email, "alices-laptop")
    sign_in(client, alice.email)

    page = client.get("/account").text

    assert "alices-laptop" in page
    assert "bobs-private-script" not in page


def test_the_account_page_revokes_a_token(client: TestClient, alice: User) -> None:
    token = str(issue(client, alice.email, "old laptop")["access_token"])
    sign_in(client, alice.email)
    page = client.get("/account").text
    action = REVOKE_ACTION.search(page)
    assert action

    response = client.post(
        action.group(1), data={"csrf_token": page_token(client)}, follow_redirects=False
    )

    assert response.status_code == 303
    assert_json_error(list_tokens(client, token), 401)
    after = client.get(response.headers["location"]).text
    assert "old laptop" not in after
    assert "no longer works" in after


def test_bob_cannot_revoke_alices_token_on_the_account_page(
    client: TestClient, session: Session, alice: User, bob: User
) -> None:
    alices = issue(client, alice.email)
    sign_in(client, bob.email)
    before = database_rows(session)

    response = client.post(
        f"/account/tokens/{alices['id']}/revoke",
        data={"csrf_token": page_token(client)},
        follow_redirects=False,
    )

    assert response.status_code == 404
    assert database_rows(session) == before
    assert list_tokens(client, str(alices["access_token"])).status_code == 200
