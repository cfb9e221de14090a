"""Questionnaire pages (answer, result, trends, schedule) and the /api/v1 endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from affectrange.accounts import service as accounts
from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.checkins.schemas import CrisisSupportRead
from affectrange.clock import local_today
from affectrange.errors import InvalidInput
from affectrange.instruments import Instrument, InvalidAnswer, Item
from affectrange.instruments.model import Value
from affectrange.medications import service as medications
from affectrange.questionnaires import explanations, fhir, service
from affectrange.questionnaires.models import QuestionnaireResponse
from affectrange.questionnaires.schedules import FREQUENCY_CHOICES, frequency_text
from affectrange.questionnaires.schemas import (
    DueList,
    DueRead,
    ResponseIn,
    ResponseList,
    ResponseRead,
    ResponseSaved,
)
from affectrange.safety import crisis_resources
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep
from affectrange.web.templating import is_htmx, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(
    prefix="/api/v1/questionnaires", tags=["questionnaires"], responses=API_ERROR_RESPONSES
)

InstrumentId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ResponseId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
CHOOSE_AN_ANSWER = "Choose one of the answers shown."
ANSWER_TO_FINISH = "Answer this to see your result."


def parse_form_answers(instrument: Instrument, submitted: Mapping[str, str]) -> dict[str, Value]:
    """The form's text values as the items' own values; an unknown answer names its item."""
    answers: dict[str, Value] = {}
    errors: dict[str, str] = {}
    for item in instrument.items:
        raw = submitted.get(item.id)
        if raw is None or raw == "":
            continue
        match = _option_value(item, raw.strip())
        if match is None:
            errors[item.id] = CHOOSE_AN_ANSWER
        else:
            answers[item.id] = match
    if errors:
        raise InvalidInput(errors)
    return answers


def _option_value(item: Item, given: object) -> Value | None:
    """The item's option value written as `given` (form text "2", or the value 2 itself)."""
    return next((value for value in item.allowed_values() if str(value) == str(given)), None)


def _valid_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Value]:
    """The answers that are options of their items, whether given as values or as form text."""
    valid: dict[str, Value] = {}
    for item in instrument.items:
        given = answers.get(item.id)
        match = None if given is None else _option_value(item, given)
        if match is not None:
            valid[item.id] = match
    return valid


def _progress(instrument: Instrument, given: Mapping[str, Any]) -> tuple[int, int]:
    """(answered, needed): what the result still needs, following the routing questions."""
    answers = _valid_answers(instrument, given)
    missing = instrument.score(answers).missing
    needed_ids = [i for i in instrument.csv_columns() if i not in instrument.optional]
    answered = sum(1 for item_id in needed_ids if item_id in answers)
    return answered, answered + len(missing)


def _form_context(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    errors: Mapping[str, str],
    resumed: bool,
    crisis: object | None,
    just_saved: bool = False,
) -> dict[str, Any]:
    answered, needed = _progress(instrument, answers)
    return {
        "instrument": instrument,
        "about": explanations.about(instrument.id),
        "values": {key: str(value) for key, value in answers.items()},
        "errors": errors,
        "resumed": resumed,
        "answered": answered,
        "needed": needed,
        "crisis": crisis,
        "crisis_trigger": "answer",
        "just_saved": just_saved,
    }


@router.get("/questionnaires")
def questionnaires_page(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    today = local_today(clock, person.timezone)
    in_progress = {
        instrument.id: service.in_progress_response(session, person, instrument.id)
        for instrument in service.answerable_instruments()
    }
    context = {
        "due": service.due_questionnaires(session, person, today=today),
        "instruments": {i.id: i for i in service.answerable_instruments()},
        "in_progress": {key: value for key, value in in_progress.items() if value is not None},
        "results": service.recent_results(session, person)[:10],
        "upcoming": service.upcoming_reassessments(session, person, today=today),
        "today": today,
    }
    return render(request, "questionnaires/index.html", context)


@router.get("/questionnaires/results")
def results_page(request: Request, person: CurrentPerson, session: SessionDep) -> Response:
    charts = []
    events = medications.timeline(session, person)
    for instrument in service.answerable_instruments():
        responses = service.completed_responses(session, person, instrument.id)
        if responses:
            charts.append(service.trend_chart(instrument, responses, events))
    return render(request, "questionnaires/results.html", {"charts": charts})


@router.get("/questionnaires/schedule")
def schedule_page(request: Request, person: CurrentPerson, session: SessionDep) -> Response:
    return render(request, "questionnaires/schedule.html", _schedule_context(session, person, {}))


def _schedule_context(session: Any, person: Any, errors: Mapping[str, str]) -> dict[str, Any]:
    return {
        "overview": service.schedule_overview(session, person),
        "instruments": {i.id: i for i in service.answerable_instruments()},
        "frequencies": [(None, frequency_text(None))]
        + [(days, frequency_text(days)) for days in FREQUENCY_CHOICES],
        "errors": errors,
    }


@router.post("/questionnaires/schedule")
async def save_schedule(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    form = await request.form()
    if form.get("reset"):
        service.reset_schedule(session, person)
        return redirect(request, "/questionnaires/schedule?saved=1")
    choices: dict[str, tuple[bool, int | None]] = {}
    errors: dict[str, str] = {}
    for instrument in service.answerable_instruments():
        raw = str(form.get(f"{instrument.id}-every", "") or "")
        if raw == "":
            continue
        if raw == "once":
            every: int | None = None
        elif raw.isdigit():
            every = int(raw)
        else:
            errors[instrument.id] = "Choose how often from the list."
            continue
        choices[instrument.id] = (form.get(f"{instrument.id}-enabled") == "on", every)
    try:
        if errors:
            raise InvalidInput(errors)
        service.change_schedule(session, person, choices, now=clock.now())
    except InvalidInput as error:
        context = _schedule_context(session, person, error.fields)
        return render(request, "questionnaires/schedule.html", context, status_code=422)
    return redirect(request, "/questionnaires/schedule?saved=1")


@router.get("/questionnaires/{instrument_id}")
def answer_page(
    request: Request,
    instrument_id: InstrumentId,
    person: CurrentPerson,
    session: SessionDep,
    settings: SettingsDep,
    support: Annotated[bool, Query()] = False,
    saved: Annotated[bool, Query()] = False,
) -> Response:
    instrument = service.get_answerable(instrument_id)
    draft = service.in_progress_response(session, person, instrument.id)
    answers = draft.answers if draft else {}
    crisis = crisis_resources(settings.crisis_country) if support else None
    context = _form_context(
        instrument, answers, errors={}, resumed=draft is not None, crisis=crisis, just_saved=saved
    )
    return render(request, "questionnaires/answer.html", context)


@router.post("/questionnaires/{instrument_id}")
async def submit_answers(
    request: Request,
    instrument_id: InstrumentId,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    instrument = service.get_answerable(instrument_id)
    form = await request.form()
    submitted = {key: value for key, value in form.items() if isinstance(value, str)}
    finish = submitted.get("action", "finish") != "save"
    try:
        answers = parse_form_answers(instrument, submitted)
        saved = service.save_answers(
            session,
            person,
            instrument,
            answers,
            finish=finish,
            now=clock.now(),
            today=local_today(clock, person.timezone),
        )
    except InvalidInput as error:
        # Nothing saved: show what was chosen, with the message at the item.
        values = {k: v for k, v in submitted.items() if k in {i.id for i in instrument.items}}
        return _render_form(request, instrument, values, error.fields, None, status_code=422)
    crisis = crisis_resources(settings.crisis_country) if saved.safety else None
    if saved.completed:
        support = "?support=1" if saved.safety else ""
        return redirect(request, f"/questionnaires/responses/{saved.response.id}{support}")
    if saved.missing:
        errors = dict.fromkeys(saved.missing, ANSWER_TO_FINISH)
        return _render_form(
            request, instrument, saved.response.answers, errors, crisis, status_code=422
        )
    support = "&support=1" if saved.safety else ""
    return redirect(request, f"/questionnaires/{instrument.id}?saved=1{support}")


def _render_form(
    request: Request,
    instrument: Instrument,
    answers: Mapping[str, Any],
    errors: Mapping[str, str],
    crisis: object | None,
    *,
    status_code: int,
) -> Response:
    context = _form_context(instrument, answers, errors=errors, resumed=True, crisis=crisis)
    template = "questionnaires/_form.html" if is_htmx(request) and crisis is None else None
    return render(
        request, template or "questionnaires/answer.html", context, status_code=status_code
    )


@router.post("/questionnaires/{instrument_id}/restart")
def restart_answers(
    request: Request, instrument_id: InstrumentId, person: CurrentPerson, session: SessionDep
) -> Response:
    instrument = service.get_answerable(instrument_id)
    service.discard_in_progress(session, person, instrument.id)
    return redirect(request, f"/questionnaires/{instrument.id}")


@router.get("/questionnaires/responses/{response_id}")
def result_page(
    request: Request,
    response_id: ResponseId,
    person: CurrentPerson,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    response = service.get_completed_response(session, person, response_id)
    instrument = service.get_answerable(response.instrument)
    history = service.completed_responses(session, person, instrument.id)
    context = {
        "instrument": instrument,
        "response": response,
        "explanation": explanations.explain(
            instrument.id, response.band, response.positive, response.details
        ),
        "about": explanations.about(instrument.id),
        "not_a_diagnosis": explanations.NOT_A_DIAGNOSIS,
        "scale": explanations.SCALES.get(instrument.id),
        # Any result with a critical item endorsed opens with the crisis card, before the score.
        "crisis": crisis_resources(settings.crisis_country) if response.safety else None,
        "crisis_trigger": "answer",
        "trend": service.trend_chart(instrument, history, medications.timeline(session, person)),
        "pcl5_clusters": _pcl5_clusters(response),
    }
    return render(request, "questionnaires/result.html", context)


def _pcl5_clusters(response: QuestionnaireResponse) -> list[tuple[str, object]]:
    if response.instrument != "pcl5":
        return []
    clusters = response.details.get("clusters", {})
    return list(clusters.items()) if isinstance(clusters, dict) else []


# --- JSON API --------------------------------------------------------------------------------


@api_router.get("/due", response_model=DueList)
def api_due(person: ApiPerson, session: SessionDep, clock: ClockDep) -> DueList:
    """What is due today or overdue, per the person's schedule and re-assessments."""
    user = accounts.get_user(session, person)
    today = local_today(clock, user.timezone)
    names = {i.id: i.name for i in service.answerable_instruments()}
    return DueList(
        due=[
            DueRead(
                instrument=item.instrument,
                name=names.get(item.instrument, item.instrument),
                due_on=item.due_on,
                overdue=item.overdue,
                reasons=list(item.reasons),
            )
            for item in service.due_questionnaires(session, user, today=today)
        ]
    )


@api_router.get("/responses", response_model=ResponseList)
def api_list_responses(
    person: ApiPerson,
    session: SessionDep,
    instrument: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,31}$")] = None,
) -> ResponseList:
    """Your completed questionnaires, oldest first."""
    rows = service.completed_responses(session, person, instrument)
    return ResponseList(responses=[ResponseRead.model_validate(row) for row in rows])


@api_router.get("/responses/{response_id}", response_model=ResponseRead)
def api_get_response(
    response_id: ResponseId, person: ApiPerson, session: SessionDep
) -> ResponseRead:
    return ResponseRead.model_validate(service.get_response(session, person, response_id))


@api_router.get(
    "/responses/{response_id}/fhir",
    response_class=JSONResponse,
    responses={200: {"description": "A FHIR R4 QuestionnaireResponse"}},
)
def api_response_fhir(response_id: ResponseId, person: ApiPerson, session: SessionDep) -> Response:
    """The response as a FHIR R4 QuestionnaireResponse (LOINC codes where they exist)."""
    row = service.get_response(session, person, response_id)
    instrument = service.get_answerable(row.instrument)
    resource = fhir.questionnaire_response_resource(
        instrument,
        row.answers,
        response_id=str(row.id),
        authored=row.completed_at or row.started_at,
        completed=row.completed_at is not None,
    )
    return Response(fhir.to_json(resource), media_type="application/fhir+json")


@api_router.get(
    "/{instrument_id}/fhir",
    response_class=JSONResponse,
    responses={200: {"description": "A FHIR R4 Questionnaire"}},
)
def api_questionnaire_fhir(instrument_id: InstrumentId, person: ApiPerson) -> Response:
    """The questionnaire as a FHIR R4 Questionnaire: item ids (linkId), answers and scores."""
    instrument = service.get_answerable(instrument_id)
    resource = fhir.questionnaire_resource(instrument)
    return Response(fhir.to_json(resource), media_type="application/fhir+json")


@api_router.post(
    "/{instrument_id}/responses",
    response_model=ResponseSaved,
    status_code=201,
)
def api_submit_response(
    instrument_id: InstrumentId,
    body: ResponseIn,
    person: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Answer a questionnaire in one go. Every item the total needs must be answered (422 names
    the missing ones; nothing is kept). `crisis_support` is set when a critical item is endorsed."""
    instrument = service.get_answerable(instrument_id)
    user = accounts.get_user(session, person)
    missing = instrument.score(_checked_or_422(instrument, body.answers)).missing
    if missing:
        raise InvalidInput(dict.fromkeys(missing, "This is required."))
    saved = service.save_answers(
        session,
        user,
        instrument,
        body.answers,
        finish=True,
        now=clock.now(),
        today=local_today(clock, user.timezone),
    )
    payload = ResponseRead.model_validate(saved.response).model_dump(mode="json")
    support = crisis_resources(settings.crisis_country) if saved.safety else None
    payload["crisis_support"] = CrisisSupportRead.from_resources(support) if support else None
    return JSONResponse(payload, status_code=201)


def _checked_or_422(instrument: Instrument, answers: Mapping[str, Value | None]) -> Any:
    try:
        return instrument.check(answers).values
    except InvalidAnswer as error:
        raise InvalidInput({error.item_id: str(error)}) from None
