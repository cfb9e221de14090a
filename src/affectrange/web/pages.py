"""Pages that belong to no one feature: the home page."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from affectrange.accounts.auth import OptionalUser
from affectrange.accounts.models import Role
from affectrange.checkins import service as checkins
from affectrange.clock import local_today
from affectrange.questionnaires import service as questionnaires
from affectrange.web.deps import ClockDep, SessionDep
from affectrange.web.templating import render

router = APIRouter(include_in_schema=False)

STREAK_WINDOW_DAYS = 7


@router.get("/")
def home(request: Request, user: OptionalUser, session: SessionDep, clock: ClockDep) -> Response:
    if user is None:
        return render(request, "home_anonymous.html")
    if user.role is Role.CLINICIAN:
        return RedirectResponse("/clinician", status_code=303)
    context: dict[str, object] = {}
    if user.role is Role.PERSON:
        today = local_today(clock, user.timezone)
        week = checkins.list_checkins(
            session, user, today - dt.timedelta(days=STREAK_WINDOW_DAYS - 1), today
        )
        days_with_entry = {c.day for c in week}
        context = {
            "due": questionnaires.due_questionnaires(session, user, today=today),
            "instrument_names": {i.id: i.name for i in questionnaires.answerable_instruments()},
            "today": today,
            "checked_in_today": today in days_with_entry,
            "week": [
                (
                    today - dt.timedelta(days=offset),
                    (today - dt.timedelta(days=offset)) in days_with_entry,
                )
                for offset in range(STREAK_WINDOW_DAYS - 1, -1, -1)
            ],
        }
    return render(request, "home.html", context)
