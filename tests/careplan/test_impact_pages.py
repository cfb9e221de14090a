"""The monthly impact rating in the browser: due prompt, one rating a month, bad input, chart."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.careplan.models import ImpactRating
from tests.careplan.helpers import ALICE, BOB, count_rows, field_error, page_csrf
from tests.conftest import sign_in

LABEL = "Written by AffectRange, not a validated questionnaire."


@pytest.fixture
def signed_in(client: TestClient, alice: User) -> TestClient:
    sign_in(client, ALICE)
    return client


def rate(client: TestClient, **scores: str) -> object:
    data = {"csrf_token": page_csrf(client, "/plan/impact")}
    data.update(scores)
    return client.post("/plan/impact", data=data, follow_redirects=False)


def test_the_page_asks_four_questions_and_says_it_is_not_validated(
    signed_in: TestClient,
) -> None:
    page = signed_in.get("/plan/impact")

    assert page.status_code == 200
    assert "Impact of numbness: June 2026" in page.text
    assert LABEL in page.text
    assert "feeling numb made it hard to connect with people close to me" in page.text
    for item in ("connect", "misread", "drive", "satisfaction"):
        assert page.text.count(f'name="{item}"') == 5


def test_the_plan_prompts_until_this_month_is_rated_then_charts_it(
    signed_in: TestClient, session: Session
) -> None:
    before = signed_in.get("/plan")
    assert 'data-testid="impact-due"' in before.text
    assert "No ratings yet." in before.text

    response = rate(signed_in, connect="3", misread="2", drive="1", satisfaction="0")

    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/plan?rated=1"  # type: ignore[attr-defined]
    after = signed_in.get("/plan?rated=1")
    assert "Saved this month's impact rating." in after.text
    assert 'data-testid="impact-due"' not in after.text
    assert 'id="trend-impact"' in after.text
    assert 'data-date="2026-06-01"' in after.text
    assert "2026-06-01: 6" in after.text
    assert LABEL in after.text


def test_a_second_save_in_the_month_replaces_the_first(
    signed_in: TestClient, session: Session
) -> None:
    rate(signed_in, connect="3", misread="2", drive="1", satisfaction="0")
    again = rate(signed_in, connect="4", misread="4", drive="4", satisfaction="1")

    assert again.status_code == 303  # type: ignore[attr-defined]
    assert count_rows(session, ImpactRating) == 1
    rating = session.scalars(select(ImpactRating)).one()
    session.refresh(rating)
    assert (rating.connect, rating.misread, rating.drive, rating.satisfaction) == (4, 4, 4, 1)
    page = signed_in.get("/plan/impact")
    assert 'name="connect" value="4" checked' in page.text


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"connect": "3", "misread": "2", "drive": "1"}, "satisfaction"),
        ({"connect": "5", "misread": "2", "drive": "1", "satisfaction": "0"}, "connect"),
        ({"connect": "a", "misread": "2", "drive": "1", "satisfaction": "0"}, "connect"),
    ],
)
def test_bad_input_names_the_question_and_saves_nothing(
    signed_in: TestClient, session: Session, scores: dict[str, str], field: str
) -> None:
    response = rate(signed_in, **scores)

    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert field_error(html, field) == "Choose an answer from 0 (not at all) to 4 (nearly always)."
    assert 'name="misread" value="2" checked' in html
    assert count_rows(session, ImpactRating) == 0


def test_ratings_are_each_persons_own(
    client: TestClient, alice: User, bob: User, session: Session
) -> None:
    sign_in(client, ALICE)
    rate(client, connect="4", misread="4", drive="4", satisfaction="4")
    client.cookies.clear()
    sign_in(client, BOB)

    page = client.get("/plan")
    form = client.get("/plan/impact")

    assert 'data-testid="impact-due"' in page.text
    assert "checked" not in form.text
