"""Your data: `GET /account/data` (the page), `GET /account/data/export`,
`POST /account/data/import`, and `GET /api/v1/export`, `POST /api/v1/import`.

People only. An export reads first and then appends its audit entry (the service switches to
writing), which commits before the file is sent. An import is `read_first`: the file is read and
checked without the write lock, which the service takes only to write a file known to be good.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts import service as accounts
from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.accounts.models import User
from affectrange.audit.service import actor_for
from affectrange.checkins.schemas import CrisisSupportRead
from affectrange.clock import Clock
from affectrange.config import Settings
from affectrange.db import read_first
from affectrange.portability import service
from affectrange.portability.fhir_import import ImportRefused
from affectrange.portability.schemas import record_counts
from affectrange.portability.service import ExportFormat, ImportResult
from affectrange.safety import crisis_resources
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep, client_address
from affectrange.web.templating import attachment, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(prefix="/api/v1", tags=["your data"], responses=API_ERROR_RESPONSES)

PAGE: Final = "portability/data.html"
FILE_FIELD: Final = "file"
FormatParam = Annotated[ExportFormat, Query(alias="format")]
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/fhir+json": {}, "application/zip": {}},
        "description": "The whole record: a FHIR R4 Bundle, or a zip of CSV files",
    }
}


def _page(
    request: Request,
    session: Session,
    person: User,
    settings: Settings,
    *,
    result: ImportResult | None = None,
    error: str | None = None,
) -> Response:
    counts = record_counts(service.read_record(session, person))
    flagged = result is not None and result.safety_flagged
    context = {
        "counts": counts,
        "result": result,
        "error": error,
        "crisis": crisis_resources(settings.crisis_country) if flagged else None,
        "crisis_trigger": "imported_answer",
    }
    return render(request, PAGE, context, status_code=422 if error else 200)


def _own_export(
    request: Request, session: Session, person: User, clock: Clock, file_format: ExportFormat
) -> Response:
    """The person's own download, recorded in the audit log before it is sent."""
    export = service.export_record(
        session,
        person,
        file_format=file_format,
        now=clock.now(),
        actor=actor_for(person),
        address=client_address(request),
    )
    return attachment(export.content, filename=export.filename, media_type=export.media_type)


@router.get("/account/data")
def data_page(
    request: Request, person: CurrentPerson, session: SessionDep, settings: SettingsDep
) -> Response:
    return _page(request, session, person, settings)


@router.get("/account/data/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_download(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    file_format: FormatParam = ExportFormat.FHIR,
) -> Response:
    return _own_export(request, session, person, clock, file_format)


@router.post("/account/data/import")
@read_first
async def import_upload(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    upload = (await request.form()).get(FILE_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, session, person, settings, error="Choose a file to import.")
    content = await upload.read(service.MAX_IMPORT_BYTES + 1)
    try:
        result = service.import_record(
            session,
            person,
            content,
            source=upload.filename,
            now=clock.now(),
            actor=actor_for(person),
            address=client_address(request),
        )
    except ImportRefused as refused:
        return _page(request, session, person, settings, error=refused.message)
    return _page(request, session, person, settings, result=result)


async def _body_up_to(request: Request, limit: int) -> bytes:
    """The body, read no further than `limit` bytes (the service refuses a file that long)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk[: limit - len(body)]
        if len(body) >= limit:
            break
    return bytes(body)


@api_router.get("/export", response_class=Response, responses=EXPORT_RESPONSES)
def api_export(
    request: Request,
    principal: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    file_format: FormatParam = ExportFormat.FHIR,
) -> Response:
    """Your whole record: `format=fhir` (a FHIR R4 Bundle, the default) or `format=csv` (a zip
    of CSV files, one per kind). Every export is recorded in the audit log."""
    person = accounts.get_user(session, principal)
    return _own_export(request, session, person, clock, file_format)


@api_router.post("/import")
@read_first
async def api_import(
    request: Request,
    principal: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Import an AffectRange export (FHIR Bundle or CSV zip) into an account that holds no
    records yet, or add QuestionnaireResponses from another system. Send the file as the body.
    A file with any problem is refused whole (422), naming the place."""
    person = accounts.get_user(session, principal)
    content = await _body_up_to(request, service.MAX_IMPORT_BYTES + 1)
    result = service.import_record(
        session,
        person,
        content,
        source="the request body",
        now=clock.now(),
        actor=actor_for(person),
        address=client_address(request),
    )
    return {
        "added": result.added,
        "skipped": result.skipped,
        "not_imported": result.not_imported,
        "summary": result.summary(),
        "crisis_support": (
            CrisisSupportRead.from_resources(crisis_resources(settings.crisis_country))
            if result.safety_flagged
            else None
        ),
    }
