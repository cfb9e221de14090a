"""Helpers for the account tests: read what a browser would see (cookies, messages, form values)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD, csrf_from

SESSION_COOKIE = "affectrange_session"
# Python's cookie jar files cookies of a dot-less host such as "testserver" under "<host>.local".
COOKIE_DOMAIN = "testserver.local"
NEW_PASSWORD = "a much longer new passphrase"


def set_cookie_attributes(set_cookie_headers: list[str], name: str) -> dict[str, str]:
    """The attributes (lower-cased names) of the Set-Cookie header for `name`, plus its value."""
    for header in set_cookie_headers:
        first, *attributes = (part.strip() for part in header.split(";"))
        cookie_name, _, value = first.partition("=")
        if cookie_name == name:
            parsed = {"value": value}
            for attribute in attributes:
                key, _, attribute_value = attribute.partition("=")
                parsed[key.strip().lower()] = attribute_value.strip()
            return parsed
    raise AssertionError(f"no Set-Cookie for {name} in {set_cookie_headers}")


def field_error(page: str, field: str) -> str | None:
    """The message shown under a form field, if any."""
    match = re.search(rf'id="{re.escape(field)}-error">(.*?)</p>', page, re.DOTALL)
    return html.unescape(match.group(1)).strip() if match else None


def alert_text(page: str) -> str | None:
    """The form-level message (role="alert") on a page, if any."""
    match = re.search(r'role="alert">(.*?)</p>', page, re.DOTALL)
    return html.unescape(match.group(1)).strip() if match else None


def error_page_message(page: str) -> str | None:
    match = re.search(r'<p class="error-message">(.*?)</p>', page, re.DOTALL)
    return html.unescape(match.group(1)).strip() if match else None


class _InputValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            self.values.setdefault(name, attributes.get("value") or "")


def input_values(page: str) -> dict[str, str]:
    """What the inputs of a page hold, by field name (the first form's, where names repeat)."""
    parser = _InputValues()
    parser.feed(page)
    return parser.values


def browser_destination(location: str, base: str = "http://testserver/") -> str:
    """The host a browser lands on: it drops tabs and newlines and reads '\\' as '/'."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin(base, cleaned)).netloc


def database_rows(session: Session) -> dict[str, list[str]]:
    """Every row of every table, to show that a refused request changed nothing."""
    session.expire_all()
    connection = session.connection()
    snapshot: dict[str, list[str]] = {}
    for table in sorted(inspect(connection).get_table_names()):
        rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()  # noqa: S608
        snapshot[table] = sorted(repr(tuple(row)) for row in rows)
    return snapshot


def count_rows(session: Session, table: str) -> int:
    value = session.connection().execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
    return int(value)


def login_form_token(client: TestClient) -> str:
    """The CSRF token of the sign-in form (an anonymous browser gets one with its first page)."""
    return csrf_from(client.get("/login").text)


def page_token(client: TestClient, path: str = "/account") -> str:
    """The CSRF token a signed-in browser finds on a page."""
    return csrf_from(client.get(path).text)


def post_login(
    client: TestClient,
    email: str,
    password: str = PASSWORD,
    *,
    token: str | None = None,
    next_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx2.Response:
    """Submit the sign-in form as a browser would (fetching the form first unless given a token)."""
    data = {
        "email": email,
        "password": password,
        "csrf_token": token if token is not None else login_form_token(client),
    }
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data, headers=headers, follow_redirects=False)


def request_token(client: TestClient, email: str, password: str = PASSWORD) -> httpx2.Response:
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def is_sent_to_sign_in(response: httpx2.Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")
