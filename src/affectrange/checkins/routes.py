"""Check-in pages (HTML, htmx-enhanced, usable without JavaScript) and the /api/v1 endpoints."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from affectrange.accounts.auth import (
    ApiPerson,
    CurrentPerson,
    api_credentials,
)
from affectrange.accounts.models import User
from affectrange.analysis.items import (
    AFFECT_ITEMS,
    EVENT_ANCHORS,
    EVENT_MAX,
    EVENT_MIN,
    ITEM_IDS,
    ITEM_MAX,
    ITEM_MIN,
    SCALE_ANCHORS,
)
from affectrange.careplan import service as careplan
from affectrange.careplan.schemas import GOALS_KEPT_FIELD, GOALS_SHOWN_FIELD, goal_ids
from affectrange.checkins import service
from affectrange.checkins.chart import build_chart
from affectrange.checkins.models import Checkin
from affectrange.checkins.schemas import (
    CheckinIn,
    CheckinList,
    CheckinRead,
    CheckinSaved,
    CrisisSupportRead,
)
from affectrange.clock import Clock, local_today
from affectrange.config import Settings
from affectrange.errors import InvalidInput
from affectrange.medications import service as medications
from affectrange.safety import crisis_resources
from affectrange.text import EARLIEST_DAY, LATEST_DAY, MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep
from affectrange.web.templating import is_htmx, redirect, render
from affectrange.web.validation import form_values, validation_messages
from affectrange.writer import BatchingWriter

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(prefix="/api/v1/checkins", tags=["check-ins"], responses=API_ERROR_RESPONSES)

CHART_DAY_CHOICES = (30, 90, 180, 365)
CheckinId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
DEFAULT_CHART_DAYS = 90
ITEM_MISSING_MESSAGE = "Choose how strongly you felt this: 0 (not at all) to 6 (extremely)."


def _form_context(
    *,
    today: dt.date,
    values: dict[str, Any],
    errors: dict[str, str],
    existing: Checkin | None,
    goals: list[careplan.GoalChoice] | None = None,
) -> dict[str, Any]:
    return {
        "goals": goals or [],
        "items": AFFECT_ITEMS,
        "scale": range(ITEM_MIN, ITEM_MAX + 1),
        "scale_anchors": SCALE_ANCHORS,
        "event_scale": range(EVENT_MIN, EVENT_MAX + 1),
        "event_anchors": EVENT_ANCHORS,
        "today": today,
        "values": values,
        "errors": errors,
        "existing": existing,
    }


def _values_of(checkin: Checkin) -> dict[str, Any]:
    data = service.to_read(checkin).model_dump()
    return {key: "" if value is None else str(value) for key, value in data.items()}


@router.get("/checkins/new")
def new_checkin_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    date: Annotated[dt.date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)] = None,
) -> Response:
    today = local_today(clock, person.timezone)
    day = min(date or today, today)
    existing = service.checkin_on(session, person, day)
    values = _values_of(existing) if existing else {"date": day.isoformat()}
    goals = careplan.checkin_goals(session, person, day)
    context = _form_context(today=today, values=values, errors={}, existing=existing, goals=goals)
    return render(request, "checkins/new.html", context)


@router.post("/checkins")
async def submit_checkin(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    raw = (await request.form()).multi_items()
    submitted = form_values(raw, ignore=("csrf_token", GOALS_KEPT_FIELD, GOALS_SHOWN_FIELD))
    kept_values = [value for name, value in raw if name == GOALS_KEPT_FIELD]
    today = local_today(clock, person.timezone)
    try:
        entry = CheckinIn.model_validate(submitted)
        # The form's goals: ticked ones kept, shown but unticked ones removed (care plan).
        recorded = careplan.record_checkin_with_goals(
            session,
            person,
            entry,
            goals_kept=goal_ids(kept_values),
            goals_shown=goal_ids(value for name, value in raw if name == GOALS_SHOWN_FIELD),
            today=today,
            now=clock.now(),
            crisis_phrases=settings.crisis_phrase_list(),
        )
    except (ValidationError, InvalidInput) as error:
        errors = _form_errors(error)
        existing = _existing_for(session, person, submitted.get("date"))
        goals = _goals_for(session, person, submitted.get("date"), today, kept_values)
        context = _form_context(
            today=today, values=submitted, errors=errors, existing=existing, goals=goals
        )
        template = "checkins/_form.html" if is_htmx(request) else "checkins/new.html"
        return render(request, template, context, status_code=422)
    outcome = "created" if recorded.created else "updated"
    # The next page opens with the crisis card when the note needs it (SCIENCE.md 6.1).
    support = "&support=1" if recorded.crisis_language else ""
    prescriber = "&prescriber=1" if recorded.stopping_language else ""
    day = recorded.checkin.date.isoformat()
    return redirect(request, f"/checkins?saved={day}&{outcome}=1{support}{prescriber}")


def _form_errors(error: ValidationError | InvalidInput) -> dict[str, str]:
    if isinstance(error, InvalidInput):
        return error.fields
    errors = validation_messages(error)
    for item in ITEM_IDS:
        if errors.get(item) == "This is required.":
            errors[item] = ITEM_MISSING_MESSAGE
    return errors


def _goals_for(
    session: Session, person: User, day: str | None, today: dt.date, kept: list[Any]
) -> list[careplan.GoalChoice]:
    """The goals offered again with a rejected form, ticked as the person left them."""
    try:
        shown_day = dt.date.fromisoformat(day) if day else today
    except ValueError:
        shown_day = today
    ticked = {int(value) for value in kept if str(value).isdigit()}
    return careplan.checkin_goals(session, person, min(shown_day, today), kept=ticked)


def _existing_for(session: Session, person: User, day: str | None) -> Checkin | None:
    try:
        return service.checkin_on(session, person, dt.date.fromisoformat(day)) if day else None
    except ValueError:
        return None


@router.get("/checkins")
def checkins_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    days: Annotated[int, Query()] = DEFAULT_CHART_DAYS,
    saved: Annotated[dt.date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)] = None,
    support: Annotated[bool, Query()] = False,
    prescriber: Annotated[bool, Query()] = False,
) -> Response:
    days = days if days in CHART_DAY_CHOICES else DEFAULT_CHART_DAYS
    today = local_today(clock, person.timezone)
    first = today - dt.timedelta(days=days - 1)
    chart = build_chart(
        service.daily_series(session, person, first, today),
        medications.timeline(session, person),
    )
    rows = [
        service.to_read(c) for c in reversed(service.list_checkins(session, person, first, today))
    ]
    context = {
        "chart": chart,
        "rows": rows,
        "days": days,
        "day_choices": CHART_DAY_CHOICES,
        "saved": saved,
        "today": today,
        "checked_in_today": bool(rows) and rows[0].date == today,
        "crisis": crisis_resources(settings.crisis_country) if support else None,
        "talk_to_prescriber": prescriber,
    }
    return render(request, "checkins/list.html", context)


@router.get("/checkins/{checkin_id}")
def checkin_page(
    request: Request,
    checkin_id: CheckinId,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    checkin = service.get_checkin(session, person, checkin_id)
    today = local_today(clock, person.timezone)
    goals = careplan.checkin_goals(session, person, checkin.day)
    context = _form_context(
        today=today, values=_values_of(checkin), errors={}, existing=checkin, goals=goals
    )
    return render(request, "checkins/new.html", context)


@router.post("/checkins/{checkin_id}/delete")
def delete_checkin_page(
    request: Request, checkin_id: CheckinId, person: CurrentPerson, session: SessionDep
) -> Response:
    service.delete_checkin(session, person, checkin_id)
    return redirect(request, "/checkins?deleted=1")


# --- JSON API --------------------------------------------------------------------------------


@api_router.post(
    "",
    response_model=CheckinSaved,
    status_code=201,
    responses={
        200: {"description": "That day's entry was replaced", "model": CheckinSaved},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CheckinIn.model_json_schema()}},
        }
    },
)
async def api_record_checkin(request: Request) -> Response:
    """Create the day's check-in (201), or replace that day's entry if it has one (200).

    The busiest endpoint, kept lean (measured in docs/benchmarks.md): the body is validated
    straight from the raw JSON with no dependency solving, and authentication plus the upsert run
    as one unit of work on the batching writer, which answers after its batch has committed.
    """
    credentials = api_credentials(request)
    entry = _parse_checkin(await request.body())
    clock: Clock = request.app.state.clock
    writer: BatchingWriter = request.app.state.writer
    settings: Settings = request.app.state.settings
    # With `goals_kept`, the care plan's unit saves the day's ticks in the same transaction.
    record = service.record_checkin_for_api
    if entry.goals_kept is not None:
        record = careplan.record_checkin_for_api
    unit = partial(
        record,
        credentials=credentials,
        entry=entry,
        now=clock.now(),
        clock=clock,
        crisis_phrases=settings.crisis_phrase_list(),
    )
    recorded = await writer.run(unit)
    support = crisis_resources(settings.crisis_country) if recorded.crisis_language else None
    body = recorded.checkin.model_dump(mode="json")
    body["crisis_support"] = CrisisSupportRead.from_resources(support) if support else None
    body["talk_to_prescriber"] = bool(recorded.stopping_language)
    return JSONResponse(jsonable_encoder(body), status_code=201 if recorded.created else 200)


def _parse_checkin(body: bytes) -> CheckinIn:
    try:
        return CheckinIn.model_validate_json(body)
    except ValidationError as error:
        raise InvalidInput(validation_messages(error)) from error


@api_router.get("", response_model=CheckinList)
def api_list_checkins(
    person: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    from_: Annotated[dt.date | None, Query(alias="from", ge=EARLIEST_DAY, le=LATEST_DAY)] = None,
    to: Annotated[dt.date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)] = None,
) -> CheckinList:
    """Your own check-ins from `from` to `to` (inclusive; default the last 90 days)."""
    last = to or local_today(clock, person.timezone)
    first = from_ or last - dt.timedelta(days=DEFAULT_CHART_DAYS - 1)
    rows = service.list_checkins(session, person, first, last)
    return CheckinList(checkins=[service.to_read(row) for row in rows])


@api_router.get("/{checkin_id}", response_model=CheckinRead)
def api_get_checkin(checkin_id: CheckinId, person: ApiPerson, session: SessionDep) -> CheckinRead:
    return service.to_read(service.get_checkin(session, person, checkin_id))


@api_router.delete("/{checkin_id}", status_code=204)
def api_delete_checkin(checkin_id: CheckinId, person: ApiPerson, session: SessionDep) -> Response:
    service.delete_checkin(session, person, checkin_id)
    return Response(status_code=204)
