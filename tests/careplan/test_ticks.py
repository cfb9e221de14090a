"""Goals as ticks in the daily check-in: saved with the check-in, removed when unticked.

TODAY is Monday 15 June 2026 (New York). Goals are added through the form unless a test needs
one that began earlier, which the form allows with "Start on".
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.careplan.models import CareGoalTick
from affectrange.checkins.models import Checkin
from tests.careplan.helpers import ALICE, BOB, add_goal, count_rows, field_error, ticked_days
from tests.checkins.helpers import form_csrf, form_data
from tests.conftest import TODAY, api_token, checkin_payload, sign_in

YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def signed_in(client: TestClient, alice: User) -> TestClient:
    sign_in(client, ALICE)
    return client


def checkbox(html: str, goal_id: int) -> re.Match[str] | None:
    return re.search(
        rf'<input type="checkbox" name="goals_kept" value="{goal_id}"( checked)?>', html
    )


def form_with_goals(
    client: TestClient,
    day: dt.date = TODAY,
    kept: tuple[int | str, ...] = (),
    shown: tuple[int, ...] = (),
    **overrides: str,
) -> dict[str, str | list[str]]:
    """The check-in form as a browser sends it, with its goal checkboxes."""
    data: dict[str, str | list[str]] = dict(form_data(form_csrf(client), day, 3, **overrides))
    data["goals_shown"] = [str(goal_id) for goal_id in shown]
    data["goals_kept"] = [str(goal_id) for goal_id in kept]
    return data


def save(
    client: TestClient,
    day: dt.date = TODAY,
    kept: tuple[int, ...] = (),
    shown: tuple[int, ...] = (),
) -> str:
    response = client.post(
        "/checkins", data=form_with_goals(client, day, kept, shown), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_check_in_form_offers_the_active_goals(signed_in: TestClient) -> None:
    walk = add_goal(signed_in, "movement", title="Walk")
    sleep = add_goal(signed_in, "sleep")

    page = signed_in.get("/checkins/new")

    assert 'data-testid="checkin-goals"' in page.text
    for goal_id in (walk, sleep):
        match = checkbox(page.text, goal_id)
        assert match is not None
        assert match.group(1) is None
    assert "Walk" in page.text


def test_the_form_shows_no_goal_section_without_goals(signed_in: TestClient) -> None:
    assert 'data-testid="checkin-goals"' not in signed_in.get("/checkins/new").text


def test_ticks_are_saved_with_the_check_in_and_removed_when_unticked(
    signed_in: TestClient, session: Session
) -> None:
    walk = add_goal(signed_in, "movement")
    sleep = add_goal(signed_in, "sleep")

    save(signed_in, kept=(walk, sleep), shown=(walk, sleep))
    assert ticked_days(session, walk) == [TODAY]
    assert ticked_days(session, sleep) == [TODAY]
    page = signed_in.get("/checkins/new")
    assert checkbox(page.text, walk).group(1) == " checked"  # type: ignore[union-attr]

    save(signed_in, kept=(sleep,), shown=(walk, sleep))

    assert ticked_days(session, walk) == []
    assert ticked_days(session, sleep) == [TODAY]
    assert count_rows(session, CareGoalTick) == 1
    assert count_rows(session, Checkin) == 1


def test_a_back_filled_day_works_the_same_way(signed_in: TestClient, session: Session) -> None:
    walk = add_goal(signed_in, "movement", started_on=(TODAY - dt.timedelta(days=7)).isoformat())

    page = signed_in.get(f"/checkins/new?date={YESTERDAY.isoformat()}")
    assert checkbox(page.text, walk) is not None
    save(signed_in, day=YESTERDAY, kept=(walk,), shown=(walk,))

    assert ticked_days(session, walk) == [YESTERDAY]
    existing = session.query(Checkin).one()
    session.commit()
    page = signed_in.get(f"/checkins/{existing.id}")
    assert checkbox(page.text, walk).group(1) == " checked"  # type: ignore[union-attr]


def test_a_goal_not_yet_begun_on_that_day_is_not_offered_or_accepted(
    signed_in: TestClient, session: Session
) -> None:
    walk = add_goal(signed_in, "movement")  # begins today
    assert checkbox(signed_in.get(f"/checkins/new?date={YESTERDAY}").text, walk) is None
    data = form_with_goals(signed_in, YESTERDAY, kept=(walk,), note="kept")

    response = signed_in.post("/checkins", data=data)

    assert response.status_code == 422
    assert field_error(response.text, "goals_kept") == (
        "Tick only goals that were part of your plan on that day."
    )
    assert count_rows(session, Checkin) == 0
    assert count_rows(session, CareGoalTick) == 0
    assert "kept</textarea>" in response.text


def test_a_bad_goal_id_names_the_field_and_saves_nothing(
    signed_in: TestClient, session: Session
) -> None:
    add_goal(signed_in, "movement")
    response = signed_in.post("/checkins", data=form_with_goals(signed_in, kept=("walk",)))

    assert response.status_code == 422
    assert field_error(response.text, "goals_kept") == "Choose goals from the list shown."
    assert count_rows(session, Checkin) == 0


def test_a_rejected_check_in_keeps_the_ticks_as_they_were_left(
    signed_in: TestClient, session: Session
) -> None:
    walk = add_goal(signed_in, "movement")
    data = form_with_goals(signed_in, kept=(walk,), shown=(walk,), joyful="9")

    response = signed_in.post("/checkins", data=data)

    assert response.status_code == 422
    assert checkbox(response.text, walk).group(1) == " checked"  # type: ignore[union-attr]
    assert count_rows(session, CareGoalTick) == 0


def test_the_api_saves_goals_kept_and_leaves_ticks_alone_without_it(
    signed_in: TestClient, session: Session
) -> None:
    walk = add_goal(signed_in, "movement")
    sleep = add_goal(signed_in, "sleep")
    headers = api_token(signed_in, ALICE)

    first = signed_in.post(
        "/api/v1/checkins", json=checkin_payload(goals_kept=[walk, sleep]), headers=headers
    )
    assert first.status_code == 201, first.text
    assert (ticked_days(session, walk), ticked_days(session, sleep)) == ([TODAY], [TODAY])

    without = signed_in.post("/api/v1/checkins", json=checkin_payload(value=4), headers=headers)
    assert without.status_code == 200
    assert "goals_kept" not in without.json()
    assert count_rows(session, CareGoalTick) == 2

    replaced = signed_in.post(
        "/api/v1/checkins", json=checkin_payload(goals_kept=[sleep]), headers=headers
    )
    assert replaced.status_code == 200
    assert (ticked_days(session, walk), ticked_days(session, sleep)) == ([], [TODAY])

    cleared = signed_in.post(
        "/api/v1/checkins", json=checkin_payload(goals_kept=[]), headers=headers
    )
    assert cleared.status_code == 200
    assert count_rows(session, CareGoalTick) == 0


def test_the_api_refuses_someone_elses_goal_and_saves_nothing(
    client: TestClient, alice: User, bob: User, session: Session
) -> None:
    sign_in(client, ALICE)
    walk = add_goal(client, "movement")

    response = client.post(
        "/api/v1/checkins",
        json=checkin_payload(goals_kept=[walk]),
        headers=api_token(client, BOB),
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "goals_kept": "Tick only goals that were part of your plan on that day."
    }
    assert count_rows(session, Checkin) == 0
    assert count_rows(session, CareGoalTick) == 0


def test_the_api_names_a_malformed_goals_kept(signed_in: TestClient, session: Session) -> None:
    response = signed_in.post(
        "/api/v1/checkins",
        json=checkin_payload(goals_kept=["walk"]),
        headers=api_token(signed_in, ALICE),
    )

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"goals_kept.0"}
    assert count_rows(session, Checkin) == 0
