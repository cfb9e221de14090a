"""The person's "Who looked at my data" page and GET /api/v1/audit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.audit import service
from affectrange.sharing.schemas import AuditEntryRead
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import SessionDep
from affectrange.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=API_ERROR_RESPONSES)

PAGE_SIZE = 50
Before = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]


@router.get("/sharing/activity")
def activity_page(
    request: Request, person: CurrentPerson, session: SessionDep, before: Before = None
) -> Response:
    entries = service.entries_about(session, person, limit=PAGE_SIZE + 1, before_seq=before)
    context = {
        "entries": entries[:PAGE_SIZE],
        "older": entries[PAGE_SIZE - 1].seq if len(entries) > PAGE_SIZE else None,
        "words": service.ACTION_WORDS,
        "person_id": person.id,
    }
    return render(request, "sharing/activity.html", context)


@api_router.get("", response_model=list[AuditEntryRead])
def api_audit(
    person: ApiPerson, session: SessionDep, before: Before = None
) -> list[AuditEntryRead]:
    """Who read, changed or exported your data, newest first (50 at a time; page with
    `before` = the last `seq` you received)."""
    return [
        AuditEntryRead(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor_label,
            actor_role=entry.actor_role,
            action=entry.action,
            detail=entry.detail,
            address=entry.address,
        )
        for entry in service.entries_about(session, person, limit=PAGE_SIZE, before_seq=before)
    ]
