"""The progress view: kept days per week against the goal, and the associations in words."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.careplan import service
from affectrange.careplan.schemas import GoalIn
from affectrange.checkins.schemas import CheckinIn
from tests.careplan.helpers import ALICE, add_goal
from tests.conftest import NOW, TODAY, checkin_payload, sign_in


def test_a_new_goal_says_how_many_more_days_are_needed(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)
    add_goal(client, "movement", times_per_week="3")

    page = client.get("/plan")

    assert 'data-testid="plan-weeks"' in page.text
    assert "0 of 3" in page.text
    assert "Association, not proof:" in page.text
    assert (
        "Not enough days yet: 14 more check-ins needed, including 5 more days you keep it "
        "and 5 more days you do not."
    ) in page.text


def test_enough_days_show_the_differences_with_their_intervals(
    client: TestClient, alice: User, session: Session
) -> None:
    # As in test_service: kept days 4,5,3,4,5,4,3 and other days 2,3,2,1,3,2,1 on every item.
    start = TODAY - dt.timedelta(days=13)
    goal = service.add_goal(
        session,
        alice,
        GoalIn(strategy_id="movement", times_per_week=4, started_on=start),
        today=TODAY,
        now=NOW,
    )
    kept_values, other_values = [4, 5, 3, 4, 5, 4, 3], [2, 3, 2, 1, 3, 2, 1]
    for offset in range(14):
        kept = offset % 2 == 0
        value = (kept_values if kept else other_values)[offset // 2]
        entry = CheckinIn.model_validate(checkin_payload(start + dt.timedelta(days=offset), value))
        service.record_checkin_with_goals(
            session, alice, entry, goals_kept=[goal.id] if kept else [], today=TODAY, now=NOW
        )
    session.commit()
    sign_in(client, ALICE)

    page = client.get("/plan")

    assert 'data-testid="goal-associations"' in page.text
    assert "<td>+2.00</td><td>+1.05 to +2.95</td><td>7 / 7</td><td>yes</td>" in page.text
    assert (
        "On days you kept it, positive feelings the same day were 2.00 points higher than on "
        "other days (95% interval +1.05 to +2.95, 7 days kept, 7 not): a clear difference."
    ) in page.text
    assert "Not enough days yet: 1 more check-in needed." in page.text
    assert "Association, not proof:" in page.text
    assert "Kept on <strong>7 days</strong> so far." in page.text
