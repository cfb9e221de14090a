"""Guessing passwords is throttled per account and per address, on the form and on the API."""

from __future__ import annotations

import datetime as dt
import math

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.config import Settings
from tests.accounts.support import (
    SESSION_COOKIE,
    count_rows,
    error_page_message,
    login_form_token,
    post_login,
    request_token,
)
from tests.support.clock import FrozenClock

WRONG = "wrong password, again"


def fail_logins(client: TestClient, email: str, times: int) -> None:
    token = login_form_token(client)
    for attempt in range(times):
        response = post_login(client, email, WRONG, token=token)
        assert response.status_code == 401, f"attempt {attempt + 1}: {response.status_code}"


def retry_after(response: httpx2.Response) -> int:
    value = int(response.headers["retry-after"])
    assert value > 0
    return value


def test_the_right_password_is_refused_after_too_many_failures_on_the_account(
    client: TestClient, settings: Settings, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account)

    response = post_login(client, alice.email)

    assert response.status_code == 429
    assert retry_after(response) <= settings.login_failure_window_minutes * 60
    assert client.cookies.get(SESSION_COOKIE) is None


def test_one_failure_fewer_than_the_limit_does_not_throttle(
    client: TestClient, settings: Settings, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account - 1)

    response = post_login(client, alice.email)

    assert response.status_code == 303


def test_the_throttle_message_is_plain_and_matches_retry_after(
    client: TestClient, settings: Settings, clock: FrozenClock, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account)
    clock.advance(dt.timedelta(minutes=5))

    response = post_login(client, alice.email)

    wait = retry_after(response)
    assert wait == (settings.login_failure_window_minutes - 5) * 60
    message = error_page_message(response.text)
    assert message is not None
    assert "Too many sign-in attempts" in message
    assert f"{math.ceil(wait / 60)} minutes" in message


def test_a_throttled_account_answers_the_same_for_right_and_wrong_passwords(
    client: TestClient, settings: Settings, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account)

    right = post_login(client, alice.email)
    wrong = post_login(client, alice.email, WRONG)

    assert right.status_code == wrong.status_code == 429
    assert error_page_message(right.text) == error_page_message(wrong.text)
    assert right.headers["retry-after"] == wrong.headers["retry-after"]


def test_attempts_while_throttled_do_not_extend_the_wait(
    client: TestClient, settings: Settings, clock: FrozenClock, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account)
    first_wait = retry_after(post_login(client, alice.email, WRONG))
    clock.advance(dt.timedelta(minutes=1))

    second_wait = retry_after(post_login(client, alice.email, WRONG))

    assert second_wait == first_wait - 60


def test_signing_in_works_again_once_retry_after_has_passed(
    client: TestClient, settings: Settings, clock: FrozenClock, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account)
    wait = retry_after(post_login(client, alice.email))

    clock.advance(dt.timedelta(seconds=wait - 1))
    assert post_login(client, alice.email).status_code == 429
    clock.advance(dt.timedelta(seconds=1))
    assert post_login(client, alice.email).status_code == 303


def test_signing_in_works_again_after_the_failure_window(
    client: TestClient, settings: Settings, clock: FrozenClock, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account)

    clock.advance(dt.timedelta(minutes=settings.login_failure_window_minutes, seconds=1))

    assert post_login(client, alice.email).status_code == 303


def test_throttling_one_account_leaves_others_alone(
    client: TestClient, settings: Settings, alice: User, bob: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account)

    assert post_login(client, bob.email).status_code == 303


def test_a_successful_sign_in_forgets_earlier_failures_of_the_account(
    client: TestClient, settings: Settings, alice: User
) -> None:
    fail_logins(client, alice.email, settings.login_max_failures_per_account - 1)
    assert post_login(client, alice.email).status_code == 303
    client.cookies.clear()

    fail_logins(client, alice.email, settings.login_max_failures_per_account - 1)

    assert post_login(client, alice.email).status_code == 303


def test_failures_spread_over_many_emails_hit_the_per_address_limit(
    client: TestClient, settings: Settings, alice: User
) -> None:
    assert settings.login_max_failures_per_address > settings.login_max_failures_per_account
    for number in range(settings.login_max_failures_per_address):
        fail_logins(client, f"guess{number}@example.org", 1)

    response = post_login(client, alice.email)

    assert response.status_code == 429
    assert retry_after(response) > 0
    assert client.cookies.get(SESSION_COOKIE) is None


def test_the_per_address_limit_also_ends_with_the_window(
    client: TestClient, settings: Settings, clock: FrozenClock, alice: User
) -> None:
    for number in range(settings.login_max_failures_per_address):
        fail_logins(client, f"guess{number}@example.org", 1)

    clock.advance(dt.timedelta(minutes=settings.login_failure_window_minutes, seconds=1))

    assert post_login(client, alice.email).status_code == 303


def test_failed_attempts_are_recorded_although_the_request_fails(
    client: TestClient, session: Session, alice: User
) -> None:
    before = count_rows(session, "login_failures")

    fail_logins(client, alice.email, 2)
    request_token(client, alice.email, WRONG)

    assert count_rows(session, "login_failures") == before + 3


def test_the_api_token_endpoint_is_throttled_too(
    client: TestClient, session: Session, settings: Settings, alice: User
) -> None:
    for _ in range(settings.login_max_failures_per_account):
        assert request_token(client, alice.email, WRONG).status_code == 401

    response = request_token(client, alice.email)

    assert response.status_code == 429
    assert retry_after(response) > 0
    error = response.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert "Too many sign-in attempts" in error["message"]
    assert count_rows(session, "api_tokens") == 0


def test_failures_on_the_api_and_the_form_add_up(
    client: TestClient, settings: Settings, alice: User
) -> None:
    half = settings.login_max_failures_per_account // 2
    for _ in range(half):
        request_token(client, alice.email, WRONG)
    fail_logins(client, alice.email, settings.login_max_failures_per_account - half)

    assert request_token(client, alice.email).status_code == 429
    assert post_login(client, alice.email).status_code == 429


def test_the_api_token_endpoint_works_again_after_the_window(
    client: TestClient, settings: Settings, clock: FrozenClock, alice: User
) -> None:
    for _ in range(settings.login_max_failures_per_account):
        request_token(client, alice.email, WRONG)

    clock.advance(dt.timedelta(minutes=settings.login_failure_window_minutes, seconds=1))

    assert request_token(client, alice.email).status_code == 200
