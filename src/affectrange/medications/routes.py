"""Medication timeline pages (HTML, htmx-enhanced, usable without JavaScript) and /api/v1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.accounts.models import User
from affectrange.checkins.schemas import CrisisSupportRead
from affectrange.clock import local_today
from affectrange.config import Settings
from affectrange.errors import InvalidInput, NotFound
from affectrange.medications import service
from affectrange.medications.catalogue import CATALOGUE, CatalogueEntry, search_catalogue
from affectrange.medications.models import MedicationEvent, MedicationEventKind
from affectrange.medications.schemas import (
    MAX_MEDICATION_LENGTH,
    MAX_NOTE_LENGTH,
    CatalogueEntryRead,
    CatalogueResults,
    MedicationEventIn,
    MedicationEventList,
    MedicationEventRead,
    MedicationEventSaved,
    ReassessmentRead,
)
from affectrange.questionnaires import service as questionnaires
from affectrange.safety import crisis_resources
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep
from affectrange.web.templating import is_htmx, redirect, render
from affectrange.web.validation import form_values, validation_messages

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(
    prefix="/api/v1/medications", tags=["medications"], responses=API_ERROR_RESPONSES
)

EventId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
SearchText = Annotated[str, Query(max_length=MAX_MEDICATION_LENGTH)]
SUGGESTION_LIMIT = 8
KIND_CHOICES = (
    (MedicationEventKind.START, "Started"),
    (MedicationEventKind.DOSE_CHANGE, "Changed the dose"),
    (MedicationEventKind.STOP, "Stopped"),
)
KIND_WORDS = {
    MedicationEventKind.START: "Started",
    MedicationEventKind.DOSE_CHANGE: "Dose changed",
    MedicationEventKind.STOP: "Stopped",
}


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One event as the timeline shows it."""

    event: MedicationEvent
    entry: CatalogueEntry | None
    kind: str
    dose: str
    label: str
    """ "starting sertraline on 3 May 2026", for buttons' accessible names."""


def _row(event: MedicationEvent) -> TimelineRow:
    return TimelineRow(
        event=event,
        entry=service.catalogue_entry(event),
        kind=KIND_WORDS[event.event],
        dose=service.format_dose(event.dose_mg) if event.dose_mg is not None else "",
        label=service.event_label(event.medication, event.event, event.day),
    )


def _form_context(
    *,
    today: dt.date,
    values: dict[str, str],
    errors: dict[str, str],
    existing: MedicationEvent | None = None,
) -> dict[str, Any]:
    return {
        "today": today,
        "values": values,
        "errors": errors,
        "existing": existing,
        "kinds": KIND_CHOICES,
        "catalogue": CATALOGUE,
        "max_medication_length": MAX_MEDICATION_LENGTH,
        "max_note_length": MAX_NOTE_LENGTH,
    }


def _values_of(event: MedicationEvent) -> dict[str, str]:
    return {
        "medication": event.medication,
        "event": event.event.value,
        "date": event.day.isoformat(),
        "dose_mg": f"{event.dose_mg:g}" if event.dose_mg is not None else "",
        "note": event.note or "",
    }


def _form_errors(
    error: ValidationError | InvalidInput, submitted: dict[str, str]
) -> dict[str, str]:
    if isinstance(error, InvalidInput):
        return error.fields
    errors = validation_messages(error)
    # The service's dose rule cannot run while other fields fail; say it now, not on the next try.
    needs_dose = submitted.get("event") in (
        MedicationEventKind.START,
        MedicationEventKind.DOSE_CHANGE,
    )
    if needs_dose and "dose_mg" not in submitted:
        errors.setdefault("dose_mg", service.DOSE_REQUIRED_MESSAGE)
    return errors


def _saved_query(saved: service.SavedMedicationEvent, outcome: str) -> str:
    query = f"?saved={saved.event.id}&{outcome}=1"
    if saved.crisis_language:
        query += "&support=1"
    if saved.talk_to_prescriber:
        query += "&prescriber=1"
    return query


def _planned(
    session: Session, person: User, saved_id: int | None
) -> tuple[TimelineRow | None, list[tuple[dt.date, list[str]]]]:
    """The just-saved event, and the questionnaires it set by due date, for the notice."""
    if saved_id is None:
        return None, []
    try:
        event = service.get_medication_event(session, person, saved_id)
    except NotFound:
        return None, []  # deleted since, or not theirs: no notice, and nothing revealed
    names = {
        instrument.id: instrument.name for instrument in questionnaires.answerable_instruments()
    }
    scheduled = service.scheduled_reassessments(session, person, event)
    by_day: list[tuple[dt.date, list[str]]] = []
    for day, items in groupby(scheduled, key=lambda item: item.due_on):
        due = {item.instrument for item in items}
        # In the questionnaires' own order (PHQ-9 first), as their pages list them.
        by_day.append((day, [name for instrument, name in names.items() if instrument in due]))
    return _row(event), by_day


def _page_context(
    session: Session,
    person: User,
    *,
    today: dt.date,
    values: dict[str, str],
    errors: dict[str, str],
) -> dict[str, Any]:
    events = service.list_medication_events(session, person)
    context = _form_context(today=today, values=values, errors=errors)
    context.update(
        rows=[_row(event) for event in reversed(events)],
        saved=None,
        planned=[],
        talk_to_prescriber=False,
        crisis=None,
    )
    return context


def _new_values(today: dt.date) -> dict[str, str]:
    return {"date": today.isoformat(), "event": MedicationEventKind.START.value}


@router.get("/medications")
def medications_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    saved: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    prescriber: Annotated[bool, Query()] = False,
    support: Annotated[bool, Query()] = False,
) -> Response:
    today = local_today(clock, person.timezone)
    context = _page_context(session, person, today=today, values=_new_values(today), errors={})
    saved_row, planned = _planned(session, person, saved)
    context.update(
        saved=saved_row,
        planned=planned,
        talk_to_prescriber=prescriber,
        crisis=crisis_resources(settings.crisis_country) if support else None,
        crisis_trigger="medication_note",
    )
    return render(request, "medications/index.html", context)


@router.post("/medications")
async def submit_medication_event(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    today = local_today(clock, person.timezone)
    try:
        form = MedicationEventIn.model_validate(submitted)
        saved = service.record_medication_event(
            session, person, form, now=clock.now(), crisis_phrases=settings.crisis_phrase_list()
        )
    except (ValidationError, InvalidInput) as error:
        errors = _form_errors(error, submitted)
        if is_htmx(request):
            context = _form_context(today=today, values=submitted, errors=errors)
            return render(request, "medications/_form.html", context, status_code=422)
        context = _page_context(session, person, today=today, values=submitted, errors=errors)
        return render(request, "medications/index.html", context, status_code=422)
    return redirect(request, "/medications" + _saved_query(saved, "created"))


@router.get("/medications/catalogue")
def catalogue_suggestions(
    request: Request,
    person: CurrentPerson,
    q: SearchText = "",
    medication: SearchText = "",
) -> Response:
    """Suggestions while typing: htmx sends the input's own name ("medication"), others `q`."""
    query = q or medication
    context = {"query": query.strip(), "results": search_catalogue(query, SUGGESTION_LIMIT)}
    return render(request, "medications/_suggestions.html", context)


@router.get("/medications/{event_id}/edit")
def edit_medication_event_page(
    request: Request,
    event_id: EventId,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    event = service.get_medication_event(session, person, event_id)
    today = local_today(clock, person.timezone)
    context = _form_context(today=today, values=_values_of(event), errors={}, existing=event)
    return render(request, "medications/edit.html", context)


@router.post("/medications/{event_id}/edit")
async def update_medication_event_page(
    request: Request,
    event_id: EventId,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    existing = service.get_medication_event(session, person, event_id)
    submitted = form_values((await request.form()).multi_items())
    today = local_today(clock, person.timezone)
    try:
        form = MedicationEventIn.model_validate(submitted)
        saved = service.update_medication_event(
            session,
            person,
            event_id,
            form,
            now=clock.now(),
            crisis_phrases=settings.crisis_phrase_list(),
        )
    except (ValidationError, InvalidInput) as error:
        errors = _form_errors(error, submitted)
        context = _form_context(today=today, values=submitted, errors=errors, existing=existing)
        template = "medications/_form.html" if is_htmx(request) else "medications/edit.html"
        return render(request, template, context, status_code=422)
    return redirect(request, "/medications" + _saved_query(saved, "updated"))


@router.post("/medications/{event_id}/delete")
def delete_medication_event_page(
    request: Request, event_id: EventId, person: CurrentPerson, session: SessionDep
) -> Response:
    service.delete_medication_event(session, person, event_id)
    return redirect(request, "/medications?deleted=1")


# --- JSON API --------------------------------------------------------------------------------


def _catalogue_read(entries: Iterable[CatalogueEntry]) -> CatalogueResults:
    return CatalogueResults(
        medications=[
            CatalogueEntryRead(
                name=entry.name,
                drug_class=entry.drug_class.label,
                class_name=entry.drug_class.full_name,
                rxcui=entry.rxcui,
                rxcui_status=entry.rxcui_status,
                note=entry.note,
            )
            for entry in entries
        ]
    )


def _saved_response(
    saved: service.SavedMedicationEvent, settings: Settings, *, status_code: int
) -> JSONResponse:
    payload = MedicationEventRead.model_validate(saved.event).model_dump(mode="json")
    payload["reassessments"] = [
        ReassessmentRead(
            instrument=item.instrument, due_on=item.due_on, reason=item.reason
        ).model_dump(mode="json")
        for item in saved.reassessments
    ]
    payload["talk_to_prescriber"] = saved.talk_to_prescriber
    support = crisis_resources(settings.crisis_country) if saved.crisis_language else None
    payload["crisis_support"] = CrisisSupportRead.from_resources(support) if support else None
    return JSONResponse(payload, status_code=status_code)


@api_router.get("", response_model=MedicationEventList)
def api_list_medication_events(person: ApiPerson, session: SessionDep) -> MedicationEventList:
    """Your medication events, oldest first."""
    rows = service.list_medication_events(session, person)
    return MedicationEventList(events=[MedicationEventRead.model_validate(row) for row in rows])


@api_router.post("", response_model=MedicationEventSaved, status_code=201)
def api_record_medication_event(
    body: MedicationEventIn,
    person: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Add a start, dose change or stop. Questionnaires are scheduled again 2, 4 and 8 weeks
    later (`reassessments`); `talk_to_prescriber` is set for a stop or a note about stopping."""
    saved = service.record_medication_event(
        session, person, body, now=clock.now(), crisis_phrases=settings.crisis_phrase_list()
    )
    return _saved_response(saved, settings, status_code=201)


@api_router.get("/catalogue", response_model=CatalogueResults)
def api_search_catalogue(
    person: ApiPerson,
    q: SearchText = "",
    limit: Annotated[int, Query(ge=1, le=len(CATALOGUE))] = 10,
) -> CatalogueResults:
    """Catalogue medications matching `q` (name prefix first, then class, then substring)."""
    return _catalogue_read(search_catalogue(q, limit))


@api_router.get("/{event_id}", response_model=MedicationEventRead)
def api_get_medication_event(
    event_id: EventId, person: ApiPerson, session: SessionDep
) -> MedicationEventRead:
    return MedicationEventRead.model_validate(
        service.get_medication_event(session, person, event_id)
    )


@api_router.put("/{event_id}", response_model=MedicationEventSaved)
def api_update_medication_event(
    event_id: EventId,
    body: MedicationEventIn,
    person: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Replace an event's values; its re-assessments move with its date."""
    saved = service.update_medication_event(
        session,
        person,
        event_id,
        body,
        now=clock.now(),
        crisis_phrases=settings.crisis_phrase_list(),
    )
    return _saved_response(saved, settings, status_code=200)


@api_router.delete("/{event_id}", status_code=204)
def api_delete_medication_event(
    event_id: EventId, person: ApiPerson, session: SessionDep
) -> Response:
    """Delete the event and the re-assessments it set."""
    service.delete_medication_event(session, person, event_id)
    return Response(status_code=204)
