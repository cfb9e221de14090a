"""Goals through the pages: add, edit, pause, take up again; bad input; who may see what.

Alice lives in New York; TODAY is Monday 15 June 2026.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.careplan.models import CareGoal
from tests.careplan.helpers import (
    ALICE,
    BOB,
    CAROL,
    add_goal,
    count_rows,
    field_error,
    page_csrf,
)
from tests.conftest import TODAY, api_token, sign_in


@pytest.fixture
def signed_in(client: TestClient, alice: User) -> TestClient:
    sign_in(client, ALICE)
    return client


def test_the_new_goal_page_lists_every_strategy_with_why_and_a_first_step(
    signed_in: TestClient,
) -> None:
    page = signed_in.get("/plan/goals/new")

    assert page.status_code == 200
    assert page.text.count('name="strategy_id"') == 10
    assert "Prepare for a medication review" in page.text
    assert "A first small step:" in page.text


def test_adding_a_goal_shows_it_on_the_plan_with_its_frequency(
    signed_in: TestClient, session: Session
) -> None:
    goal_id = add_goal(signed_in, "movement", times_per_week="4", title="Walk after lunch")

    page = signed_in.get(f"/plan?added={goal_id}")

    assert "Goal added." in page.text
    assert "Walk after lunch" in page.text
    assert "4 days a week, since 15 June 2026" in page.text
    assert "Kept on <strong>0 days</strong> so far." in page.text
    goal = session.get(CareGoal, goal_id)
    assert goal is not None
    assert (goal.strategy_id, goal.times_per_week, goal.started_on, goal.ended_on) == (
        "movement",
        4,
        TODAY,
        None,
    )


def test_a_goal_without_own_words_takes_the_strategy_title(
    signed_in: TestClient, session: Session
) -> None:
    goal_id = add_goal(signed_in, "sleep", title="   ")

    goal = session.get(CareGoal, goal_id)
    assert goal is not None
    assert goal.title == "Keep a regular sleep time"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"times_per_week": "9"}, "times_per_week", "Must be at most 7."),
        ({"times_per_week": "0"}, "times_per_week", "Must be at least 1."),
        ({"times_per_week": "often"}, "times_per_week", "Enter a whole number."),
        ({"strategy_id": "pills"}, "strategy_id", "Choose one of the strategies listed."),
        ({"started_on": "2026-06-16"}, "started_on", "has not happened yet"),
        ({"title": "x" * 121}, "title", "Too long: at most 120 characters."),
    ],
)
def test_bad_input_names_the_field_keeps_what_was_typed_and_saves_nothing(
    signed_in: TestClient,
    session: Session,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = {
        "csrf_token": page_csrf(signed_in),
        "strategy_id": "movement",
        "times_per_week": "3",
        "title": "My walk",
    }
    data.update(fields)

    response = signed_in.post("/plan/goals", data=data)

    assert response.status_code == 422
    error = field_error(response.text, field)
    assert error is not None
    assert message in error
    assert f'aria-describedby="{field}-error"' in response.text
    assert count_rows(session, CareGoal) == 0
    if field != "title":
        assert 'value="My walk"' in response.text


def test_one_active_goal_per_strategy(signed_in: TestClient, session: Session) -> None:
    add_goal(signed_in, "movement")
    data = {"csrf_token": page_csrf(signed_in), "strategy_id": "movement", "times_per_week": "2"}

    response = signed_in.post("/plan/goals", data=data)

    assert response.status_code == 422
    assert field_error(response.text, "strategy_id") == (
        "This strategy is already one of your active goals."
    )
    assert count_rows(session, CareGoal) == 1


def test_editing_changes_the_words_and_frequency(signed_in: TestClient, session: Session) -> None:
    goal_id = add_goal(signed_in, "creative")
    form = signed_in.get(f"/plan/goals/{goal_id}/edit")
    assert form.status_code == 200
    assert 'value="Make something"' in form.text

    response = signed_in.post(
        f"/plan/goals/{goal_id}/edit",
        data={"csrf_token": page_csrf(signed_in), "title": "Sketch", "times_per_week": "5"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    goal = session.get(CareGoal, goal_id)
    assert goal is not None
    session.refresh(goal)
    assert (goal.title, goal.times_per_week) == ("Sketch", 5)


def test_an_edit_with_bad_input_names_the_field_and_changes_nothing(
    signed_in: TestClient, session: Session
) -> None:
    goal_id = add_goal(signed_in, "creative")

    response = signed_in.post(
        f"/plan/goals/{goal_id}/edit",
        data={"csrf_token": page_csrf(signed_in), "title": "", "times_per_week": "8"},
    )

    assert response.status_code == 422
    assert field_error(response.text, "title") == "This is required."
    assert field_error(response.text, "times_per_week") == "Must be at most 7."
    goal = session.get(CareGoal, goal_id)
    assert goal is not None
    session.refresh(goal)
    assert (goal.title, goal.times_per_week) == ("Make something", 3)


def test_pausing_then_taking_up_again(signed_in: TestClient, session: Session) -> None:
    goal_id = add_goal(signed_in, "mindfulness")
    csrf = page_csrf(signed_in)

    paused = signed_in.post(
        f"/plan/goals/{goal_id}/pause", data={"csrf_token": csrf}, follow_redirects=False
    )
    page = signed_in.get(paused.headers["location"])
    goal = session.get(CareGoal, goal_id)
    assert goal is not None
    session.refresh(goal)
    assert goal.ended_on == TODAY
    assert 'data-testid="paused-goals"' in page.text
    assert "Goal paused." in page.text

    resumed = signed_in.post(
        f"/plan/goals/{goal_id}/resume", data={"csrf_token": csrf}, follow_redirects=False
    )

    assert resumed.status_code == 303
    session.refresh(goal)
    # Paused and taken up again on the same day: the same period simply stays open.
    assert goal.ended_on is None
    assert count_rows(session, CareGoal) == 1


def test_the_plan_without_goals_invites_to_pick_one(signed_in: TestClient) -> None:
    page = signed_in.get("/plan")

    assert page.status_code == 200
    assert "No goals yet." in page.text
    assert '<a href="/plan">My plan</a>' in page.text


def test_bob_gets_404_for_alices_goals(
    client: TestClient, alice: User, bob: User, session: Session
) -> None:
    sign_in(client, ALICE)
    goal_id = add_goal(client, "therapy", title="Alice's therapy goal")
    client.cookies.clear()
    sign_in(client, BOB)
    csrf = page_csrf(client)

    responses = [
        client.get(f"/plan/goals/{goal_id}/edit"),
        client.post(
            f"/plan/goals/{goal_id}/edit",
            data={"csrf_token": csrf, "title": "Mine now", "times_per_week": "1"},
        ),
        client.post(f"/plan/goals/{goal_id}/pause", data={"csrf_token": csrf}),
        client.post(f"/plan/goals/{goal_id}/resume", data={"csrf_token": csrf}),
    ]

    for response in responses:
        assert response.status_code == 404
        assert "Alice's therapy goal" not in response.text
    assert "Alice's therapy goal" not in client.get("/plan").text
    goal = session.get(CareGoal, goal_id)
    assert goal is not None
    session.refresh(goal)
    assert (goal.title, goal.ended_on) == ("Alice's therapy goal", None)
    assert client.get("/api/v1/plan/goals", headers=api_token(client, BOB)).json() == {"goals": []}


def test_clinicians_cannot_use_the_plan(client: TestClient, carol: User) -> None:
    sign_in(client, CAROL)

    for url in ("/plan", "/plan/goals/new", "/plan/impact"):
        assert client.get(url).status_code == 403
    page = client.get("/clinician")
    assert '<a href="/plan">' not in page.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/plan", follow_redirects=False)

    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login")


def test_the_api_lists_goals_for_goals_kept(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)
    goal_id = add_goal(client, "sleep", times_per_week="5")

    response = client.get("/api/v1/plan/goals", headers=api_token(client, ALICE))

    assert response.status_code == 200
    assert response.json() == {
        "goals": [
            {
                "id": goal_id,
                "strategy_id": "sleep",
                "title": "Keep a regular sleep time",
                "times_per_week": 5,
                "started_on": TODAY.isoformat(),
                "ended_on": None,
            }
        ]
    }
