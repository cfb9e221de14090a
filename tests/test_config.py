"""Settings: the per-installation secret key is made once, privately, and never empty."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from affectrange.config import Settings


def settings_with_key_file(path: Path) -> Settings:
    return Settings(secret_key_file=path, _env_file=None)


def test_a_secret_key_is_made_once_privately_and_then_kept(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"

    first = settings_with_key_file(path).resolved_secret_key()
    second = settings_with_key_file(path).resolved_secret_key()

    assert first == second
    assert len(first) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def test_an_empty_key_file_is_refused_rather_than_used(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("\n")

    with pytest.raises(RuntimeError, match="is empty"):
        settings_with_key_file(path).resolved_secret_key()


def test_a_configured_key_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    settings = Settings(secret_key="configured", secret_key_file=path, _env_file=None)

    assert settings.resolved_secret_key() == "configured"
    assert not path.exists()
