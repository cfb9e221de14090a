"""Small helpers shared by the check-in tests: form payloads, row counts, reading rendered HTML."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.analysis.items import ITEM_IDS
from affectrange.checkins.models import Checkin
from tests.conftest import TODAY, csrf_from

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"


def count_checkins(session: Session) -> int:
    """Rows in the checkins table, as the app's own connection sees them."""
    count = session.scalar(select(func.count()).select_from(Checkin))
    session.commit()
    return int(count or 0)


def form_data(
    csrf_token: str, day: dt.date = TODAY, value: int = 3, **overrides: str
) -> dict[str, str]:
    """What a browser sends for the check-in form: every item answered with `value`."""
    data = {"csrf_token": csrf_token, "date": day.isoformat()}
    data.update({item: str(value) for item in ITEM_IDS})
    data.update(overrides)
    return data


def form_csrf(client: TestClient) -> str:
    """The CSRF token of the signed-in browser, read from the check-in form."""
    page = client.get("/checkins/new")
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def record(client: TestClient, headers: dict[str, str], payload: dict[str, object]) -> Any:
    """Save through the API; returns the entry as stored (as GET shows it)."""
    response = client.post("/api/v1/checkins", json=payload, headers=headers)
    assert response.status_code in (200, 201), response.text
    saved = response.json()
    assert saved.pop("crisis_support") is None  # no test note here carries crisis language
    assert saved.pop("talk_to_prescriber") is False  # nor talk of stopping a medication
    return saved


def radio_checked(html: str, name: str, value: int | str) -> bool:
    pattern = rf'<input type="radio" id="{name}-{value}" name="{name}" value="{value}"( checked)?>'
    match = re.search(pattern, html)
    assert match, f"no radio button {name}={value} on the page"
    return match.group(1) is not None


def field_error(html: str, name: str) -> str | None:
    """The message shown next to a field, if any."""
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else None
