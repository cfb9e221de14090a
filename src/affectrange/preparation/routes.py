"""The appointment preparation sheet: `GET /prepare` (the page, printable), `GET /prepare.pdf`,
the question forms under `/prepare/questions`, and `/api/v1/preparation/questions`.

People only (a clinician gets 403, as on every person's page). The PDF is an export and is
audited like the report's: rendered first, then `audit.service.record_own_export` switches the
read transaction to writing and appends the entry, which commits before the response.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.accounts.models import User
from affectrange.audit import service as audit
from affectrange.checkins.schemas import CrisisSupportRead
from affectrange.clock import Clock, local_today
from affectrange.config import Settings
from affectrange.emotional_range.wording import long_day
from affectrange.errors import InvalidInput
from affectrange.preparation import service
from affectrange.preparation.models import MAX_QUESTION_LENGTH, MAX_QUESTIONS, AppointmentQuestion
from affectrange.preparation.schemas import QuestionIn, QuestionList, QuestionRead
from affectrange.reports import render as reports_render
from affectrange.safety import crisis_resources
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep, client_address
from affectrange.web.templating import attachment, redirect, render, templates
from affectrange.web.validation import form_errors, form_values

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(
    prefix="/api/v1/preparation", tags=["preparation"], responses=API_ERROR_RESPONSES
)

QuestionId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
DOCUMENT_TEMPLATE: Final = "preparation/document.html"
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The sheet as a PDF"}
}
DONE_WORDS: Final = {
    "added": "Question added.",
    "changed": "Question changed.",
    "removed": "Question removed.",
    "moved": "Question moved.",
}
CRISIS_TRIGGER: Final = "appointment_question"


# --- the sheet ----------------------------------------------------------------------------------


def _sheet_context(session: Session, person: User, clock: Clock) -> dict[str, Any]:
    sheet = service.build_sheet(session, person, today=local_today(clock, person.timezone))
    return {
        "sheet": sheet,
        "long_day": long_day,
        "suggestions": service.suggestions_left(sheet.questions),
        "max_questions": MAX_QUESTIONS,
        "max_length": MAX_QUESTION_LENGTH,
        "values": {},
        "errors": {},
        "done": None,
        "crisis": None,
        "crisis_trigger": CRISIS_TRIGGER,
        "talk_to_prescriber": False,
    }


@router.get("/prepare")
def sheet_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    done: Annotated[str | None, Query(max_length=10)] = None,
    support: Annotated[bool, Query()] = False,
    prescriber: Annotated[bool, Query()] = False,
) -> Response:
    context = _sheet_context(session, person, clock)
    context.update(
        done=DONE_WORDS.get(done or ""),
        crisis=crisis_resources(settings.crisis_country) if support else None,
        talk_to_prescriber=prescriber,
    )
    return render(request, "preparation/sheet.html", context)


@router.get("/prepare.pdf", response_class=Response, responses=PDF_RESPONSE)
def sheet_pdf(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    sheet = service.build_sheet(session, person, today=local_today(clock, person.timezone))
    source = templates.env.get_template(DOCUMENT_TEMPLATE).render(sheet=sheet, long_day=long_day)
    pdf = reports_render.pdf_from_html(source)
    audit.record_own_export(
        session,
        person,
        detail=f"appointment sheet of {sheet.today.isoformat()} as a PDF",
        address=client_address(request),
        now=clock.now(),
    )
    return attachment(pdf, filename=service.sheet_filename(sheet), media_type="application/pdf")


# --- questions: the forms -----------------------------------------------------------------------


def _after_save_url(saved: service.SavedQuestion, done: str) -> str:
    url = f"/prepare?done={done}"
    if saved.crisis_language:
        url += "&support=1"
    if saved.talk_to_prescriber:
        url += "&prescriber=1"
    return url + "#questions"


@router.post("/prepare/questions")
async def add_question_form(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    try:
        form = QuestionIn.model_validate(submitted)
        saved = service.add_question(
            session, person, form, now=clock.now(), crisis_phrases=settings.crisis_phrase_list()
        )
    except (ValidationError, InvalidInput) as error:
        context = _sheet_context(session, person, clock)
        context.update(values=submitted, errors=form_errors(error))
        return render(request, "preparation/sheet.html", context, status_code=422)
    return redirect(request, _after_save_url(saved, "added"))


def _edit_context(question: AppointmentQuestion, number: int) -> dict[str, Any]:
    return {
        "question": question,
        "number": number,
        "values": {"text": question.text},
        "errors": {},
        "max_length": MAX_QUESTION_LENGTH,
    }


def _number_of(session: Session, person: User, question: AppointmentQuestion) -> int:
    return [row.id for row in service.list_questions(session, person)].index(question.id) + 1


@router.get("/prepare/questions/{question_id}/edit")
def edit_question_page(
    request: Request, question_id: QuestionId, person: CurrentPerson, session: SessionDep
) -> Response:
    question = service.get_question(session, person, question_id)
    context = _edit_context(question, _number_of(session, person, question))
    return render(request, "preparation/edit.html", context)


@router.post("/prepare/questions/{question_id}/edit")
async def edit_question_form(
    request: Request,
    question_id: QuestionId,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    question = service.get_question(session, person, question_id)
    submitted = form_values((await request.form()).multi_items())
    try:
        form = QuestionIn.model_validate(submitted)
        saved = service.update_question(
            session,
            person,
            question_id,
            form,
            now=clock.now(),
            crisis_phrases=settings.crisis_phrase_list(),
        )
    except (ValidationError, InvalidInput) as error:
        context = _edit_context(question, _number_of(session, person, question))
        context.update(values=submitted, errors=form_errors(error))
        return render(request, "preparation/edit.html", context, status_code=422)
    return redirect(request, _after_save_url(saved, "changed"))


@router.post("/prepare/questions/{question_id}/delete")
def delete_question_form(
    request: Request, question_id: QuestionId, person: CurrentPerson, session: SessionDep
) -> Response:
    service.delete_question(session, person, question_id)
    return redirect(request, "/prepare?done=removed#questions")


@router.post("/prepare/questions/{question_id}/move")
async def move_question_form(
    request: Request, question_id: QuestionId, person: CurrentPerson, session: SessionDep
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    service.move_question(session, person, question_id, submitted.get("direction", ""))
    return redirect(request, "/prepare?done=moved#questions")


# --- questions: the JSON API --------------------------------------------------------------------


def _reads(questions: list[AppointmentQuestion]) -> list[QuestionRead]:
    return [
        QuestionRead(
            id=row.id,
            number=number,
            text=row.text,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for number, row in enumerate(questions, start=1)
    ]


def _saved_response(
    session: Session,
    person: ApiPerson,
    saved: service.SavedQuestion,
    settings: Settings,
    *,
    status_code: int,
) -> JSONResponse:
    reads = _reads(service.list_questions(session, person))
    payload = next(read for read in reads if read.id == saved.question.id).model_dump(mode="json")
    payload["talk_to_prescriber"] = saved.talk_to_prescriber
    support = crisis_resources(settings.crisis_country) if saved.crisis_language else None
    payload["crisis_support"] = CrisisSupportRead.from_resources(support) if support else None
    return JSONResponse(payload, status_code=status_code)


@api_router.get("/questions", response_model=QuestionList)
def api_list_questions(person: ApiPerson, session: SessionDep) -> QuestionList:
    """Your questions for your next appointment, in the sheet's order."""
    return QuestionList(questions=_reads(service.list_questions(session, person)))


@api_router.post("/questions", response_model=QuestionRead, status_code=201)
def api_add_question(
    body: QuestionIn,
    person: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Add a question at the end (at most 10). `talk_to_prescriber` and `crisis_support` say
    which card to show, as for a check-in note."""
    saved = service.add_question(
        session, person, body, now=clock.now(), crisis_phrases=settings.crisis_phrase_list()
    )
    return _saved_response(session, person, saved, settings, status_code=201)


@api_router.put("/questions/{question_id}", response_model=QuestionRead)
def api_update_question(
    question_id: QuestionId,
    body: QuestionIn,
    person: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Change a question's words; its place stays."""
    saved = service.update_question(
        session,
        person,
        question_id,
        body,
        now=clock.now(),
        crisis_phrases=settings.crisis_phrase_list(),
    )
    return _saved_response(session, person, saved, settings, status_code=200)


@api_router.delete("/questions/{question_id}", status_code=204)
def api_delete_question(
    question_id: QuestionId, person: ApiPerson, session: SessionDep
) -> Response:
    """Remove a question; the others keep their order."""
    service.delete_question(session, person, question_id)
    return Response(status_code=204)
