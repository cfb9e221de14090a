"""One error type with its HTTP status: services raise these, one handler renders them."""

from __future__ import annotations

from collections.abc import Mapping


class AffectRangeError(Exception):
    """An expected failure with a message fit to show the person and an HTTP status."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFound(AffectRangeError):
    status_code = 404
    code = "not_found"


class NotAuthenticated(AffectRangeError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(AffectRangeError):
    status_code = 403
    code = "forbidden"


class CsrfFailed(Forbidden):
    code = "csrf_failed"


class Conflict(AffectRangeError):
    status_code = 409
    code = "conflict"


class TooManyAttempts(AffectRangeError):
    status_code = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class InvalidInput(AffectRangeError):
    """Input that failed validation; `fields` maps each field name to its message."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, fields: Mapping[str, str], message: str | None = None) -> None:
        self.fields = dict(fields)
        summary = "; ".join(f"{name}: {text}" for name, text in self.fields.items())
        super().__init__(message or f"Please check: {summary}")
