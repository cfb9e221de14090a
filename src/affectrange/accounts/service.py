"""Account rules: registration, signing in with throttling, sessions, passwords and API tokens.

Services flush but never commit: the request (or CLI command) that called them commits.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from affectrange.accounts.models import ApiToken, LoginFailure, Role, User, WebSession
from affectrange.accounts.principal import Owner, Principal
from affectrange.accounts.repository import (
    AccountEraser,
    ApiTokenLookup,
    ApiTokenRepository,
    LoginFailureRepository,
    UserRepository,
    WebSessionRepository,
)
from affectrange.accounts.schemas import PasswordChangeForm, RegisterForm
from affectrange.accounts.security import (
    hash_password,
    new_token,
    spend_equal_time,
    token_digest,
    verify_password,
)
from affectrange.config import Settings
from affectrange.db import switch_to_writing
from affectrange.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)

# The same words for an unknown e-mail and a wrong password, so sign-in does not reveal accounts.
LOGIN_FAILED_MESSAGE = "That e-mail and password do not match an account."
SIGN_IN_FIRST_MESSAGE = (
    "Sign in first: send 'Authorization: Bearer <token>' (POST /api/v1/auth/token)."
)
# Failed sign-ins older than this many throttle windows are deleted when a new one is recorded.
FAILURES_KEPT_FOR_WINDOWS = 4
# Recording every use would turn every API read into a write.
LAST_USE_GRANULARITY = dt.timedelta(minutes=1)


def register_user(
    session: Session,
    settings: Settings,
    form: RegisterForm,
    *,
    now: dt.datetime,
    role: Role = Role.PERSON,
) -> User:
    if form.password != form.password_repeat:
        raise InvalidInput({"password_repeat": "The two passwords are not the same."})
    users = UserRepository(session)
    email = form.email.lower()
    _refuse_taken_email(users, email)
    password_hash = hash_password(settings, form.password)  # slow: before taking the write lock
    switch_to_writing(session)
    _refuse_taken_email(users, email)  # again, now that no one else can be writing
    user = User(
        email=email,
        display_name=form.display_name or email.split("@", 1)[0],
        password_hash=password_hash,
        role=role,
        timezone=form.timezone or settings.timezone,
        created_at=now,
        password_changed_at=now,
    )
    return users.add(user)


def _refuse_taken_email(users: UserRepository, email: str) -> None:
    if users.by_email(email) is not None:
        raise InvalidInput(
            {"email": "An account with this e-mail already exists. Sign in instead."}
        )


def get_user(session: Session, owner: Owner) -> User:
    """The full account behind an owner (a `Principal` carries only id, role and time zone)."""
    user = UserRepository(session).get(owner.id)
    if user is None:
        raise NotAuthenticated(SIGN_IN_FIRST_MESSAGE)
    return user


def user_by_email(session: Session, email: str) -> User | None:
    return UserRepository(session).by_email(email)


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The user on success, else the message to show. Failures are recorded, so never raised."""

    user: User | None
    message: str = ""


def log_in(
    session: Session,
    settings: Settings,
    *,
    email: str,
    password: str,
    address: str,
    now: dt.datetime,
) -> LoginResult:
    """Check credentials; raises TooManyAttempts while this account or address is throttled.

    The password check (argon2, about 0.1 s) runs before the write lock is taken; the throttle is
    then checked again under the lock, so parallel attempts cannot slip past the limit.
    """
    email = email.strip().lower()
    failures = LoginFailureRepository(session)
    _raise_if_throttled(failures, settings, email=email, address=address, now=now)
    user = UserRepository(session).by_email(email)
    if user is None:
        spend_equal_time(settings, password)
        password_ok = False
    else:
        password_ok = verify_password(settings, user.password_hash, password)
    switch_to_writing(session)
    failures.serialize_attempts(email=email, address=address)
    _raise_if_throttled(failures, settings, email=email, address=address, now=now)
    if user is not None and password_ok:
        failures.clear_email(email)
        return LoginResult(user=user)
    window = dt.timedelta(minutes=settings.login_failure_window_minutes)
    failures.delete_before(now - FAILURES_KEPT_FOR_WINDOWS * window)
    failures.add(LoginFailure(email=email, address=address, at=now))
    return LoginResult(user=None, message=LOGIN_FAILED_MESSAGE)


def _raise_if_throttled(
    failures: LoginFailureRepository,
    settings: Settings,
    *,
    email: str,
    address: str,
    now: dt.datetime,
) -> None:
    window = dt.timedelta(minutes=settings.login_failure_window_minutes)
    since = now - window
    for count, oldest, limit in (
        (*failures.since_for_email(email, since), settings.login_max_failures_per_account),
        (*failures.since_for_address(address, since), settings.login_max_failures_per_address),
    ):
        if count >= limit and oldest is not None:
            wait = max(1, math.ceil((oldest + window - now).total_seconds()))
            minutes = max(1, math.ceil(wait / 60))
            raise TooManyAttempts(
                f"Too many sign-in attempts. Please wait {minutes} minute"
                f"{'s' if minutes != 1 else ''} and try again.",
                retry_after_seconds=wait,
            )


def start_web_session(
    session: Session,
    settings: Settings,
    user: User,
    *,
    now: dt.datetime,
    previous_token: str | None,
    user_agent: str | None,
) -> str:
    """Create a fresh session (a new id at every sign-in) and return the cookie value."""
    sessions = WebSessionRepository(session)
    if previous_token:
        sessions.delete_token(token_digest(previous_token))
    sessions.delete_expired(now)
    token = new_token()
    sessions.add(
        WebSession(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.session_lifetime_hours),
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    return token


def end_web_session(session: Session, token: str) -> None:
    WebSessionRepository(session).delete_token(token_digest(token))


def user_for_session_token(session: Session, token: str, *, now: dt.datetime) -> User | None:
    return WebSessionRepository(session).user_for_token(token_digest(token), now)


@dataclass(frozen=True, slots=True)
class PasswordChangeResult:
    """This browser's new session cookie on success, else the field errors to show."""

    session_token: str | None
    errors: dict[str, str]


def change_password(
    session: Session,
    settings: Settings,
    user: User,
    form: PasswordChangeForm,
    *,
    now: dt.datetime,
    address: str,
    user_agent: str | None,
) -> PasswordChangeResult:
    """Set a new password, sign out every other browser, and start a new session for this one.

    A wrong current password counts as a failed sign-in (and is throttled like one), so a stolen
    session cookie cannot be used to guess the password without limit.
    """
    if form.new_password != form.new_password_repeat:
        raise InvalidInput({"new_password_repeat": "The two new passwords are not the same."})
    email = user.email
    failures = LoginFailureRepository(session)
    _raise_if_throttled(failures, settings, email=email, address=address, now=now)
    # Both hashes are slow: computed before the write lock is taken.
    current_ok = verify_password(settings, user.password_hash, form.current_password)
    new_hash = hash_password(settings, form.new_password) if current_ok else None
    switch_to_writing(session)
    failures.serialize_attempts(email=email, address=address)
    _raise_if_throttled(failures, settings, email=email, address=address, now=now)
    if new_hash is None:
        failures.add(LoginFailure(email=email, address=address, at=now))
        return PasswordChangeResult(
            None, {"current_password": "This is not your current password."}
        )
    user.password_hash = new_hash
    user.password_changed_at = now
    WebSessionRepository(session).delete_all_for(user)
    token = start_web_session(
        session, settings, user, now=now, previous_token=None, user_agent=user_agent
    )
    return PasswordChangeResult(token, {})


def reauthenticate(
    session: Session,
    settings: Settings,
    user: User,
    password: str,
    *,
    address: str,
    now: dt.datetime,
) -> bool:
    """Ask a signed-in user for their password again before something that cannot be undone.

    Like signing in: the password is checked (argon2, slow) before the write lock is taken, then
    the session is writing and the throttle is checked again under the lock. A wrong password
    counts as a failed sign-in, so a stolen session cookie cannot be used to guess without limit;
    the caller must return (not raise) on False, so that the failure is committed.
    """
    email = user.email
    failures = LoginFailureRepository(session)
    _raise_if_throttled(failures, settings, email=email, address=address, now=now)
    password_ok = verify_password(settings, user.password_hash, password)
    switch_to_writing(session)
    failures.serialize_attempts(email=email, address=address)
    _raise_if_throttled(failures, settings, email=email, address=address, now=now)
    if not password_ok:
        failures.add(LoginFailure(email=email, address=address, at=now))
    return password_ok


def erase_account(session: Session, user: User) -> dict[str, int]:
    """Delete the account and every row that belongs to it or names it; returns the number of
    rows deleted per table. The audit log is not touched here: see `audit.service.erase_subject`.
    """
    email = user.email  # read before the row goes
    counts = AccountEraser(session, user).erase(email=email)
    if user in session:
        session.expunge(user)  # its row is gone: nothing may refresh or flush it any more
    return counts


def set_password(
    session: Session, settings: Settings, user: User, password: str, *, now: dt.datetime
) -> None:
    """Administrative reset (command line): new hash, every session signed out."""
    user.password_hash = hash_password(settings, password)
    user.password_changed_at = now
    WebSessionRepository(session).delete_all_for(user)


def create_api_token(
    session: Session, user: Owner, *, name: str, now: dt.datetime
) -> tuple[str, ApiToken]:
    """Return the token (shown once, never stored) and its record."""
    token = new_token()
    record = ApiToken(token_hash=token_digest(token), prefix=token[:8], name=name, created_at=now)
    ApiTokenRepository(session, user).add(record)
    return token, record


def list_api_tokens(session: Session, user: Owner) -> list[ApiToken]:
    return ApiTokenRepository(session, user).list()


def revoke_api_token(session: Session, user: Owner, token_id: int) -> None:
    tokens = ApiTokenRepository(session, user)
    token = tokens.get(token_id)
    if token is None:
        raise NotFound("No such token.")
    tokens.delete(token)


def principal_for_api_token(
    session: Session, token: str, *, now: dt.datetime, record_use: bool
) -> Principal | None:
    """The token's owner, or None. Last use is recorded to the minute, not on every call."""
    lookup = ApiTokenLookup(session)
    found = lookup.with_owner(token_digest(token))
    if found is None:
        return None
    token_id, last_used, principal = found
    if record_use and (last_used is None or now - last_used >= LAST_USE_GRANULARITY):
        lookup.record_use(token_id, now)
    return principal


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """What an API request presented: a bearer token or the browser's session cookie."""

    kind: Literal["bearer", "cookie"]
    secret: str


def principal_for_credentials(
    session: Session, credentials: ApiCredentials, *, now: dt.datetime, record_use: bool
) -> Principal:
    if credentials.kind == "bearer":
        principal = principal_for_api_token(
            session, credentials.secret, now=now, record_use=record_use
        )
        if principal is None:
            raise NotAuthenticated("The access token is not valid or has been revoked.")
        return principal
    sessions = WebSessionRepository(session)
    principal = sessions.principal_for_token(token_digest(credentials.secret), now)
    if principal is None:
        raise NotAuthenticated(SIGN_IN_FIRST_MESSAGE)
    return principal


def ensure_person(principal: Principal) -> Principal:
    if principal.role is not Role.PERSON:
        raise Forbidden("Check-ins belong to people; this account is a clinician or admin account.")
    return principal


def person_for_credentials(
    session: Session, credentials: ApiCredentials, *, now: dt.datetime, record_use: bool
) -> Principal:
    """The person behind an API request; Forbidden for clinician and admin accounts."""
    principal = principal_for_credentials(session, credentials, now=now, record_use=record_use)
    return ensure_person(principal)
