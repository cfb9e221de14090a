"""`affectrange user create`: accounts from the command line (an admin, typically)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from affectrange.accounts.models import Role, User
from affectrange.cli import app
from affectrange.config import get_settings
from affectrange.db import Database

ADMIN_PASSWORD = "a long admin passphrase"


class CliRunnerCall:
    def __init__(self, runner: CliRunner, env: dict[str, str]) -> None:
        self._runner = runner
        self._env = env

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return self._runner.invoke(app, list(args), input=stdin, env=self._env)


def database_url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def run_cli(
    committing_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunnerCall]:
    monkeypatch.chdir(tmp_path)  # no stray .env or var/ of the working tree
    env = {
        "AFFECTRANGE_DATABASE_URL": committing_database.engine.url.render_as_string(
            hide_password=False
        ),
        "AFFECTRANGE_SECRET_KEY": "cli-test-secret-key",
        "AFFECTRANGE_ARGON2_MEMORY_KIB": "1024",
        "AFFECTRANGE_ARGON2_TIME_COST": "1",
    }
    get_settings.cache_clear()
    yield CliRunnerCall(CliRunner(), env)
    get_settings.cache_clear()


def users_in(database: Database) -> list[User]:
    with database.session_factory() as session:
        return list(session.scalars(select(User)))


def user_count(database: Database) -> int:
    with database.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_user_create_makes_an_admin_with_an_argon2id_password(
    run_cli: CliRunnerCall, committing_database: Database
) -> None:
    result = run_cli(
        "user",
        "create",
        "admin@example.org",
        "--role",
        "admin",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output + result.stderr
    assert "admin@example.org" in result.stdout
    [admin] = users_in(committing_database)
    assert admin.email == "admin@example.org"
    assert admin.role is Role.ADMIN
    assert admin.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(admin.password_hash, ADMIN_PASSWORD)


def test_user_create_makes_a_person_by_default(
    run_cli: CliRunnerCall, committing_database: Database
) -> None:
    result = run_cli(
        "user", "create", "Person@Example.org", "--password-stdin", stdin=ADMIN_PASSWORD + "\n"
    )

    assert result.exit_code == 0, result.stderr
    [person] = users_in(committing_database)
    assert person.role is Role.PERSON
    assert person.email == "person@example.org"


def test_a_short_password_exits_2_naming_the_password(
    run_cli: CliRunnerCall, committing_database: Database
) -> None:
    result = run_cli(
        "user",
        "create",
        "admin@example.org",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )

    assert result.exit_code == 2
    assert "password" in result.stderr.lower()
    assert "short" not in result.stdout
    assert user_count(committing_database) == 0


def test_an_invalid_email_exits_2_naming_the_email(
    run_cli: CliRunnerCall, committing_database: Database
) -> None:
    result = run_cli(
        "user",
        "create",
        "not-an-email",
        "--role",
        "admin",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )

    assert result.exit_code == 2
    assert "email" in result.stderr.lower()
    assert user_count(committing_database) == 0


def test_an_email_that_already_has_an_account_exits_2(
    run_cli: CliRunnerCall, committing_database: Database
) -> None:
    args = ("user", "create", "admin@example.org", "--role", "admin", "--password-stdin")
    assert run_cli(*args, stdin=ADMIN_PASSWORD + "\n").exit_code == 0

    again = run_cli(*args, stdin="another long passphrase\n")

    assert again.exit_code == 2
    assert "already exists" in again.stderr
    [admin] = users_in(committing_database)
    assert PasswordHasher().verify(admin.password_hash, ADMIN_PASSWORD)


def test_an_unknown_role_is_bad_usage(
    run_cli: CliRunnerCall, committing_database: Database
) -> None:
    result = run_cli(
        "user",
        "create",
        "admin@example.org",
        "--role",
        "superuser",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )

    assert result.exit_code == 2
    assert "role" in result.stderr.lower()
    assert user_count(committing_database) == 0


@pytest.mark.parametrize(
    "command",
    [(), ("user",), ("user", "create"), ("user", "set-password")],
    ids=["affectrange", "user", "user-create", "user-set-password"],
)
def test_help_works_on_every_user_command(run_cli: CliRunnerCall, command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help")

    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_user_create_help_describes_its_options(run_cli: CliRunnerCall) -> None:
    result = run_cli("user", "create", "--help")

    assert "--role" in result.stdout
    assert "--password-stdin" in result.stdout


def test_set_password_replaces_the_password(
    run_cli: CliRunnerCall, committing_database: Database
) -> None:
    create = ("user", "create", "admin@example.org", "--role", "admin", "--password-stdin")
    assert run_cli(*create, stdin=ADMIN_PASSWORD + "\n").exit_code == 0

    result = run_cli(
        "user",
        "set-password",
        "admin@example.org",
        "--password-stdin",
        stdin="a brand new passphrase\n",
    )

    assert result.exit_code == 0, result.stderr
    [admin] = users_in(committing_database)
    assert PasswordHasher().verify(admin.password_hash, "a brand new passphrase")


def test_set_password_for_an_unknown_email_exits_2(run_cli: CliRunnerCall) -> None:
    result = run_cli(
        "user",
        "set-password",
        "nobody@example.org",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )

    assert result.exit_code == 2
    assert "nobody@example.org" in result.stderr
