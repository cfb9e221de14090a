"""The audit tests drive the same signed-in browsers as the sharing tests."""

from __future__ import annotations

from tests.sharing.conftest import client_for

__all__ = ["client_for"]
