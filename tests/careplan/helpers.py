"""Helpers shared by the care-plan tests: adding goals through the form, reading rows back."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.careplan.models import CareGoalTick
from affectrange.db import Base
from tests.conftest import csrf_from

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"


def page_csrf(client: TestClient, url: str = "/plan") -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def add_goal(client: TestClient, strategy: str = "movement", **fields: str) -> int:
    """Add through the form; returns the new goal's id."""
    data = {"csrf_token": page_csrf(client), "strategy_id": strategy, "times_per_week": "3"}
    data.update(fields)
    response = client.post("/plan/goals", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/plan\?added=(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def count_rows(session: Session, model: type[Base]) -> int:
    count = session.scalar(select(func.count()).select_from(model))
    session.commit()
    return int(count or 0)


def ticked_days(session: Session, goal_id: int) -> list[dt.date]:
    days = list(
        session.scalars(
            select(CareGoalTick.day)
            .where(CareGoalTick.goal_id == goal_id)
            .order_by(CareGoalTick.day)
        )
    )
    session.commit()
    return days


def field_error(html: str, name: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else None
