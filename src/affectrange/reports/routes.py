"""The person's own report: `GET /report` (the page), `GET /report.pdf` and `GET /api/v1/report`.

Every download is an export and is audited: the PDF is rendered first, then
`audit.service.record_own_export` switches the read transaction to writing and appends the entry,
which commits before the response is sent (data never leaves without its entry). Showing the
report as a page to its own person is not an export and writes nothing (a GET never writes).
The clinician's views of a shared report live in `clinician/routes.py` and call the same
`build_report`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts import service as accounts
from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.accounts.models import User
from affectrange.audit import service as audit
from affectrange.clock import Clock, local_today
from affectrange.config import Settings
from affectrange.errors import InvalidInput
from affectrange.reports import render, service
from affectrange.reports.model import Report
from affectrange.sharing.scopes import Scopes
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep, client_address
from affectrange.web.templating import attachment
from affectrange.web.templating import render as render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(prefix="/api/v1/report", tags=["report"], responses=API_ERROR_RESPONSES)

# Plain strings, checked by the service: a bad date re-renders the form naming its field,
# rather than FastAPI's generic validation page.
FromParam = Annotated[str | None, Query(alias="from")]
ToParam = Annotated[str | None, Query(alias="to")]
MAX_SHOWN_INPUT = 40
"""What was typed is shown back in the form, cut to this length."""
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The report as a PDF"}
}


@router.get("/report")
def report_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    first: FromParam = None,
    last: ToParam = None,
) -> Response:
    today = local_today(clock, person.timezone)
    try:
        report = _own_report(session, person, clock, settings, first, last)
    except InvalidInput as error:
        return _form_again(request, today, first, last, error)
    values = {"from": report.first.isoformat(), "to": report.last.isoformat()}
    context = {
        **render.report_context(report),
        "values": values,
        "errors": {},
        "today": today,
        "pdf_href": f"/report.pdf?{urlencode(values)}",
    }
    return render_page(request, "reports/page.html", context)


@router.get("/report.pdf", response_class=Response, responses=PDF_RESPONSE)
def report_pdf(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    first: FromParam = None,
    last: ToParam = None,
) -> Response:
    try:
        report = _own_report(session, person, clock, settings, first, last)
    except InvalidInput as error:
        return _form_again(request, local_today(clock, person.timezone), first, last, error)
    return _pdf_export(request, session, person, report, clock)


@api_router.get("", response_class=Response, responses=PDF_RESPONSE)
def api_report(
    request: Request,
    principal: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    first: FromParam = None,
    last: ToParam = None,
) -> Response:
    """Your report as a PDF for `from`..`to` (YYYY-MM-DD; default: the 90 days ending today,
    at most 730 days). Every download is recorded in the audit log."""
    person = accounts.get_user(session, principal)
    report = _own_report(session, person, clock, settings, first, last)
    return _pdf_export(request, session, person, report, clock)


def _own_report(
    session: Session,
    person: User,
    clock: Clock,
    settings: Settings,
    first: str | None,
    last: str | None,
) -> Report:
    """The person's whole record for the asked period: their own copy holds every part."""
    today = local_today(clock, person.timezone)
    start, end = service.period_from_text(first, last, today)
    return service.build_report(
        session,
        person,
        first=start,
        last=end,
        today=today,
        scopes=Scopes.everything(),
        now=clock.now(),
        crisis_country=settings.crisis_country,
    )


def _pdf_export(
    request: Request, session: Session, person: User, report: Report, clock: Clock
) -> Response:
    pdf = render.render_pdf(report)
    filename = render.report_filename(report)
    audit.record_own_export(
        session,
        person,
        detail=f"report {report.first.isoformat()} to {report.last.isoformat()} as a PDF",
        address=client_address(request),
        now=clock.now(),
    )
    return attachment(pdf, filename=filename, media_type="application/pdf")


def _form_again(
    request: Request,
    today: dt.date,
    first: str | None,
    last: str | None,
    error: InvalidInput,
) -> Response:
    values = {
        name: (text or "")[:MAX_SHOWN_INPUT] for name, text in (("from", first), ("to", last))
    }
    context = {"values": values, "errors": error.fields, "today": today, "report": None}
    return render_page(request, "reports/page.html", context, status_code=422)
