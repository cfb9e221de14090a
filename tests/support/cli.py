"""The `affectrange` command run in-process, against one test database, as an operator would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from affectrange.cli import app
from affectrange.config import get_settings
from affectrange.db import Database

CLI_SECRET_KEY = "cli-test-secret-key"


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self._runner = CliRunner()
        self._env = env

    def __call__(self, *args: str | Path) -> Result:
        return self._runner.invoke(app, [str(arg) for arg in args], env=self._env)


@contextmanager
def cli_for(database: Database, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """Commands that reach `database`, run from `workdir` (no stray .env or var/ of the working
    tree), with the settings cache cleared around them so they read this environment."""
    monkeypatch.chdir(workdir)
    env = {
        "AFFECTRANGE_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
        "AFFECTRANGE_SECRET_KEY": CLI_SECRET_KEY,
    }
    get_settings.cache_clear()
    try:
        yield Cli(env)
    finally:
        get_settings.cache_clear()
