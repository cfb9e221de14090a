"""Take the README screenshot: `.venv/bin/python -m tests.browser.screenshot`.

Serves the app on a throwaway SQLite database loaded with the demo story, signs in as the demo
person in Chromium and saves "My emotional range" (the pattern card, the chart with the
medication markers, and what changed since when) as docs/screenshot.png.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Final

from playwright.sync_api import Page, expect, sync_playwright
from pydantic import SecretStr

from affectrange import migrate
from affectrange.app import create_app
from affectrange.clock import SystemClock
from affectrange.db import create_database, session_scope
from affectrange.demo import PERSON_EMAIL, load_demo
from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, serve
from tests.conftest import make_settings

OUTPUT: Final = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
VIEWPORT_WIDTH: Final = 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"Chromium is not installed at {CHROMIUM}", file=sys.stderr)
        return 1
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="affectrange-screenshot-") as directory:
        url = f"sqlite:///{Path(directory) / 'demo.sqlite3'}"
        settings = make_settings(url).model_copy(update={"demo_password": SecretStr(password)})
        database = create_database(url)
        try:
            migrate.upgrade(database)
            clock = SystemClock()
            with session_scope(database) as session:
                load_demo(session, settings, now=clock.now())
            app = create_app(settings, database=database, clock=clock)
            with serve(app) as base_url:
                take(base_url, password, args.output)
        finally:
            database.dispose()
    print(f"wrote {args.output}")
    return 0


def take(base_url: str, password: str, output: Path) -> None:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=base_url,
                viewport={"width": VIEWPORT_WIDTH, "height": 900},
                locale="en-US",
                timezone_id="America/New_York",
            )
            page = context.new_page()
            sign_in(page, password)
            page.goto("/range")
            onset = page.get_by_test_id("onset")
            expect(onset).to_be_visible()
            box = onset.bounding_box()
            assert box is not None
            output.parent.mkdir(parents=True, exist_ok=True)
            height = box["y"] + box["height"] + 12
            page.screenshot(
                path=str(output),
                full_page=True,
                clip={"x": 0, "y": 0, "width": VIEWPORT_WIDTH, "height": height},
            )
        finally:
            browser.close()


def sign_in(page: Page, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(PERSON_EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


if __name__ == "__main__":
    sys.exit(main())
