"""Sign-up, sign-in, sign-out, password change, API tokens, deleting the account: HTML pages,
/api/v1/auth and /api/v1/account."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts import deletion, service
from affectrange.accounts.auth import ApiUser, ApiUserReadFirst, CurrentUser, OptionalUser
from affectrange.accounts.models import Role, User
from affectrange.accounts.schemas import (
    CONFIRMATION_WORD,
    MIN_PASSWORD_LENGTH,
    AccountDeletionForm,
    ApiTokenRead,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    TokenCreateForm,
    TokenRequest,
    TokenResponse,
    timezone_choices,
)
from affectrange.config import Settings
from affectrange.db import read_first
from affectrange.errors import InvalidInput, NotAuthenticated
from affectrange.text import MAX_ROW_ID
from affectrange.web import csrf
from affectrange.web.api import API_ERROR_RESPONSES, api_error
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep, client_address
from affectrange.web.templating import redirect, render
from affectrange.web.validation import form_errors, form_values, validation_messages

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify_csrf)])
api_router = APIRouter(
    prefix="/api/v1/auth", tags=["authentication"], responses=API_ERROR_RESPONSES
)
account_api_router = APIRouter(
    prefix="/api/v1/account", tags=["account"], responses=API_ERROR_RESPONSES
)

TokenId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
_SECRET_FIELDS = frozenset(
    {"password", "password_repeat", "current_password", "new_password", "new_password_repeat"}
)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot send someone elsewhere after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.example" is off-site for them
    # (HX-Redirect passes it to the browser unquoted).
    if any(char == "\\" or char < " " for char in target):
        return "/"
    return target


def _typed_back(values: dict[str, str]) -> dict[str, str]:
    """What the person typed, minus passwords (never echoed into a page)."""
    return {k: v for k, v in values.items() if k not in _SECRET_FIELDS}


def _set_session_cookie(
    request: Request, response: Response, settings: Settings, token: str
) -> None:
    response.set_cookie(
        csrf.SESSION_COOKIE,
        token,
        max_age=settings.session_lifetime_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=csrf.cookies_are_secure(request),
        path="/",
    )


def _register_context(
    values: dict[str, str], errors: dict[str, str], settings: Settings
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "timezones": timezone_choices(),
        "default_timezone": settings.timezone,
        "min_password_length": MIN_PASSWORD_LENGTH,
    }


@router.get("/register")
def register_page(request: Request, settings: SettingsDep, user: OptionalUser) -> Response:
    if user is not None:
        return redirect(request, "/")
    return render(request, "accounts/register.html", _register_context({}, {}, settings))


@router.post("/register")
@read_first
async def register(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    try:
        form = RegisterForm.model_validate(submitted)
        user = service.register_user(session, settings, form, now=clock.now(), role=Role.PERSON)
    except (ValidationError, InvalidInput) as error:
        errors = form_errors(error)
        context = _register_context(_typed_back(submitted), errors, settings)
        return render(request, "accounts/register.html", context, status_code=422)
    token = service.start_web_session(
        session,
        settings,
        user,
        now=clock.now(),
        previous_token=request.cookies.get(csrf.SESSION_COOKIE),
        user_agent=request.headers.get("user-agent"),
    )
    response = redirect(request, "/checkins/new?welcome=1")
    _set_session_cookie(request, response, settings, token)
    return response


@router.get("/login")
def login_page(
    request: Request, user: OptionalUser, next: Annotated[str | None, Query()] = None
) -> Response:
    if user is not None:
        return redirect(request, _safe_next(next))
    return render(request, "accounts/login.html", {"values": {}, "errors": {}, "next": next or ""})


@router.post("/login")
@read_first
async def login(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    raw_form = await request.form()
    submitted = form_values(raw_form.multi_items(), ignore=("csrf_token", "next"))
    next_url = _safe_next(str(raw_form.get("next") or ""))
    context: dict[str, Any] = {"values": _typed_back(submitted), "next": next_url}
    try:
        form = LoginForm.model_validate(submitted)
    except ValidationError as error:
        context["errors"] = validation_messages(error)
        return render(request, "accounts/login.html", context, status_code=422)
    result = service.log_in(
        session,
        settings,
        email=form.email,
        password=form.password,
        address=client_address(request),
        now=clock.now(),
    )
    if result.user is None:
        context["errors"] = {"form": result.message}
        return render(request, "accounts/login.html", context, status_code=401)
    token = service.start_web_session(
        session,
        settings,
        result.user,
        now=clock.now(),
        previous_token=request.cookies.get(csrf.SESSION_COOKIE),
        user_agent=request.headers.get("user-agent"),
    )
    response = redirect(request, next_url)
    _set_session_cookie(request, response, settings, token)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(csrf.SESSION_COOKIE)
    if token:
        service.end_web_session(session, token)
    response = redirect(request, "/login?signed_out=1")
    response.delete_cookie(csrf.SESSION_COOKIE, path="/")
    return response


def _account_context(session: Session, user: User, **extra: Any) -> dict[str, Any]:
    tokens = [ApiTokenRead.model_validate(t) for t in service.list_api_tokens(session, user)]
    return {"tokens": tokens, "errors": {}, "values": {}, **extra}


@router.get("/account")
def account_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    context = _account_context(session, user, changed=request.query_params.get("changed"))
    return render(request, "accounts/account.html", context)


@router.post("/account/password")
@read_first
async def change_password(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    try:
        form = PasswordChangeForm.model_validate(submitted)
        result = service.change_password(
            session,
            settings,
            user,
            form,
            now=clock.now(),
            address=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except (ValidationError, InvalidInput) as error:
        errors = form_errors(error)
        result = service.PasswordChangeResult(None, errors)
    if result.session_token is None:
        # Rendered, not raised: the failed attempt must be committed for throttling to count it.
        context = _account_context(session, user, errors=result.errors, section="password")
        return render(request, "accounts/account.html", context, status_code=422)
    response = redirect(request, "/account?changed=password")
    _set_session_cookie(request, response, settings, result.session_token)
    return response


@router.post("/account/tokens")
async def create_token_page(
    request: Request, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    try:
        form = TokenCreateForm.model_validate(submitted)
    except ValidationError as error:
        context = _account_context(
            session, user, errors=validation_messages(error), section="tokens"
        )
        return render(request, "accounts/account.html", context, status_code=422)
    token, _record = service.create_api_token(session, user, name=form.name, now=clock.now())
    context = _account_context(session, user, new_token=token, section="tokens")
    return render(request, "accounts/account.html", context, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token_page(
    request: Request, token_id: TokenId, user: CurrentUser, session: SessionDep
) -> Response:
    service.revoke_api_token(session, user, token_id)
    return redirect(request, "/account?changed=token#tokens")


def _deletion_context(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {"values": values, "errors": errors, "confirmation_word": CONFIRMATION_WORD}


@router.get("/account/delete")
def delete_account_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "accounts/delete.html", _deletion_context({}, {}))


@router.post("/account/delete")
@read_first
async def delete_account(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    try:
        form = AccountDeletionForm.model_validate(submitted)
        result = deletion.delete_account(
            session,
            settings,
            user,
            password=form.password,
            confirmation=form.confirm,
            address=client_address(request),
            now=clock.now(),
        )
    except (ValidationError, InvalidInput) as error:
        errors = form_errors(error)
        result = deletion.DeletionResult(None, errors)
    if not result.deleted:
        # Rendered, not raised: a wrong password must be committed for throttling to count it.
        context = _deletion_context(_typed_back(submitted), result.errors)
        return render(request, "accounts/delete.html", context, status_code=422)
    request.state.user = None  # the account is gone: the page after is an anonymous one
    response = redirect(request, "/account/deleted")
    response.delete_cookie(csrf.SESSION_COOKIE, path="/")
    return response


@router.get("/account/deleted")
def account_deleted_page(request: Request) -> Response:
    return render(request, "accounts/deleted.html")


# --- JSON API --------------------------------------------------------------------------------


@api_router.post(
    "/token",
    response_model=TokenResponse,
    responses={401: {"description": "Wrong e-mail or password"}, 429: {"description": "Throttled"}},
)
@read_first
def api_create_token(
    body: TokenRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Exchange e-mail and password for a bearer token (shown once; store it safely)."""
    result = service.log_in(
        session,
        settings,
        email=body.email,
        password=body.password,
        address=client_address(request),
        now=clock.now(),
    )
    if result.user is None:
        # Returned, not raised: the failed attempt must be committed for throttling to count it.
        return api_error(401, NotAuthenticated.code, result.message)
    token, record = service.create_api_token(session, result.user, name=body.name, now=clock.now())
    payload = TokenResponse(access_token=token, id=record.id, name=record.name)
    return Response(payload.model_dump_json(), media_type="application/json")


@api_router.get("/tokens", response_model=list[ApiTokenRead])
def api_list_tokens(user: ApiUser, session: SessionDep) -> list[ApiTokenRead]:
    """Your tokens (the secret itself is never shown again)."""
    return [ApiTokenRead.model_validate(t) for t in service.list_api_tokens(session, user)]


@api_router.delete("/tokens/{token_id}", status_code=204)
def api_revoke_token(token_id: TokenId, user: ApiUser, session: SessionDep) -> Response:
    service.revoke_api_token(session, user, token_id)
    return Response(status_code=204)


@account_api_router.delete(
    "",
    status_code=204,
    responses={
        204: {"description": "Deleted: the account and all its data are gone"},
        429: {"description": "Throttled: too many wrong passwords"},
    },
)
@read_first
def api_delete_account(
    body: AccountDeletionForm,
    request: Request,
    principal: ApiUserReadFirst,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Delete your account and all your data, after giving your password again and
    `"confirm": "DELETE"`. This cannot be undone. The audit log keeps only a pseudonymous entry
    saying that an account was deleted; your tokens stop working at once."""
    result = deletion.delete_account(
        session,
        settings,
        principal,
        password=body.password,
        confirmation=body.confirm,
        address=client_address(request),
        now=clock.now(),
    )
    if not result.deleted:
        # Returned, not raised: the failed attempt must be committed for throttling to count it.
        error = InvalidInput(result.errors)
        return api_error(422, error.code, error.message, fields=error.fields)
    return Response(status_code=204)
