"""Who is asking: the signed-in browser (cookie) or an API client (bearer token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from affectrange.accounts import service
from affectrange.accounts.models import Role, User
from affectrange.accounts.principal import Principal
from affectrange.db import SAFE_METHODS
from affectrange.errors import Forbidden, NotAuthenticated
from affectrange.web import csrf
from affectrange.web.deps import ClockDep, SessionDep


class SignInRequired(NotAuthenticated):
    """Raised on HTML pages; the error handler turns it into a redirect to the sign-in page."""


def optional_user(request: Request, session: SessionDep, clock: ClockDep) -> User | None:
    token = request.cookies.get(csrf.SESSION_COOKIE)
    user = None
    if token:
        user = service.user_for_session_token(session, token, now=clock.now())
    request.state.user = user
    return user


def require_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise SignInRequired("Please sign in.")
    return user


def require_person(user: Annotated[User, Depends(require_user)]) -> User:
    if user.role is not Role.PERSON:
        raise Forbidden("This page is for people keeping their own check-ins.")
    return user


def require_clinician(user: Annotated[User, Depends(require_user)]) -> User:
    if user.role is not Role.CLINICIAN:
        raise Forbidden("This page is for clinicians.")
    return user


def api_credentials(request: Request) -> service.ApiCredentials:
    """Bearer token, else the browser's session cookie (with the CSRF header for writes).

    Needs no database, so an endpoint can call it before handing work to the writer.
    """
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return service.ApiCredentials("bearer", token.strip())
    cookie = request.cookies.get(csrf.SESSION_COOKIE)
    if cookie:
        if request.method not in SAFE_METHODS:
            csrf.check_csrf(request, request.headers.get(csrf.HEADER))
        return service.ApiCredentials("cookie", cookie)
    raise NotAuthenticated(service.SIGN_IN_FIRST_MESSAGE)


def require_api_user(request: Request, session: SessionDep, clock: ClockDep) -> Principal:
    credentials = api_credentials(request)
    # Recording last use is a write; reads stay read-only so they never wait on a lock.
    writes = request.method not in SAFE_METHODS
    return service.principal_for_credentials(
        session, credentials, now=clock.now(), record_use=writes
    )


def require_api_user_for_read_first(
    request: Request, session: SessionDep, clock: ClockDep
) -> Principal:
    """For a `@db.read_first` API write: authenticates without recording the token's last use,
    which is a write and would hold the write lock through the slow password check."""
    return service.principal_for_credentials(
        session, api_credentials(request), now=clock.now(), record_use=False
    )


def require_api_person(principal: Annotated[Principal, Depends(require_api_user)]) -> Principal:
    return service.ensure_person(principal)


def require_api_clinician(
    principal: Annotated[Principal, Depends(require_api_user)], session: SessionDep
) -> User:
    """The clinician behind an API request, as a full account (the audit log names them)."""
    if principal.role is not Role.CLINICIAN:
        raise Forbidden("This is for clinician accounts.")
    return service.get_user(session, principal)


CurrentUser = Annotated[User, Depends(require_user)]
CurrentPerson = Annotated[User, Depends(require_person)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
ApiUser = Annotated[Principal, Depends(require_api_user)]
ApiUserReadFirst = Annotated[Principal, Depends(require_api_user_for_read_first)]
ApiPerson = Annotated[Principal, Depends(require_api_person)]
CurrentClinician = Annotated[User, Depends(require_clinician)]
ApiClinician = Annotated[User, Depends(require_api_clinician)]
