"""A real AffectRange server in a background thread, and the Chromium that drives it.

Shared by the browser tests (tests/browser/conftest.py) and the README screenshot script.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import uvicorn
from fastapi import FastAPI

CHROMIUM: Final = Path("/usr/bin/chromium")
AXE_JS: Final = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# ARCHITECTURE.md section 5: as root Chromium needs --no-sandbox; the rest keeps it quiet and
# fast on a closed network. Playwright's launch() adds a fresh --user-data-dir of its own.
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_SECONDS: Final = 20.0


@dataclass(frozen=True, slots=True)
class LiveServer:
    url: str
    timezone: str = "America/New_York"
    """The time zone of the browser and of the accounts the tests create."""
    database_url: str | None = None
    """The server's database, for accounts no page can create (a clinician)."""


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True
    )
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_until_healthy(base_url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped during startup")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = error
        time.sleep(0.05)
    raise RuntimeError(f"the live server did not answer /healthz: {last_error}")
