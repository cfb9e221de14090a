"""CSRF protection for every form: a token bound by HMAC to the browser's cookie.

Signed-in browsers get a token derived from their session cookie (so it changes at sign-in);
anonymous browsers (the sign-in and registration forms) get one derived from a random cookie.
The JSON API needs no token when it authenticates with a bearer header, which browsers never
send on their own; a cookie-authenticated API write must send the token as X-CSRF-Token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from affectrange.db import SAFE_METHODS
from affectrange.errors import CsrfFailed

SESSION_COOKIE: Final = "affectrange_session"
ANON_COOKIE: Final = "affectrange_csrf"
FORM_FIELD: Final = "csrf_token"
HEADER: Final = "x-csrf-token"
_NEW_ANON_VALUE: Final = "affectrange_new_anon_csrf"


def csrf_token(request: Request) -> str:
    """The token to embed in forms on this page."""
    session_value = request.cookies.get(SESSION_COOKIE)
    if session_value:
        return _sign(request, "session", session_value)
    anon_value = request.cookies.get(ANON_COOKIE) or _new_anon_value(request)
    return _sign(request, "anon", anon_value)


def _new_anon_value(request: Request) -> str:
    value: str | None = getattr(request.state, _NEW_ANON_VALUE, None)
    if value is None:
        value = secrets.token_urlsafe(32)
        setattr(request.state, _NEW_ANON_VALUE, value)
    return value


def attach_anon_cookie(request: Request, response: Response) -> None:
    """Send the anonymous CSRF cookie if this page minted one."""
    value: str | None = getattr(request.state, _NEW_ANON_VALUE, None)
    if value is not None:
        response.set_cookie(
            ANON_COOKIE,
            value,
            httponly=True,
            samesite="lax",
            secure=cookies_are_secure(request),
            path="/",
        )


def cookies_are_secure(request: Request) -> bool:
    return bool(request.app.state.settings.force_secure_cookies) or request.url.scheme == "https"


def _sign(request: Request, kind: str, value: str) -> str:
    secret: bytes = request.app.state.csrf_secret
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _expected_token(request: Request) -> str | None:
    """Bound to the session cookie when there is one; the anonymous token then no longer counts."""
    session_value = request.cookies.get(SESSION_COOKIE)
    if session_value:
        return _sign(request, "session", session_value)
    anon_value = request.cookies.get(ANON_COOKIE)
    return _sign(request, "anon", anon_value) if anon_value else None


def check_csrf(request: Request, presented: str | None) -> None:
    expected = _expected_token(request)
    if presented and expected and hmac.compare_digest(presented, expected):
        return
    raise CsrfFailed(
        "This form has expired or did not come from AffectRange. Reload the page and try again."
    )


async def verify_csrf(request: Request) -> None:
    """Dependency for HTML routes: every unsafe request carries a valid token."""
    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get(HEADER)
    if presented is None:
        form = await request.form()
        value = form.get(FORM_FIELD)
        presented = value if isinstance(value, str) else None
    check_csrf(request, presented)
