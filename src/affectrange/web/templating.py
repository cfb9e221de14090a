"""Jinja2 templates and the one function routes use to render a page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from affectrange.web import csrf

TEMPLATE_DIR: Final = Path(__file__).parent / "templates"
STATIC_DIR: Final = Path(__file__).parent / "static"
HTMX_VERSION: Final = "2.0.8"

templates = Jinja2Templates(directory=TEMPLATE_DIR)
templates.env.globals["htmx_path"] = f"vendor/htmx-{HTMX_VERSION}.min.js"


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    values: dict[str, Any] = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": csrf.csrf_token(request),
        "is_htmx": is_htmx(request),
    }
    values.update(context or {})
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    csrf.attach_anon_cookie(request, response)
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(request: Request, url: str) -> Response:
    """After a successful POST: htmx follows HX-Redirect, plain browsers a 303."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def attachment(content: bytes, *, filename: str, media_type: str) -> Response:
    """A download (a report's PDF): saved under `filename`, never kept in a shared cache."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
