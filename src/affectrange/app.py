"""create_app(): routers, error handlers, static files and templates."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from affectrange.accounts.auth import SignInRequired
from affectrange.accounts.routes import account_api_router as account_api
from affectrange.accounts.routes import api_router as accounts_api
from affectrange.accounts.routes import router as accounts_pages
from affectrange.audit.routes import api_router as audit_api
from affectrange.audit.routes import router as audit_pages
from affectrange.careplan.routes import api_router as careplan_api
from affectrange.careplan.routes import router as careplan_pages
from affectrange.checkins.routes import api_router as checkins_api
from affectrange.checkins.routes import router as checkins_pages
from affectrange.clinician.routes import api_router as clinician_api
from affectrange.clinician.routes import router as clinician_pages
from affectrange.clock import Clock, SystemClock
from affectrange.config import Settings, get_settings
from affectrange.db import Database, create_database
from affectrange.directory.routes import api_router as directory_api
from affectrange.directory.routes import router as directory_pages
from affectrange.emotional_range.routes import api_router as emotional_range_api
from affectrange.emotional_range.routes import router as emotional_range_pages
from affectrange.errors import AffectRangeError, InvalidInput, TooManyAttempts
from affectrange.learning.routes import router as learning_pages
from affectrange.mail import Mailer, mailer_from_settings
from affectrange.medications.routes import api_router as medications_api
from affectrange.medications.routes import router as medications_pages
from affectrange.portability.routes import api_router as portability_api
from affectrange.portability.routes import router as portability_pages
from affectrange.preparation.routes import api_router as preparation_api
from affectrange.preparation.routes import router as preparation_pages
from affectrange.questionnaires.routes import api_router as questionnaires_api
from affectrange.questionnaires.routes import router as questionnaires_pages
from affectrange.reminders.routes import router as reminders_pages
from affectrange.reminders.routes import unsubscribe_router
from affectrange.reports.routes import api_router as reports_api
from affectrange.reports.routes import router as reports_pages
from affectrange.sharing.routes import api_router as sharing_api
from affectrange.sharing.routes import router as sharing_pages
from affectrange.web.api import api_error
from affectrange.web.pages import router as general_pages
from affectrange.web.templating import STATIC_DIR, render
from affectrange.web.validation import field_messages
from affectrange.writer import BatchingWriter

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
_HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed"}


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="AffectRange",
        version="1",
        summary="Daily emotional-range check-ins and the evidence they build.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database or create_database(settings.database_url)
    app.state.clock = clock or SystemClock()
    # E-mail a person asks to send now (a contact request to a listed provider): SMTP from the
    # settings, else the outbox folder. Tests pass a mailer aimed at their own SMTP server.
    app.state.mailer = mailer or mailer_from_settings(settings, app.state.clock)
    app.state.writer = BatchingWriter(app.state.database)
    app.state.csrf_secret = settings.resolved_secret_key().encode("utf-8")
    # Routes are matched in order, one pattern at a time: the frequent machine calls (health
    # probes, the API) come first, pages next, static files last.
    _add_health_routes(app)
    for router in (
        checkins_api,
        questionnaires_api,
        medications_api,
        emotional_range_api,
        reports_api,
        preparation_api,
        portability_api,
        sharing_api,
        clinician_api,
        directory_api,
        audit_api,
        careplan_api,
        accounts_api,
        account_api,
        general_pages,
        checkins_pages,
        questionnaires_pages,
        medications_pages,
        emotional_range_pages,
        reports_pages,
        preparation_pages,
        portability_pages,
        reminders_pages,
        sharing_pages,
        directory_pages,
        learning_pages,
        audit_pages,
        careplan_pages,
        clinician_pages,
        unsubscribe_router,
        accounts_pages,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_error_handlers(app)
    app.openapi = lambda: _openapi_with_bearer(app)  # type: ignore[method-assign]
    return app


def _openapi_with_bearer(app: FastAPI) -> dict[str, Any]:
    """Declare the bearer scheme of CONTRACTS.md section 6 on every API call but token creation."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["bearer"] = {"type": "http", "scheme": "bearer"}
        for path, operations in schema["paths"].items():
            if path.startswith("/api/") and path != "/api/v1/auth/token":
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
        app.openapi_schema = schema
    return app.openapi_schema


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    # Queued writes are finished (and committed) before the process exits.
    app.state.writer.close()


def _add_health_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"], responses={503: {"description": "Database down"}})
    def healthz(request: Request) -> JSONResponse:
        """200 when the database answers, 503 when it does not."""
        database: Database = request.app.state.database
        try:
            with database.session_factory() as session:
                session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            logger.exception("health check: the database does not answer")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/livez", tags=["health"])
    def livez() -> dict[str, str]:
        """200 while the process serves; touches nothing else (the benchmark's baseline)."""
        return {"status": "ok"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AffectRangeError)
    def handle_app_error(request: Request, error: AffectRangeError) -> Response:
        headers = {}
        if isinstance(error, TooManyAttempts):
            headers["Retry-After"] = str(error.retry_after_seconds)
        if isinstance(error, SignInRequired) and not _is_api(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
        response: Response
        if _is_api(request):
            extra = {"fields": error.fields} if isinstance(error, InvalidInput) else {}
            response = api_error(error.status_code, error.code, error.message, **extra)
        else:
            context = {"message": error.message, "status": error.status_code}
            response = render(request, "error.html", context, status_code=error.status_code)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    def handle_validation_error(request: Request, error: RequestValidationError) -> Response:
        fields = field_messages(error.errors())
        summary = "; ".join(f"{name}: {text}" for name, text in fields.items())
        if _is_api(request):
            return api_error(422, "invalid_input", f"Invalid input: {summary}", fields=fields)
        context = {"message": summary, "status": 422}
        return render(request, "error.html", context, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    def handle_http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = str(error.detail)
        if error.status_code == 404:
            message = "There is nothing at this address."
        elif error.status_code == 405:
            message = "This address does not accept that kind of request."
        if _is_api(request):
            code = {404: "not_found", 405: "method_not_allowed"}.get(
                error.status_code, "http_error"
            )
            return api_error(error.status_code, code, message)
        context = {"message": message, "status": error.status_code}
        return render(request, "error.html", context, status_code=error.status_code)

    @app.exception_handler(Exception)
    def handle_unexpected(request: Request, error: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        message = "Something went wrong on our side; nothing was saved. Please try again."
        if _is_api(request):
            return api_error(500, "internal_error", message)
        return render(request, "error.html", {"message": message, "status": 500}, status_code=500)
