"""Sharing pages for the person (invite, choose, revoke), the clinician's acceptance, and
/api/v1/shares."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts import service as accounts
from affectrange.accounts.auth import ApiClinician, ApiPerson, CurrentClinician, CurrentPerson
from affectrange.accounts.models import User
from affectrange.errors import InvalidInput
from affectrange.sharing import service
from affectrange.sharing.models import ShareInvitation
from affectrange.sharing.schemas import (
    AcceptIn,
    InvitationCreated,
    InvitationRead,
    ScopesIn,
    ScopesRead,
    SharedPersonRead,
    ShareRead,
    SharingOverview,
    scopes_from_form,
)
from affectrange.sharing.scopes import SCOPE_LABELS, Scopes
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, client_address
from affectrange.web.templating import redirect, render
from affectrange.web.validation import form_values

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(prefix="/api/v1/shares", tags=["sharing"], responses=API_ERROR_RESPONSES)

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
ACCEPT_PATH = "/clinician/accept"


def accept_link(request: Request, code: str) -> str:
    return str(request.base_url).rstrip("/") + ACCEPT_PATH + "?" + urlencode({"code": code})


def _sharing_context(
    session: Session, person: User, clock_now: Any, **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "shares": service.shared_with(session, person),
        "invitations": service.pending_invitations(session, person, now=clock_now),
        "labels": SCOPE_LABELS,
        "defaults": Scopes(),
        "errors": {},
        "created": None,
        "changed": None,
    }
    context.update(extra)
    return context


@router.get("/sharing")
def sharing_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    changed: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return render(
        request,
        "sharing/index.html",
        _sharing_context(session, person, clock.now(), changed=changed),
    )


@router.post("/sharing/invitations")
async def create_invitation_page(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    scopes = scopes_from_form(form_values((await request.form()).multi_items()))
    try:
        created = service.create_invitation(
            session, person, scopes=scopes, now=clock.now(), address=client_address(request)
        )
    except InvalidInput as error:
        context = _sharing_context(session, person, clock.now(), errors=error.fields)
        context["defaults"] = scopes  # keep what was ticked
        return render(request, "sharing/index.html", context, status_code=422)
    context = _sharing_context(
        session,
        person,
        clock.now(),
        created={
            "code": created.code,
            "link": accept_link(request, created.code),
            "invitation": created.invitation,
        },
    )
    return render(request, "sharing/index.html", context, status_code=201)


@router.post("/sharing/invitations/{invitation_id}/cancel")
def cancel_invitation_page(
    request: Request,
    invitation_id: RowId,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    service.cancel_invitation(
        session, person, invitation_id, now=clock.now(), address=client_address(request)
    )
    return redirect(request, "/sharing?changed=cancelled")


@router.post("/sharing/shares/{share_id}")
async def change_share_page(
    request: Request, share_id: RowId, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    scopes = scopes_from_form(form_values((await request.form()).multi_items()))
    try:
        service.change_share(
            session,
            person,
            share_id,
            scopes=scopes,
            now=clock.now(),
            address=client_address(request),
        )
    except InvalidInput as error:
        context = _sharing_context(
            session, person, clock.now(), errors={f"share-{share_id}": error.fields["scopes"]}
        )
        return render(request, "sharing/index.html", context, status_code=422)
    return redirect(request, "/sharing?changed=scopes")


@router.post("/sharing/shares/{share_id}/revoke")
def revoke_share_page(
    request: Request, share_id: RowId, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    service.revoke_share(
        session, person, share_id, now=clock.now(), address=client_address(request)
    )
    return redirect(request, "/sharing?changed=revoked")


# --- the clinician accepts ---------------------------------------------------------------------


@router.get(ACCEPT_PATH)
def accept_page(
    request: Request,
    clinician: CurrentClinician,
    session: SessionDep,
    clock: ClockDep,
    code: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    context: dict[str, Any] = {"code": code, "preview": None, "errors": {}, "labels": SCOPE_LABELS}
    if code:
        try:
            context["preview"] = service.preview_invitation(
                session, clinician, code, now=clock.now()
            )
        except InvalidInput as error:
            context["errors"] = error.fields
            return render(request, "sharing/accept.html", context, status_code=422)
    return render(request, "sharing/accept.html", context)


@router.post(ACCEPT_PATH)
async def accept(
    request: Request, clinician: CurrentClinician, session: SessionDep, clock: ClockDep
) -> Response:
    code = str((await request.form()).get("code", "") or "")
    try:
        record = service.accept_invitation(
            session, clinician, code, now=clock.now(), address=client_address(request)
        )
    except InvalidInput as error:
        context = {"code": code, "preview": None, "errors": error.fields, "labels": SCOPE_LABELS}
        return render(request, "sharing/accept.html", context, status_code=422)
    return redirect(request, f"/clinician/people/{record.person.id}?accepted=1")


# --- JSON API --------------------------------------------------------------------------------


def _invitation_read(invitation: ShareInvitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        scopes=ScopesRead.of(invitation.scopes),
    )


@api_router.get("", response_model=SharingOverview)
def api_sharing(principal: ApiPerson, session: SessionDep, clock: ClockDep) -> SharingOverview:
    """Who can see your record and what of it, and your unused invitations."""
    person = accounts.get_user(session, principal)
    return SharingOverview(
        shares=[
            ShareRead(
                id=share.share_id,
                clinician_name=share.clinician_name,
                clinician_email=share.clinician_email,
                since=share.since,
                scopes=ScopesRead.of(share.scopes),
            )
            for share in service.shared_with(session, person)
        ],
        invitations=[
            _invitation_read(invitation)
            for invitation in service.pending_invitations(session, person, now=clock.now())
        ],
    )


@api_router.post("/invitations", response_model=InvitationCreated, status_code=201)
def api_create_invitation(
    request: Request, body: ScopesIn, principal: ApiPerson, session: SessionDep, clock: ClockDep
) -> InvitationCreated:
    """Create a one-time code for a clinician (valid 7 days). Notes are off unless asked for."""
    person = accounts.get_user(session, principal)
    created = service.create_invitation(
        session, person, scopes=body.to_scopes(), now=clock.now(), address=client_address(request)
    )
    return InvitationCreated(
        id=created.invitation.id,
        code=created.code,
        link=accept_link(request, created.code),
        expires_at=created.invitation.expires_at,
        scopes=ScopesRead.of(created.invitation.scopes),
    )


@api_router.delete("/invitations/{invitation_id}", status_code=204)
def api_cancel_invitation(
    request: Request,
    invitation_id: RowId,
    principal: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    person = accounts.get_user(session, principal)
    service.cancel_invitation(
        session, person, invitation_id, now=clock.now(), address=client_address(request)
    )
    return Response(status_code=204)


@api_router.put("/{share_id}", response_model=ShareRead)
def api_change_share(
    request: Request,
    share_id: RowId,
    body: ScopesIn,
    principal: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
) -> ShareRead:
    """Change what one clinician sees; their next request sees only the new choice."""
    person = accounts.get_user(session, principal)
    share = service.change_share(
        session,
        person,
        share_id,
        scopes=body.to_scopes(),
        now=clock.now(),
        address=client_address(request),
    )
    listed = {item.share_id: item for item in service.shared_with(session, person)}[share.id]
    return ShareRead(
        id=share.id,
        clinician_name=listed.clinician_name,
        clinician_email=listed.clinician_email,
        since=share.created_at,
        scopes=ScopesRead.of(share.scopes),
    )


@api_router.delete("/{share_id}", status_code=204)
def api_revoke_share(
    request: Request, share_id: RowId, principal: ApiPerson, session: SessionDep, clock: ClockDep
) -> Response:
    """Stop sharing with this clinician, at once."""
    person = accounts.get_user(session, principal)
    service.revoke_share(
        session, person, share_id, now=clock.now(), address=client_address(request)
    )
    return Response(status_code=204)


@api_router.post("/accept", response_model=SharedPersonRead, status_code=201)
def api_accept(
    request: Request, body: AcceptIn, clinician: ApiClinician, session: SessionDep, clock: ClockDep
) -> SharedPersonRead:
    """For clinicians: accept a person's invitation code."""
    record = service.accept_invitation(
        session, clinician, body.code, now=clock.now(), address=client_address(request)
    )
    return SharedPersonRead(
        person_id=record.person.id,
        display_name=record.person.display_name,
        since=record.since,
        scopes=ScopesRead.of(record.scopes),
    )
