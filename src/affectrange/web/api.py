"""The JSON error shape of CONTRACTS.md section 6: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse


class ErrorBody(BaseModel):
    code: str = Field(examples=["invalid_input"])
    message: str
    fields: dict[str, str] | None = Field(
        default=None, description="For invalid input: a message per bad field, named as sent"
    )


class ErrorResponse(BaseModel):
    error: ErrorBody


def api_error(status_code: int, code: str, message: str, **extra: object) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message, **extra}
    return JSONResponse({"error": body}, status_code=status_code)


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


# Declared on every API router, so the OpenAPI document shows the real error shape (FastAPI would
# otherwise advertise its own {"detail": [...]} for 422).
API_ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    401: _error("Not signed in, or the token is not valid"),
    403: _error("Signed in, but not allowed (e.g. a clinician account on check-ins)"),
    404: _error("No such item among yours"),
    422: _error("Invalid input: `error.fields` names each bad field"),
}
