"""The JSON error shape of CONTRACTS.md section 6: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

from starlette.responses import JSONResponse


def api_error(status_code: int, code: str, message: str, **extra: object) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message, **extra}
    return JSONResponse({"error": body}, status_code=status_code)
