"""In Chromium: a person with a few check-ins opens "Your data" and downloads the FHIR file; a new
account uploads it and sees what came in; a file that is not a record is refused with its reason.
The page has no serious accessibility issue in any of these states."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from affectrange.analysis.items import ITEM_IDS
from tests.browser.live import LiveServer
from tests.browser.pages import register, today_for
from tests.browser.test_accessibility import assert_accessible, assert_reflows
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NOTE = "Tea with Zoë by the harbour.\nQuiet, and that was fine."


def counts_table(page: Page) -> dict[str, str]:
    rows = page.get_by_test_id("record-counts").locator("tbody tr")
    return {
        rows.nth(index).locator("th").inner_text(): rows.nth(index).locator("td").inner_text()
        for index in range(rows.count())
    }


def add_checkins(page: Page, email: str, days: list[dt.date]) -> None:
    token = page.request.post(
        "/api/v1/auth/token", data={"email": email, "password": PASSWORD, "name": "data"}
    )
    assert token.ok, token.text()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    for offset, day in enumerate(days):
        payload: dict[str, Any] = {
            "date": day.isoformat(),
            **{item: (offset + index) % 7 for index, item in enumerate(ITEM_IDS)},
            "sleep_hours": 7.0,
            "note": NOTE if offset == 0 else None,
        }
        created = page.request.post("/api/v1/checkins", data=payload, headers=headers)
        assert created.status == 201, created.text()


def test_download_the_record_and_bring_it_into_a_new_account(
    page: Page, live_server: LiveServer, axe_script: str, tmp_path: Path
) -> None:
    owner = register(page, live_server, "data-owner")
    today = today_for(live_server)
    add_checkins(page, owner, [today - dt.timedelta(days=n) for n in (0, 1, 3)])

    page.goto("/account/data")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    assert counts_table(page)["Check-ins"] == "3"
    assert_accessible(page, axe_script)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-fhir").click()
    download = download_info.value
    assert download.suggested_filename == f"affectrange-record-{today.isoformat()}.fhir.json"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    bundle = json.loads(saved.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert NOTE in [
        note["text"] for entry in bundle["entry"] for note in entry["resource"].get("note", [])
    ]

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    register(page, live_server, "data-newcomer")
    page.goto("/account/data")
    assert counts_table(page)["Check-ins"] == "0"
    page.get_by_label("File to import").set_input_files(str(saved))
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_test_id("import-result")).to_have_text("Imported 3 check-ins.")
    assert counts_table(page)["Check-ins"] == "3"
    assert_accessible(page, axe_script)
    page.goto("/checkins")
    expect(page.locator("table.checkins-table tbody tr")).to_have_count(3)
    expect(page.get_by_text("Tea with Zoë by the harbour.")).to_be_visible()


def test_a_file_that_is_not_a_record_is_refused_with_its_reason(
    page: Page, live_server: LiveServer, axe_script: str, tmp_path: Path
) -> None:
    register(page, live_server, "data-bad-file")
    bad = tmp_path / "notes.json"
    bad.write_text("[1, 2, 3]", encoding="utf-8")
    page.goto("/account/data")

    page.get_by_label("File to import").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_test_id("import-error")).to_have_text(
        "Nothing was imported. notes.json: a FHIR file holds one JSON object"
    )
    expect(page.get_by_test_id("import-result")).to_have_count(0)
    assert counts_table(page)["Check-ins"] == "0"
    assert_accessible(page, axe_script)
    assert_reflows(page)
