"""All SQL for accounts.

Accounts are the one place where look-ups are not scoped by an owner: signing in must find a user
by e-mail, and a cookie or bearer token must find its user. Everything a signed-in user lists or
changes (their tokens) goes through repositories built with that user.

`AccountEraser` is the one repository that reaches into every feature's tables: deleting an
account must leave nothing behind, and working from the schema (every foreign key to `users`)
covers a table added later without anyone remembering to add it here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from affectrange.accounts.models import ApiToken, LoginFailure, User, WebSession
from affectrange.accounts.principal import Owner, Principal
from affectrange.models import metadata


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: int) -> User | None:
        return self._session.get(User, user_id)

    def by_email(self, email: str) -> User | None:
        return self._session.scalar(select(User).where(User.email == email.lower()))

    def add(self, user: User) -> User:
        self._session.add(user)
        self._session.flush()
        return user


class WebSessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def principal_for_token(self, token_hash: str, now: dt.datetime) -> Principal | None:
        parameters = {"token_hash": token_hash, "now": now}
        row = self._session.connection().execute(_SESSION_OWNER, parameters).one_or_none()
        return None if row is None else Principal(id=row[0], role=row[1], timezone=row[2])

    def user_for_token(self, token_hash: str, now: dt.datetime) -> User | None:
        statement = (
            select(User)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.token_hash == token_hash, WebSession.expires_at > now)
        )
        return self._session.scalar(statement)

    def add(self, web_session: WebSession) -> None:
        self._session.add(web_session)
        self._session.flush()

    def delete_token(self, token_hash: str) -> None:
        self._session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))

    def delete_all_for(self, user: Owner) -> None:
        self._session.execute(delete(WebSession).where(WebSession.user_id == user.id))

    def delete_expired(self, now: dt.datetime) -> None:
        self._session.execute(delete(WebSession).where(WebSession.expires_at <= now))


class ApiTokenLookup:
    """Finds the owner of a presented bearer token (authentication, hence unscoped)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def with_owner(self, token_hash: str) -> tuple[int, dt.datetime | None, Principal] | None:
        """(token id, its last use, its owner) in one Core query: this runs on every API call."""
        parameters = {"token_hash": token_hash}
        row = self._session.connection().execute(_TOKEN_OWNER, parameters).one_or_none()
        if row is None:
            return None
        token_id, last_used_at, user_id, role, timezone = row
        return token_id, last_used_at, Principal(id=user_id, role=role, timezone=timezone)

    def record_use(self, token_id: int, now: dt.datetime) -> None:
        parameters = {"token_id": token_id, "now": now}
        self._session.connection().execute(_TOKEN_USED, parameters)


class ApiTokenRepository:
    """The tokens of one user."""

    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def list(self) -> list[ApiToken]:
        statement = (
            select(ApiToken)
            .where(ApiToken.user_id == self._owner.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        return list(self._session.scalars(statement))

    def get(self, token_id: int) -> ApiToken | None:
        statement = select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == self._owner.id
        )
        return self._session.scalar(statement)

    def add(self, token: ApiToken) -> None:
        token.user_id = self._owner.id
        self._session.add(token)
        self._session.flush()

    def delete(self, token: ApiToken) -> None:
        self._session.delete(token)
        self._session.flush()


class LoginFailureRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, failure: LoginFailure) -> None:
        self._session.add(failure)
        self._session.flush()

    def serialize_attempts(self, *, email: str, address: str) -> None:
        """Make parallel attempts on one account or from one address count one after another.

        SQLite needs nothing: its write transaction is already exclusive. PostgreSQL takes
        transaction-scoped advisory locks, always in the same order so two attempts cannot
        deadlock.
        """
        if self._session.get_bind().dialect.name != "postgresql":
            return
        for key in sorted((f"login-email:{email}", f"login-address:{address}")):
            self._session.execute(_ADVISORY_LOCK, {"key": key})

    def since_for_email(self, email: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
        """How many failures for this e-mail since `since`, and the oldest of them."""
        statement = select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.at > since
        )
        count, oldest = self._session.execute(statement).one()
        return int(count), _as_utc(oldest)

    def since_for_address(self, address: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
        statement = select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.address == address, LoginFailure.at > since
        )
        count, oldest = self._session.execute(statement).one()
        return int(count), _as_utc(oldest)

    def clear_email(self, email: str) -> None:
        self._session.execute(delete(LoginFailure).where(LoginFailure.email == email))

    def delete_before(self, before: dt.datetime) -> None:
        self._session.execute(delete(LoginFailure).where(LoginFailure.at < before))


class AccountEraser:
    """Deletes one account and every row that refers to it.

    A row goes when a foreign key of its table points at the account, or at a row that goes
    (a goal's ticks go with the goal): both sides of a share, an invitation the account accepted,
    every row it owns. Deletes run children first, each explicitly, so nothing depends on
    ON DELETE CASCADE happening silently. `login_failures` has no foreign key (it counts
    attempts on e-mails that may have no account): its rows are found by the e-mail.
    """

    def __init__(self, session: Session, owner: Owner) -> None:
        self._session = session
        self._owner = owner

    def erase(self, *, email: str) -> dict[str, int]:
        users = metadata.tables[User.__tablename__]
        conditions = self._conditions(users)
        connection = self._session.connection()
        deleted: dict[str, int] = {}
        for table in reversed(metadata.sorted_tables):  # children before the rows they refer to
            if table.name in conditions:
                result = connection.execute(delete(table).where(conditions[table.name]))
                deleted[table.name] = result.rowcount
        failures = connection.execute(delete(LoginFailure).where(LoginFailure.email == email))
        deleted[LoginFailure.__tablename__] = failures.rowcount
        account = connection.execute(delete(User).where(User.id == self._owner.id))
        deleted[User.__tablename__] = account.rowcount
        return deleted

    def _conditions(self, users: Table) -> dict[str, ColumnElement[bool]]:
        """Per table, which of its rows refer to the account (parents are met first)."""
        conditions: dict[str, ColumnElement[bool]] = {}
        for table in metadata.sorted_tables:
            if table is users:
                continue
            parts: list[ColumnElement[bool]] = []
            for key in table.foreign_keys:
                referred = key.column.table
                if referred is users:
                    parts.append(key.parent == self._owner.id)
                elif referred is not table and referred.name in conditions:
                    going = select(key.column).where(conditions[referred.name])
                    parts.append(key.parent.in_(going))
            if parts:
                conditions[table.name] = or_(*parts)
        return conditions


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    # Aggregates bypass the column type, so SQLite hands back a naive (UTC) datetime or a string.
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# The statements every API call runs, built once with bound parameters: building a statement (and
# its cache key) per call cost several times more than running it.
_TOKEN_OWNER = (
    select(ApiToken.id, ApiToken.last_used_at, User.id, User.role, User.timezone)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TOKEN_USED = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)
_SESSION_OWNER = (
    select(User.id, User.role, User.timezone)
    .join(WebSession, WebSession.user_id == User.id)
    .where(
        WebSession.token_hash == bindparam("token_hash"), WebSession.expires_at > bindparam("now")
    )
)
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")
