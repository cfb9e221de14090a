"""The reminders page, and the one-click unsubscribe link from every reminder e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts.auth import CurrentPerson
from affectrange.errors import InvalidInput
from affectrange.reminders import service
from affectrange.reminders.service import ReminderChoices
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep
from affectrange.web.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
# No CSRF token here: the link's own signature is the proof (RFC 8058 one-click POSTs come from
# the mail provider, with no session at all).
unsubscribe_router = APIRouter(include_in_schema=False)

Token = Annotated[str, Query(min_length=3, max_length=200)]
RECENT_DAYS = 14


@router.get("/reminders")
def reminders_page(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    choices = service.reminder_choices(session, person)
    return render(request, "reminders/settings.html", _context(session, person, clock, choices))


def _context(
    session: SessionDep,
    person: CurrentPerson,
    clock: ClockDep,
    choices: ReminderChoices,
    errors: dict[str, str] | None = None,
) -> dict[str, object]:
    since = clock.now() - dt.timedelta(days=RECENT_DAYS)
    return {
        "choices": choices,
        "errors": errors or {},
        "recent": service.recent_reminders(session, person, since=since),
        "timezone": person.timezone,
    }


@router.post("/reminders")
async def save_reminders(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    form = await request.form()
    raw_time = str(form.get("checkin_time", "") or "")
    try:
        checkin_time = dt.time.fromisoformat(raw_time)
    except ValueError:
        checkin_time = None
    if checkin_time is None or checkin_time.second or checkin_time.microsecond:
        choices = service.reminder_choices(session, person)
        errors = {"checkin_time": "Enter a time as HH:MM, for example 19:00."}
        context = _context(session, person, clock, choices, errors)
        return render(request, "reminders/settings.html", context, status_code=422)
    choices = ReminderChoices(
        checkin_enabled=form.get("checkin_enabled") == "on",
        checkin_time=checkin_time,
        questionnaires_enabled=form.get("questionnaires_enabled") == "on",
    )
    try:
        service.change_reminders(session, person, choices, now=clock.now())
    except InvalidInput as error:
        context = _context(session, person, clock, choices, error.fields)
        return render(request, "reminders/settings.html", context, status_code=422)
    return redirect(request, "/reminders?saved=1")


@unsubscribe_router.get("/reminders/unsubscribe")
def unsubscribe_page(request: Request, token: Token) -> Response:
    """A link scanner may open this page; only the button (or the mail client's one-click POST)
    unsubscribes, as RFC 8058 asks."""
    secret: bytes = request.app.state.csrf_secret
    unsubscribe = service.read_unsubscribe_token(secret, token)
    return render(
        request, "reminders/unsubscribe.html", {"token": token, "kind": unsubscribe.kind.value}
    )


@unsubscribe_router.post("/reminders/unsubscribe")
def unsubscribe_now(
    request: Request, token: Token, session: SessionDep, clock: ClockDep
) -> Response:
    secret: bytes = request.app.state.csrf_secret
    unsubscribe = service.read_unsubscribe_token(secret, token)
    service.unsubscribe(session, unsubscribe, now=clock.now())
    context = {"token": token, "kind": unsubscribe.kind.value, "done": True}
    return render(request, "reminders/unsubscribe.html", context)


@unsubscribe_router.post("/reminders/resubscribe")
def resubscribe_now(
    request: Request, token: Token, session: SessionDep, clock: ClockDep
) -> Response:
    secret: bytes = request.app.state.csrf_secret
    unsubscribe = service.read_unsubscribe_token(secret, token)
    service.resubscribe(session, unsubscribe, now=clock.now())
    context = {"token": token, "kind": unsubscribe.kind.value, "resubscribed": True}
    return render(request, "reminders/unsubscribe.html", context)
