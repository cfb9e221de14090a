"""The clinician's pages and /api/v1/clinician: the dashboard, a person's shared record and
their report.

Each read follows the same steps: open the share (404 without one), read and draw, then
`sharing.service.record_access` (re-checks the share in a short write transaction and appends the
audit entry), and only then answer. A revoke that commits first is honoured by the next request,
and by this one if it lands before the check.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from affectrange.accounts.auth import ApiClinician, CurrentClinician
from affectrange.accounts.models import User
from affectrange.audit.models import AuditAction
from affectrange.clinician import service
from affectrange.clock import Clock, local_today
from affectrange.config import Settings
from affectrange.emotional_range.chart import ROLLING_DAYS, ROLLING_MIN_DAYS
from affectrange.emotional_range.schemas import range_json
from affectrange.emotional_range.wording import LIMITS
from affectrange.errors import NotFound
from affectrange.questionnaires import service as questionnaires
from affectrange.reports import render as reports_render
from affectrange.reports import service as reports
from affectrange.reports.model import Report
from affectrange.sharing import service as sharing
from affectrange.sharing.schemas import ScopesRead
from affectrange.sharing.scopes import SCOPE_LABELS, describe_scopes
from affectrange.sharing.service import SharedRecord
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep, client_address
from affectrange.web.templating import attachment, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(
    prefix="/api/v1/clinician", tags=["clinician"], responses=API_ERROR_RESPONSES
)

PersonId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
DateParam = Annotated[str | None, Query(max_length=10)]


@router.get("/clinician")
def dashboard_page(
    request: Request, clinician: CurrentClinician, session: SessionDep, clock: ClockDep
) -> Response:
    rows = service.dashboard(session, sharing.shared_records(session, clinician), clock)
    kept = _record_dashboard(request, session, clinician, rows, clock)
    return render(request, "clinician/dashboard.html", {"rows": kept})


def _record_dashboard(
    request: Request,
    session: Session,
    clinician: User,
    rows: list[service.DashboardRow],
    clock: Clock,
) -> list[service.DashboardRow]:
    still = sharing.record_dashboard_view(
        session,
        clinician,
        [row.record for row in rows],
        address=client_address(request),
        now=clock.now(),
    )
    shared_ids = {record.share_id for record in still}
    return [row for row in rows if row.record.share_id in shared_ids]


@router.get("/clinician/people/{person_id}")
def person_page(
    request: Request,
    person_id: PersonId,
    clinician: CurrentClinician,
    session: SessionDep,
    clock: ClockDep,
    accepted: Annotated[bool, Query()] = False,
) -> Response:
    record = sharing.open_shared_record(session, clinician, person_id)
    today = local_today(clock, record.person.timezone)
    page = service.person_page(session, record, today)
    sharing.record_access(
        session,
        record,
        action=AuditAction.VIEW_RECORD,
        detail=f"record page ({describe_scopes(record.scopes)})",
        address=client_address(request),
        now=clock.now(),
    )
    context: dict[str, Any] = {field.name: getattr(page, field.name) for field in fields(page)}
    context.update(
        record=record,
        accepted=accepted,
        labels=SCOPE_LABELS,
        limits=LIMITS,
        rolling_days=ROLLING_DAYS,
        rolling_min_days=ROLLING_MIN_DAYS,
        report_from=reports.default_period(today)[0].isoformat(),
        report_to=today.isoformat(),
        instrument_names={i.id: i.name for i in questionnaires.answerable_instruments()},
    )
    return render(request, "clinician/person.html", context)


def _shared_report(
    session: Session,
    clinician: User,
    person_id: int,
    clock: Clock,
    settings: Settings,
    first: str | None,
    last: str | None,
) -> tuple[SharedRecord, Report]:
    """The report of what the person shares with this clinician (404 without a share)."""
    record = sharing.open_shared_record(session, clinician, person_id)
    today = local_today(clock, record.person.timezone)
    start, end = reports.period_from_text(first, last, today)
    report = reports.build_report(
        session,
        record.person,
        first=start,
        last=end,
        today=today,
        scopes=record.scopes,
        prepared_for=clinician.display_name,
        now=clock.now(),
        crisis_country=settings.crisis_country,
    )
    return record, report


def _period_words(report: Report) -> str:
    return f"report {report.first.isoformat()} to {report.last.isoformat()}"


@router.get("/clinician/people/{person_id}/report")
def report_page(
    request: Request,
    person_id: PersonId,
    clinician: CurrentClinician,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    record, report = _shared_report(session, clinician, person_id, clock, settings, first, last)
    html = reports_render.render_html(report)
    sharing.record_access(
        session,
        record,
        action=AuditAction.VIEW_REPORT,
        detail=f"{_period_words(report)} as a web page",
        address=client_address(request),
        now=clock.now(),
    )
    return Response(html, media_type="text/html", headers={"Cache-Control": "no-store"})


def _report_pdf(
    request: Request,
    person_id: int,
    clinician: User,
    session: Session,
    clock: Clock,
    settings: Settings,
    first: str | None,
    last: str | None,
) -> Response:
    record, report = _shared_report(session, clinician, person_id, clock, settings, first, last)
    pdf = reports_render.render_pdf(report)
    sharing.record_access(
        session,
        record,
        action=AuditAction.EXPORT_REPORT,
        detail=f"{_period_words(report)} as a PDF",
        address=client_address(request),
        now=clock.now(),
    )
    return attachment(
        pdf, filename=reports_render.report_filename(report), media_type="application/pdf"
    )


@router.get("/clinician/people/{person_id}/report.pdf")
def report_pdf(
    request: Request,
    person_id: PersonId,
    clinician: CurrentClinician,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    return _report_pdf(request, person_id, clinician, session, clock, settings, first, last)


# --- JSON API --------------------------------------------------------------------------------


@api_router.get("/people")
def api_people(
    request: Request, clinician: ApiClinician, session: SessionDep, clock: ClockDep
) -> JSONResponse:
    """People who share with you, most in need of attention first, with the reasons."""
    rows = service.dashboard(session, sharing.shared_records(session, clinician), clock)
    kept = _record_dashboard(request, session, clinician, rows, clock)
    return JSONResponse(
        [
            {
                "person_id": row.record.person.id,
                "display_name": row.record.person.display_name,
                "since": row.record.since.isoformat(),
                "scopes": ScopesRead.of(row.record.scopes).model_dump(),
                "reasons": list(row.reasons),
                "last_visit": row.last_visit.isoformat() if row.last_visit else None,
            }
            for row in kept
        ]
    )


@api_router.get("/people/{person_id}/range")
def api_person_range(
    request: Request,
    person_id: PersonId,
    clinician: ApiClinician,
    session: SessionDep,
    clock: ClockDep,
) -> JSONResponse:
    """The person's analysis (the same shape as their own GET /api/v1/range), when they share
    their check-ins with you; without their medication timeline it has no medication events."""
    record = sharing.open_shared_record(session, clinician, person_id)
    view = service.shared_range(session, record, local_today(clock, record.person.timezone))
    if view is None:
        raise NotFound("This person does not share their check-ins with you.")
    body = range_json(str(record.person.id), view)
    sharing.record_access(
        session,
        record,
        action=AuditAction.EXPORT_DATA,  # not a visit: it carries no safety events
        detail="analysis through the API",
        address=client_address(request),
        now=clock.now(),
    )
    return JSONResponse(body)


@api_router.get(
    "/people/{person_id}/report",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The report as a PDF"}},
)
def api_person_report(
    request: Request,
    person_id: PersonId,
    clinician: ApiClinician,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """The person's report as a PDF (default: the last 90 days)."""
    return _report_pdf(request, person_id, clinician, session, clock, settings, first, last)
